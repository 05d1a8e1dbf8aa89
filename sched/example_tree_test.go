package sched_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// A task's children are the tasks it starts. Stopping it stops them with the
// reason "parent finished", each subtree deepest first, children in start
// order.
func ExampleTask_Children() {
	s := sched.New(sched.WithClock(clock.NewMock()))
	defer s.Close()
	s.OnFinished(func(e sched.FinishEvent) {
		fmt.Printf("%s %s: %v\n", e.Task.Name(), e.How, e.Err)
	})

	// A task whose handles are all dropped is stopped, so the example holds
	// the handles of the tasks it starts.
	var held []*sched.Task
	start := func(name string, body sched.Body) {
		h, _ := s.Go("", name, body)
		held = append(held, h)
	}
	sleep := func(t *sched.Self) (any, error) { return nil, t.Wait(s.Timespan(time.Minute)) }
	loader, _ := s.Go("Bags", "loader", func(t *sched.Self) (any, error) {
		start("icons", func(t *sched.Self) (any, error) {
			start("atlas", sleep)
			return sleep(t)
		})
		start("sounds", sleep)
		return nil, t.Wait(waitcond.Children())
	})
	s.RunFrame()

	for _, task := range s.Snapshot() {
		fmt.Printf("%s%s: %v, %s\n", strings.Repeat("  ", task.Depth), task.Name, task.State, task.Why)
	}
	loader.Stop("bags closed")
	// Output:
	// loader: waiting, Children [2 unfinished]
	//   icons: waiting, Timespan 1m0s [1m0s left]
	//     atlas: waiting, Timespan 1m0s [1m0s left]
	//   sounds: waiting, Timespan 1m0s [1m0s left]
	// atlas stopped: parent finished
	// icons stopped: parent finished
	// sounds stopped: parent finished
	// loader stopped: bags closed
}
