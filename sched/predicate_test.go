package sched_test

import (
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// Polling a predicate is charged to the waiting task's owner and to the
// frame, not to the first slice after it; a slow predicate is warned about
// as a slow slice is; and an owner held to a share of the budget is not
// polled while in debt, so its predicates keep to its share on average.
func TestPredicateCharged(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var warns []sched.Warning
		w := newWorld(t, 10*time.Millisecond, noEscalation, sched.WithWatchdog(5*time.Millisecond, func(wn sched.Warning) { warns = append(warns, wn) }))
		w.s.SetBudgetShare("A", 0.1) // 1ms of each 10ms frame
		polls := 0
		w.spawn("A", "slow predicate", func(self *sched.Self) (any, error) {
			return nil, self.Wait(waitcond.Predicate("slow", func() bool {
				polls++
				w.work(6 * time.Millisecond)
				return false
			}))
		})
		w.spawn("B", "innocent", func(self *sched.Self) (any, error) {
			for {
				w.work(200 * time.Microsecond)
				self.Breath()
			}
		})
		var used []time.Duration
		for _, st := range w.frames(12) {
			used = append(used, st.Used)
		}
		for _, wn := range warns {
			// The first evaluation is in the task's own slice (its Wait).
			if wn.Owner != "A" || wn.Took != 6*time.Millisecond || (wn.Kind == sched.SlowSlice) != (wn.Frame == 1) {
				t.Errorf("warning %+v (%s), want only warnings for A of 6ms: its slice in frame 1, its polls after", wn, wn.Message())
			}
		}
		// A's share is 1ms a frame: over 12 frames, 12ms and at most one
		// poll's overrun.
		if polls < 2 || polls*6 > 12+6 || len(warns) != polls {
			t.Errorf("polled %d times (counting the wait's own judging), %d warnings; want 2 or 3, a warning each", polls, len(warns))
		}
		for _, o := range w.s.Owners() {
			if o.Name == "A" && o.CPU != time.Duration(polls)*6*time.Millisecond {
				t.Errorf("A's CPU %v, want %d polls of 6ms", o.CPU, polls)
			}
		}
		for h := range w.s.Tasks() {
			if h.Name() == "innocent" && h.Stats().Longest > 5*time.Millisecond {
				t.Errorf("the innocent task's longest slice %v: it was charged for the predicate", h.Stats().Longest)
			}
		}
		for i, u := range used {
			if u > 10*time.Millisecond {
				t.Errorf("frame %d used %v of a 10ms budget", i+1, u)
			}
		}
	})
}
