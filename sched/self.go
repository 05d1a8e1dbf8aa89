package sched

import (
	"fmt"
	"log/slog"
	"time"
)

// Self is the view of h's task for the running task's own code: non-nil
// only while h's task is the one running.
func (h *Task) Self() *Self {
	if h.t.s.current == h.t {
		return &h.t.self
	}
	return nil
}

// Running reports whether t is the task running now.
func (t *Self) Running() bool { return t.t.s.current == t.t }

// State is the task's state (Active while it runs).
func (t *Self) State() State { return t.t.state }

// WarningKind says what a Warning is about.
type WarningKind uint8

const (
	// SlowSlice: a slice ran past the watchdog's threshold without
	// breathing (WithWatchdog).
	SlowSlice WarningKind = iota
	// Collected: a task was stopped because no code held its handle any
	// more; it finished with the reason "handle collected".
	Collected
	// SlowPredicate: polling the predicates a task waits for took the
	// watchdog's threshold or longer (WithWatchdog).
	SlowPredicate
	// Escalated: an owner that kept overrunning moved up to Step
	// (Throttled, Suspended; see EscalationPolicy); Task is the task whose
	// overrun moved it. Its first overrun's own warning (SlowSlice,
	// SlowPredicate, with Step Warned) is the Warned step's.
	Escalated
	// Relaxed: an owner moved down to Step: its suspension ended
	// (Probation), or it went a window without overrun.
	Relaxed
	// Killed: the task of an owner on Probation overran once too often and
	// was stopped with an error matching ErrOverrun.
	Killed
)

// Warning is something the host should know about a task that is not an
// error of the task's own: a slice that ran too long, a task stopped
// because its handles were dropped.
type Warning struct {
	Kind  WarningKind
	Frame uint64
	// At is when it was sent, as time since the scheduler was made, on its
	// clock.
	At    time.Duration
	Task  string
	Owner string
	Took  time.Duration // SlowSlice, SlowPredicate: how long it ran
	// Created is where the task was created (Task.CreatedAt).
	Created string
	Self    *Self // the task, parked or finished, for a host that wants to look at it (not a handle)
	// Traceback (SlowSlice) is where the task's code stood when the slice
	// ended, as the function given to Self.SetTraceback tells (a Lua
	// binding gives the Lua stack of the Breath or Wait that ended the
	// slice); empty when none was given or the task finished in that slice.
	Traceback string

	// Escalation (Escalated, Relaxed, Killed; SlowSlice and SlowPredicate
	// when escalation counted the overrun): the owner's escalation step as
	// the warning goes out; the overruns in its window, this one included,
	// counted up to the policy's largest threshold (not for Relaxed); the
	// window's and a suspension's length in frames; and the budget share in
	// force for the owner (0: no cap).
	Step       EscalationStep
	Overruns   int
	Window     int
	Suspension int
	Share      float64
}

// Message says what happened, in a line, without the task's name:
// "slice ran 12ms without breathing", "stopped: no handle held (handle
// collected), created at game/loader.go:42", "owner Bags throttled to 10%
// of the budget after 3 overruns in 600 frames".
func (w Warning) Message() string {
	switch w.Kind {
	case SlowSlice:
		return fmt.Sprintf("slice ran %v without breathing", w.Took)
	case SlowPredicate:
		return fmt.Sprintf("its wait's predicates took %v to evaluate", w.Took)
	case Collected:
		if w.Created == "" {
			return "stopped: handle collected"
		}
		return "stopped: handle collected (created at " + w.Created + ")"
	case Escalated, Relaxed, Killed:
		return w.escalationMessage()
	}
	return fmt.Sprintf("warning of kind %d", w.Kind)
}

// WithWatchdog warns about every slice that ran for warn or longer: a task
// that does not breathe often enough. f receives these SlowSlice warnings
// and every other warning (as WithWarningHandler). Go tasks cannot be
// preempted, so this only warns; the Lua binding also interrupts. Such
// slices, and predicate polls as long, are the overruns that escalation
// counts (see EscalationPolicy): by default, an owner that keeps overrunning
// is throttled, suspended, and has its tasks killed. A nil f leaves the
// warnings to the warning handler (WithWarningHandler), given before or
// after, or its default.
func WithWatchdog(warn time.Duration, f func(Warning)) Option {
	return func(s *Scheduler) {
		s.warnAfter = warn
		if f != nil {
			s.onWarn = f
		}
	}
}

// WithWarningHandler sets the function that receives every Warning, on the
// frame goroutine. The default logs it with slog.Default at level Warn:
// message "task warning", attributes owner, task, frame, warning (its
// Message) and, when there is one, traceback. A panic in f is
// recovered and sent to the error handler as a TaskError of HostOwner named
// "warning handler", carrying a *PanicError; the scheduler goes on.
func WithWarningHandler(f func(Warning)) Option { return func(s *Scheduler) { s.onWarn = f } }

// warnSlow sends the SlowSlice warning of t's slice, which took took and
// was its owner's n-th overrun in its escalation window (0: not counted).
func (s *Scheduler) warnSlow(t *task, took time.Duration, n int) {
	w := Warning{Kind: SlowSlice, Frame: s.frame, Task: t.name, Owner: t.own.name, Took: took, Created: t.created(), Self: &t.self}
	if t.traceback != nil && t.state != Finished {
		w.Traceback = t.traceback()
	}
	s.warn(w.counted(t.own, n))
}

// counted is w, the warning of an overrun of o, with o's escalation step
// and its n overruns in its window, when escalation counted it (n > 0).
func (w Warning) counted(o *owner, n int) Warning {
	if n > 0 {
		w.Step, w.Overruns, w.Window = o.esc.step, n, o.esc.policy.Window
	}
	return w
}

func (s *Scheduler) warn(w Warning) {
	w.At = s.elapsed()
	if s.onWarn != nil {
		defer s.recoverHook("warning handler")
		s.onWarn(w)
		return
	}
	attrs := []any{"owner", w.Owner, "task", w.Task, "frame", w.Frame, "warning", w.Message()}
	if w.Traceback != "" {
		attrs = append(attrs, "traceback", w.Traceback)
	}
	slog.Warn("task warning", attrs...)
}

// SetTraceback sets the function that tells a watchdog Warning about the
// task where its code stands, for a host binding that runs script code in
// the task. It is called on the frame goroutine while the task is parked.
func (t *Self) SetTraceback(f func() string) { t.t.traceback = f }

// ID is the task's creation number, unique within its scheduler.
func (h *Task) ID() uint64 { return h.t.seq }

// ID is the task's creation number, unique within its scheduler.
func (t *Self) ID() uint64 { return t.t.seq }

// Slices is how many slices of the task have ended: it grows by one each
// time the task parks, so code can tell whether a call parked.
func (t *Self) Slices() int { return t.t.acct.Slices }

// Error makes the unwinding of a stopped task read well where a host
// library recovers it as an error (gopher-lua's pcall does).
func (unwind) Error() string { return "task stopped" }

// OnUnwind sets a function called each time a stop begins to unwind the
// task's body, on the body's own stack, where the code that parked (or
// stopped itself) called into the scheduler: for a host binding that must
// clean up the state of script code before the unwinding passes through it
// (the Lua binding closes the Lua upvalues of the frames it unwinds). f
// must not call the task's Breath, Wait, Yield or Suspend.
func (t *Self) OnUnwind(f func()) { t.t.onUnwind = f }

// OnSlice sets a function called on the frame goroutine when each of the
// task's slices starts (true) and ends (false), for a host binding that
// keeps per-slice state, such as a watchdog timer.
func (t *Self) OnSlice(f func(start bool)) { t.t.onSlice = f }

// ReportError sends an error of owner's code that ran outside any task (a
// script being loaded, an event handler) to the error handler, attributed
// to owner, as task errors are; what names the code.
func (s *Scheduler) ReportError(owner, what string, err error) {
	s.reportError(TaskError{Frame: s.frame, Task: what, Owner: owner, Err: err})
}

// Outside runs f on the frame goroutine outside any task: at once when no
// task is running, otherwise as soon as the running task's slice ends (or
// the stopped task's unwinding does), in the order of the calls. Hosts use
// it for script code, such as event handlers, that must not run inside the
// task whose doing triggered it. A panic in f is recovered and sent to the
// error handler as a TaskError of HostOwner named "outside function".
func (s *Scheduler) Outside(f func()) {
	if s.current == nil {
		s.callOutside(f)
		return
	}
	s.outside = append(s.outside, f)
}

func (s *Scheduler) runOutside() {
	for len(s.outside) > 0 && s.current == nil {
		f := s.outside[0]
		s.outside = s.outside[1:]
		s.callOutside(f)
	}
}

// callOutside calls f, a host hook: its panic is reported, as a hook's.
func (s *Scheduler) callOutside(f func()) {
	defer s.recoverHook("outside function")
	f()
}
