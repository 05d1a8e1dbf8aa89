package sched_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// world is a scheduler on a mock clock with a recorded trace.
type world struct {
	t     *testing.T
	clk   *clock.Mock
	s     *sched.Scheduler
	trace []string
	errs  []sched.TaskError
	warns []sched.Warning
}

func newWorld(t *testing.T, budget time.Duration, opts ...sched.Option) *world {
	t.Helper()
	w := &world{t: t, clk: clock.NewMock()}
	opts = append([]sched.Option{
		sched.WithClock(w.clk),
		sched.WithBudget(budget),
		sched.WithTrace(func(e sched.Event) { w.trace = append(w.trace, e.String()) }),
		sched.WithErrorHandler(func(e sched.TaskError) { w.errs = append(w.errs, e) }),
		sched.WithWarningHandler(func(wn sched.Warning) { w.warns = append(w.warns, wn) }),
	}, opts...)
	w.s = sched.New(opts...)
	t.Cleanup(func() { w.s.Close() })
	return w
}

// work simulates d of CPU work by the running task.
func (w *world) work(d time.Duration) { w.clk.Add(d) }

// spawn creates and starts a task, failing the test on error.
func (w *world) spawn(owner, name string, body sched.Body) *sched.Task {
	w.t.Helper()
	h, err := w.s.Go(owner, name, body)
	if err != nil {
		w.t.Fatalf("Go(%q, %q): %v", owner, name, err)
	}
	return h
}

func (w *world) frames(n int) []sched.FrameStats {
	var out []sched.FrameStats
	for range n {
		out = append(out, w.s.RunFrame())
	}
	return out
}

func (w *world) traceString() string { return strings.Join(w.trace, "\n") }

// bubble runs f in a synctest bubble, so the mock clock costs no real time
// and a goroutine left behind fails the test.
func bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, f)
}

func ret(v any) sched.Body {
	return func(*sched.Self) (any, error) { return v, nil }
}

var _ = fmt.Sprint
