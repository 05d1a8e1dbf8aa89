package sched_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// Yield ends the task's slice and puts it at the back of the line: it runs
// again in the same frame after the others while the frame has room, and in
// the next frame otherwise.
func TestYield(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		w.start("o", "a", func(self *sched.Self) (any, error) {
			for i := range 3 {
				w.work(1 * ms)
				p.log("a%d f%d", i, w.s.Frame())
				self.Yield()
			}
			w.work(5 * ms)
			self.Yield() // 8ms of 10 used: no room for a 5ms chunk
			p.log("a end f%d", w.s.Frame())
			return nil, nil
		})
		w.start("o", "b", func(self *sched.Self) (any, error) {
			w.work(1 * ms)
			p.log("b f%d", w.s.Frame())
			return nil, nil
		})
		w.frames(2)
		if want := []string{"a0 f1", "b f1", "a1 f1", "a2 f1", "a end f2"}; !slices.Equal(p.lines, want) {
			t.Errorf("log %q, want %q", p.lines, want)
		}
		if got, want := w.turns(1), []string{"a yielded", "b finished", "a yielded", "a yielded", "a yielded"}; !slices.Equal(got, want) {
			t.Errorf("frame 1 turns %q, want %q", got, want)
		}
		if got, want := w.turns(2), []string{"a finished"}; !slices.Equal(got, want) {
			t.Errorf("frame 2 turns %q, want %q", got, want)
		}
	})
}

// Yield outside the running task's code is a bug of the caller's, as
// Breath is.
func TestYieldNotRunning(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var saved *sched.Self
		w.start("o", "a", func(self *sched.Self) (any, error) {
			saved = self
			self.Wait(w.s.Frames(5))
			return nil, nil
		})
		w.frames(1)
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "Yield") {
				t.Errorf("recovered %v, want a panic naming Yield", r)
			}
		}()
		saved.Yield()
	})
}

// Task.Wait from outside: an active task waits from the call and then goes
// on where it was; a waiting task waits again once its wait is met; a
// suspended one waits too and goes on once met and resumed; a running task
// told to wait by code its slice calls waits after the slice.
func TestWaitFromOutside(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		parked := w.start("o", "parked", func(self *sched.Self) (any, error) {
			w.work(5 * ms)
			self.Breath() // over 40%: parks until frame 2
			p.log("parked goes on f%d", w.s.Frame())
			return nil, nil
		})
		waiting := w.start("o", "waiting", func(self *sched.Self) (any, error) {
			self.Wait(w.s.Frames(1))
			p.log("waiting goes on f%d", w.s.Frame())
			return nil, nil
		})
		var runner *sched.Task
		runner = w.start("o", "runner", func(self *sched.Self) (any, error) {
			if err := runner.Wait(w.s.Frames(3)); err != nil { // as a callback in its slice would
				return nil, err
			}
			p.log("runner slice goes on f%d %v", w.s.Frame(), runner.State())
			self.Yield() // the slice ends: the wait takes the next turn
			p.log("runner goes on f%d", w.s.Frame())
			return nil, nil
		})
		w.frames(1) // frame 1: parked parks, waiting waits, runner yields
		fresh := w.start("o", "fresh", func(self *sched.Self) (any, error) {
			p.log("fresh runs f%d", w.s.Frame())
			return nil, nil
		})
		if err := fresh.Wait(w.s.Frames(1)); err != nil { // it has not run yet
			t.Fatal(err)
		}
		if len(p.lines) != 1 || runner.State() != sched.Waiting {
			t.Fatalf("after frame 1: log %q, runner %v (want waiting)", p.lines, runner.State())
		}
		for _, h := range []*sched.Task{parked, waiting} {
			if err := h.Wait(w.s.Frames(3)); err != nil {
				t.Fatalf("%s.Wait: %v", h.Name(), err)
			}
			if h.State() != sched.Waiting {
				t.Errorf("%s: state %v after Wait, want waiting", h.Name(), h.State())
			}
		}
		if err := waiting.Wait(w.s.Frames(4)); err != nil { // queued after Frames(3)
			t.Fatal(err)
		}
		w.frames(5)
		want := []string{
			"runner slice goes on f1 active",
			"fresh runs f2",
			"runner goes on f4",
			"parked goes on f4",
			"waiting goes on f5", // its own wait met at 2, Frames(3) at 4, Frames(4) at 5
		}
		if !slices.Equal(p.lines, want) {
			t.Errorf("log\n\t%s\nwant\n\t%s", strings.Join(p.lines, "\n\t"), strings.Join(want, "\n\t"))
		}
		if len(w.errs) > 0 {
			t.Errorf("errors: %v", w.errs)
		}
	})
}

func TestWaitFromOutsideSuspended(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		h := w.start("o", "h", func(self *sched.Self) (any, error) {
			self.Suspend()
			p.log("goes on f%d", w.s.Frame())
			return nil, nil
		})
		w.frames(1)
		if err := h.Wait(w.s.Frames(2)); err != nil {
			t.Fatal(err)
		}
		if h.State() != sched.Waiting || !h.Suspended() {
			t.Fatalf("state %v suspended %v, want waiting and suspended", h.State(), h.Suspended())
		}
		w.frames(3) // met at frame 3, but suspended
		if err := h.Resume(); err != nil {
			t.Fatal(err)
		}
		w.frames(1)
		if want := []string{"goes on f5"}; !slices.Equal(p.lines, want) {
			t.Errorf("log %q, want %q", p.lines, want)
		}
	})
}

func TestWaitFromOutsideRefused(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		idle := func(self *sched.Self) (any, error) { self.Wait(w.s.Frames(100)); return nil, nil }
		pending := w.create("A", "pending", idle)
		a := w.start("A", "a", idle)
		done := w.start("A", "done", ret(1))
		var b *sched.Task
		b = w.start("A", "b", func(self *sched.Self) (any, error) {
			self.Wait(waitcond.Task(a))
			return nil, nil
		})
		w.frames(1)
		if err := pending.Wait(w.s.NextFrame()); !errors.Is(err, sched.ErrNotStarted) {
			t.Errorf("pending: %v, want ErrNotStarted", err)
		}
		if err := done.Wait(w.s.NextFrame()); !errors.Is(err, sched.ErrFinished) {
			t.Errorf("finished: %v, want ErrFinished", err)
		}
		var err error
		w.s.RunAs("B", func() { err = a.Wait(w.s.NextFrame()) })
		if !errors.Is(err, sched.ErrForeign) {
			t.Errorf("other owner: %v, want ErrForeign", err)
		}
		err = a.Wait(waitcond.Task(b)) // b waits for a
		var de *sched.DeadlockError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), `"a" (owner A) waits for "b" (owner A) which waits for "a"`) {
			t.Errorf("cycle: %v, want a DeadlockError naming a and b", err)
		}
		if err := a.Wait(waitcond.Task(a)); !errors.Is(err, sched.ErrDeadlock) {
			t.Errorf("own task: %v, want ErrDeadlock", err)
		}
		if a.State() != sched.Waiting || a.Why() != "Frame 101 [100 frames left]" {
			t.Errorf("a after refusals: %v, %q: want its own wait", a.State(), a.Why())
		}
		if len(w.errs) > 0 {
			t.Errorf("errors: %v", w.errs)
		}
	})
}

// A queued wait that closes a cycle only by the time it is installed is
// dropped and reported; the task goes on.
func TestWaitFromOutsideQueuedDeadlock(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		var b *sched.Task
		a := w.start("A", "a", func(self *sched.Self) (any, error) {
			self.Wait(w.s.Frames(2))
			p.log("a goes on f%d", w.s.Frame())
			return nil, nil
		})
		w.frames(1)
		b = w.start("A", "b", func(self *sched.Self) (any, error) {
			if err := self.Wait(waitcond.Task(a)); err != nil {
				return nil, err
			}
			p.log("b goes on f%d", w.s.Frame())
			return nil, nil
		})
		if err := a.Wait(waitcond.Task(b)); err != nil { // b does not wait yet: no cycle
			t.Fatal(err)
		}
		w.frames(3)
		if want := []string{"a goes on f3", "b goes on f3"}; !slices.Equal(p.lines, want) {
			t.Errorf("log %q, want %q", p.lines, want)
		}
		if len(w.errs) != 1 || !errors.Is(w.errs[0].Err, sched.ErrDeadlock) || w.errs[0].Task != "a" {
			t.Errorf("errors %v, want a's deadlock", w.errs)
		}
	})
}

// A task stopped while it has queued waits drops them, and the handles
// its conditions held.
func TestWaitFromOutsideStopped(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		a := w.start("A", "a", func(self *sched.Self) (any, error) {
			self.Wait(w.s.Frames(2))
			return "not reached", nil
		})
		w.frames(1)
		if err := a.Wait(w.s.Frames(1)); err != nil {
			t.Fatal(err)
		}
		if err := a.Stop(""); err != nil {
			t.Fatal(err)
		}
		w.frames(3)
		if _, err := a.Result(); !errors.Is(err, sched.ErrStopped) {
			t.Errorf("result %v, want stopped", err)
		}
		if err := a.Wait(w.s.Frames(1)); !errors.Is(err, sched.ErrFinished) {
			t.Errorf("Wait on finished: %v", err)
		}
	})
}

func TestAbandonedErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		h := w.start("A", "h", func(self *sched.Self) (any, error) {
			self.Wait(w.s.Frames(100))
			return nil, nil
		})
		w.frames(1)
		if err := h.Abandon(); err != nil {
			t.Fatal(err)
		}
		err := h.Abandon()
		if !errors.Is(err, sched.ErrAbandoned) || !strings.Contains(err.Error(), "already abandoned") {
			t.Errorf("second Abandon: %v", err)
		}
		err = h.Suspend()
		if !errors.Is(err, sched.ErrAbandoned) || !strings.Contains(err.Error(), "can't be suspended because it's abandoned") {
			t.Errorf("Suspend: %v", err)
		}
		if h.Suspended() || h.State() != sched.Waiting {
			t.Errorf("after refusals: suspended %v, state %v", h.Suspended(), h.State())
		}
	})
}

// The Lua binding maps this reason to blTasks' own: it must be the one a
// parent's finishing gives.
func TestParentFinishedReason(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var child *sched.Task
		w.start("A", "p", func(self *sched.Self) (any, error) {
			child = w.create("A", "c", func(self *sched.Self) (any, error) { self.Wait(w.s.Frames(9)); return nil, nil })
			child.Start()
			return nil, nil
		})
		w.frames(1)
		if r, ok := stopReason(child.Err()); !ok || r != sched.ParentFinishedReason {
			t.Errorf("child's error %v, want reason %q", child.Err(), sched.ParentFinishedReason)
		}
	})
}

// A predicate is addon code: polled at a frame's start, it may make another
// task wait on a predicate, which must be polled from then on.
func TestWaitFromOutsideInPredicate(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		other := w.start("A", "other", func(self *sched.Self) (any, error) {
			w.work(5 * ms)
			self.Breath() // parks until frame 2
			p.log("other goes on f%d", w.s.Frame())
			return nil, nil
		})
		polls := 0
		w.start("A", "poller", func(self *sched.Self) (any, error) {
			self.Wait(waitcond.Predicate("outer", func() bool {
				polls++
				if polls == 2 { // at frame 2's start: other is active, so it waits at once
					n := 0
					if err := other.Wait(waitcond.Predicate("inner", func() bool { n++; return n == 3 })); err != nil {
						t.Error(err)
					}
				}
				return polls == 4
			}))
			return nil, nil
		})
		w.frames(8)
		if want := []string{"other goes on f4"}; !slices.Equal(p.lines, want) { // polled at 2, 3 and 4
			t.Errorf("log %q, want %q", p.lines, want)
		}
	})
}
