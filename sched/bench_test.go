package sched_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// Benchmarks use the real clock: they measure what a host pays.

func BenchmarkBreath(b *testing.B) {
	b.Run("go-nopark", func(b *testing.B) {
		b.ReportAllocs()
		s := sched.New(sched.WithBudget(time.Hour))
		defer s.Close()
		s.Go("bench", "breather", func(t *sched.Self) (any, error) {
			b.ResetTimer()
			for range b.N {
				t.Breath()
			}
			b.StopTimer()
			return nil, nil
		})
		s.RunFrame()
	})
}

func BenchmarkParkResume(b *testing.B) {
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		const budget = time.Millisecond
		s := sched.New(sched.WithBudget(budget))
		defer s.Close()
		s.Go("bench", "parker", func(t *sched.Self) (any, error) {
			for {
				t.BreathFor(2 * budget) // never fits: parks every time
			}
		})
		s.RunFrame()
		b.ResetTimer()
		for range b.N {
			s.RunFrame()
		}
	})
	// The same frame while another owner is escalated (warned, for a window
	// longer than the run): each frame reviews it.
	b.Run("go-escalated-owner", func(b *testing.B) {
		b.ReportAllocs()
		const budget = time.Millisecond
		s := sched.New(sched.WithBudget(budget), sched.WithWatchdog(20*time.Millisecond, func(sched.Warning) {}),
			sched.WithEscalation(sched.EscalationPolicy{Window: 1 << 30}))
		defer s.Close()
		s.Go("hog", "once", func(t *sched.Self) (any, error) {
			for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
			} // one overrun, of real time
			return nil, nil
		})
		s.Go("bench", "parker", func(t *sched.Self) (any, error) {
			for {
				t.BreathFor(2 * budget)
			}
		})
		s.RunFrame()
		s.RunFrame()
		if o := s.Owners(); o[1].Name != "hog" || o[1].Escalation != sched.Warned || o[0].Escalation != sched.NoEscalation {
			b.Fatalf("owners %+v, want hog warned, bench not", o)
		}
		b.ResetTimer()
		for range b.N {
			s.RunFrame()
		}
	})
}

// BenchmarkBaseline is the design a Go developer would write first: a
// goroutine per task, resumed and parked through unbuffered channels.
func BenchmarkBaseline(b *testing.B) {
	b.Run("chan-handoff", func(b *testing.B) {
		b.ReportAllocs()
		resume, parked := make(chan struct{}), make(chan struct{})
		go func() {
			for range resume {
				parked <- struct{}{}
			}
			close(parked)
		}()
		b.ResetTimer()
		for range b.N {
			resume <- struct{}{}
			<-parked
		}
		b.StopTimer()
		close(resume)
		<-parked
	})
}

func waitForever(t *sched.Self) (any, error) {
	t.Wait(t.Scheduler().Timespan(24 * time.Hour))
	return nil, nil
}

func BenchmarkFrameIdle(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("waiting=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			s := sched.New(sched.WithBudget(time.Hour))
			defer s.Close()
			hs := make([]*sched.Task, n) // held: dropped handles would stop the tasks
			for i := range hs {
				hs[i], _ = s.Go("bench", "sleeper", waitForever)
			}
			s.RunFrame() // every task runs to its wait
			b.ResetTimer()
			for range b.N {
				if st := s.RunFrame(); st.Resumed != 0 {
					b.Fatalf("resumed %d tasks in an idle frame", st.Resumed)
				}
			}
			b.StopTimer()
			for _, h := range hs {
				if h.State() != sched.Waiting {
					b.Fatalf("a task is %v, want waiting", h.State())
				}
			}
		})
	}
}

func BenchmarkParkedMemory(b *testing.B) {
	b.Run("go", func(b *testing.B) {
		const n = 10000
		var perTask float64
		for range b.N {
			s := sched.New(sched.WithBudget(time.Hour))
			before := heapAndStacks()
			hs := make([]*sched.Task, 0, n)
			for range n {
				h, _ := s.Go("bench", "sleeper", waitForever)
				hs = append(hs, h)
			}
			s.RunFrame()
			perTask = float64(heapAndStacks()-before) / n
			runtime.KeepAlive(hs)
			s.Close()
		}
		b.ReportMetric(perTask, "B/task")
	})
}

func heapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}
