package sched

import (
	"time"

	"github.com/framesched/framesched/budget"
)

// Breath is the medium checkpoint: the task goes on only while less than 40%
// of the frame's budget is used, and parks until the next frame otherwise.
//
// Every Breath checkpoint reads the scheduler's clock, and guarantees: a
// Breath that returns without parking saw the frame's used time (the clock's
// reading minus the frame's start) below its level's threshold of the
// frame's budget (Short 100%, Medium 40%, Long 20%), whatever the task did
// since its last Breath (a long chunk, a Wait). Below the threshold a Breath
// may still park: when the task's typical chunk, learned from the time
// between its checkpoints, would not end within the budget; when the task
// used its fair share of the frame and other tasks wait for a turn (it runs
// again later in the frame); when its owner's budget share is spent. What the
// scheduler learns may make a Breath park earlier, never later.
func (t *Self) Breath() { t.t.checkpoint(budget.Medium, 0) }

// BreathShort is the short checkpoint: the task goes on only while less than
// the whole budget is used and its typical chunk of work still fits in what
// is left. One that returns without parking saw the frame's used time below
// the budget (see Breath).
func (t *Self) BreathShort() { t.t.checkpoint(budget.Short, 0) }

// BreathLong is the long checkpoint: the task goes on only while less than
// 20% of the frame's budget is used. One that returns without parking saw the
// frame's used time below 20% of the budget (see Breath).
func (t *Self) BreathLong() { t.t.checkpoint(budget.Long, 0) }

// BreathFor is the checkpoint with an explicit estimate: the task goes on
// only while less than the whole budget is used and a chunk of d still fits
// in what is left. One that returns without parking saw the frame's used
// time below the budget and used + d within it (see Breath). d replaces the
// learned chunk; 0 means BreathShort.
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
// since the last read cannot be bounded without reading it, so the read
// (about 9ns with the real clock where the processor's counter serves, 23ns
// where the kernel's clock must: see elapsed) is what the guarantee costs.
// A fast path that compares the read with a deadline set at the last full
// decision would save about 2.5ns more, for the state and bookkeeping the
// fast path had: not worth it.
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
