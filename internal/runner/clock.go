package runner

import (
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// virtualClock is the clock of a --virtual run: its time moves only when
// the runner advances it (the frame cadence and Sim.Work), and reading it
// costs a mutex.
//
// clock.Mock was rejected: each Add sleeps a real millisecond, which makes a
// run of a few thousand frames and Sim.Work calls take seconds, and it runs
// AfterFunc callbacks on goroutines of their own. Its timers are the one
// part kept real: clock.Timer cannot be made outside package clock except by
// a Mock or the real clock, and the only timer a run arms is the Lua
// watchdog's, a guard against a script that loops forever, which must fire
// in real time because virtual time stands still while Lua code loops.
type virtualClock struct {
	clock.Clock // the real clock: After, AfterFunc, Sleep, Tick, Ticker, Timer and contexts

	mu  sync.Mutex
	now time.Time
}

// newVirtualClock returns a virtual clock reading start.
func newVirtualClock(start time.Time) *virtualClock {
	return &virtualClock{Clock: clock.New(), now: start}
}

// Now is the virtual time.
func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Since is the virtual time elapsed since t.
func (c *virtualClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until is the virtual time left until t.
func (c *virtualClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Add moves the virtual time forward by d; a negative d does nothing.
func (c *virtualClock) Add(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
