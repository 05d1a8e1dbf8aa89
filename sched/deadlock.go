package sched

import (
	"fmt"
	"strings"

	"github.com/framesched/framesched/waitcond"
)

// DeadlockError is the error of a wait refused because it would close a
// cycle of tasks waiting on each other. It matches ErrDeadlock.
type DeadlockError struct {
	Cycle []string // the tasks of the cycle, starting with the one that tried to wait
}

func (e *DeadlockError) Error() string {
	var b strings.Builder
	b.WriteString("deadlock: ")
	for i, t := range e.Cycle {
		switch i {
		case 0:
		case 1:
			b.WriteString(" waits for ")
		default:
			b.WriteString(" which waits for ")
		}
		b.WriteString(t)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrDeadlock) true.
func (e *DeadlockError) Is(target error) bool { return target == ErrDeadlock }

// deadlock reports the cycle that w waiting for c would close: c can only be
// met once w finishes, through tasks waiting on each other (Task and
// Children conditions, an And needing any blocked part, an Or only when
// every branch is blocked). Each waiting task is visited at most once per
// check, so the cost is linear in the waits reachable from c.
func (s *Scheduler) deadlock(w *task, c *waitcond.Cond) error {
	s.dlEpoch++
	via, ok := s.blocked(w, w, c)
	if !ok {
		return nil
	}
	cycle := []string{w.String()}
	for t := via; t != w; t = t.dlVia {
		cycle = append(cycle, t.String())
	}
	cycle = append(cycle, fmt.Sprintf("%q", w.name))
	return fmt.Errorf("Wait %s: %w", w, &DeadlockError{Cycle: cycle})
}

// blocked reports whether c, the condition of holder, can only be met after
// w finishes, and the first task on that path (w itself when c waits for w
// directly).
func (s *Scheduler) blocked(w, holder *task, c *waitcond.Cond) (*task, bool) {
	if c == nil {
		return nil, false
	}
	switch c.Kind() {
	case waitcond.KindTask:
		h, ok := c.Target().(*Task)
		if !ok || h == nil {
			return nil, false
		}
		return h.t, s.taskBlocked(w, h.t)
	case waitcond.KindChildren:
		for n := range holder.node.Children() {
			if s.taskBlocked(w, n.Value) {
				return n.Value, true
			}
		}
	case waitcond.KindAnd:
		for _, sub := range c.Subs() {
			if via, ok := s.blocked(w, holder, sub); ok {
				return via, true
			}
		}
	case waitcond.KindOr:
		var first *task
		for i, sub := range c.Subs() {
			via, ok := s.blocked(w, holder, sub)
			if !ok {
				return nil, false
			}
			if i == 0 {
				first = via
			}
		}
		return first, len(c.Subs()) > 0
	}
	return nil, false
}

// taskBlocked reports whether t can finish only after w does: t is w, or t
// waits for a condition blocked by w. The answer is memoised per check.
func (s *Scheduler) taskBlocked(w, t *task) bool {
	if t == w {
		return true
	}
	if t.state != Waiting {
		return false
	}
	if t.dlEpoch == s.dlEpoch {
		return t.dlBlocked
	}
	t.dlEpoch, t.dlBlocked = s.dlEpoch, false // a cycle not through w is not ours to report
	t.dlVia, t.dlBlocked = s.blocked(w, t, t.cond)
	return t.dlBlocked
}
