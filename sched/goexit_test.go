package sched_test

import (
	"errors"
	"runtime"
	"slices"
	"testing"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// A Go task that calls runtime.Goexit finishes with ErrGoexit (inside a
// *PanicError), its deferred functions run, its children are stopped and
// its waiters woken, and the frame, the other tasks, RunFrame and Close go
// on, leaving no goroutine behind.
func TestGoexitFinishesTheTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		before := len(leak.TaskGoroutines())
		w := newWorld(t, 10*ms)
		var p probe
		exiter := func(name string, first func(t *sched.Self)) sched.Body {
			return func(t *sched.Self) (any, error) {
				defer p.log("%s deferred", name)
				first(t)
				runtime.Goexit()
				p.log("%s went on", name)
				return nil, nil
			}
		}
		var child *sched.Task
		at1 := w.start("A", "at once", exiter("at once", func(*sched.Self) {}))
		parked := w.start("A", "after park", exiter("after park", func(t *sched.Self) {
			child = w.spawn("A", "child", func(t *sched.Self) (any, error) {
				defer p.log("child deferred")
				t.Wait(w.s.Timespan(day))
				return nil, nil
			})
			w.hold(child)
			w.work(5 * ms)
			t.BreathLong()
		}))
		waiter := w.start("A", "waiter", func(t *sched.Self) (any, error) {
			_, err := t.Result(parked)
			p.log("waiter got %v", errors.Is(err, sched.ErrGoexit))
			return nil, nil
		})
		other := w.start("A", "other", func(t *sched.Self) (any, error) {
			for i := range 3 {
				p.log("other %d", i)
				t.Yield()
			}
			return nil, nil
		})
		for range 4 {
			w.s.RunFrame()
		}
		for _, h := range []*sched.Task{at1, parked} {
			var pe *sched.PanicError
			if err := h.Err(); !errors.Is(err, sched.ErrGoexit) || !errors.As(err, &pe) {
				t.Errorf("%s: Err %v, want a *PanicError matching ErrGoexit", h.Name(), err)
			}
		}
		if reason, _ := stopReason(child.Err()); reason != sched.ParentFinishedReason {
			t.Errorf("child: Err %v, want a stop %q", child.Err(), sched.ParentFinishedReason)
		}
		for _, h := range []*sched.Task{waiter, other} {
			if _, err := h.Result(); err != nil {
				t.Errorf("%s: Result %v, want it finished without error", h.Name(), err)
			}
		}
		for _, line := range []string{"at once deferred", "after park deferred", "child deferred", "waiter got true", "other 2"} {
			if !p.has(line) {
				t.Errorf("log %v lacks %q", p.snapshot(), line)
			}
		}
		if slices.ContainsFunc(p.snapshot(), func(l string) bool { return l == "at once went on" || l == "after park went on" }) {
			t.Errorf("log %v: a task went on after Goexit", p.snapshot())
		}
		if len(w.errs) != 2 {
			t.Errorf("error handler got %v, want the two Goexits", w.errs)
		}
		if st := w.s.RunFrame(); st.Frame != 5 {
			t.Errorf("RunFrame after the Goexits: frame %d, want 5", st.Frame)
		}
		if err := w.s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := len(leak.TaskGoroutines()); got != before {
			t.Errorf("task goroutines after Close: got %d, want %d", got, before)
		}
	})
}

// A stopped task whose deferred function calls runtime.Goexit still
// finishes with its stop, and the code that stopped it goes on.
func TestGoexitWhileUnwinding(t *testing.T) {
	bubble(t, func(t *testing.T) {
		before := len(leak.TaskGoroutines())
		w := newWorld(t, 10*ms)
		victim := w.start("A", "victim", func(t *sched.Self) (any, error) {
			defer runtime.Goexit()
			t.Wait(waitcond.Or())
			return nil, nil
		})
		w.s.RunFrame()
		if err := victim.Stop("bye"); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if reason, _ := stopReason(victim.Err()); reason != "bye" {
			t.Errorf("victim: Err %v, want the stop %q", victim.Err(), "bye")
		}
		stopper := w.start("A", "stopper", func(t *sched.Self) (any, error) {
			v := w.start("A", "victim2", func(t *sched.Self) (any, error) {
				defer runtime.Goexit()
				t.Wait(waitcond.Or())
				return nil, nil
			})
			t.Yield()
			return "done", v.Stop("")
		})
		w.frames(2)
		if res, err := stopper.Result(); res != "done" || err != nil {
			t.Errorf("stopper: Result %v, %v; want done, nil", res, err)
		}
		w.s.Close()
		if got := len(leak.TaskGoroutines()); got != before {
			t.Errorf("task goroutines after Close: got %d, want %d", got, before)
		}
	})
}
