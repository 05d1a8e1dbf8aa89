package sched

import (
	"context"
	"fmt"

	"github.com/framesched/framesched/waitcond"
)

// Context is a context cancelled when the task finishes, whatever ends it:
// context.Cause is then the task's error (a *StopError when it was stopped,
// also by its parent's finishing or by Close), or context.Canceled when it
// returned without one. Go code the task hands work to (the pool, its own
// goroutines, I/O) takes it, so that the work stops with the task. The
// context is made at the first call; it may be used from any goroutine.
func (t *Self) Context() context.Context {
	tk := t.t
	if tk.ctx == nil {
		ctx, cancel := context.WithCancelCause(tk.s.context())
		tk.ctx = &taskContext{ctx: ctx, cancel: cancel}
		if tk.state == Finished {
			cancel(tk.err)
		}
	}
	return tk.ctx.ctx
}

// taskContext is a task's Context and what cancels it when the task
// finishes (one pointer in the task, for the many that never make one).
type taskContext struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// context is the scheduler's context, made at the first call: the parent
// of every task's Context and of the pool's work, cancelled by Close with
// the cause ErrClosed.
func (s *Scheduler) context() context.Context {
	if s.ctx == nil {
		s.ctx, s.cancelCtx = context.WithCancelCause(context.Background())
		if s.closed {
			s.cancelCtx(ErrClosed)
		}
	}
	return s.ctx
}

// cancel cancels the scheduler's context, if it was made.
func (s *Scheduler) cancel(cause error) {
	if s.cancelCtx != nil {
		s.cancelCtx(cause)
	}
}

// Async runs work on the scheduler's pool and parks the running task until
// a frame has applied its outcome (see Pool), then returns it: work's value
// and error, or a *PanicError if work panicked. work's context is the
// task's (Self.Context): it is cancelled when the task is stopped, by its
// own code, another's, its parent's finishing or Close, and the task
// unwinds as usual, without waiting for work to return. The Future the task
// waits on is named "async" (Task.Why).
//
// This is LÖVR's async rule inside a task; outside any task, Scheduler.Do
// runs work on the pool and blocks until it returns. Called on a task that
// is not the running one, Async panics, as Breath does.
func Async[T any](t *Self, work func(ctx context.Context) (T, error)) (T, error) {
	tk := t.t
	s := tk.s
	if tk != s.current || tk.unwinding {
		tk.misuseOrUnwind("Async")
	}
	j := &job{ctx: t.Context(), own: tk.own, fut: waitcond.NewFuture("async")}
	j.work = func(ctx context.Context) (any, error) { return work(ctx) }
	s.pool.submit(j)
	t.Wait(j.fut.Cond()) // a Future's condition is never refused: no cycle goes through it
	v, err := j.fut.Result()
	res, _ := v.(T) // work returned a T (nil when it panicked, or T is an interface)
	return res, err
}

// Do runs work on the scheduler's pool, from the host, and blocks the
// calling goroutine until work returns; it then returns work's value and
// error (a *PanicError if work panicked). No frame runs meanwhile, and what
// work returns is handed straight back to Do, not applied by a frame: Do
// touches no scheduler state, so it may be called from any host code on the
// frame goroutine (a script being loaded, an event handler), as LÖVR's async
// functions block when called outside a task. When ctx is done first, Do
// cancels work's context and returns ctx.Err() at once; work goes on until
// it returns. With a pool of size 0, Do blocks until ctx is done or the
// pool grows.
//
// From task code Do fails with ErrInTask: a task uses Async, which parks it
// instead of blocking the frame. After Close it fails with ErrClosed.
func (s *Scheduler) Do(ctx context.Context, work func(ctx context.Context) (any, error)) (any, error) {
	if s.current != nil {
		return nil, fmt.Errorf("Do: %w (use sched.Async)", ErrInTask)
	}
	if s.closed {
		return nil, fmt.Errorf("Do: %w", ErrClosed)
	}
	jctx, cancel := context.WithCancelCause(s.context())
	j := &job{work: work, ctx: jctx, cancel: cancel, direct: make(chan struct{})}
	s.pool.submit(j)
	select {
	case <-j.direct:
		cancel(nil)
		return j.v, j.err
	case <-ctx.Done():
		cancel(context.Cause(ctx))
		return nil, ctx.Err()
	}
}
