package sched

import (
	"time"

	"github.com/framesched/framesched/budget"
)

// maxFastBreaths bounds the Breath calls that may pass without reading the
// clock, so that a task whose chunks suddenly grow (say from 10µs to 3ms)
// overruns by at most this many of the new chunks. 32 keeps the amortised
// clock read under a nanosecond per Breath.
const maxFastBreaths = 32

// Breath is the medium checkpoint: the task goes on while less than 40% of
// the frame's budget is used, and parks until the next frame otherwise.
func (t *Self) Breath() { t.t.breath(budget.Medium) }

// BreathShort is the short checkpoint: the task goes on while the frame has
// budget left for its typical chunk of work.
func (t *Self) BreathShort() { t.t.breath(budget.Short) }

// BreathLong is the long checkpoint: the task goes on while less than 20% of
// the frame's budget is used.
func (t *Self) BreathLong() { t.t.breath(budget.Long) }

// BreathFor is the checkpoint with an explicit estimate: the task goes on if
// a chunk of about d still fits in the frame's budget.
func (t *Self) BreathFor(d time.Duration) {
	t.t.calls++
	t.t.checkpoint(budget.Short, d)
}

// parkedOutcome is, per level, the end of a slice parked at a Breath.
var parkedOutcome = [...]outcome{budget.Short: parkedShort, budget.Medium: parkedMedium, budget.Long: parkedLong}

// breath is the fast path of every level. While the task's typical chunk
// says the frame cannot be spent yet, it does not read the clock.
func (t *task) breath(l budget.Level) {
	t.calls++
	if t.calls <= t.allow[l] {
		return
	}
	t.checkpoint(l, 0) // kept apart so that breath stays small enough to inline
}

// checkpoint reads the clock, learns the task's typical chunk, and decides:
// go on, yield to the other ready tasks of this frame (the task used its fair
// share of it), or park until the next frame. The first Breath of a slice
// first tries the allowance the slice started with, which needs no clock
// read: the slice's start noted what it needs.
func (t *task) checkpoint(l budget.Level, est time.Duration) {
	s := t.s
	if t.allowPending {
		t.allowPending = false // the allowance is set here or below, or reset by park
		fr := budget.Frame{Limit: s.limit, Spent: t.sliceStart - s.frameStart}
		if est == 0 && t.calls <= t.allowance(l, fr, t.sliceStart, t.allowShared) {
			t.setAllowance(fr, t.sliceStart, t.allowShared)
			return
		}
	}
	if t != s.current || t.unwinding {
		t.misuseOrUnwind("Breath")
	}
	now := s.elapsed()
	t.acct.ObserveChunks(now-t.lastRead, int(t.calls))
	t.lastRead, t.calls = now, 0
	fr := budget.Frame{Limit: s.limit, Spent: now - s.frameStart}
	t.level, t.estimate = l, est
	var why outcome
	switch {
	case !t.admitted(fr) || !t.ownerAdmits(now-t.sliceStart):
		t.queued = true
		s.later.push(t)
		s.stats.Parked++
		why = parkedOutcome[l]
	case s.turnsWaiting() > 0 && now-t.sliceStart >= s.quantum(l):
		s.enqueue(t)
		why = yielded
	default:
		t.setAllowance(fr, now, s.turnsWaiting() > 0)
		return
	}
	s.sliceEnd, s.sliceEnded = now, true
	// t.park(why), written out: a return across the coroutine switch is
	// mispredicted, so a call level less saves about 10ns per park.
	t.outcome = why
	t.allow, t.allowPending, t.onStack = [len(budget.Levels)]int32{}, false, false
	ok := t.w.yield(struct{}{})
	t.onStack = true
	if !ok || t.state == Finished {
		t.unwind()
	}
}

// setAllowance lets the next Breath calls of each level pass without reading
// the clock while the chunks they follow, at the task's typical cost, use at
// most half of the room left (so the estimate is corrected long before the
// room is gone). shared says whether other tasks wait for a turn in this
// frame, which bounds the room by the task's fair share.
func (t *task) setAllowance(fr budget.Frame, now time.Duration, shared bool) {
	for _, l := range budget.Levels {
		t.allow[l] = t.allowance(l, fr, now, shared)
	}
}

// allowance is setAllowance's figure for level l: room/chunk/2, capped at
// maxFastBreaths.
func (t *task) allowance(l budget.Level, fr budget.Frame, now time.Duration, shared bool) int32 {
	chunk := t.acct.Chunk()
	if chunk <= 0 {
		return 0
	}
	room := fr.Room(l, chunk)
	if shared {
		room = min(room, t.s.quantum(l)-(now-t.sliceStart))
	}
	if t.own.share > 0 {
		room = min(room, t.ownerLeft(now)-chunk)
	}
	if room/(2*maxFastBreaths) >= chunk { // a short chunk in a roomy frame (the common case): no division
		return maxFastBreaths
	}
	return int32(max(0, room/chunk/2))
}

// misuseOrUnwind handles a checkpoint reached by a task that is being
// stopped (it unwinds again) or called on a task that is not running.
func (t *task) misuseOrUnwind(fn string) {
	if t.unwinding || t.state == Finished {
		t.unwind()
	}
	panic("sched: " + fn + " called on " + t.String() + ", which is not the running task")
}
