package sched_test

import (
	"bytes"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/framesched/framesched/sched"
)

// safeFrames runs n frames; a panic out of RunFrame fails the test, and the
// test goes on to look at the scheduler's state.
func safeFrames(w *world, n int) {
	w.t.Helper()
	for range n {
		func() {
			defer func() {
				if r := recover(); r != nil {
					w.t.Errorf("RunFrame panicked: %v", r)
				}
			}()
			w.s.RunFrame()
		}()
	}
}

// failing starts a task "failer" that starts a child "kid" waiting a day
// and fails in its second slice, a task "waiter" waiting for its result, and
// a task "bystander" that yields twice; it returns a check that, after a
// few frames, every state change of the failure was made.
func failing(w *world) (check func()) {
	var kid *sched.Task
	failer := w.start("A", "failer", func(t *sched.Self) (any, error) {
		kid = w.spawn("A", "kid", func(t *sched.Self) (any, error) { return nil, t.Wait(w.s.Timespan(day)) })
		w.hold(kid)
		t.Yield()
		return nil, errors.New("boom")
	})
	var waited error
	waiter := w.start("A", "waiter", func(t *sched.Self) (any, error) {
		_, waited = t.Result(failer)
		return nil, nil
	})
	bystander := w.start("A", "bystander", func(t *sched.Self) (any, error) {
		t.Yield()
		t.Yield()
		return "ok", nil
	})
	return func() {
		w.t.Helper()
		if err := failer.Err(); err == nil || err.Error() != "boom" {
			w.t.Errorf("failer: Err %v, want boom", err)
		}
		if reason, _ := stopReason(kid.Err()); reason != sched.ParentFinishedReason {
			w.t.Errorf("kid: state %v, Err %v; want stopped (%s)", kid.State(), kid.Err(), sched.ParentFinishedReason)
		}
		if !waiter.Finished() || waited == nil || waited.Error() != "boom" {
			w.t.Errorf("waiter: state %v, got %v; want finished with boom", waiter.State(), waited)
		}
		if res, _ := bystander.Result(); res != "ok" {
			w.t.Errorf("bystander: state %v, want finished with ok", bystander.State())
		}
		if st := w.s.RunFrame(); st.Frame == 0 {
			w.t.Errorf("RunFrame after: %+v", st)
		}
		for _, o := range w.s.Owners() {
			if o.Name == "A" && o.Live != 0 {
				w.t.Errorf("owner A: %d live tasks, want 0", o.Live)
			}
		}
	}
}

// hookErrs are the errors the error handler got for panics of hook what.
func hookErrs(w *world, what string) []sched.TaskError {
	var out []sched.TaskError
	for _, e := range w.errs {
		var pe *sched.PanicError
		if e.Task == what && e.Owner == sched.HostOwner && errors.As(e.Err, &pe) && pe.Value == "hook" {
			out = append(out, e)
		}
	}
	return out
}

func TestErrorHandlerPanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var logged bytes.Buffer
		old := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
		t.Cleanup(func() { slog.SetDefault(old) })
		calls := 0
		w := newWorld(t, 10*ms, sched.WithErrorHandler(func(sched.TaskError) { calls++; panic("hook") }))
		check := failing(w)
		safeFrames(w, 4)
		check()
		if calls != 1 {
			t.Errorf("error handler called %d times, want once (for boom)", calls)
		}
		if got := logged.String(); !strings.Contains(got, "error handler panicked") || !strings.Contains(got, "boom") {
			t.Errorf("log: got %q, want the handler's panic and the error it was given", got)
		}
	})
}

func TestTraceHookPanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var w *world
		w = newWorld(t, 10*ms, sched.WithTrace(func(e sched.Event) {
			if e.Kind == sched.EventFinish {
				panic("hook")
			}
		}))
		check := failing(w)
		safeFrames(w, 4)
		check()
		if got := len(hookErrs(w, "trace hook")); got != 4 {
			t.Errorf("error handler got %d trace hook panics, want 4 (one per finish): %v", got, w.errs)
		}
	})
}

func TestFinishedSubscriberPanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		w.s.OnFinished(func(e sched.FinishEvent) { panic("hook") })
		got := recordFinishes(w)
		check := failing(w)
		safeFrames(w, 4)
		check()
		want := []string{
			"kid A stopped: parent finished", "failer A failed: boom",
			"waiter A returned: <nil>", "bystander A returned: <nil>",
		}
		if !slices.Equal(*got, want) {
			t.Errorf("second subscriber got %q, want %q", *got, want)
		}
		if n := len(hookErrs(w, "finished subscriber")); n != 4 {
			t.Errorf("error handler got %d subscriber panics, want 4: %v", n, w.errs)
		}
	})
}

func TestWarningHandlerPanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms, noEscalation, sched.WithWatchdog(time.Millisecond, func(sched.Warning) { panic("hook") }))
		var ran []string
		for _, name := range []string{"slow", "next"} {
			w.start("A", name, func(t *sched.Self) (any, error) {
				w.work(2 * ms)
				ran = append(ran, name)
				return nil, nil
			})
		}
		safeFrames(w, 1)
		if !slices.Equal(ran, []string{"slow", "next"}) {
			t.Errorf("ran %v in the first frame, want both tasks", ran)
		}
		if n := len(hookErrs(w, "warning handler")); n != 2 {
			t.Errorf("error handler got %d warning handler panics, want 2: %v", n, w.errs)
		}
	})
}

// TestOutsideNotChargedToNextSlice: code a binding runs outside the tasks
// after a slice (Outside: an addon's OnFinished handler) is not charged to
// the next slice of the frame, which belongs to another owner.
func TestOutsideNotChargedToNextSlice(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 100*ms)
		w.start("A", "a", func(self *sched.Self) (any, error) {
			w.work(1 * ms)
			self.Scheduler().Outside(func() { w.work(30 * ms) }) // A's handler, after a's slice
			return nil, nil
		})
		w.start("B", "b", func(self *sched.Self) (any, error) {
			w.work(2 * ms)
			return nil, nil
		})
		st := w.s.RunFrame()
		if !strings.Contains(w.traceString(), "[B] b: ran 2ms") {
			t.Errorf("B's slice was charged with A's outside code:\n%s", w.traceString())
		}
		if st.Used != 33*ms {
			t.Errorf("frame used %v, want 33ms (the outside code counts against the frame)", st.Used)
		}
	})
}

// TestFinishedTaskDropsBindingHooks: the hooks a binding set on a task
// (OnSlice, SetTraceback: a Lua task's hold its Lua thread) are dropped
// when its body ends, though its handle lives on.
func TestFinishedTaskDropsBindingHooks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 100*ms)
		var gone weak.Pointer[[1 << 16]byte]
		h := w.start("A", "a", hooked(&gone))
		w.frames(1)
		if _, err := h.Result(); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		if gone.Value() != nil {
			t.Error("a finished task whose handle is held keeps what its OnSlice and SetTraceback hooks hold")
		}
		runtime.KeepAlive(h)
	})
}

//go:noinline
func hooked(gone *weak.Pointer[[1 << 16]byte]) sched.Body {
	return func(self *sched.Self) (any, error) {
		big := new([1 << 16]byte)
		*gone = weak.Make(big)
		self.OnSlice(func(bool) { big[0]++ })
		self.SetTraceback(func() string { return string(big[:1]) })
		return nil, nil
	}
}

// TestOutsidePanic: a panic in a function run with Outside is reported as
// a host hook's, and the frame goes on.
func TestOutsidePanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 100*ms)
		w.start("A", "a", func(self *sched.Self) (any, error) {
			self.Scheduler().Outside(func() { panic("outside boom") })
			return nil, nil
		})
		ran := false
		w.start("B", "b", func(*sched.Self) (any, error) { ran = true; return nil, nil })
		w.s.Outside(func() { panic("between frames") })
		w.frames(1)
		if !ran {
			t.Error("the frame did not go on after the panic")
		}
		var got []string
		for _, e := range w.errs {
			got = append(got, e.Owner+" "+e.Task+": "+e.Err.Error())
		}
		want := []string{"host outside function: panic: between frames", "host outside function: panic: outside boom"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
