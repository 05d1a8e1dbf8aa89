package sched_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

func trivial(*sched.Self) (any, error) { return nil, nil }

// BenchmarkSpawnFinish measures a task's whole life: create, start, run to
// completion, and the collection of its handle once dropped. The handles of
// a chunk are held until the chunk has run, so that no collection stops a
// task before it runs, and then dropped.
//
// go-two-names alternates two task names: its tasks' pprof labels are made
// twice, then found by name (go's, once).
func BenchmarkSpawnFinish(b *testing.B) {
	for _, c := range []struct {
		bench string
		names []string
	}{{"go", []string{"trivial"}}, {"go-two-names", []string{"trivial", "other"}}} {
		b.Run(c.bench, func(b *testing.B) {
			b.ReportAllocs()
			const chunk = 1000
			s := sched.New(sched.WithBudget(time.Hour))
			defer s.Close()
			hs := make([]*sched.Task, 0, chunk)
			b.ResetTimer()
			for left := b.N; left > 0; left -= chunk {
				n := min(chunk, left)
				for i := range n {
					h, err := s.Go("bench", c.names[i%len(c.names)], trivial)
					if err != nil {
						b.Fatal(err)
					}
					hs = append(hs, h)
				}
				for finished := 0; finished < n; {
					finished += s.RunFrame().Finished
				}
				clear(hs)
				hs = hs[:0]
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

// BenchmarkStopTree measures stopping the root of a tree of tasks that each
// started up to 10 children and wait; building the tree is not timed.
func BenchmarkStopTree(b *testing.B) {
	b.Run("size=10000", func(b *testing.B) {
		b.ReportAllocs()
		const size = 10000
		s := sched.New(sched.WithBudget(time.Hour))
		defer s.Close()
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			root, all := buildTree(b, s, size)
			runtime.GC() // as Floor/unwind: no collection of the building's garbage in the timed stop
			b.StartTimer()
			if err := root.Stop(""); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			for _, h := range all {
				if !h.Finished() {
					b.Fatalf("%v survived the stop of the root", h)
				}
			}
			b.StartTimer()
		}
	})
}

// buildTree starts a tree of size tasks, breadth first, each starting up to
// 10 children and then waiting, and runs frames until all of them wait. It
// returns the root and every handle, which the caller holds so that no
// collection stops a task of the tree.
func buildTree(b *testing.B, s *sched.Scheduler, size int) (root *sched.Task, all []*sched.Task) {
	all = make([]*sched.Task, 0, size)
	var body sched.Body
	body = func(t *sched.Self) (any, error) {
		for i := 0; i < 10 && len(all) < size; i++ {
			h, err := s.Go("", "node", body)
			if err != nil {
				return nil, err
			}
			all = append(all, h)
		}
		return nil, t.Wait(s.Timespan(24 * time.Hour))
	}
	root, err := s.Go("bench", "node", body)
	if err != nil {
		b.Fatal(err)
	}
	all = append(all, root)
	for s.RunFrame().Resumed > 0 {
	}
	if len(all) != size || len(s.Snapshot()) != size {
		b.Fatalf("built %d tasks, %d live, want %d", len(all), len(s.Snapshot()), size)
	}
	return root, all
}
