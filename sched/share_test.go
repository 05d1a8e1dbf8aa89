package sched_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// shareWorld records, per frame, the time each owner's slices took.
type shareWorld struct {
	*world
	used map[string][]time.Duration // owner -> per frame (index frame-1)
}

func newShareWorld(t *testing.T, frames int) *shareWorld {
	sw := &shareWorld{used: map[string][]time.Duration{}}
	sw.world = newWorld(t, 10*ms, sched.WithTrace(func(e sched.Event) {
		if e.Kind == sched.EventSlice {
			if sw.used[e.Owner] == nil {
				sw.used[e.Owner] = make([]time.Duration, frames)
			}
			sw.used[e.Owner][e.Frame-1] += e.Took
		}
	}))
	return sw
}

// loop is a task body that works in chunks of d, with BreathShort after
// each: it may use the whole frame.
func (w *world) loop(d time.Duration) sched.Body {
	return func(t *sched.Self) (any, error) {
		for {
			w.work(d)
			t.BreathShort()
		}
	}
}

// ranIn lists the frames in which owner's tasks ran.
func (sw *shareWorld) ranIn(owner string) []int {
	var fs []int
	for i, d := range sw.used[owner] {
		if d > 0 {
			fs = append(fs, i+1)
		}
	}
	return fs
}

// An owner capped at a quarter of the budget uses at most a quarter in
// every frame, even with chunks so short that most of its Breath calls go
// on; the others use the rest.
func TestBudgetShareCapsEveryFrame(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const frames = 30
		sw := newShareWorld(t, frames)
		sw.s.SetBudgetShare("Greedy", 0.25)
		sw.spawn("Greedy", "a", sw.loop(100*time.Microsecond))
		sw.spawn("Greedy", "b", sw.loop(100*time.Microsecond))
		sw.spawn("Fair", "c", sw.loop(100*time.Microsecond))
		sw.frames(frames)
		var total time.Duration
		for i, d := range sw.used["Greedy"] {
			if d > 2500*time.Microsecond {
				t.Errorf("frame %d: Greedy used %v, want at most 2.5ms (a quarter of 10ms)", i+1, d)
			}
			total += d
		}
		if total < frames*2*ms {
			t.Errorf("Greedy used %v in %d frames, want at least 2ms a frame: the cap must not starve it", total, frames)
		}
		for i, d := range sw.used["Fair"] {
			if d < 7*ms {
				t.Errorf("frame %d: Fair used %v, want the rest of the frame (at least 7ms)", i+1, d)
			}
		}
		if got := sw.s.Owners(); got[1].Name != "Greedy" || got[1].BudgetShare != 0.25 || got[0].BudgetShare != 0 {
			t.Errorf("Owners: %+v, want Greedy's BudgetShare 0.25 and Fair's 0", got)
		}
	})
}

// A slice that runs past the owner's grant leaves a debt: the owner's tasks
// do not run again until the following frames' grants have paid it off.
func TestBudgetShareDebt(t *testing.T) {
	bubble(t, func(t *testing.T) {
		sw := newShareWorld(t, 8)
		sw.s.SetBudgetShare("Greedy", 0.25) // 2.5ms a frame
		sw.spawn("Greedy", "hog", func(t *sched.Self) (any, error) {
			sw.work(10 * ms) // 7.5ms past the grant: three frames' grants
			t.Breath()
			for {
				sw.work(ms)
				t.Breath()
			}
		})
		sw.frames(8)
		// Frame 1: 10ms (balance -7.5ms); frames 2-4 pay the debt (-5, -2.5,
		// 0); from frame 5 it runs again, within its grant.
		used := sw.used["Greedy"]
		if fmt.Sprint(used[:4]) != fmt.Sprint([]time.Duration{10 * ms, 0, 0, 0}) {
			t.Errorf("Greedy's time in frames 1-4: %v, want 10ms, then nothing while it pays its debt", used[:4])
		}
		for f := 5; f <= 8; f++ {
			if d := used[f-1]; d <= 0 || d > 2500*time.Microsecond {
				t.Errorf("frame %d: Greedy used %v, want some, at most its 2.5ms grant", f, d)
			}
		}
	})
}

// A chunk larger than the owner's grant still runs, whenever the owner's
// time is whole again: every other frame for a 5ms chunk on a 2.5ms grant.
func TestBudgetShareChunkLargerThanGrant(t *testing.T) {
	bubble(t, func(t *testing.T) {
		sw := newShareWorld(t, 8)
		sw.s.SetBudgetShare("Big", 0.25)
		sw.spawn("Big", "chunks", func(t *sched.Self) (any, error) {
			for {
				t.BreathFor(5 * ms)
				sw.work(5 * ms)
			}
		})
		sw.frames(8)
		if got, want := sw.ranIn("Big"), []int{1, 3, 5, 7}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Big ran in frames %v, want %v", got, want)
		}
	})
}

// A share outside (0, 1) removes the cap, as does 0; the cap can be lifted
// and set again.
func TestBudgetShareRemoved(t *testing.T) {
	for _, share := range []float64{0, -0.5, 1, 2, math.NaN(), math.Inf(1)} {
		t.Run(fmt.Sprint(share), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				sw := newShareWorld(t, 4)
				sw.s.SetBudgetShare("A", 0.1)
				sw.s.SetBudgetShare("A", share)
				sw.spawn("A", "loop", sw.loop(ms))
				sw.frames(4)
				for i, d := range sw.used["A"] {
					if d < 4*ms {
						t.Errorf("frame %d: A used %v, want its whole Breath share (4ms): no cap", i+1, d)
					}
				}
				if got := sw.s.Owners()[0].BudgetShare; got != 0 {
					t.Errorf("BudgetShare %v, want 0", got)
				}
			})
		})
	}
}
