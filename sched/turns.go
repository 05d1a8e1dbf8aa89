package sched

import (
	"fmt"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/waitcond"
)

// Turns given up or put off: a task that yields the rest of its turn, and
// waits installed by code other than the task's own (Task.Wait).

// Yield gives the rest of the task's turn to the other ready tasks: the task
// stays active and goes to the back of the line, so it runs again later in
// this frame, after every task waiting for a turn, if the frame has room for
// its typical chunk (as a BreathShort would), and in the next frame
// otherwise. It must be called by the task's own code while it runs.
func (t *Self) Yield() {
	tk, s := t.t, t.t.s
	if tk != s.current || tk.unwinding {
		tk.misuseOrUnwind("Yield")
	}
	now := s.elapsed() // a checkpoint: the chunk before it is learned, as at a Breath
	tk.acct.ObserveChunk(now - tk.lastRead)
	tk.lastRead = now
	tk.level, tk.estimate = budget.Short, 0
	s.enqueue(tk)
	s.sliceEnd, s.sliceEnded = now, true
	tk.park(yielded)
}

// Wait makes the task wait for c, for code other than the task's own (the
// host, another task of the same owner, an event handler); the task's own
// code uses Self.Wait. The wait takes the task's next turn: a task that is
// active (parked at a Breath, yielded, not run yet, or suspended) is waiting
// from this call, and once c is met (and it is resumed, if suspended) it
// continues where its code stood. A task that is waiting, or the running
// task (Wait called from a callback its slice runs), waits for c after its
// current wait is met (after its slice, for the running task); several such
// calls make it wait for each condition in turn. A condition already met
// changes nothing.
//
// A wait that would close a cycle of waiting tasks is refused with a
// *DeadlockError; a queued wait that closes a cycle only by the time it is
// installed is dropped, and the error goes to the error handler. Waiting on
// a pending task fails with ErrNotStarted, on a finished task with
// ErrFinished, and from code of another owner with ErrForeign.
func (h *Task) Wait(c *waitcond.Cond) error {
	return h.t.s.waitFor(h.t, c)
}

func (s *Scheduler) waitFor(t *task, c *waitcond.Cond) error {
	if err := s.control("Wait", t); err != nil {
		return err
	}
	switch {
	case t.state == Pending:
		return fmt.Errorf("Wait %s: %w", t, ErrNotStarted)
	case c == nil:
		return fmt.Errorf("Wait %s: nil condition", t)
	case c.Err() != nil:
		return fmt.Errorf("Wait %s: %w", t, c.Err())
	}
	if err := s.deadlock(t, c); err != nil {
		return err
	}
	if t.state == Active && t != s.current {
		s.judgeNow()
		met := c.Met(t) // a predicate is addon code: it may have stopped t or made it wait
		switch {
		case t.state == Finished || met && t.cond == nil:
			return nil
		case t.cond == nil:
			s.arm(t, c)
			return nil
		}
	}
	t.nextWaits = append(t.nextWaits, c)
	if t == s.current && len(t.nextWaits) == 1 {
		s.Outside(func() { s.afterSlice(t) })
	}
	return nil
}

// afterSlice installs the queued waits of t, whose slice has ended, unless
// it is waiting (its wait, once met, installs them) or finished.
func (s *Scheduler) afterSlice(t *task) {
	if t.state == Active && len(t.nextWaits) > 0 {
		s.nextWait(t)
	}
}

// nextWait arms t, which is not waiting (or whose wait was just met and
// disarmed), with its first queued wait that is still unmet, and reports
// whether it did. A queued wait that would now close a cycle is dropped and
// reported to the error handler.
func (s *Scheduler) nextWait(t *task) bool {
	for len(t.nextWaits) > 0 {
		c := t.nextWaits[0]
		t.nextWaits[0] = nil
		t.nextWaits = t.nextWaits[1:]
		s.judgeNow()
		met := c.Met(t)
		switch {
		case t.state == Finished:
			t.nextWaits = nil
			return false
		case t.cond != nil: // a predicate made it wait meanwhile: c comes after that wait
			if !met {
				t.nextWaits = append([]*waitcond.Cond{c}, t.nextWaits...)
			}
			return true
		case met:
			continue
		}
		if err := s.deadlock(t, c); err != nil {
			s.ReportError(t.own.name, t.name, err)
			continue
		}
		if len(t.nextWaits) == 0 {
			t.nextWaits = nil
		}
		s.arm(t, c)
		return true
	}
	t.nextWaits = nil
	return false
}
