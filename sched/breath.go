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

// parkedOutcome names, per level, the end of a slice parked at a Breath.
var parkedOutcome = [...]string{budget.Short: "parked short", budget.Medium: "parked medium", budget.Long: "parked long"}

// breath is the fast path of every level. While the task's typical chunk
// says the frame cannot be spent yet, it does not read the clock.
func (t *task) breath(l budget.Level) {
	t.calls++
	if t.calls <= t.allow[l] {
		return
	}
	t.slowBreath(l) // kept apart so that breath stays small enough to inline
}

// slowBreath is a Breath past the allowance: the first of a slice sets the
// allowance the slice started with and checks again; others checkpoint.
func (t *task) slowBreath(l budget.Level) {
	if t.allowPending {
		t.allowPending = false
		s := t.s
		t.setAllowance(budget.Frame{Limit: s.limit, Spent: t.sliceStart - s.frameStart}, t.sliceStart, t.allowShared)
		if t.calls <= t.allow[l] {
			return
		}
	}
	t.checkpoint(l, 0)
}

// checkpoint reads the clock, learns the task's typical chunk, and decides:
// go on, yield to the other ready tasks of this frame (the task used its fair
// share of it), or park until the next frame.
func (t *task) checkpoint(l budget.Level, est time.Duration) {
	s := t.s
	if t != s.current || t.unwinding {
		t.misuseOrUnwind("Breath")
	}
	t.allowPending = false // the allowance is set below, or reset by park
	now := s.elapsed()
	t.acct.ObserveChunks(now-t.lastRead, int(t.calls))
	t.lastRead, t.calls = now, 0
	fr := budget.Frame{Limit: s.limit, Spent: now - s.frameStart}
	t.level, t.estimate = l, est
	switch {
	case !t.admitted(fr):
		s.sliceEnd, s.sliceEnded = now, true
		t.queued = true
		s.later.push(t)
		s.stats.Parked++
		t.park(parkedOutcome[l])
	case s.turnsWaiting() > 0 && now-t.sliceStart >= s.quantum(l):
		s.sliceEnd, s.sliceEnded = now, true
		s.enqueue(t)
		t.park("yielded")
	default:
		t.setAllowance(fr, now, s.turnsWaiting() > 0)
	}
}

// setAllowance lets the next Breath calls of each level pass without reading
// the clock while the chunks they follow, at the task's typical cost, use at
// most half of the room left (so the estimate is corrected long before the
// room is gone). shared says whether other tasks wait for a turn in this
// frame, which bounds the room by the task's fair share.
func (t *task) setAllowance(fr budget.Frame, now time.Duration, shared bool) {
	chunk := t.acct.Chunk()
	if chunk <= 0 {
		t.allow = [len(budget.Levels)]int32{}
		return
	}
	for _, l := range budget.Levels {
		room := fr.Room(l, chunk)
		if shared {
			room = min(room, t.s.quantum(l)-(now-t.sliceStart))
		}
		// room/chunk/2, capped; a short chunk in a roomy frame (the common
		// case) reaches the cap without a division.
		n := time.Duration(maxFastBreaths)
		if room/(2*maxFastBreaths) < chunk {
			n = max(0, room/chunk/2)
		}
		t.allow[l] = int32(n)
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
