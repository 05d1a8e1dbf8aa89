package sched_test

import (
	"errors"
	"testing"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// The trace, warnings, errors and frames carry when they happened, on the
// scheduler's clock, so that a trace file can be written from them alone.
func TestTimeStamps(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var evs []sched.Event
		var warns []sched.Warning
		w := newWorld(t, 10*ms, sched.WithTrace(func(e sched.Event) { evs = append(evs, e) }),
			sched.WithWatchdog(5*ms, func(wn sched.Warning) { warns = append(warns, wn) }))
		w.work(3 * ms) // the scheduler was made at 0: frames start later
		sig := waitcond.NewSignal("loot")
		waiter := w.spawn("Bags", "waiter", func(t *sched.Self) (any, error) {
			w.work(ms)
			t.Wait(sig.Cond())
			return nil, nil
		})
		w.spawn("Bags", "slow", func(t *sched.Self) (any, error) {
			w.work(6 * ms) // past the watchdog's 5ms
			return nil, errors.New("broken")
		})
		later, err := w.s.Create("Bags", "later", ret(nil))
		if err != nil {
			t.Fatal(err)
		}
		if err := later.StartWhen(sig.Cond()); err != nil {
			t.Fatal(err)
		}
		st := w.s.RunFrame()
		if st.Start != 3*ms {
			t.Errorf("frame 1 Start %v, want 3ms", st.Start)
		}
		want := []sched.Event{
			{Frame: 0, Kind: sched.EventStart, Task: "waiter", Owner: "Bags", ID: waiter.ID(), At: 3 * ms},
			{Frame: 0, Kind: sched.EventStart, Task: "slow", Owner: "Bags", ID: waiter.ID() + 1, At: 3 * ms},
			{Frame: 0, Kind: sched.EventStart, Task: "later", Owner: "Bags", ID: later.ID(), At: 3 * ms, Why: `Signal "loot"`},
			{Frame: 1, Kind: sched.EventSlice, Task: "waiter", Owner: "Bags", ID: waiter.ID(), At: 4 * ms, Took: ms,
				Outcome: "waiting", Why: `Signal "loot"`},
			{Frame: 1, Kind: sched.EventFinish, Task: "slow", Owner: "Bags", ID: waiter.ID() + 1, At: 10 * ms},
			{Frame: 1, Kind: sched.EventSlice, Task: "slow", Owner: "Bags", ID: waiter.ID() + 1, At: 10 * ms, Took: 6 * ms,
				Outcome: "finished"},
		}
		if len(evs) != len(want) {
			t.Fatalf("events %+v, want %+v", evs, want)
		}
		for i := range want {
			got := evs[i]
			if got.Err != nil != (i == 4) {
				t.Errorf("event %d Err %v", i, got.Err)
			}
			got.Err = nil
			if got != want[i] {
				t.Errorf("event %d: got %+v, want %+v", i, got, want[i])
			}
		}
		if len(w.errs) != 1 || w.errs[0].At != 10*ms {
			t.Errorf("errors %+v, want one at 10ms", w.errs)
		}
		if len(warns) != 1 || warns[0].Kind != sched.SlowSlice || warns[0].At != 10*ms {
			t.Errorf("warnings %+v, want a slow slice at 10ms", warns)
		}
	})
}
