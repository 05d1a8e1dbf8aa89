package sched_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// noEscalation turns escalation off, for tests of the watchdog's warnings
// alone.
var noEscalation = sched.WithEscalation(sched.EscalationPolicy{Off: true})

// escWorld is a world with a 10ms budget and a 5ms watchdog, whose
// warnings are logged as lines and whose slices are recorded per task.
type escWorld struct {
	*world
	log []string            // "f<frame> <owner>/<task>: <message>", SlowSlice as "overran"
	ran map[string][]uint64 // task name -> the frames it ran a slice in
}

func newEscWorld(t *testing.T, p sched.EscalationPolicy, opts ...sched.Option) *escWorld {
	t.Helper()
	ew := &escWorld{ran: map[string][]uint64{}}
	opts = append([]sched.Option{
		sched.WithEscalation(p),
		sched.WithWatchdog(5*ms, func(wn sched.Warning) {
			ew.warns = append(ew.warns, wn)
			msg := wn.Message()
			if wn.Kind == sched.SlowSlice || wn.Kind == sched.SlowPredicate {
				msg = "overran"
			}
			ew.log = append(ew.log, fmt.Sprintf("f%d %s/%s: %s", wn.Frame, wn.Owner, wn.Task, msg))
		}),
		sched.WithTrace(func(e sched.Event) {
			ew.trace = append(ew.trace, e.String())
			if e.Kind == sched.EventSlice {
				ran := ew.ran[e.Task]
				if len(ran) == 0 || ran[len(ran)-1] != e.Frame {
					ew.ran[e.Task] = append(ran, e.Frame)
				}
			}
		}),
	}, opts...)
	ew.world = newWorld(t, 10*ms, opts...)
	return ew
}

// slices is a body that runs one slice a frame, of the length chunk gives
// for the frame, forever.
func (ew *escWorld) slices(chunk func(frame uint64) time.Duration) sched.Body {
	return func(t *sched.Self) (any, error) {
		for {
			ew.work(chunk(ew.s.Frame()))
			if err := t.Wait(ew.s.NextFrame()); err != nil {
				return nil, err
			}
		}
	}
}

// every is a chunk of d in every frame.
func every(d time.Duration) func(uint64) time.Duration {
	return func(uint64) time.Duration { return d }
}

// until is a chunk of d up to frame last, and of 1ms after it.
func until(last uint64, d time.Duration) func(uint64) time.Duration {
	return func(f uint64) time.Duration {
		if f <= last {
			return d
		}
		return ms
	}
}

// step is owner's escalation step.
func (ew *escWorld) step(owner string) sched.EscalationStep {
	for _, o := range ew.s.Owners() {
		if o.Name == owner {
			return o.Escalation
		}
	}
	return sched.NoEscalation
}

// budgetShare is owner's budget share in force.
func (ew *escWorld) budgetShare(owner string) float64 {
	for _, o := range ew.s.Owners() {
		if o.Name == owner {
			return o.BudgetShare
		}
	}
	return 0
}

// wantEveryFrame fails the test unless task ran a slice in each of frames
// 1 to n.
func (ew *escWorld) wantEveryFrame(task string, n uint64) {
	ew.t.Helper()
	var want []uint64
	for f := uint64(1); f <= n; f++ {
		want = append(want, f)
	}
	if got := ew.ran[task]; !slices.Equal(got, want) {
		ew.t.Errorf("%s ran in frames %v, want every frame from 1 to %d", task, got, n)
	}
}

var small = sched.EscalationPolicy{Window: 100, ThrottleAt: 3, SuspendAt: 5, KillAt: 7, Suspension: 10, ThrottleShare: 0.5}

// An owner whose task overruns in every slice goes through every step, each
// at its threshold and not before, with its events in order; the other
// owner's task runs in every frame throughout.
func TestEscalationSteps(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, small)
		var finished []string
		ew.s.OnFinished(func(e sched.FinishEvent) {
			finished = append(finished, fmt.Sprintf("%s %s: %v", e.Task.Name(), e.How, e.Err))
		})
		hog := ew.start("A", "hog", ew.slices(every(6*ms)))
		ew.start("B", "good", ew.slices(every(ms)))
		var steps []string
		for range 40 {
			ew.frames(1)
			steps = append(steps, ew.step("A").String())
		}
		// Throttled to half the budget (5ms), the hog runs while its owner
		// has time left, and its 6ms slices leave a debt.
		want := []string{
			"f1 A/hog: overran",
			"f1 A/hog: owner A warned after 1 overrun in 100 frames",
			"f2 A/hog: overran",
			"f3 A/hog: overran",
			"f3 A/hog: owner A throttled to 50% of the budget after 3 overruns in 100 frames",
			"f4 A/hog: overran",
			"f5 A/hog: overran",
			"f5 A/hog: owner A suspended for 10 frames after 5 overruns in 100 frames",
			"f16 A/: owner A runs again after 10 frames suspended, on probation",
			"f16 A/hog: overran",
			"f17 A/hog: overran",
			"f17 A/hog: killed after 7 overruns of owner A in 100 frames",
		}
		wantLines(t, "warnings", ew.log, want)
		if got := ew.ran["hog"]; !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 16, 17}) {
			t.Errorf("the hog ran in frames %v", got)
		}
		for f, want := range map[int]string{1: "warned", 2: "warned", 3: "throttled", 4: "throttled",
			5: "suspended", 15: "suspended", 16: "on probation", 40: "on probation"} {
			if steps[f-1] != want {
				t.Errorf("after frame %d: A %s, want %s", f, steps[f-1], want)
			}
		}
		ew.wantEveryFrame("good", 40)

		if !errors.Is(hog.Err(), sched.ErrOverrun) {
			t.Errorf("the hog's error: %v, want ErrOverrun", hog.Err())
		}
		if len(ew.errs) != 1 || ew.errs[0].Owner != "A" || ew.errs[0].Task != "hog" || ew.errs[0].Frame != 17 || !errors.Is(ew.errs[0], sched.ErrOverrun) {
			t.Errorf("the error handler got %v, want the hog's ErrOverrun in frame 17", ew.errs)
		}
		const msg = "sched: owner kept overrunning: killed after 7 overruns of owner A in 100 frames"
		wantLines(t, "finished", finished, []string{"hog failed: " + msg})
		if !slices.Contains(ew.trace, "17 [A] hog: finish: "+msg) {
			t.Errorf("no Finish event for the hog in the trace:\n%s", ew.traceString())
		}
		for _, wn := range ew.warns {
			if wn.Kind == sched.Killed && (wn.Self == nil || wn.Step != sched.Probation || wn.Overruns != 7) {
				t.Errorf("the Killed warning %+v: want the hog's Self, Probation, 7 overruns", wn)
			}
		}
	})
}
