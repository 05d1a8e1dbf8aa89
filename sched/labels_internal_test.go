package sched

import (
	"context"
	"runtime/pprof"
	"testing"
)

// BenchmarkTaskLabels is what labelling a task's worker goroutine costs,
// once per task: known-name when an earlier task of the owner had the same
// name, new-name when none did (the name's labels are dropped each time).
func BenchmarkTaskLabels(b *testing.B) {
	defer pprof.SetGoroutineLabels(context.Background())
	s := New()
	defer s.Close()
	o := s.owner("bench")
	tasks := []*task{{own: o, name: "trivial"}, {own: o, name: "other"}}
	b.Run("known-name", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			tasks[i&1].label()
		}
	})
	b.Run("new-name", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			delete(o.taskLabels, "trivial")
			tasks[0].label()
		}
	})
}
