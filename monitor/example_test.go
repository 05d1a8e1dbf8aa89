package monitor_test

import (
	"fmt"
	"io"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/sched"
)

// A host attaches a monitor to its scheduler, calls it around each frame,
// and writes the report at the end.
func ExampleMonitor() {
	clk := clock.NewMock() // a real host leaves the clock out: the real one is the default
	m := monitor.New(monitor.Config{Name: "game", Budget: 4 * time.Millisecond})
	s := sched.New(append(m.Options(), sched.WithClock(clk), sched.WithBudget(4*time.Millisecond))...)
	defer s.Close()
	m.Attach(s)

	s.Go("Bags", "index", func(t *sched.Self) (any, error) {
		for range 6 {
			clk.Add(time.Millisecond) // a millisecond of work
			t.BreathShort()
		}
		return nil, nil
	})
	for range 3 {
		m.BeginFrame()
		st := s.RunFrame()
		clk.Add(10 * time.Millisecond) // the host's own work
		m.EndFrame(st)
	}

	for _, f := range m.Frames() {
		fmt.Printf("frame %d took %v, the tasks %v\n", f.N, f.Took, f.Tasks)
	}
	sum := m.Total()
	fmt.Println("Bags' CPU:", sum.CPUOf(m.Owner("Bags")))
	fmt.Println("worst frame:", monitor.WorstFrame(sum))
	if err := m.WriteReport(io.Discard); err != nil { // an HTML page with charts
		fmt.Println(err)
	}
	// Output:
	// frame 1 took 14ms, the tasks 4ms
	// frame 2 took 12ms, the tasks 2ms
	// frame 3 took 10ms, the tasks 0s
	// Bags' CPU: 6ms
	// worst frame: 14.0ms at 0.0s
}
