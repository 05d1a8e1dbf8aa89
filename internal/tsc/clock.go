package tsc

import (
	"math/bits"
	"time"
)

const (
	calibrate   = 20 * time.Millisecond // counting before the rate is trusted
	anchorEvery = 50 * time.Millisecond // counting between two readings of the real clock
	maxStray    = 50 * time.Microsecond // the least stray that ends the counter's use
	strayPPM    = 100                   // ... or this many millionths of the time extrapolated over
	maxPair     = 1 << 16               // ticks a clean reading of the real clock takes at most (25 µs at 2.6 GHz)
)

// Clock reads a monotonic clock, real, through the counter where it is
// Available. It is not safe for concurrent use.
type Clock struct {
	real    func() time.Duration
	count   func() uint64 // the counter: ticks, but for tests
	counted bool          // the counter is in use
	started bool          // the first anchor was taken

	origin, base   time.Duration // the first and the latest anchors' real readings
	originT, baseT uint64        // ... and the counter then
	mult           uint64        // nanoseconds a tick, 32.32 fixed point; 0 until calibrated
	span           uint64        // ticks past the anchor a reading may extrapolate
	last           time.Duration // the latest reading given
}

// New returns a Clock standing in for real, which must be monotonic.
func New(real func() time.Duration) *Clock {
	return newClock(real, Available())
}

func newClock(real func() time.Duration, counted bool) *Clock {
	return &Clock{real: real, count: ticks, counted: counted}
}

// Now reads the clock.
func (c *Clock) Now() time.Duration {
	if !c.counted {
		return c.give(c.real())
	}
	return c.at(ticks())
}

// at is the reading when the counter reads t.
func (c *Clock) at(t uint64) time.Duration {
	d := t - c.baseT // wraps when the counter went back: anchor sees it
	if d >= c.span {
		return c.anchor(t)
	}
	return c.give(c.base + time.Duration(d*c.mult>>32)) // d*mult < span*mult, about 50 ms << 32
}

// anchor reads the real clock, between the counter at t and again, checks
// the extrapolation and refines the rate. A reading of the real clock that
// took longer than maxPair ticks (the goroutine was interrupted between
// the two) is given but not taken as an anchor.
func (c *Clock) anchor(t uint64) time.Duration {
	r := c.real()
	t2 := c.count()
	if t2-t > maxPair {
		return c.give(r)
	}
	t += (t2 - t) / 2 // the real reading was taken between the two
	switch {
	case !c.started:
		c.origin, c.originT, c.started = r, t, true
	case t < c.baseT:
		c.counted = false // the counter went back
	case c.mult != 0:
		hi, lo := bits.Mul64(t-c.baseT, c.mult)
		if hi>>31 != 0 { // an extrapolation past 2^63 ns: nothing to check against
			break
		}
		want := c.base + time.Duration(hi<<32|lo>>32)
		if stray := max(want-r, r-want); stray > max(maxStray, (r-c.base)/1e6*strayPPM) {
			c.counted = false
		}
	}
	c.base, c.baseT = r, t
	if c.counted && r-c.origin >= calibrate && t > c.originT {
		c.mult = div32(uint64(r-c.origin), t-c.originT)
		c.span = div32(uint64(anchorEvery), c.mult)
	}
	return c.give(r)
}

// give returns r, or the latest reading given when that is later.
func (c *Clock) give(r time.Duration) time.Duration {
	r = max(r, c.last)
	c.last = r
	return r
}

// div32 is a/b in 32.32 fixed point, or 0 when that overflows or b is 0:
// the rate in ns a tick of ns over ticks, and the ticks d lasts at a rate.
func div32(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, 1<<32)
	if hi >= b {
		return 0
	}
	q, _ := bits.Div64(hi, lo, b)
	return q
}
