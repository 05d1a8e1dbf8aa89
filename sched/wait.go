package sched

import (
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

func (s *Scheduler) wait(t *task, c *waitcond.Cond) {
	if t != s.current || t.unwinding {
		t.misuseOrUnwind("Wait")
	}
	if c.Met(s) {
		return
	}
	s.arm(t, c)
	t.park("waiting")
}

// arm makes t wait for c and arms its wake sources.
func (s *Scheduler) arm(t *task, c *waitcond.Cond) {
	t.state, t.cond = Waiting, c
	s.rearm(t)
}

// rearm arms one alarm per kind of monotonic leaf: the earliest unmet frame
// and the earliest unmet time. When an alarm fires and the condition is still
// unmet (an And with later parts), the next earliest leaf is armed.
func (s *Scheduler) rearm(t *task) {
	frame, at := uint64(0), time.Time{}
	now := s.clk.Now()
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
	s.setAlarm(&t.alarms[0], &s.frames, t, frame != 0, int64(frame))
	s.setAlarm(&t.alarms[1], &s.timers, t, !at.IsZero(), at.UnixNano())
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

func (s *Scheduler) disarm(t *task) {
	t.alarms[0].disarm()
	t.alarms[1].disarm()
	t.cond = nil
}

// wakeDue fires the alarms due at the start of the frame.
func (s *Scheduler) wakeDue(now time.Time) {
	for a := s.frames.popDue(int64(s.frame)); a != nil; a = s.frames.popDue(int64(s.frame)) {
		s.check(a.t)
	}
	for a := s.timers.popDue(now.UnixNano()); a != nil; a = s.timers.popDue(now.UnixNano()) {
		s.check(a.t)
	}
}

// check re-evaluates a waiting task's condition after something it depends
// on happened. A suspended task is left waiting; Resume checks again.
func (s *Scheduler) check(t *task) {
	if t.state != Waiting || t.suspended {
		return
	}
	if !t.cond.Met(s) {
		s.rearm(t)
		return
	}
	s.disarm(t)
	t.state, t.level, t.estimate = Active, 0, 0
	s.enqueue(t)
}
