package sched

import (
	"log/slog"
	"runtime/debug"
)

// The host's hooks (the error handler, the trace hook, the warning handler,
// finished subscribers) are called from deep inside the scheduler's state
// changes. A hook that panics must not leave a change half done (a waiter
// never woken, a child never stopped) nor end the frame: each call recovers
// the hook's panic, reports it, and the scheduler goes on.

// HostOwner is the owner that errors of the host's own hooks are
// attributed to.
const HostOwner = "host"

// reportError sends e to the error handler. A panic in the error handler is
// logged with slog.Default, not sent to the error handler again.
func (s *Scheduler) reportError(e TaskError) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unwind); ok {
				panic(r)
			}
			slog.Error("sched: error handler panicked", "panic", r, "error", e.Error(), "stack", string(debug.Stack()))
		}
	}()
	e.At = s.elapsed()
	s.onError(e)
}

// recoverHook, deferred around a call of a host hook (what names it),
// recovers a panic of the hook and sends it to the error handler as a
// TaskError of HostOwner whose Task is what and whose Err is a *PanicError.
// The unwinding of a stopped task goes on through it.
func (s *Scheduler) recoverHook(what string) {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(unwind); ok {
		panic(r)
	}
	s.reportError(TaskError{Frame: s.frame, Task: what, Owner: HostOwner, Err: &PanicError{Value: r, Stack: debug.Stack()}})
}
