package sched

import (
	"time"

	"github.com/framesched/framesched/budget"
)

// Breath is the medium checkpoint: the task goes on while less than 40% of
// the frame's budget is used, and parks until the next frame otherwise.
func (t *Self) Breath() { t.t.checkpoint(budget.Medium, 0) }

// BreathShort is the short checkpoint: the task goes on while the frame has
// budget left for its typical chunk of work.
func (t *Self) BreathShort() { t.t.checkpoint(budget.Short, 0) }

// BreathLong is the long checkpoint: the task goes on while less than 20% of
// the frame's budget is used.
func (t *Self) BreathLong() { t.t.checkpoint(budget.Long, 0) }

// BreathFor is the checkpoint with an explicit estimate: the task goes on if
// a chunk of about d still fits in the frame's budget.
func (t *Self) BreathFor(d time.Duration) { t.t.checkpoint(budget.Short, d) }

// parkedOutcome is, per level, the end of a slice parked at a Breath.
var parkedOutcome = [...]outcome{budget.Short: parkedShort, budget.Medium: parkedMedium, budget.Long: parkedLong}

// checkpoint reads the clock, learns the task's typical chunk, and decides:
// go on, yield to the other ready tasks of this frame (the task used its fair
// share of it), or park until the next frame.
//
// Every call reads the clock, also when it goes on. Passing calls without a
// read while the learned chunk said the frame had room (as an earlier
// version did) trusts the estimate: a chunk that suddenly grows, or the work
// after a Wait, then runs the frame past the Breath's threshold. The time
// since the last read cannot be bounded without reading it, so the read is
// what the guarantee costs; the estimate may only make a checkpoint park
// earlier.
func (t *task) checkpoint(l budget.Level, est time.Duration) {
	s := t.s
	if t != s.current || t.unwinding {
		t.misuseOrUnwind("Breath")
	}
	now := s.elapsed()
	t.acct.ObserveChunk(now - t.lastRead)
	t.lastRead = now
	t.level, t.estimate = l, est
	var why outcome
	switch {
	case !t.admitted(budget.Frame{Limit: s.limit, Spent: now - s.frameStart}) || !t.ownerAdmits(now-t.sliceStart):
		t.queued = true
		s.later.push(t)
		s.stats.Parked++
		why = parkedOutcome[l]
	case s.turnsWaiting() > 0 && now-t.sliceStart >= s.quantum(l):
		s.enqueue(t)
		why = yielded
	default:
		return
	}
	s.sliceEnd, s.sliceEnded = now, true
	// t.park(why), written out: a return across the coroutine switch is
	// mispredicted, so a call level less saves about 10ns per park.
	t.outcome, t.onStack = why, false
	ok := t.w.yield(struct{}{})
	t.onStack = true
	if !ok || t.state == Finished {
		t.unwind()
	}
}

// misuseOrUnwind handles a checkpoint reached by a task that is being
// stopped (it unwinds again) or called on a task that is not running.
func (t *task) misuseOrUnwind(fn string) {
	if t.unwinding || t.state == Finished {
		t.unwind()
	}
	panic("sched: " + fn + " called on " + t.String() + ", which is not the running task")
}
