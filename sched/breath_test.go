package sched_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

func TestBreathLevelThresholds(t *testing.T) {
	const budget, chunk = 10 * ms, 1 * ms
	// Each task, alone in the frame, works n chunks of 1ms, each followed by
	// the level's checkpoint (all of which go on), then one more chunk of
	// 1ms+extra and the checkpoint under test, at spent = (n+1)ms + extra.
	//
	// The scheduler learns the task's chunk at its first checkpoint (1ms) and
	// moves it by a quarter of each later difference, so the last chunk's
	// ±1ns leaves it at 1ms (test-checked below). Every level admits only
	// while spent < threshold and spent+chunk <= budget. Near the Medium (4ms)
	// and Long (2ms) thresholds the next chunk always fits, so the threshold
	// decides. For Short the threshold is the whole budget, which a task with a
	// 1ms chunk never gets to use up from a checkpoint: its last admitted
	// checkpoint is at 9ms (the next chunk ends exactly at 10ms), and just
	// under 10ms it already parks.
	tests := []struct {
		name  string
		level level
		n     int
		extra time.Duration
		want  bool // went on in the same frame
	}{
		{"Long just under 20%", long, 1, -ns, true},
		{"Long at 20%", long, 1, 0, false},
		{"Long just over 20%", long, 1, ns, false},
		{"Medium just under 40%", medium, 3, -ns, true},
		{"Medium at 40%", medium, 3, 0, false},
		{"Medium just over 40%", medium, 3, ns, false},
		{"Short, next chunk ends at 100%", short, 8, 0, true},
		{"Short, next chunk ends 1ns past 100%", short, 8, ns, false},
		{"Short just under 100%", short, 9, -ns, false},
		{"Short at 100%", short, 9, 0, false},
		{"Short just over 100%", short, 9, ns, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, budget)
				var wentOn []bool // per checkpoint
				var spent time.Duration
				h := w.start("Addon", "worker", func(self *sched.Self) (any, error) {
					start := w.clk.Now() // the frame's start: the task runs first
					for i := range tt.n + 1 {
						d := chunk
						if i == tt.n {
							d += tt.extra
						}
						w.work(d)
						spent = w.clk.Now().Sub(start)
						f := w.s.Frame()
						tt.level.breathe(self)
						wentOn = append(wentOn, w.s.Frame() == f)
					}
					return nil, nil
				})
				st := w.frames(2)

				if got, want := spent, time.Duration(tt.n+1)*chunk+tt.extra; got != want {
					t.Fatalf("spent at the last %v: got %v, want %v", tt.level, got, want)
				}
				for i, ok := range wentOn[:tt.n] {
					if !ok {
						t.Errorf("%v after chunk %d parked, want it to go on", tt.level, i+1)
					}
				}
				if got := wentOn[tt.n]; got != tt.want {
					t.Errorf("%v at %v went on: got %v, want %v", tt.level, spent, got, tt.want)
				}
				wantParked, finishedIn := 1, 1
				if tt.want {
					wantParked, finishedIn = 0, 0
				}
				if got := st[0].Parked; got != wantParked {
					t.Errorf("frame 1 Parked: got %d, want %d", got, wantParked)
				}
				if got := st[finishedIn].Finished; got != 1 {
					t.Errorf("frame %d Finished: got %d, want 1", finishedIn+1, got)
				}
				if got := h.Stats().Chunk; got != chunk {
					t.Errorf("learned chunk: got %v, want %v", got, chunk)
				}
			})
		})
	}
}

func TestBreathFor(t *testing.T) {
	const budget = 10 * ms
	tests := []struct {
		name   string
		before time.Duration // work done in the frame before BreathFor
		est    time.Duration
		want   bool // went on in the same frame
	}{
		{"fits with room to spare", 2 * ms, 3 * ms, true},
		{"fits, ending exactly at the budget", 6 * ms, 4 * ms, true},
		{"does not fit by 1ns", 6 * ms, 4*ms + ns, false},
		// The learned chunk (9ms, from this very checkpoint) would not fit:
		// the estimate replaces it.
		{"fits although the learned chunk would not", 9 * ms, 1 * ms, true},
		{"no budget left", 10 * ms, ns, false},
		{"the whole budget at the frame's start", 0, 10 * ms, true},
		{"more than the whole budget", 0, 10*ms + ns, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, budget)
				var wentOn bool
				w.start("Addon", "worker", func(self *sched.Self) (any, error) {
					w.work(tt.before)
					f := w.s.Frame()
					self.BreathFor(tt.est)
					wentOn = w.s.Frame() == f
					return nil, nil
				})
				st := w.frames(2)
				if wentOn != tt.want {
					t.Errorf("BreathFor(%v) after %v went on: got %v, want %v", tt.est, tt.before, wentOn, tt.want)
				}
				wantParked := 1
				if tt.want {
					wantParked = 0
				}
				if got := st[0].Parked; got != wantParked {
					t.Errorf("frame 1 Parked: got %d, want %d", got, wantParked)
				}
				if got := st[0].Finished + st[1].Finished; got != 1 {
					t.Errorf("finished in frames 1-2: got %d, want 1 (the task goes on in frame 2 after parking)", got)
				}
			})
		})
	}
}

// TestOverrunBound runs 20 tasks whose chunks between checkpoints each cost
// 1% of the budget: a checkpoint that lets a chunk start only when it fits
// keeps every frame within a chunk or two of its budget.
func TestOverrunBound(t *testing.T) {
	const budget, tasks, frames = 10 * ms, 20, 100
	for _, l := range []level{short, medium} {
		t.Run(l.String(), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, budget)
				var hs []*sched.Task
				for i := range tasks {
					hs = append(hs, w.start("Addon", fmt.Sprintf("t%02d", i), loop(w, budget/100, l)))
				}
				worst := 0.0
				for _, st := range w.frames(frames) {
					worst = max(worst, float64(st.Used)/float64(st.Budget))
				}
				t.Logf("%v: worst frame used %.4f of its budget", l, worst)
				if worst > 1.02 {
					t.Errorf("worst frame used %.4f of its budget, want at most 1.02", worst)
				}
				for _, h := range hs {
					if h.Stats().Slices == 0 {
						t.Errorf("task %s never ran", h.Name())
					}
				}
			})
		})
	}
}
