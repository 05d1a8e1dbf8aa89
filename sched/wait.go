package sched

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/framesched/framesched/waitcond"
)

// NextFrame is a condition met once the next frame has begun.
func (s *Scheduler) NextFrame() *waitcond.Cond { return waitcond.Frames(s.frame, 1) }

// Frames is a condition met once n more frames have begun.
func (s *Scheduler) Frames(n uint64) *waitcond.Cond { return waitcond.Frames(s.frame, n) }

// Timespan is a condition met once d has passed from now.
func (s *Scheduler) Timespan(d time.Duration) *waitcond.Cond {
	return waitcond.Timespan(s.clk.Now(), d)
}

// Timestamp is a condition met once the scheduler's clock reads t.
func (s *Scheduler) Timestamp(t time.Time) *waitcond.Cond { return waitcond.Timestamp(t) }

// The task is the Env its own conditions are evaluated against. Its Now is
// the scheduler's judging instant, so that a condition judged unmet and the
// alarms then armed for it agree on the time (a deadline passing in between
// would otherwise get no alarm).

func (t *task) Frame() uint64      { return t.s.frame }
func (t *task) Now() time.Time     { return t.s.judged }
func (t *task) ChildrenDone() bool { return t.node.NumChildren() == 0 }
func (t *task) ChildrenLeft() int  { return t.node.NumChildren() }

// liveEnv is the Env for explaining a task's condition: now is the clock's.
type liveEnv struct{ *task }

func (e liveEnv) Now() time.Time { return e.s.clk.Now() }

// judgeNow sets the instant conditions are judged at to the clock's time.
func (s *Scheduler) judgeNow() { s.judged = s.clk.Now() }

func (s *Scheduler) wait(t *task, c *waitcond.Cond) error {
	if park, err := s.startWait(t, c); !park {
		return err
	}
	// t.park(waiting), written out: the frames between a parked task's
	// body and its coroutine's switch are what resuming it must bring back
	// into the CPU's caches, one return at a time (about 80 ns a frame when
	// 100,000 tasks wake, BENCHMARKS.md, issue 14), so wait's own frame is
	// kept small and park's is spared.
	t.outcome, t.onStack = waiting, false
	ok := t.w.yield(struct{}{})
	t.onStack = true
	if !ok || t.state == Finished {
		t.unwind()
	}
	return nil
}

// startWait does what Wait does before parking: it checks the call,
// judges c now, and arms t for it unless it is met. It reports whether t
// must park, or the error Wait returns. It is not inlined: its frame would
// stay on the parked task's stack.
//
//go:noinline
func (s *Scheduler) startWait(t *task, c *waitcond.Cond) (park bool, err error) {
	if t != s.current || t.unwinding {
		t.misuseOrUnwind("Wait")
	}
	if err := c.Err(); err != nil {
		return false, fmt.Errorf("Wait %s: %w", t, err)
	}
	s.judgeNow()
	if c.Met(t) {
		return false, nil
	}
	if err := s.deadlock(t, c); err != nil {
		return false, err
	}
	s.arm(t, c)
	return true, nil
}

// waitLink records that a task waits for another task to finish; it sits in
// the target's waiters at index idx.
type waitLink struct {
	target *task
	idx    int
}

// waiter is the target's side of a waitLink: the waiting task and the index
// of the link in its links.
type waiter struct {
	t    *task
	link int
}

// arm makes t wait for c and registers it with every wake source c depends
// on: task completion lists, signal watchers, future callbacks and the
// predicate poll list, then the frame and time alarms.
func (s *Scheduler) arm(t *task, c *waitcond.Cond) {
	t.state, t.cond = Waiting, c
	for leaf := range c.Leaves() {
		switch leaf.Kind() {
		case waitcond.KindTask:
			if h, ok := leaf.Target().(*Task); ok {
				if h != nil {
					s.linkWaiter(t, h.t)
				}
			} else if leaf.Target() != nil {
				t.polled = true // a Waitable of the host's own: nothing tells us when it finishes
			}
		case waitcond.KindSignal:
			t.unwatch = append(t.unwatch, leaf.Signal().Watch(func() { s.signaled = append(s.signaled, t) }))
		case waitcond.KindFuture:
			leaf.Future().OnComplete(func() { s.inbox.push(t) })
		case waitcond.KindPredicate:
			t.polled = true
		}
	}
	if t.polled && !t.inPollList {
		t.inPollList = true
		s.polled = append(s.polled, t)
	}
	s.rearm(t)
}

func (s *Scheduler) linkWaiter(t, target *task) {
	if target.state == Finished {
		return
	}
	t.links = append(t.links, waitLink{target: target, idx: len(target.waiters)})
	target.waiters = append(target.waiters, waiter{t: t, link: len(t.links) - 1})
}

// rearm arms one alarm per kind of monotonic leaf: the earliest unmet frame
// and the earliest unmet time. When an alarm fires and the condition is still
// unmet (an And with later parts), the next earliest leaf is armed.
func (s *Scheduler) rearm(t *task) {
	frame, at := uint64(0), time.Time{}
	now := s.judged
	for leaf := range t.cond.Leaves() {
		switch leaf.Kind() {
		case waitcond.KindFrame:
			if f := leaf.Frame(); f > s.frame && (frame == 0 || f < frame) {
				frame = f
			}
		case waitcond.KindTime:
			if d := leaf.Deadline(); d.After(now) && (at.IsZero() || d.Before(at)) {
				at = d
			}
		}
	}
	// A frame past 2^63 or a time 292 years after the epoch (where Sub
	// saturates) is never reached: it gets no alarm, which would be a key
	// that wraps, and costs nothing.
	key := at.Sub(s.epoch)
	s.setAlarm(&t.alarms[0], &s.frames, t, frame != 0 && frame <= math.MaxInt64, int64(frame))
	s.setAlarm(&t.alarms[1], &s.timers, t, !at.IsZero() && key < math.MaxInt64, int64(key))
}

func (s *Scheduler) setAlarm(a *alarm, h *alarmHeap, t *task, on bool, key int64) {
	if a.heap != nil && on && a.key == key {
		return
	}
	a.disarm()
	if on {
		s.alarmSeq++
		a.key, a.seq, a.t = key, s.alarmSeq, t
		h.push(a)
	}
}

// disarm takes t off every wake source. Future callbacks cannot be taken
// back; one that fires later finds t not waiting for it and does nothing.
func (s *Scheduler) disarm(t *task) {
	if t.cond != nil { // else nothing is armed: arm sets cond, and only this clears it
		s.unhook(t)
	}
	if t.state == Finished {
		t.nextWaits = nil // they hold conditions, which may hold handles
	}
}

// unhook is disarm's work for a task that is armed. A task woken in this
// frame was disarmed already when it finishes: its finish spares reading
// the cache lines of its alarms and links again.
func (s *Scheduler) unhook(t *task) {
	t.alarms[0].disarm()
	t.alarms[1].disarm()
	for _, l := range t.links {
		if l.target == nil {
			continue // the target finished and dropped its waiters
		}
		ws := l.target.waiters
		last := len(ws) - 1
		if l.idx != last {
			moved := ws[last]
			ws[l.idx] = moved
			moved.t.links[moved.link].idx = l.idx
		}
		l.target.waiters = ws[:last]
	}
	for _, cancel := range t.unwatch {
		cancel()
	}
	t.links, t.unwatch, t.polled, t.cond = t.links[:0], t.unwatch[:0], false, nil
}

// wakeDue runs at the start of a frame: it fires the frame and time alarms
// that are due, delivers signals and completed futures, and polls the
// predicates of waiting tasks. It reports whether it judged any condition:
// then addon code (a predicate) may have run, and the clock moved.
func (s *Scheduler) wakeDue(now time.Duration) bool {
	if s.frames.len()+s.timers.len()+len(s.signaled)+len(s.polled) == 0 && !s.inbox.full.Load() {
		return false // no task waits on anything: spare even the judging instant
	}
	judged := len(s.signaled) > 0 || len(s.polled) > 0
	s.judged = s.epoch.Add(now)
	for a := s.frames.popDue(int64(s.frame)); a != nil; a = s.frames.popDue(int64(s.frame)) {
		s.check(a.t)
		judged = true
	}
	for a := s.timers.popDue(int64(now)); a != nil; a = s.timers.popDue(int64(now)) {
		s.check(a.t)
		judged = true
	}
	if len(s.signaled) > 0 {
		woken := s.signaled
		s.signaled = nil
		for _, t := range woken {
			s.check(t)
		}
	}
	for _, t := range s.inbox.drain() {
		s.check(t)
		judged = true
	}
	if len(s.polled) > 0 {
		s.poll()
	}
	return judged
}

// poll evaluates the conditions of tasks waiting on predicates, charging
// each evaluation to the waiting task and its owner (its CPU, its share of
// the budget: an owner in debt is not polled until it has time again) and
// warning about one that ran past the watchdog's threshold, and drops the
// tasks that no longer poll. The frame's budget
// pays for the polling: it runs after the frame's start.
func (s *Scheduler) poll() {
	n := len(s.polled)
	keep := s.polled[:0]
	for _, t := range s.polled[:n] {
		if !t.polled {
			t.inPollList = false
			continue
		}
		if t.own.gated && !t.own.pollable(s.frame, s.limit) {
			keep = append(keep, t) // its owner is suspended or in debt: polled once it may run again
			continue
		}
		start := s.elapsed()
		s.check(t)
		took := s.elapsed() - start
		t.acct.Total += took
		t.own.charge(s.frame, took, s.limit)
		if s.warnAfter > 0 && took >= s.warnAfter {
			n := s.overrun(t)
			w := Warning{Kind: SlowPredicate, Frame: s.frame, Task: t.name, Owner: t.own.name, Took: took, Created: t.created(), Self: &t.self}
			s.warn(w.counted(t.own, n))
			if n > 0 {
				s.escalate(t, n)
			}
		}
		if t.polled {
			keep = append(keep, t)
		} else {
			t.inPollList = false
		}
	}
	// A predicate is addon code: it may have made other tasks wait on
	// predicates (Task.Wait, StartWhen), appending them: they stay.
	keep = append(keep, s.polled[n:]...)
	clear(s.polled[len(keep):])
	s.polled = keep
}

// check re-evaluates a waiting task's condition after something it depends
// on happened, at the instant s.judged, which the caller sets. A suspended
// task is left waiting; Resume checks again.
func (s *Scheduler) check(t *task) {
	if t.state != Waiting || t.suspended {
		return
	}
	if !t.cond.Met(t) {
		s.rearm(t)
		return
	}
	s.disarm(t)
	if t.nextWaits != nil && (s.nextWait(t) || t.state == Finished) {
		return // it waits again, as told from outside (see Task.Wait)
	}
	t.state, t.level, t.estimate = Active, 0, 0
	s.enqueue(t)
}

// wakeWaiters checks every task waiting for t, which has just finished, in
// the order they were linked (after removals, the order is still the same
// for the same history).
func (s *Scheduler) wakeWaiters(t *task) {
	ws := t.waiters
	t.waiters = nil
	s.judgeNow()
	for _, w := range ws {
		w.t.links[w.link].target = nil
	}
	for _, w := range ws {
		s.check(w.t)
	}
}

// inbox receives tasks from futures completed on other goroutines, for the
// frame goroutine to check at the start of the next frame.
type inbox struct {
	mu    sync.Mutex
	tasks []*task
	// full is set while tasks is not empty. Every frame drains two inboxes
	// that are nearly always empty; reading the flag costs next to nothing
	// where locking and unlocking the mutex costs tens of nanoseconds.
	full atomic.Bool
}

func (b *inbox) push(t *task) {
	b.mu.Lock()
	b.tasks = append(b.tasks, t)
	b.full.Store(true)
	b.mu.Unlock()
}

func (b *inbox) drain() []*task {
	if !b.full.Load() {
		return nil // a push racing with this load is drained by the next frame
	}
	return b.drainLocked()
}

func (b *inbox) drainLocked() []*task {
	b.mu.Lock()
	defer b.mu.Unlock()
	ts := b.tasks
	b.tasks = nil
	b.full.Store(false)
	return ts
}
