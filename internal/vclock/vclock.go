package vclock

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// Clock is a clock.Clock whose time moves only by Add. Reading it costs a
// mutex, so it may be read from any goroutine; Add is for its owner.
//
// Its clock.Clock timers (AfterFunc, Timer, After...) are real ones:
// clock.Timer cannot be made outside package clock except by a Mock or the
// real clock. A guard against a script that loops forever must fire in real
// time anyway, because virtual time stands still while such a loop runs.
// Timers on virtual time are AfterVirtual's.
//
// clock.Mock was rejected: each Add sleeps a real millisecond, which makes a
// run of a few thousand frames and units of simulated work take seconds, and
// it runs AfterFunc callbacks on goroutines of their own.
type Clock struct {
	clock.Clock // the real clock: After, AfterFunc, Sleep, Tick, Ticker, Timer and contexts

	mu     sync.Mutex
	now    time.Time
	timers []*timer // armed by AfterVirtual, in no order
	seq    uint64
}

// timer is a function due at a virtual time; seq orders timers due at the
// same time by arming order.
type timer struct {
	at  time.Time
	seq uint64
	f   func()
}

// New returns a virtual clock reading start.
func New(start time.Time) *Clock {
	return &Clock{Clock: clock.New(), now: start}
}

// Now is the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Since is the virtual time elapsed since t.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until is the virtual time left until t.
func (c *Clock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Add moves the virtual time forward by d, then calls the functions of the
// AfterVirtual timers that are due, in the order of their times, on the
// goroutine calling Add. A d of 0 or less does nothing.
func (c *Clock) Add(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	if len(c.timers) > 0 {
		keep := c.timers[:0]
		for _, t := range c.timers {
			if t.at.After(c.now) {
				keep = append(keep, t)
			} else {
				due = append(due, t)
			}
		}
		clear(c.timers[len(keep):])
		c.timers = keep
	}
	c.mu.Unlock()
	slices.SortFunc(due, func(a, b *timer) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq))
	})
	for _, t := range due {
		t.f()
	}
}

// AfterVirtual arms a timer on virtual time: f is called once the time has
// moved d on from now, by the Add that moves it there (never by
// AfterVirtual itself, even for a d of 0 or less). The returned function
// disarms the timer; it does nothing once f has been called. Its signature
// is lua.Config.AfterFunc's, so that a Lua watchdog can run on virtual time.
func (c *Clock) AfterVirtual(d time.Duration, f func()) (stop func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{at: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := slices.Index(c.timers, t); i >= 0 {
			c.timers = slices.Delete(c.timers, i, i+1)
		}
	}
}
