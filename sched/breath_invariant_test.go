package sched_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/sched"
)

// The Breath invariant: a Breath that returns without parking saw the
// frame's used time (clock now minus the frame's start) below its level's
// threshold of the frame's budget; learned estimates may make it park
// earlier, never later.

// TestBreathAfterWaitSeesTheWork is the case of issue 10: a task that learned
// a tiny chunk waits, and after its wait does 60ms of work in a frame of
// 50ms; its BreathShort must park, not trust the estimate.
func TestBreathAfterWaitSeesTheWork(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 50*ms)
		var wentOn bool
		w.start("Addon", "worker", func(self *sched.Self) (any, error) {
			for range 10 {
				w.work(10 * us) // learns a 10µs chunk
				self.BreathShort()
			}
			self.Wait(self.Scheduler().NextFrame())
			w.work(60 * ms)
			slices := self.Slices()
			self.BreathShort()
			wentOn = self.Slices() == slices
			return nil, nil
		})
		w.frames(3)
		if wentOn {
			t.Errorf("BreathShort after a wait with 60ms used of a 50ms budget went on, want it to park")
		}
	})
}

// TestBreathInvariant runs random programs: several tasks doing chunks of
// random lengths (zero, tiny, sudden growth), waits and Breaths of every
// level, under random frame budgets and owner shares, on the mock clock.
func TestBreathInvariant(t *testing.T) {
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			bubble(t, func(t *testing.T) { checkBreathInvariant(t, seed) })
		})
	}
}

func FuzzBreathInvariant(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		bubble(t, func(t *testing.T) { checkBreathInvariant(t, seed) })
	})
}

// op is one step of a random task program.
type op struct {
	kind  opKind
	d     time.Duration // work: its length; breathFor: the estimate; waitTime: the timespan
	level level         // breathe
	n     uint64        // waitFrames
}

type opKind uint8

const (
	work opKind = iota
	breathe
	breathFor
	waitFrames
	waitTime
)

func (o op) String() string {
	switch o.kind {
	case work:
		return fmt.Sprintf("work %v", o.d)
	case breathe:
		return o.level.String()
	case breathFor:
		return fmt.Sprintf("BreathFor %v", o.d)
	case waitFrames:
		return fmt.Sprintf("Wait Frames(%d)", o.n)
	}
	return fmt.Sprintf("Wait Timespan(%v)", o.d)
}

// chunkLength draws a chunk: often zero or tiny, sometimes a sudden growth
// to milliseconds, now and then more than a whole budget.
func chunkLength(r *rand.Rand) time.Duration {
	switch p := r.IntN(100); {
	case p < 15:
		return 0
	case p < 70:
		return time.Duration(r.IntN(50_000)) * ns // up to 50µs
	case p < 92:
		return time.Duration(r.IntN(5_000)+1) * us // up to 5ms
	default:
		return time.Duration(r.IntN(60)+1) * ms // up to 60ms
	}
}

func randomProgram(r *rand.Rand) []op {
	var prog []op
	for range r.IntN(40) + 5 {
		switch p := r.IntN(100); {
		case p < 45:
			prog = append(prog, op{kind: work, d: chunkLength(r)})
		case p < 85:
			prog = append(prog, op{kind: breathe, level: level(r.IntN(3))})
		case p < 92:
			prog = append(prog, op{kind: breathFor, d: chunkLength(r)})
		case p < 96:
			prog = append(prog, op{kind: waitFrames, n: uint64(r.IntN(3))})
		default:
			prog = append(prog, op{kind: waitTime, d: time.Duration(r.IntN(40)) * ms})
		}
	}
	// Each pass ends with a wait for the next frame, so that a program of
	// zero-length chunks cannot run forever within one frame.
	return append(prog, op{kind: waitFrames, n: 1})
}

var budgets = [...]time.Duration{100 * us, 1 * ms, 4 * ms, 10 * ms, 50 * ms}

var thresholdLevel = [...]budget.Level{short: budget.Short, medium: budget.Medium, long: budget.Long}

func checkBreathInvariant(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 10))
	outcomes := map[string]string{} // task name -> outcome of its last slice
	w := newWorld(t, budgets[r.IntN(len(budgets))], sched.WithTrace(func(e sched.Event) {
		if e.Kind == sched.EventSlice {
			outcomes[e.Task] = e.Outcome
		}
	}))
	var frameStart time.Time
	var limit time.Duration
	var failure string // the first broken rule: task code must not call t.Fatal
	capped := map[string]bool{}
	for i := range r.IntN(4) + 1 {
		owner := fmt.Sprintf("o%d", i)
		if r.IntN(3) == 0 {
			w.s.SetBudgetShare(owner, 0.1+0.8*r.Float64())
			capped[owner] = true
		}
		for j := range r.IntN(3) + 1 {
			name := fmt.Sprintf("%s.t%d", owner, j)
			prog := randomProgram(r)
			w.start(owner, name, func(self *sched.Self) (any, error) {
				s := self.Scheduler()
				h := self.Handle()
				for {
					for i, o := range prog {
						where := func() string {
							return fmt.Sprintf("frame %d, task %s, op %d (%v) of %v", s.Frame(), name, i, o, prog)
						}
						switch o.kind {
						case work:
							w.work(o.d)
						case waitFrames:
							self.Wait(s.Frames(o.n))
						case waitTime:
							self.Wait(s.Timespan(o.d))
						case breathe, breathFor:
							used := w.clk.Now().Sub(frameStart)
							slices := self.Slices()
							lim := limit
							if o.kind == breathFor {
								self.BreathFor(o.d)
							} else {
								o.level.breathe(self)
							}
							parked := self.Slices() != slices
							if failure == "" {
								failure = checkBreath(o, used, lim, parked, outcomes[name], h.Stats().Chunk, capped[owner], where)
							}
						}
					}
				}
			})
		}
	}
	for range 40 {
		limit = budgets[r.IntN(len(budgets))]
		frameStart = w.clk.Now()
		w.s.RunFrameBudget(limit)
		if failure != "" {
			t.Fatal(failure)
		}
		if gap := time.Duration(r.IntN(30)) * ms; gap > 0 {
			w.work(gap) // the host's own part of the frame, or an idle moment
		}
	}
}

// checkBreath checks one Breath: a Breath that went on saw the frame's used
// time below its level's threshold (and, for BreathFor, room for the
// estimate); one that parked for the frame (not a yield, not an owner's
// cap) did so because of the threshold or the learned chunk, chunk.
func checkBreath(o op, used, limit time.Duration, parked bool, outcome string, chunk time.Duration, capped bool, where func() string) string {
	thr := budget.Short.Threshold(limit)
	if o.kind == breathe {
		thr = thresholdLevel[o.level].Threshold(limit)
	}
	if !parked {
		if used >= thr {
			return fmt.Sprintf("%s: went on with %v used of a %v budget, want below the threshold %v", where(), used, limit, thr)
		}
		if o.kind == breathFor && used+o.d > limit {
			return fmt.Sprintf("%s: went on with %v used of a %v budget, want room for the estimate %v", where(), used, limit, o.d)
		}
		return ""
	}
	if !strings.HasPrefix(outcome, "parked") || capped {
		return "" // yielded to the other tasks or held by its owner's share: other rules
	}
	est := o.d
	if o.kind == breathe || est == 0 {
		est = chunk // the learned chunk the Breath decided with (nothing is learned while parked)
	}
	if used < thr && used+est <= limit {
		return fmt.Sprintf("%s: parked with %v used of a %v budget (threshold %v, estimate %v), want it to go on", where(), used, limit, thr, est)
	}
	return ""
}
