package tsc

import (
	"testing"
	"time"
)

// fake is a counter and a real clock the test moves together, the counter
// at 2.5 ticks a nanosecond; a reading of the real clock takes pair ticks
// and is taken halfway; reals counts them.
type fake struct {
	now   time.Duration
	ticks uint64
	reals int
	given time.Duration // the real clock's latest reading
	pair  uint64        // ticks a reading of the real clock takes
}

func (f *fake) clock() *Clock {
	c := newClock(func() time.Duration {
		f.reals++
		f.advanceTicks(f.pair / 2)
		f.given = f.now
		f.advanceTicks(f.pair / 2)
		return f.given
	}, true)
	c.count = func() uint64 { return f.ticks }
	return c
}

// advance moves both by d, the counter at 2.5 ticks a nanosecond.
func (f *fake) advance(d time.Duration) {
	f.now += d
	f.ticks += uint64(d) * 5 / 2
}

// advanceTicks moves both by n ticks (a multiple of 5).
func (f *fake) advanceTicks(n uint64) {
	f.ticks += n
	f.now += time.Duration(n * 2 / 5)
}

func TestCalibrateThenExtrapolate(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1 << 40, pair: 50}
	c := f.clock()
	// Calibrating: every reading is the real clock's.
	for f.now < time.Second+calibrate {
		if got := c.at(f.ticks); got != f.given {
			t.Fatalf("calibrating: read %v, want the real %v", got, f.given)
		}
		f.advance(time.Millisecond)
	}
	c.at(f.ticks) // calibrates
	if c.mult == 0 {
		t.Fatal("not calibrated after 20 ms")
	}
	// Extrapolating: the real clock is not read, and the reading is right
	// to the nanosecond.
	reals := f.reals
	for range 40 {
		f.advance(time.Millisecond)
		got := c.at(f.ticks)
		if d := got - f.now; d < -1 || d > 1 {
			t.Fatalf("read %v, real %v", got, f.now)
		}
	}
	if f.reals != reals {
		t.Errorf("%d readings of the real clock while extrapolating 40 ms", f.reals-reals)
	}
	// Past 50 ms of counting, a new anchor.
	f.advance(20 * time.Millisecond)
	if got := c.at(f.ticks); got != f.given || f.reals != reals+1 || !c.counted {
		t.Errorf("read %v (real %v), %d new real readings, counted %v; want an anchor", got, f.given, f.reals-reals, c.counted)
	}
}

// calibrated is a Clock of f past calibration.
func calibrated(t *testing.T, f *fake) *Clock {
	c := f.clock()
	for range 30 {
		c.at(f.ticks)
		f.advance(time.Millisecond)
	}
	c.at(f.ticks)
	if c.mult == 0 || !c.counted {
		t.Fatal("not calibrated")
	}
	return c
}

func TestStrayEndsCounting(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1000}
	c := calibrated(t, f)
	f.advance(60 * time.Millisecond)
	f.now += 100 * time.Microsecond // the counter fell behind the real clock
	if got := c.at(f.ticks); got != f.now {
		t.Errorf("read %v at the anchor, want the real %v", got, f.now)
	}
	if c.counted {
		t.Error("still counting after a 100 µs stray")
	}
}

func TestLongWaitWithinTolerance(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1000}
	c := calibrated(t, f)
	f.advance(1000 * time.Second)
	f.now += 10 * time.Millisecond // 10 ppm over 1000 s
	c.at(f.ticks)
	if !c.counted {
		t.Error("a 10 ppm stray over 1000 s ended counting")
	}
}

func TestCounterBackEndsCounting(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1 << 30}
	c := calibrated(t, f)
	f.now += time.Millisecond
	f.ticks = c.baseT - 1000
	if got := c.at(f.ticks); got != f.now || c.counted {
		t.Errorf("read %v (real %v), counted %v; want the real clock, and counting ended", got, f.now, c.counted)
	}
}

func TestInterruptedPairIsNoAnchor(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1000}
	c := calibrated(t, f)
	base := c.base
	f.advance(60 * time.Millisecond)
	f.pair = 2 * maxPair // the goroutine was interrupted between the two readings
	if got := c.at(f.ticks); got != f.given || c.base != base || !c.counted {
		t.Errorf("read %v (real %v), anchor moved %v, counted %v", got, f.given, c.base != base, c.counted)
	}
}

func TestNeverBack(t *testing.T) {
	f := &fake{now: time.Second, ticks: 1000}
	c := calibrated(t, f)
	f.advance(40 * time.Millisecond)
	ahead := c.at(f.ticks + 2500*30) // 30 µs ahead of the real clock, within the stray allowed
	f.advance(20 * time.Millisecond)
	f.now = ahead - 20*time.Microsecond // the anchor reads earlier than what was given
	f.ticks = f.ticks - 2500*20
	if got := c.at(f.ticks + uint64(anchorEvery)*3); got < ahead {
		t.Errorf("read %v after %v", got, ahead)
	}
}

// TestMachineClock: on this machine, the Clock stays within 50 µs of the
// clock it stands in for, whether it counts or not (Available says which).
func TestMachineClock(t *testing.T) {
	epoch := time.Now()
	real := func() time.Duration { return time.Since(epoch) }
	c := New(real)
	t.Logf("counting: %v", c.counted)
	prev := time.Duration(-1)
	for real() < 3*anchorEvery {
		before := real()
		got := c.Now()
		after := real()
		if got < before-maxStray || got > after+maxStray {
			t.Fatalf("read %v between real readings %v and %v", got, before, after)
		}
		if got < prev {
			t.Fatalf("read %v after %v", got, prev)
		}
		prev = got
	}
	if Available() && !c.counted {
		t.Error("the counter strayed on this machine")
	}
}

// BenchmarkNow: a reading of a Clock (counter: extrapolated from the
// counter where Available, else the real clock) against a reading of the
// real clock it stands in for, the monotonic time.Since.
func BenchmarkNow(b *testing.B) {
	epoch := time.Now()
	real := func() time.Duration { return time.Since(epoch) }
	var sum time.Duration
	b.Run("counter", func(b *testing.B) {
		c := New(real)
		for range b.N {
			sum += c.Now()
		}
	})
	b.Run("real", func(b *testing.B) {
		for range b.N {
			sum += real()
		}
	})
	if sum < 0 {
		b.Fatal("the clock went back")
	}
}
