package sched

import (
	"fmt"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

const (
	EventStart   EventKind = iota // a task was started
	EventSlice                    // a task ran a slice; Took and Outcome say how long and how it ended
	EventFinish                   // a task finished; Err says how
	EventSuspend                  // a task was suspended
	EventResume                   // a suspended task was resumed
)

// Event is one scheduling event, for the trace hook.
type Event struct {
	Frame uint64
	Kind  EventKind
	Task  string
	Owner string
	ID    uint64 // the task's creation number (Task.ID)
	// At is when it happened, as time since the scheduler was made, on its
	// clock: for EventSlice, when the slice ended (it began at At - Took).
	At      time.Duration
	Took    time.Duration // EventSlice
	Outcome string        // EventSlice: finished, waiting, suspended, parked <level>, yielded
	Err     error         // EventFinish
	// Why is what the task waits for when the event leaves it waiting (a
	// slice that ended in a wait, a start with a condition): its condition,
	// described without evaluating it (waitcond.Cond.String); "" otherwise.
	Why string
}

// String is a one-line, deterministic rendering of e.
func (e Event) String() string {
	head := fmt.Sprintf("%d [%s] %s:", e.Frame, e.Owner, e.Task)
	switch e.Kind {
	case EventStart:
		return head + " start"
	case EventSlice:
		return fmt.Sprintf("%s ran %v, %s", head, e.Took, e.Outcome)
	case EventFinish:
		if e.Err != nil {
			return fmt.Sprintf("%s finish: %v", head, e.Err)
		}
		return head + " finish"
	case EventSuspend:
		return head + " suspend"
	case EventResume:
		return head + " resume"
	}
	return fmt.Sprintf("%s event %d", head, e.Kind)
}

// emit sends e, an event of t, to the trace hook, with the frame, the
// task's identity, the time (unless e has it) and what t waits for.
func (s *Scheduler) emit(t *task, e Event) {
	if s.trace != nil {
		e.Frame, e.Task, e.Owner, e.ID = s.frame, t.name, t.own.name, t.seq
		if e.Kind != EventSlice {
			e.At = s.elapsed()
		}
		if t.state == Waiting {
			e.Why = t.cond.String() // not Explain: it would poll predicates
		}
		defer s.recoverHook("trace hook")
		s.trace(e)
	}
}

// How says how a task finished.
type How uint8

const (
	Returned How = iota // its body returned without an error
	Failed              // its body returned an error or panicked
	Stopped             // it was stopped
)

func (h How) String() string {
	return [...]string{"returned", "failed", "stopped"}[h]
}

// FinishEvent is the event of a task finishing.
type FinishEvent struct {
	Task  *Task
	Owner string
	How   How
	Err   error
}

// OnFinished subscribes f to every task's finishing, on the frame goroutine,
// in subscription order, right after the task finished. It returns a
// function that cancels the subscription. A panic in f is recovered and sent
// to the error handler as a TaskError of HostOwner named "finished
// subscriber", carrying a *PanicError; the other subscribers and the
// scheduler go on.
func (s *Scheduler) OnFinished(f func(FinishEvent)) (cancel func()) {
	p := &f
	s.finishedHooks = append(s.finishedHooks, p)
	return func() {
		for i, q := range s.finishedHooks {
			if q == p {
				s.finishedHooks = append(s.finishedHooks[:i:i], s.finishedHooks[i+1:]...)
				return
			}
		}
	}
}

func (s *Scheduler) notifyFinished(t *task) {
	if len(s.finishedHooks) == 0 {
		return
	}
	how := Returned
	switch {
	case isStop(t.err):
		how = Stopped
	case t.err != nil:
		how = Failed
	}
	e := FinishEvent{Task: s.handle(t), Owner: t.own.name, How: how, Err: t.err}
	for _, f := range s.finishedHooks {
		s.callFinished(*f, e)
	}
}

func (s *Scheduler) callFinished(f func(FinishEvent), e FinishEvent) {
	defer s.recoverHook("finished subscriber")
	f(e)
}
