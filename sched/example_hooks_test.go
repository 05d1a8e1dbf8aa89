package sched_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// The watchdog warns about a slice that ran past its threshold without
// breathing, naming the task and its owner; the task goes on.
func ExampleWithWatchdog() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(10*time.Millisecond),
		sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
			fmt.Printf("frame %d: [%s] %s: %s\n", w.Frame, w.Owner, w.Task, w.Message())
		}))
	defer s.Close()
	s.Go("Map", "decode", func(t *sched.Self) (any, error) {
		clk.Add(30 * time.Millisecond) // too much work before the first Breath
		t.Breath()
		clk.Add(2 * time.Millisecond) // then chunks that fit
		t.Breath()
		return nil, nil
	})
	for range 3 {
		s.RunFrame()
	}
	// Output:
	// frame 1: [Map] decode: slice ran 30ms without breathing
}

// The trace hook receives every scheduling event in order; with a mock clock
// the trace is the same on every run.
func ExampleWithTrace() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(4*time.Millisecond),
		sched.WithTrace(func(e sched.Event) { fmt.Println(e) }))
	defer s.Close()
	s.Go("Bags", "count", func(t *sched.Self) (any, error) {
		clk.Add(3 * time.Millisecond)
		t.Breath() // 3ms of 4ms used: past 40%, so it parks
		return 3, nil
	})
	s.RunFrame()
	s.RunFrame()
	// Output:
	// 0 [Bags] count: start
	// 1 [Bags] count: ran 3ms, parked medium
	// 2 [Bags] count: finish
	// 2 [Bags] count: ran 0s, finished
}

// Joining from the host runs frames until every task given has finished,
// and returns their results in argument order.
func ExampleScheduler_Join() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(4*time.Millisecond))
	defer s.Close()
	count := func(n int) sched.Body {
		return func(t *sched.Self) (any, error) {
			for range n {
				clk.Add(time.Millisecond)
				t.BreathShort()
			}
			return n, nil
		}
	}
	a, _ := s.Create("Bags", "small", count(2)) // Join starts pending tasks
	b, _ := s.Create("Bags", "large", count(9))
	results, err := s.Join(context.Background(), 100, a, b)
	fmt.Println(results, err, "at frame", s.Frame())
	// Output:
	// [2 9] <nil> at frame 3
}

// Inside a task, Await waits for another task and converts its result; the
// waiting task parks until then, without holding up the frame.
func ExampleAwait() {
	s := sched.New(sched.WithClock(clock.NewMock()))
	defer s.Close()
	load, _ := s.Create("Bags", "load", func(t *sched.Self) (any, error) {
		if err := t.Wait(s.NextFrame()); err != nil { // the file arrives next frame
			return nil, err
		}
		return "bags.json", nil
	})
	show, _ := s.Go("Bags", "show", func(t *sched.Self) (any, error) {
		name, err := sched.Await[string](t, load) // starts load, waits for it
		fmt.Printf("frame %d: loaded %s (%v)\n", s.Frame(), name, err)
		return nil, err
	})
	for !show.Finished() {
		s.RunFrame()
	}
	// Output:
	// frame 2: loaded bags.json (<nil>)
}

// Snapshot lists every unfinished task, parents before their children, with
// its state and what it waits for: a debugging view for the host.
func ExampleScheduler_Snapshot() {
	s := sched.New(sched.WithClock(clock.NewMock()))
	defer s.Close()
	s.Go("Bags", "sort", func(t *sched.Self) (any, error) {
		return nil, t.Wait(s.Frames(10))
	})
	s.Go("Chat", "fetch", func(t *sched.Self) (any, error) {
		return nil, t.Wait(s.Timespan(2 * time.Second))
	})
	s.RunFrame()
	for _, ti := range s.Snapshot() {
		fmt.Printf("%d %s/%s: %v %s\n", ti.ID, ti.Owner, ti.Name, ti.State, ti.Why)
	}
	// Output:
	// 1 Bags/sort: waiting Frame 11 [10 frames left]
	// 2 Chat/fetch: waiting Timespan 2s [2s left]
}

// OnFinished subscribers hear of every task that finishes, however it
// finished; the returned function ends the subscription.
func ExampleScheduler_OnFinished() {
	s := sched.New(sched.WithClock(clock.NewMock()), sched.WithErrorHandler(func(sched.TaskError) {}))
	defer s.Close()
	cancel := s.OnFinished(func(e sched.FinishEvent) {
		fmt.Printf("[%s] %s %v: %v\n", e.Owner, e.Task.Name(), e.How, e.Err)
	})
	defer cancel()
	s.Go("Bags", "count", func(*sched.Self) (any, error) { return 3, nil })
	s.Go("Bags", "parse", func(*sched.Self) (any, error) { return nil, errors.New("bad line 3") })
	slow, _ := s.Go("Chat", "fetch", func(t *sched.Self) (any, error) { return nil, t.Wait(s.Timespan(time.Minute)) })
	s.RunFrame()
	slow.Stop("chat closed")
	// Output:
	// [Bags] count returned: <nil>
	// [Bags] parse failed: bad line 3
	// [Chat] fetch stopped: chat closed
}

// With no error or warning handler, the scheduler logs task errors and
// warnings with slog.Default, with the owner, task and frame as attributes.
func Example_logging() {
	old := slog.Default()
	defer slog.SetDefault(old)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // for output that is the same on every run
			}
			return a
		},
	})))

	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithWatchdog(20*time.Millisecond, nil))
	defer s.Close()
	s.Go("Map", "decode", func(t *sched.Self) (any, error) {
		clk.Add(30 * time.Millisecond)
		t.Breath()
		return nil, errors.New("corrupt tile 7")
	})
	s.RunFrame()
	s.RunFrame()
	// Output:
	// level=WARN msg="task warning" owner=Map task=decode frame=1 warning="slice ran 30ms without breathing"
	// level=ERROR msg="task failed" owner=Map task=decode frame=2 err="corrupt tile 7"
}
