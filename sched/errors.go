package sched

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by misuse of the scheduler and its tasks. Compare with
// errors.Is.
var (
	ErrStopped      = errors.New("sched: task stopped")
	ErrStarted      = errors.New("sched: task already started")
	ErrNotStarted   = errors.New("sched: task not started")
	ErrFinished     = errors.New("sched: task already finished")
	ErrNotFinished  = errors.New("sched: task not finished")
	ErrSuspended    = errors.New("sched: task is suspended")
	ErrNotSuspended = errors.New("sched: task not suspended")
	ErrInTask       = errors.New("sched: not allowed inside a task")
	ErrInFrame      = errors.New("sched: not allowed while a frame runs")
	ErrClosed       = errors.New("sched: scheduler closed")
	ErrForeign      = errors.New("sched: task belongs to another owner")
	ErrTaskLimit    = errors.New("sched: owner's task limit reached")
	ErrDeadlock     = errors.New("sched: deadlock")
	ErrOwnResult    = errors.New("sched: a task can't wait for its own result")
	ErrAbandoned    = errors.New("sched: task abandoned")
	// ErrOverrun is matched by the error of a task stopped because its
	// owner kept overrunning (see EscalationPolicy.KillAt). Unlike a stop,
	// it goes to the error handler.
	ErrOverrun = errors.New("sched: owner kept overrunning")
	// ErrGoexit is the Value of the *PanicError of a Go task whose body
	// called runtime.Goexit: the task finished there, its deferred
	// functions ran, and the frame went on.
	ErrGoexit = errors.New("sched: task called runtime.Goexit")
)

// StopError is the error of a task that was stopped. It matches ErrStopped
// with errors.Is; Reason is the message given to Stop.
type StopError struct {
	Reason string
}

// DefaultStopReason is the reason of a stop given no reason.
const DefaultStopReason = "task stopped"

// ParentFinishedReason is the reason of a task stopped because its parent
// finished.
const ParentFinishedReason = "parent finished"

func (e *StopError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrStopped) true for every StopError.
func (e *StopError) Is(target error) bool { return target == ErrStopped }

// PanicError is the error of a Go task whose body panicked (Value is what
// it panicked with) or called runtime.Goexit (Value is ErrGoexit), and of a
// host hook that panicked (see WithTrace).
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the task's stack where it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// TaskError is what the error handler receives when a task ends with an
// error other than a stop.
type TaskError struct {
	Frame uint64 // the frame in which the task finished
	Task  string // the task's name
	Owner string // the owner the error is attributed to
	Err   error  // the task's error
	// Created is where the task was created (Task.CreatedAt); "" for an
	// error of code that is no task's (ReportError, a host hook).
	Created string
	// At is when it was reported, as time since the scheduler was made, on
	// its clock.
	At time.Duration
}

func (e TaskError) Error() string {
	return fmt.Sprintf("[%s] %s: %v", e.Owner, e.Task, e.Err)
}

func (e TaskError) Unwrap() error { return e.Err }

func isStop(err error) bool {
	if _, ok := err.(*StopError); ok {
		return true // the common case, without errors.Is's reflection
	}
	return errors.Is(err, ErrStopped)
}
