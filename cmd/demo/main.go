// Command demo is framesched's demo host: a simulated game loop at 60 frames
// per second that runs several long jobs as Go tasks under a frame budget,
// printing how much of each frame's budget was used and a summary.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/framesched/framesched/sched"
)

func main() {
	seconds := flag.Float64("seconds", 3, "simulated seconds to run")
	budget := flag.Duration("budget", 4*time.Millisecond, "frame budget given to the scheduler")
	flag.Parse()
	if err := run(os.Stdout, *seconds, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

const fps = 60

func run(out io.Writer, seconds float64, budget time.Duration) error {
	s := sched.New(sched.WithBudget(budget), sched.WithErrorHandler(func(e sched.TaskError) {
		fmt.Fprintf(out, "ERROR %v\n", e)
	}))
	defer s.Close()
	jobs := []struct {
		owner, name string
		body        sched.Body
	}{
		{"Primes", "sieve", sieve(3_000_000)},
		{"Bags", "index", indexItems(400_000)},
		{"Map", "pathfind", flood(700)},
		{"Chat", "tick", ticker()},
	}
	var handles []*sched.Task
	for _, j := range jobs {
		h, err := s.Go(j.owner, j.name, j.body)
		if err != nil {
			return err
		}
		handles = append(handles, h)
	}

	frames := int(seconds * fps)
	frameTime := time.Second / fps
	var over, worstFrame int
	var worst time.Duration
	next := time.Now()
	fmt.Fprintf(out, "%d frames at %d fps, budget %v per frame\n", frames, fps, budget)
	for f := 1; f <= frames; f++ {
		st := s.RunFrame()
		if st.Overrun > 0 {
			over++
		}
		if st.Used > worst {
			worst, worstFrame = st.Used, f
		}
		if f%15 == 0 {
			fmt.Fprintf(out, "frame %4d  %s %6.1f%% of budget  resumed %d  parked %d\n",
				f, bar(st.Used, budget, 20), 100*float64(st.Used)/float64(budget), st.Resumed, st.Parked)
		}
		next = next.Add(frameTime)
		time.Sleep(time.Until(next)) // the rest of the host's frame
	}

	fmt.Fprintf(out, "\nsummary: %d frames, %d over budget, worst frame %d used %v (budget %v)\n",
		frames, over, worstFrame, worst.Round(time.Microsecond), budget)
	for _, h := range handles {
		st := h.Stats()
		res, err := h.Result()
		outcome := fmt.Sprint("result ", res)
		if err != nil {
			outcome = "error: " + err.Error()
		}
		if !h.Finished() {
			outcome = "still running"
		}
		fmt.Fprintf(out, "  %-7s %-9s cpu %-10v slices %-4d longest %-10v %s\n", h.Owner(), h.Name(),
			st.CPU.Round(time.Microsecond), st.Slices, st.Longest.Round(time.Microsecond), outcome)
	}
	for _, o := range s.Owners() {
		fmt.Fprintf(out, "  owner %-7s cpu %-10v recent share %5.1f%%\n", o.Name, o.CPU.Round(time.Microsecond), 100*o.Share)
	}
	return nil
}

func bar(used, budget time.Duration, width int) string {
	n := min(width, int(float64(width)*float64(used)/float64(budget)+0.5))
	b := make([]byte, width)
	for i := range b {
		b[i] = '.'
		if i < n {
			b[i] = '#'
		}
	}
	return "[" + string(b) + "]"
}
