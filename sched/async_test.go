package sched_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/sched"
)

var errBoom = errors.New("boom")

func TestAsync(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		h := newHeld()
		var got []string
		task := w.start("Bags", "fetch", func(t *sched.Self) (any, error) {
			n, err := sched.Async(t, func(ctx context.Context) (int, error) {
				v, err := h.work(ctx)
				return v.(int), err
			})
			got = append(got, "int", strings.Repeat("x", n), errString(err))
			_, err = sched.Async(t, func(context.Context) (string, error) { return "", errBoom })
			got = append(got, errString(err))
			_, err = sched.Async(t, func(context.Context) (*int, error) { panic("bad page") })
			var pe *sched.PanicError
			if errors.As(err, &pe) {
				got = append(got, "panic "+pe.Value.(string))
			}
			return "done", nil
		})
		w.s.RunFrame()
		if got, want := task.Why(), `Future "async" [pending]`; got != want {
			t.Errorf("Why() = %q, want %q", got, want)
		}
		synctest.Wait()
		h.finish(3)
		for range 3 {
			w.s.RunFrame()
			synctest.Wait()
		}
		if v, err := task.Result(); v != "done" || err != nil {
			t.Fatalf("Result() = %v, %v; want done, nil", v, err)
		}
		if want := []string{"int", "xxx", "<nil>", "boom", "panic bad page"}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A task stopped while it waits for its Async work unwinds at once; the
// work's context is cancelled with the task's stop as its cause, and the
// work's outcome, applied later, wakes nothing.
func TestAsyncStopCancelsWork(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reason  string
		abandon bool // an orphan: Close stops a child with its parent, first
		stop    func(w *world, task, parent *sched.Task)
	}{
		{"stopped", "enough", false, func(w *world, task, _ *sched.Task) { task.Stop("enough") }},
		{"parent finished", sched.ParentFinishedReason, false, func(w *world, _, parent *sched.Task) {
			parent.Stop("")
		}},
		{"scheduler closed", "scheduler closed", true, func(w *world, _, _ *sched.Task) { w.s.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*ms)
				h := newHeld()
				var p probe
				var task *sched.Task
				parent := w.start("Bags", "parent", func(t *sched.Self) (any, error) {
					child, _ := w.s.Create("Bags", "fetch", func(t *sched.Self) (any, error) {
						defer p.log("deferred ran")
						_, err := sched.Async(t, h.work)
						p.log("Async returned %v", err)
						return nil, err
					})
					task = child
					child.Start()
					if tc.abandon {
						child.Abandon()
					}
					return nil, t.Wait(w.s.Frames(1000))
				})
				w.hold(parent)
				w.frames(2)
				synctest.Wait()
				if !h.hasStarted() || task.State() != sched.Waiting {
					t.Fatalf("work started %v, task %v; want started, waiting", h.hasStarted(), task.State())
				}
				tc.stop(w, task, parent)
				synctest.Wait()
				var se *sched.StopError
				if !errors.As(h.cause, &se) || se.Reason != tc.reason {
					t.Errorf("work's context cause %v, want a stop %q", h.cause, tc.reason)
				}
				if reason, ok := stopReason(task.Err()); !ok || reason != tc.reason {
					t.Errorf("task's error %v, want a stop %q", task.Err(), tc.reason)
				}
				if want := []string{"deferred ran"}; strings.Join(p.lines, ",") != strings.Join(want, ",") {
					t.Errorf("task ran %q after its stop, want only %q", p.lines, want)
				}
				if st := w.s.RunFrame(); tc.name != "scheduler closed" && (st.Completions != 1 || st.Resumed != 0) {
					t.Errorf("frame after the stop: %d completions, %d slices; want 1, 0", st.Completions, st.Resumed)
				}
				w.s.Close()
				if left := leak.PoolGoroutines(); len(left) > 0 {
					t.Errorf("pool goroutines left after Close: %d", len(left))
				}
			})
		})
	}
}

func TestSelfContext(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		ctxs := map[string]context.Context{}
		body := func(name string, err error) sched.Body {
			return func(t *sched.Self) (any, error) {
				ctxs[name] = t.Context()
				if t.Context() != ctxs[name] {
					panic("Context() made a second context")
				}
				if ctxs[name].Err() != nil {
					panic("a running task's context is done")
				}
				if err == nil && name == "waits" {
					return nil, t.Wait(w.s.Frames(100))
				}
				return nil, err
			}
		}
		w.start("Bags", "late", func(t *sched.Self) (any, error) {
			defer func() { ctxs["late"] = t.Context() }() // made first as Close stops the task
			return nil, t.Wait(w.s.Frames(100))
		})
		w.start("Bags", "returns", body("returns", nil))
		w.start("Bags", "fails", body("fails", errBoom))
		stopped := w.start("Bags", "waits", body("waits", nil))
		w.s.RunFrame()
		stopped.Stop("enough")
		for _, c := range [][2]string{{"returns", "context canceled"}, {"fails", "boom"}, {"waits", "enough"}} {
			name, want := c[0], c[1]
			ctx := ctxs[name]
			if ctx.Err() == nil || context.Cause(ctx).Error() != want {
				t.Errorf("%s: Err %v, Cause %v; want done with %q", name, ctx.Err(), context.Cause(ctx), want)
			}
		}
		w.s.Close()
		if ctx := ctxs["late"]; ctx == nil || context.Cause(ctx).Error() != "scheduler closed" {
			t.Errorf("a context made by a stopped task's deferred function: %v, want done with %q", ctx, "scheduler closed")
		}
	})
}

func TestDo(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		v, err := w.s.Do(context.Background(), func(context.Context) (any, error) { return 42, nil })
		if v != 42 || err != nil {
			t.Errorf("Do = %v, %v; want 42, nil", v, err)
		}
		_, err = w.s.Do(context.Background(), func(context.Context) (any, error) { panic("bad") })
		var pe *sched.PanicError
		if !errors.As(err, &pe) {
			t.Errorf("Do of panicking work: err %v, want a *PanicError", err)
		}

		ctx, cancel := context.WithCancelCause(context.Background())
		h := newHeld()
		go func() {
			<-h.started
			cancel(errBoom)
		}()
		if _, err := w.s.Do(ctx, h.work); !errors.Is(err, context.Canceled) {
			t.Errorf("Do with its ctx cancelled: err %v, want context.Canceled", err)
		}
		synctest.Wait()
		if !errors.Is(h.cause, errBoom) {
			t.Errorf("work's context cause %v, want the caller's %v", h.cause, errBoom)
		}
		if w.s.Frame() != 0 {
			t.Errorf("Do ran frames: frame %d", w.s.Frame())
		}

		task := w.start("Bags", "blocks", func(t *sched.Self) (any, error) {
			return w.s.Do(context.Background(), func(context.Context) (any, error) { return nil, nil })
		})
		w.s.RunFrame()
		if err := task.Err(); !errors.Is(err, sched.ErrInTask) {
			t.Errorf("Do in a task: err %v, want ErrInTask", err)
		}
	})
}

// Async on a task that is not the running one is misuse, as Breath is.
func TestAsyncNotRunning(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		var other *sched.Self
		w.start("Bags", "other", func(t *sched.Self) (any, error) {
			other = t
			return nil, t.Wait(w.s.Frames(100))
		})
		misuser := w.start("Bags", "misuser", func(t *sched.Self) (any, error) {
			return sched.Async(other, func(context.Context) (int, error) { return 1, nil })
		})
		w.s.RunFrame()
		var pe *sched.PanicError
		if err := misuser.Err(); !errors.As(err, &pe) || !strings.Contains(pe.Error(), "Async called on") {
			t.Errorf("misuser's error %v, want a panic naming Async", err)
		}
		if got := w.s.Pool().Stats(); got.Queued+got.Busy+got.Done != 0 {
			t.Errorf("misused Async submitted work: %+v", got)
		}
	})
}
