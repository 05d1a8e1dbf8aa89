package sched

import (
	"fmt"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/waitcond"
)

// start is Task.Start and Task.StartWhen: t becomes a child of the running
// task, if any, and is queued to run, or waits for c.
func (s *Scheduler) start(t *task, c *waitcond.Cond) error {
	switch {
	case s.closed:
		return fmt.Errorf("Start %s: %w", t, ErrClosed)
	case t.state == Finished:
		return fmt.Errorf("Start %s: %w", t, ErrFinished)
	case t.state != Pending:
		return fmt.Errorf("Start %s: %w", t, ErrStarted)
	}
	p := s.taskCode()
	if p != nil && p.state == Finished {
		return fmt.Errorf("Start %s: the task starting it, %s, has finished: %w", t, p, ErrFinished)
	}
	if err := c.Err(); err != nil {
		return fmt.Errorf("Start %s: %w", t, err)
	}
	wait := false
	if c != nil {
		s.judgeNow()
		wait = !c.Met(t)
	}
	if wait {
		if err := s.deadlock(t, c); err != nil {
			return err
		}
	}
	if p != nil {
		p.node.Adopt(&t.node)
		t.parent = p
	}
	t.state = Active
	t.level = budget.Short
	t.keep = s.handle(t)
	if wait {
		s.arm(t, c)
	} else {
		s.enqueue(t)
	}
	if s.trace != nil { // after arm: the event tells what it waits for
		s.emit(t, Event{Kind: EventStart})
	}
	return nil
}

// enqueue queues t for a turn in this frame, unless it is queued already.
func (s *Scheduler) enqueue(t *task) {
	if !t.queued {
		t.queued = true
		s.ready.push(t)
	}
}

// stop is Task.Stop: stopTask after the checks, then, if the code that
// called it belongs to a task that the stop finished, that task unwinds.
func (s *Scheduler) stop(t *task, reason string) error {
	if err := s.control("Stop", t); err != nil {
		return err
	}
	if reason == "" {
		reason = DefaultStopReason
	}
	s.stopTask(t, &StopError{Reason: reason})
	if cur := s.current; cur != nil && cur.state == Finished && !cur.unwinding {
		cur.unwind() // the running task was stopped by the code it called
	}
	return nil
}

// stopTask finishes t with err (a *StopError, or the error of a task the
// scheduler stops for misbehaving, see escalation) and unwinds its body,
// unless t is on the stack (it unwinds when control returns to it).
func (s *Scheduler) stopTask(t *task, err error) { s.stopIn(t, err, false) }

// stopIn is stopTask; parentStops says that t's parent, if it still has
// one, is about to be stopped by the same stop, so that t's finishing need
// not check whether it wakes the parent.
func (s *Scheduler) stopIn(t *task, err error, parentStops bool) {
	s.finishIn(t, nil, err, parentStops)
	if t.w != nil && !t.onStack {
		prev := s.current
		s.current, t.onStack = t, true
		t.w.resume() // it finds itself finished and unwinds, running its deferred functions
		s.current, t.onStack = prev, false
		t.releaseCoroutine()
		if prev == nil {
			s.runOutside()
		}
	}
}

func (s *Scheduler) suspend(t *task) error {
	if t == s.current && t.unwinding {
		t.unwind()
	}
	if err := s.control("Suspend", t); err != nil {
		return err
	}
	switch {
	case t.state == Pending:
		return fmt.Errorf("Suspend %s: %w", t, ErrNotStarted)
	case t.state == Finished:
		return fmt.Errorf("Suspend %s: %w", t, ErrFinished)
	case t.suspended:
		return fmt.Errorf("Suspend %s: %w", t, ErrSuspended)
	case t.abandoned: // nothing would resume it: no parent, and its handles may be gone
		return fmt.Errorf("Suspend %s: can't be suspended because it's abandoned: %w", t, ErrAbandoned)
	}
	t.suspended = true
	s.emit(t, Event{Kind: EventSuspend})
	if t == s.current {
		t.park(suspended)
	}
	return nil
}

func (s *Scheduler) resumeSuspended(t *task) error {
	if err := s.control("Resume", t); err != nil {
		return err
	}
	switch {
	case t.state == Finished:
		return fmt.Errorf("Resume %s: %w", t, ErrFinished)
	case !t.suspended:
		return fmt.Errorf("Resume %s: %w", t, ErrNotSuspended)
	}
	t.suspended = false
	s.emit(t, Event{Kind: EventResume})
	switch t.state {
	case Active:
		s.enqueue(t)
	case Waiting:
		s.judgeNow()
		s.check(t)
	}
	return nil
}

// finish records how t ended, takes it out of every structure, reports it,
// wakes the tasks waiting for it, stops its unfinished children, deepest
// first, and then fires its finished event. A parent that the same stop
// stops later is not woken by its children's finishing.
func (s *Scheduler) finish(t *task, res any, err error) { s.finishIn(t, res, err, false) }

// finishIn is finish; parentStops as for stopIn.
//
// A Go task's body that returns is finished on its worker's goroutine,
// whose stack below the body's caller has not been touched since the task
// last ran: every cache line of it that a call brings in again is a miss
// (with 100,000 tasks woken in a frame, notifyFinished's frame alone was
// an eighth of the frame's time, BENCHMARKS.md, issue 14). So what a
// finish without listeners, error, waiters or children needs is done
// here, in a small frame, and the rest in finishTold.
func (s *Scheduler) finishIn(t *task, res any, err error, parentStops bool) {
	t.state, t.result, t.err = Finished, res, err
	t.finished.Store(true)
	t.suspended, t.keep = false, nil
	if t.ctx != nil {
		t.ctx.cancel(err) // the work it handed out stops with it
	}
	s.disarm(t)
	s.unlink(t)
	t.own.live--
	s.stats.Finished++
	if err != nil || s.trace != nil || len(t.waiters) > 0 || t.node.FirstChild() != nil || len(s.finishedHooks) > 0 {
		s.finishTold(t, err)
	}
	if p := t.node.Parent(); p != nil {
		t.node.Detach()
		if !parentStops && p.Value.state == Waiting && !p.Value.suspended { // else check does nothing or is wasted: spare the clock read
			s.judgeNow()
			s.check(p.Value) // it may wait for its children
		}
	}
}

// finishTold is the part of finishIn that tells others of t's finish, in
// this order: the trace, the error handler, the tasks waiting for it; then
// it stops t's unfinished children, deepest first, and calls the finished
// subscribers.
//
//go:noinline
func (s *Scheduler) finishTold(t *task, err error) {
	if s.trace != nil {
		s.emit(t, Event{Kind: EventFinish, Err: err})
	}
	if err != nil && !isStop(err) {
		s.stats.Errors++
		t.own.errors++
		s.reportError(TaskError{Frame: s.frame, Task: t.name, Owner: t.own.name, Err: err, Created: t.created()})
	}
	if len(t.waiters) > 0 {
		s.wakeWaiters(t)
	}
	if t.node.FirstChild() != nil {
		// One error for the whole subtree: they were all stopped for the
		// same reason, and a tree of 10,000 tasks made 10,000 of them.
		parentFinished := &StopError{Reason: "parent finished"}
		// The snapshot goes in the scheduler's slice, reused from stop to
		// stop; a stop within this one (a deferred function's) makes its own.
		order := t.node.AppendStopOrder(s.stopOrder[:0])
		s.stopOrder = nil
		for _, c := range order {
			if c.Value.state != Finished {
				// A parent other than t is in the subtree, after c in the
				// order (parents never change, they only detach): this loop
				// stops it later, so judging its condition when c finishes
				// would be wasted (a clock read per task, and its predicates
				// called).
				s.stopIn(c.Value, parentFinished, c.Parent() != &t.node)
			}
		}
		clear(order) // it would keep the finished tasks from the collector
		s.stopOrder = order[:0]
	}
	s.notifyFinished(t) // after its children's, as in blTasks
}

func (s *Scheduler) link(t *task) {
	t.prevLive = s.liveTail
	if s.liveTail != nil {
		s.liveTail.nextLive = t
	} else {
		s.liveHead = t
	}
	s.liveTail = t
}

func (s *Scheduler) unlink(t *task) {
	if t.prevLive != nil {
		t.prevLive.nextLive = t.nextLive
	} else if s.liveHead == t {
		s.liveHead = t.nextLive
	}
	if t.nextLive != nil {
		t.nextLive.prevLive = t.prevLive
	} else if s.liveTail == t {
		s.liveTail = t.prevLive
	}
	t.prevLive, t.nextLive = nil, nil
}
