package sched_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// BenchmarkWake measures the frame in which the timers of n waiting tasks
// all fall due: each task is woken, resumed, and finishes. Setting up the
// tasks is not timed; the metric is the frame's cost per task.
func BenchmarkWake(b *testing.B) {
	const n = 100000
	b.Run(fmt.Sprintf("timers=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		const span = time.Millisecond
		sleeper := func(t *sched.Self) (any, error) {
			return nil, t.Wait(t.Scheduler().Timespan(span))
		}
		woken := 0
		for range b.N {
			b.StopTimer()
			s := sched.New(sched.WithBudget(time.Hour))
			hs := make([]*sched.Task, n)
			for i := range hs {
				hs[i], _ = s.Go("bench", "sleeper", sleeper)
			}
			s.RunFrame() // every task waits for span from the moment it waits
			// Busy-wait (no sleep) until every timer is due.
			for due := time.Now().Add(span); time.Now().Before(due); {
			}
			b.StartTimer()
			st := s.RunFrame()
			b.StopTimer()
			// A task whose wait was met at once (the goroutine was descheduled
			// for a millisecond) finished in the first frame: count only the
			// tasks this frame woke.
			if st.Finished < n/2 {
				b.Fatalf("%d tasks finished in the wake frame, want %d", st.Finished, n)
			}
			woken += st.Finished
			s.Close()
			runtime.KeepAlive(hs)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(woken), "ns/task")
	})
}

// BenchmarkFrameIdleKinds is BenchmarkFrameIdle with the handles kept
// (a task whose handles are collected is stopped, so BenchmarkFrameIdle's
// dropped handles let the garbage collector empty its scheduler) and with
// every kind of monotonic wait: "timers" waits on far timers only, like
// BenchmarkFrameIdle; "mixed" on far timers, far frames, tasks that never
// finish, signals never fired and futures never completed, alone and under
// And/Or. A frame in which nothing is due should cost about the same in
// both, and next to nothing.
func BenchmarkFrameIdleKinds(b *testing.B) {
	const n = 100000
	b.Run(fmt.Sprintf("timers=%d", n), func(b *testing.B) {
		benchIdle(b, n, func(*sched.Scheduler) func(s *sched.Scheduler, i int) *waitcond.Cond {
			return func(s *sched.Scheduler, _ int) *waitcond.Cond { return s.Timespan(24 * time.Hour) }
		})
	})
	b.Run(fmt.Sprintf("mixed=%d", n), func(b *testing.B) {
		benchIdle(b, n, mixedWaits)
	})
}

// mixedWaits starts the tasks that the mixed waits wait for and returns a
// function making the condition of waiting task i.
func mixedWaits(s *sched.Scheduler) func(s *sched.Scheduler, i int) *waitcond.Cond {
	const targets, signals, futures = 100, 100, 100
	var hs []*sched.Task
	for range targets {
		h, _ := s.Go("bench", "target", waitForever)
		hs = append(hs, h)
	}
	var sigs []*waitcond.Signal
	for i := range signals {
		sigs = append(sigs, waitcond.NewSignal(fmt.Sprint("never", i)))
	}
	var futs []*waitcond.Future
	for i := range futures {
		futs = append(futs, waitcond.NewFuture(fmt.Sprint("never", i)))
	}
	kinds := []func(s *sched.Scheduler, i int) *waitcond.Cond{
		func(s *sched.Scheduler, _ int) *waitcond.Cond { return s.Timespan(24 * time.Hour) },
		func(s *sched.Scheduler, _ int) *waitcond.Cond { return s.Frames(1 << 40) },
		func(_ *sched.Scheduler, i int) *waitcond.Cond { return waitcond.Task(hs[i%targets]) },
		func(_ *sched.Scheduler, i int) *waitcond.Cond { return sigs[i%signals].Cond() },
		func(_ *sched.Scheduler, i int) *waitcond.Cond { return futs[i%futures].Cond() },
		func(s *sched.Scheduler, i int) *waitcond.Cond {
			return waitcond.Or(sigs[i%signals].Cond(), s.Timespan(24*time.Hour), waitcond.Task(hs[i%targets]))
		},
		func(s *sched.Scheduler, i int) *waitcond.Cond {
			return waitcond.And(s.Frames(1), futs[i%futures].Cond(), s.Timespan(time.Millisecond))
		},
	}
	return func(s *sched.Scheduler, i int) *waitcond.Cond { return kinds[i%len(kinds)](s, i) }
}

// benchIdle measures a frame with n waiting tasks and nothing due. setup
// may start waiting tasks of its own, which count among the n, and returns
// the condition that each other task waits on.
func benchIdle(b *testing.B, n int, setup func(*sched.Scheduler) func(s *sched.Scheduler, i int) *waitcond.Cond) {
	b.ReportAllocs()
	s := sched.New(sched.WithBudget(time.Hour))
	defer s.Close()
	cond := setup(s)
	live := 0
	for range s.Tasks() {
		live++
	}
	hs := make([]*sched.Task, 0, n)
	for i := live; i < n; i++ {
		h, _ := s.Go("bench", "waiter", func(t *sched.Self) (any, error) {
			return nil, t.Wait(cond(t.Scheduler(), i))
		})
		hs = append(hs, h)
	}
	s.RunFrame() // every task runs to its wait
	// Let near parts of Ands fall due, outside the timing: their tasks are
	// checked once and wait on.
	for due := time.Now().Add(time.Millisecond); time.Now().Before(due); {
	}
	s.RunFrame()
	b.ResetTimer()
	for range b.N {
		if st := s.RunFrame(); st.Resumed != 0 {
			b.Fatalf("resumed %d tasks in an idle frame", st.Resumed)
		}
	}
	b.StopTimer()
	waiting := 0
	for h := range s.Tasks() {
		if h.State() == sched.Waiting {
			waiting++
		}
	}
	if waiting != n {
		b.Fatalf("%d tasks waiting after the frames, want %d", waiting, n)
	}
	runtime.KeepAlive(hs)
	runtime.KeepAlive(cond)
}
