package sched_test

import (
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// With many ready tasks, a turn lasts at least 50 µs (or an eighth of the
// Breath level's threshold, if less) before the task yields to the next in
// line, whatever the fair share (the threshold over the tasks); each task
// still gets a turn before any gets a second.
func TestMinimumTurn(t *testing.T) {
	for _, c := range []struct {
		name   string
		budget time.Duration
		want   int // chunks of 10 µs in a turn
	}{
		{"fair share 20µs, turn 50µs", 50 * time.Millisecond, 5},    // Breath: 20 ms / 1,000 tasks
		{"fair share 0.16µs, turn 20µs", 400 * time.Microsecond, 2}, // 160 µs / 1,000; an eighth is 20 µs
		{"fair share 200µs", 500 * time.Millisecond, 20},            // 200 ms / 1,000
	} {
		t.Run(c.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, c.budget)
				const n = 1000
				var turns []int // the task of each chunk, in order
				for i := range n {
					w.spawn("o", "t", func(self *sched.Self) (any, error) {
						for range 3 * c.want {
							w.work(10 * time.Microsecond)
							turns = append(turns, i)
							self.Breath()
						}
						return nil, nil
					})
				}
				w.s.RunFrame()
				if len(turns) < 2*c.want {
					t.Fatalf("%d chunks ran in the frame, want at least %d", len(turns), 2*c.want)
				}
				for k := range c.want {
					if turns[k] != 0 || turns[c.want+k] != 1 {
						t.Fatalf("chunks ran by tasks %v, want %d of task 0 then task 1", turns[:2*c.want], c.want)
					}
				}
				seen := map[int]bool{}
				for k, i := range turns { // no task has a second turn before every task had one
					if k > 0 && i != turns[k-1] && seen[i] && len(seen) < n {
						t.Fatalf("task %d had a second turn when %d of %d tasks had one", i, len(seen), n)
					}
					seen[i] = true
				}
			})
		})
	}
}
