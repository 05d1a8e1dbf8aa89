package sched_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

const (
	warnAt = 11 * ms // the watchdog's threshold
	over   = 12 * ms // a slice that overruns
)

// noEscalation turns escalation off, for tests of the watchdog's warnings
// alone.
var noEscalation = sched.WithEscalation(sched.EscalationPolicy{Off: true})

// escWorld is a world with a 10ms budget and a watchdog at warnAt, whose
// warnings are logged as lines and whose slices are recorded per task. The
// threshold is above the budget: a task that breathes may run a whole
// budget in one slice.
type escWorld struct {
	*world
	log  []string                            // "f<frame> <owner>/<task>: <message>", an overrun's warning as "overrun <n>, <step>"
	ran  map[string][]uint64                 // task name -> the frames it ran a slice in
	used map[string]map[uint64]time.Duration // owner -> frame -> time its slices took
}

func newEscWorld(t *testing.T, p sched.EscalationPolicy, opts ...sched.Option) *escWorld {
	t.Helper()
	ew := &escWorld{ran: map[string][]uint64{}, used: map[string]map[uint64]time.Duration{}}
	opts = append([]sched.Option{
		sched.WithEscalation(p),
		sched.WithWatchdog(warnAt, func(wn sched.Warning) {
			ew.warns = append(ew.warns, wn)
			msg := wn.Message()
			if wn.Kind == sched.SlowSlice || wn.Kind == sched.SlowPredicate {
				msg = fmt.Sprintf("overrun %d, %v", wn.Overruns, wn.Step)
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
				if ew.used[e.Owner] == nil {
					ew.used[e.Owner] = map[uint64]time.Duration{}
				}
				ew.used[e.Owner][e.Frame] += e.Took
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

// small is a policy with thresholds small enough to read the steps frame by
// frame.
var small = sched.EscalationPolicy{Window: 100, ThrottleAt: 3, SuspendAt: 5, KillAt: 7, Suspension: 10, ThrottleShare: 0.5}

// An owner whose task overruns in every slice goes through every step, each
// at its threshold and not before, with its events in order; the other
// owner's task runs in every frame throughout (the budget has room for both
// tasks' slices).
func TestEscalationSteps(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, small, sched.WithBudget(20*ms))
		var finished []string
		ew.s.OnFinished(func(e sched.FinishEvent) {
			finished = append(finished, fmt.Sprintf("%s %s: %v", e.Task.Name(), e.How, e.Err))
		})
		hog := ew.start("A", "hog", ew.slices(every(over)))
		ew.start("B", "good", ew.slices(every(ms)))
		var steps []string
		for range 40 {
			ew.frames(1)
			steps = append(steps, ew.step("A").String())
		}
		// Throttled to half the budget (10ms), the hog runs while its owner
		// has time left, and its 12ms slices leave a debt.
		want := []string{
			"f1 A/hog: overrun 1, warned",
			"f2 A/hog: overrun 2, warned",
			"f3 A/hog: overrun 3, warned",
			"f3 A/hog: owner A throttled to 50% of the budget after 3 overruns in 100 frames",
			"f4 A/hog: overrun 4, throttled",
			"f5 A/hog: overrun 5, throttled",
			"f5 A/hog: owner A suspended for 10 frames after 5 overruns in 100 frames",
			"f16 A/: owner A runs again after 10 frames suspended, on probation",
			"f16 A/hog: overrun 6, on probation",
			"f17 A/hog: overrun 7, on probation",
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

// The window slides: overruns older than Window frames do not count, so
// overruns at frames 1, 6, 12 and 14 with a window of 10 throttle at the
// fourth (three in frames 5 to 14), not the third.
func TestEscalationWindowSlides(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{Window: 10, ThrottleAt: 3})
		overrun := map[uint64]bool{1: true, 6: true, 12: true, 14: true}
		ew.start("A", "spiky", ew.slices(func(f uint64) time.Duration {
			if overrun[f] {
				return over
			}
			return ms
		}))
		ew.frames(14)
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/spiky: overrun 1, warned",
			"f6 A/spiky: overrun 2, warned",
			"f12 A/spiky: overrun 2, warned",
			"f14 A/spiky: overrun 3, warned",
			"f14 A/spiky: owner A throttled to 10% of the budget after 3 overruns in 10 frames",
		})
	})
}

// The default policy, which WithWatchdog alone turns on: warned at the
// first overrun, throttled to 10% at the third, suspended for 300 frames at
// the sixth, and the task killed at the tenth, on probation; each step, and
// no other, is reported when its overrun is counted.
func TestEscalationDefaults(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{})
		hog := ew.start("A", "hog", ew.slices(every(over)))
		ew.frames(400)
		var got []string
		for _, wn := range ew.warns {
			if wn.Kind != sched.SlowSlice {
				got = append(got, fmt.Sprintf("f%d overrun %d: %s", wn.Frame, wn.Overruns, wn.Message()))
			}
		}
		// Throttled to 1ms a frame, each 12ms slice leaves an 11ms debt:
		// the hog runs every 12 frames.
		wantLines(t, "escalation", got, []string{
			"f3 overrun 3: owner A throttled to 10% of the budget after 3 overruns in 600 frames",
			"f28 overrun 6: owner A suspended for 300 frames after 6 overruns in 600 frames",
			"f329 overrun 0: owner A runs again after 300 frames suspended, on probation",
			"f365 overrun 10: killed after 10 overruns of owner A in 600 frames",
		})
		if want := []uint64{1, 2, 3, 4, 16, 28, 329, 341, 353, 365}; !slices.Equal(ew.ran["hog"], want) {
			t.Errorf("the hog ran in frames %v, want %v", ew.ran["hog"], want)
		}
		if !errors.Is(hog.Err(), sched.ErrOverrun) {
			t.Errorf("the hog's error %v, want ErrOverrun", hog.Err())
		}
	})
}

// A throttled owner uses at most the throttled share of each frame: 10% of
// the budget when it had no share of its own, half its share when that is
// less; the other owner gets the rest. A pardon restores its share.
func TestEscalationThrottledShare(t *testing.T) {
	for _, tc := range []struct {
		own, throttled float64
	}{{0, 0.2}, {0.3, 0.15}} {
		t.Run(fmt.Sprint("own share ", tc.own), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				ew := newEscWorld(t, sched.EscalationPolicy{ThrottleAt: 3, ThrottleShare: 0.2})
				if tc.own > 0 {
					ew.s.SetBudgetShare("A", tc.own)
				}
				ew.start("A", "greedy", func(t *sched.Self) (any, error) {
					for range 3 { // three overruns
						ew.work(over)
						t.Wait(ew.s.NextFrame())
					}
					return ew.loop(100 * us)(t)
				})
				ew.start("B", "fair", ew.loop(100*us))
				for ew.step("A") != sched.Throttled && ew.s.Frame() < 100 {
					ew.frames(1)
				}
				if got := ew.budgetShare("A"); got != tc.throttled || ew.step("A") != sched.Throttled {
					t.Fatalf("A %v with share %v, want throttled to %v", ew.step("A"), got, tc.throttled)
				}
				ew.frames(50)
				grant := time.Duration(tc.throttled * float64(10*ms))
				var total time.Duration
				for f := ew.s.Frame() - 49; f <= ew.s.Frame(); f++ {
					a, b := ew.used["A"][f], ew.used["B"][f]
					if a > grant || b < 10*ms-grant-100*us {
						t.Errorf("frame %d: A used %v, B %v; want A at most %v, B the rest", f, a, b, grant)
					}
					total += a
				}
				if total < 40*grant {
					t.Errorf("A used %v in 50 frames: throttled, but not to %v a frame", total, grant)
				}
				ew.s.Pardon("A")
				if got := ew.budgetShare("A"); got != tc.own || ew.step("A") != sched.NoEscalation {
					t.Errorf("after Pardon: A %v with share %v, want no step and share %v", ew.step("A"), got, tc.own)
				}
				ew.frames(1)
				if a := ew.used["A"][ew.s.Frame()]; a <= grant {
					t.Errorf("the frame after Pardon: A used %v, want more than the throttled %v", a, grant)
				}
			})
		})
	}
}

// A suspended owner's tasks get no slices and its predicates are not
// polled, whatever its code does: a Resume of a task it suspended itself,
// or a task it starts, run no sooner. Its tasks are not suspended one by
// one. After the suspension everything runs again; the other owner's task
// runs in every frame throughout.
func TestEscalationSuspension(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{ThrottleAt: -1, SuspendAt: 2, Suspension: 5}, sched.WithBudget(20*ms))
		ew.start("A", "hog", ew.slices(until(2, over)))
		worker := ew.start("A", "worker", ew.slices(every(ms)))
		var polled []uint64
		ew.start("A", "poller", func(t *sched.Self) (any, error) {
			return nil, t.Wait(waitcond.Predicate("never", func() bool {
				polled = append(polled, ew.s.Frame())
				return false
			}))
		})
		sleeper := ew.start("A", "sleeper", func(t *sched.Self) (any, error) {
			t.Suspend()
			return ew.slices(every(ms))(t)
		})
		ew.start("B", "good", ew.slices(every(ms)))
		ew.frames(3)
		if got := ew.step("A"); got != sched.Suspended {
			t.Fatalf("after 2 overruns: A %v, want suspended", got)
		}
		var errs []error
		ew.s.RunAs("A", func() {
			errs = append(errs, sleeper.Resume())
			_, err := ew.s.Go("", "newcomer", ew.slices(every(ms)))
			errs = append(errs, err)
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("A's code during its suspension: %v", err)
		}
		if worker.Suspended() || sleeper.Suspended() {
			t.Errorf("a task of the suspended owner reads as suspended itself")
		}
		ew.frames(7) // frames 4-10
		for task, want := range map[string][]uint64{
			"hog":      {1, 2, 8, 9, 10},
			"worker":   {1, 8, 9, 10}, // the hog's second overrun, in frame 2, came first
			"poller":   {1},
			"sleeper":  {1, 8, 9, 10},
			"newcomer": {8, 9, 10},
		} {
			if got := ew.ran[task]; !slices.Equal(got, want) {
				t.Errorf("%s ran in frames %v, want %v", task, got, want)
			}
		}
		if want := []uint64{1, 2, 8, 9, 10}; !slices.Equal(polled, want) {
			t.Errorf("the predicate was polled in frames %v, want %v", polled, want)
		}
		ew.wantEveryFrame("good", 10)
		if got := ew.step("A"); got != sched.Probation {
			t.Errorf("after the suspension: A %v, want on probation", got)
		}
	})
}

// A predicate that takes the watchdog's threshold to poll is an overrun of
// its owner: it escalates as a slice does, a suspended owner's predicates
// are not polled, and on probation the waiting task is killed.
func TestEscalationPredicate(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{ThrottleAt: -1, SuspendAt: 2, Suspension: 3, KillAt: 3})
		var polled []uint64
		slow := ew.start("A", "slow", func(t *sched.Self) (any, error) {
			return nil, t.Wait(waitcond.Predicate("slow", func() bool {
				polled = append(polled, ew.s.Frame())
				ew.work(over)
				return false
			}))
		})
		ew.frames(8)
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/slow: overrun 1, warned", // the Wait's own judging, in its slice
			"f2 A/slow: overrun 2, warned",
			"f2 A/slow: owner A suspended for 3 frames after 2 overruns in 600 frames",
			"f6 A/: owner A runs again after 3 frames suspended, on probation",
			"f6 A/slow: overrun 3, on probation",
			"f6 A/slow: killed after 3 overruns of owner A in 600 frames",
		})
		if want := []uint64{1, 2, 6}; !slices.Equal(polled, want) {
			t.Errorf("polled in frames %v, want %v", polled, want)
		}
		if !errors.Is(slow.Err(), sched.ErrOverrun) || len(ew.errs) != 1 {
			t.Errorf("the waiting task's error %v, error handler %v: want ErrOverrun, once", slow.Err(), ew.errs)
		}
	})
}

// Each window without overrun steps the owner down one step, with an
// event: from probation to throttled, to warned (restoring its share), to
// no step; the owner is then forgotten, and its next overrun warns it
// afresh.
func TestEscalationStepsDown(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{Window: 10, ThrottleAt: 2, SuspendAt: 4, Suspension: 3, ThrottleShare: 0.5}, sched.WithBudget(20*ms))
		again := uint64(50)
		ew.start("A", "hog", ew.slices(func(f uint64) time.Duration {
			if f <= 4 || f == again {
				return over
			}
			return ms
		}))
		steps := map[uint64]sched.EscalationStep{}
		for f := uint64(1); f <= again; f++ {
			ew.frames(1)
			steps[f] = ew.step("A")
		}
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/hog: overrun 1, warned",
			"f2 A/hog: overrun 2, warned",
			"f2 A/hog: owner A throttled to 50% of the budget after 2 overruns in 10 frames",
			"f3 A/hog: overrun 3, throttled",
			"f4 A/hog: overrun 4, throttled",
			"f4 A/hog: owner A suspended for 3 frames after 4 overruns in 10 frames",
			"f8 A/: owner A runs again after 3 frames suspended, on probation",
			"f18 A/: owner A off probation: no overrun in 10 frames; still throttled to 50% of the budget",
			"f28 A/: owner A no longer throttled: no overrun in 10 frames, no debt",
			"f38 A/: owner A cleared: no overrun in 10 frames",
			"f50 A/hog: overrun 1, warned",
		})
		for f, want := range map[uint64]sched.EscalationStep{17: sched.Probation, 18: sched.Throttled,
			27: sched.Throttled, 28: sched.Warned, 37: sched.Warned, 38: sched.NoEscalation, 49: sched.NoEscalation} {
			if steps[f] != want {
				t.Errorf("after frame %d: A %v, want %v", f, steps[f], want)
			}
		}
		if got := ew.budgetShare("A"); got != 0 {
			t.Errorf("A's share %v after it stepped down, want 0 (no cap) again", got)
		}
	})
}

// A throttled owner steps down to warned only once its debt is repaid: a
// window without overrun is not enough while its slices still owe time.
func TestEscalationRelaxWaitsForDebt(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{Window: 5, ThrottleAt: 1, SuspendAt: -1, KillAt: -1, ThrottleShare: 0.05})
		ew.start("A", "hog", ew.slices(func(f uint64) time.Duration {
			switch f {
			case 1:
				return over // an overrun: throttled to 0.5ms a frame
			case 2:
				return 10 * ms // under the threshold, but 9.5ms past its grant
			}
			return 100 * us
		}))
		ew.frames(25)
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/hog: overrun 1, warned",
			"f1 A/hog: owner A throttled to 5% of the budget after 1 overrun in 5 frames",
			// The window ends in frame 6; the debt is repaid in frame 21.
			"f21 A/: owner A no longer throttled: no overrun in 5 frames, no debt",
		})
	})
}

// Pardon puts an owner back at no step at once: a suspended owner's tasks
// run in the next frame, with the share it had, and its next overrun is
// counted afresh. A warning handler may pardon too: the escalation stops
// there.
func TestEscalationPardon(t *testing.T) {
	t.Run("suspended", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			ew := newEscWorld(t, small, sched.WithBudget(20*ms))
			ew.s.SetBudgetShare("A", 0.8)
			ew.start("A", "hog", ew.slices(until(5, over)))
			ew.frames(6)
			if got := ew.step("A"); got != sched.Suspended {
				t.Fatalf("A %v, want suspended", got)
			}
			ew.s.Pardon("A")
			ew.s.Pardon("nobody") // an owner never seen: nothing to do
			if got, share := ew.step("A"), ew.budgetShare("A"); got != sched.NoEscalation || share != 0.8 {
				t.Errorf("after Pardon: A %v with share %v, want no step and its own 0.8", got, share)
			}
			ew.frames(1)
			if got := ew.ran["hog"]; got[len(got)-1] != 7 {
				t.Errorf("the hog ran in frames %v, want frame 7, right after the pardon", got)
			}
		})
	})
	t.Run("by the warning handler", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			var ew *escWorld
			ew = newEscWorld(t, sched.EscalationPolicy{ThrottleAt: 1}, sched.WithWarningHandler(func(wn sched.Warning) {
				ew.log = append(ew.log, fmt.Sprintf("f%d %v %v", wn.Frame, wn.Kind == sched.Escalated, wn.Step))
				if wn.Kind == sched.SlowSlice && wn.Step == sched.Warned {
					ew.s.Pardon(wn.Owner)
				}
			}))
			ew.start("A", "hog", ew.slices(until(2, over)))
			ew.frames(3)
			// Throttling comes with the first overrun, but the pardon at
			// the overrun's own warning comes first: each overrun is
			// counted afresh.
			wantLines(t, "warnings", ew.log, []string{"f1 false warned", "f2 false warned"})
			if got := ew.step("A"); got != sched.NoEscalation {
				t.Errorf("A %v, want no step", got)
			}
		})
	})
}

// Escalation does nothing when turned off for every owner or for one, nor
// without a watchdog threshold, nor for the host's own tasks.
func TestEscalationOff(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []sched.Option
		setup func(s *sched.Scheduler)
		owner string
		warns int  // the SlowSlice warnings of its 20 overruns
		other bool // owner B, with the default policy, is throttled at its third overrun
	}{
		{"WithEscalation Off", []sched.Option{sched.WithEscalation(sched.EscalationPolicy{Off: true, ThrottleAt: 1})}, nil, "A", 20, false},
		{"SetEscalation Off", nil, func(s *sched.Scheduler) { s.SetEscalation("A", sched.EscalationPolicy{Off: true}) }, "A", 20, true},
		{"no watchdog", []sched.Option{sched.WithWatchdog(0, nil)}, nil, "A", 0, false},
		{"the host's tasks", nil, nil, sched.HostOwner, 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				ew := newEscWorld(t, sched.EscalationPolicy{}, append(tc.opts, sched.WithBudget(30*ms))...)
				if tc.setup != nil {
					tc.setup(ew.s)
				}
				ew.start(tc.owner, "hog", ew.slices(every(over)))
				ew.start("B", "hog", ew.slices(until(3, over)))
				ew.frames(20)
				n := 0
				for _, wn := range ew.warns {
					if wn.Owner != tc.owner {
						continue
					}
					if wn.Kind != sched.SlowSlice {
						t.Errorf("warning %q for %s", wn.Message(), tc.owner)
					}
					n++
				}
				if n != tc.warns {
					t.Errorf("%d warnings for %s, want %d SlowSlice warnings", n, tc.owner, tc.warns)
				}
				if got := ew.step(tc.owner); got != sched.NoEscalation {
					t.Errorf("%s %v, want no step", tc.owner, got)
				}
				if got := len(ew.ran["hog"]); got != 20 {
					t.Errorf("the hogs ran in %d frames, want all 20", got)
				}
				if (ew.step("B") == sched.Throttled) != tc.other {
					t.Errorf("B %v, want throttled: %v", ew.step("B"), tc.other)
				}
			})
		})
	}
}

// SetEscalation gives one owner thresholds of its own: here it is
// throttled at its first overrun, the other owner at its third.
func TestSetEscalation(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{ThrottleAt: 3}, sched.WithBudget(30*ms))
		ew.s.SetEscalation("A", sched.EscalationPolicy{ThrottleAt: 1, ThrottleShare: 0.25})
		ew.start("A", "a", ew.slices(until(1, over)))
		ew.start("B", "b", ew.slices(until(3, over)))
		ew.frames(3)
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/a: overrun 1, warned",
			"f1 A/a: owner A throttled to 25% of the budget after 1 overrun in 600 frames",
			"f1 B/b: overrun 1, warned",
			"f2 B/b: overrun 2, warned",
			"f3 B/b: overrun 3, warned",
			"f3 B/b: owner B throttled to 10% of the budget after 3 overruns in 600 frames",
		})
	})
}

// A warning handler that panics at every warning changes nothing: the
// owner goes through the same steps in the same frames, the kill happens,
// and each panic goes to the error handler.
func TestEscalationHandlerPanics(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, small, sched.WithBudget(20*ms), sched.WithWarningHandler(func(sched.Warning) { panic("hook") }))
		hog := ew.start("A", "hog", ew.slices(every(over)))
		ew.start("B", "good", ew.slices(every(ms)))
		steps := map[uint64]sched.EscalationStep{}
		for f := uint64(1); f <= 20; f++ {
			ew.frames(1)
			steps[f] = ew.step("A")
		}
		// As in TestEscalationSteps.
		if got := ew.ran["hog"]; !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 16, 17}) {
			t.Errorf("the hog ran in frames %v", got)
		}
		for f, want := range map[uint64]sched.EscalationStep{1: sched.Warned, 3: sched.Throttled, 5: sched.Suspended, 16: sched.Probation} {
			if steps[f] != want {
				t.Errorf("after frame %d: A %v, want %v", f, steps[f], want)
			}
		}
		if !errors.Is(hog.Err(), sched.ErrOverrun) {
			t.Errorf("the hog's error %v, want ErrOverrun", hog.Err())
		}
		// 7 SlowSlice, throttled, suspended, runs again, killed.
		if n := len(hookErrs(ew.world, "warning handler")); n != 11 {
			t.Errorf("%d warning handler panics reported, want 11", n)
		}
		ew.wantEveryFrame("good", 20)
	})
}

// With suspension turned off, KillAt applies from the first step. A task
// whose overrunning slice finished it is not killed: it keeps its result.
func TestEscalationKillWithoutSuspension(t *testing.T) {
	bubble(t, func(t *testing.T) {
		ew := newEscWorld(t, sched.EscalationPolicy{ThrottleAt: -1, SuspendAt: -1, KillAt: 2}, sched.WithBudget(50*ms))
		a := ew.start("A", "a", ew.slices(every(over)))
		b := ew.start("A", "b", func(*sched.Self) (any, error) {
			ew.work(over)
			return "done", nil
		})
		ew.frames(2)
		wantLines(t, "warnings", ew.log, []string{
			"f1 A/a: overrun 1, warned",
			"f1 A/b: overrun 2, warned", // b finished in that slice: not killed
			"f2 A/a: overrun 2, warned", // counted up to the largest threshold
			"f2 A/a: killed after 2 overruns of owner A in 600 frames",
		})
		if res, err := b.Result(); res != "done" || err != nil {
			t.Errorf("b's result %v, %v; want done", res, err)
		}
		if !errors.Is(a.Err(), sched.ErrOverrun) {
			t.Errorf("a's error %v, want ErrOverrun", a.Err())
		}
	})
}
