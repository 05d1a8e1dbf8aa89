package sched_test

import (
	"slices"
	"testing"

	"github.com/framesched/framesched/sched"
)

// The OnUnwind hook runs each time a stop unwinds the task, before any of
// its deferred functions, and never for a task that returned or failed.
func TestOnUnwind(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(w *world, t *sched.Self, p *probe) (any, error)
		stop func(h *sched.Task) // after the first frame, nil for none
		want []string
	}{
		{"stopped while parked", func(w *world, t *sched.Self, p *probe) (any, error) {
			w.work(3 * ms)
			t.BreathLong()
			p.log("after")
			return nil, nil
		}, func(h *sched.Task) { h.Stop("") }, []string{"begin", "hook", "deferred"}},
		{"stopped while waiting", func(w *world, t *sched.Self, p *probe) (any, error) {
			t.Wait(w.s.Frames(5))
			p.log("after")
			return nil, nil
		}, func(h *sched.Task) { h.Stop("") }, []string{"begin", "hook", "deferred"}},
		{"stops itself", func(w *world, t *sched.Self, p *probe) (any, error) {
			t.Stop("enough")
			p.log("after")
			return nil, nil
		}, nil, []string{"begin", "hook", "deferred"}},
		{"recovers the unwinding and breathes", func(w *world, t *sched.Self, p *probe) (any, error) {
			func() {
				defer func() { p.log("recovered %v", recover()) }()
				t.Wait(w.s.Frames(5))
			}()
			t.Breath()
			p.log("after")
			return nil, nil
		}, func(h *sched.Task) { h.Stop("") }, []string{"begin", "hook", "recovered task stopped", "hook", "deferred"}},
		{"returns", func(w *world, t *sched.Self, p *probe) (any, error) {
			return "done", nil
		}, nil, []string{"begin", "deferred"}},
		{"fails", func(w *world, t *sched.Self, p *probe) (any, error) {
			panic("boom")
		}, nil, []string{"begin", "deferred"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*ms)
				var p probe
				h := w.start("A", "target", func(t *sched.Self) (any, error) {
					defer p.log("deferred")
					t.OnUnwind(func() { p.log("hook") })
					p.log("begin")
					return tc.body(w, t, &p)
				})
				w.frames(1)
				if tc.stop != nil {
					tc.stop(h)
				}
				w.frames(2)
				if !h.Finished() {
					t.Fatalf("the task did not finish: %v", h.State())
				}
				if got := p.snapshot(); !slices.Equal(got, tc.want) {
					t.Errorf("log %q, want %q", got, tc.want)
				}
			})
		})
	}
}
