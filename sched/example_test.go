package sched_test

import (
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// A host spreads a long job over frames: each frame runs at most about the
// budget's worth of work, and the job's result is read when it has finished.
func Example() {
	clk := clock.NewMock() // a real host leaves the clock out: the real one is the default
	s := sched.New(sched.WithClock(clk), sched.WithBudget(4*time.Millisecond))
	defer s.Close()

	job, _ := s.Go("Bags", "index", func(t *sched.Self) (any, error) {
		sum := 0
		for i := 1; i <= 10; i++ {
			clk.Add(time.Millisecond) // a millisecond of work
			sum += i
			t.BreathShort() // go on while the frame has room
		}
		return sum, nil
	})
	for !job.Finished() {
		st := s.RunFrame()
		fmt.Printf("frame %d used %v of %v\n", st.Frame, st.Used, st.Budget)
	}
	fmt.Println(job.Result())
	// Output:
	// frame 1 used 4ms of 4ms
	// frame 2 used 4ms of 4ms
	// frame 3 used 2ms of 4ms
	// 55 <nil>
}

// A greedy owner held to a quarter of each frame's budget: the other owner's
// task gets the rest.
func ExampleScheduler_SetBudgetShare() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(10*time.Millisecond))
	defer s.Close()
	s.SetBudgetShare("Greedy", 0.25)
	chunks := func(t *sched.Self) (any, error) {
		for {
			clk.Add(time.Millisecond) // a chunk of work
			t.BreathShort()
		}
	}
	s.Go("Greedy", "crunch", chunks)
	s.Go("Other", "index", chunks)
	for range 3 {
		s.RunFrame()
	}
	for _, o := range s.Owners() {
		fmt.Printf("%s: %v, capped at %v\n", o.Name, o.CPU, o.BudgetShare)
	}
	// Output:
	// Greedy: 6ms, capped at 0.25
	// Other: 24ms, capped at 0
}

// A host running untrusted addons sets a watchdog threshold: an addon whose
// task keeps running past it without breathing is warned (the overrun's
// own SlowSlice warning), throttled, suspended, and last has the task
// killed, each step a Warning. The thresholds here are small; the defaults
// count over 600 frames.
func ExampleEscalationPolicy() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(10*time.Millisecond),
		sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
			line := fmt.Sprintf("frame %d: ", w.Frame)
			if w.Task != "" {
				line += w.Task + ": "
			}
			line += w.Message()
			if w.Kind == sched.SlowSlice {
				line += fmt.Sprintf(" (overrun %d, %v)", w.Overruns, w.Step)
			}
			fmt.Println(line)
		}),
		sched.WithEscalation(sched.EscalationPolicy{Window: 100, ThrottleAt: 2, SuspendAt: 3, Suspension: 5, KillAt: 4, ThrottleShare: 0.5}),
		sched.WithErrorHandler(func(e sched.TaskError) { fmt.Printf("frame %d: error: %v\n", e.Frame, e) }))
	defer s.Close()
	s.Go("Greedy", "crunch", func(t *sched.Self) (any, error) {
		for {
			clk.Add(25 * time.Millisecond) // too much work between checkpoints
			t.BreathShort()
		}
	})
	for range 20 {
		s.RunFrame()
	}
	fmt.Println("Greedy:", s.Owners()[0].Escalation)
	// Output:
	// frame 1: crunch: slice ran 25ms without breathing (overrun 1, warned)
	// frame 2: crunch: slice ran 25ms without breathing (overrun 2, warned)
	// frame 2: crunch: owner Greedy throttled to 50% of the budget after 2 overruns in 100 frames
	// frame 3: crunch: slice ran 25ms without breathing (overrun 3, throttled)
	// frame 3: crunch: owner Greedy suspended for 5 frames after 3 overruns in 100 frames
	// frame 9: owner Greedy runs again after 5 frames suspended, on probation
	// frame 9: crunch: slice ran 25ms without breathing (overrun 4, on probation)
	// frame 9: crunch: killed after 4 overruns of owner Greedy in 100 frames
	// frame 9: error: [Greedy] crunch: sched: owner kept overrunning: killed after 4 overruns of owner Greedy in 100 frames
	// Greedy: on probation
}
