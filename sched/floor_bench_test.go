package sched_test

import (
	"iter"
	"runtime"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// BenchmarkFloor measures, in the same run, the parts a park and resume
// cannot do without: an iter.Pull coroutine's resume and park (what a Go
// task's slice starts and ends with) and one read of the real clock through
// the clock seam (a frame reads it at its start and when its slice ends).
// BenchmarkParkResume/go's floor is coroutine-switch + 2 × clock-read.
//
// cold-resume and unwind are the floors of the benchmarks that resume many
// distinct parked tasks once each, whose coroutines' stacks are out of the
// CPU's caches: cold-resume resumes 100,000 parked coroutines, each of
// which returns (BenchmarkWake's wake, run and finish), and reports ns/task;
// unwind stops 10,000 parked coroutines, each of which is resumed to panic,
// recovers in a deferred function and exits (what stopping a parked task
// does), and its ns/op is for the 10,000 (BenchmarkStopTree's floor).
func BenchmarkFloor(b *testing.B) {
	b.Run("coroutine-switch", func(b *testing.B) {
		b.ReportAllocs()
		next, stop := iter.Pull(func(yield func(struct{}) bool) {
			for yield(struct{}{}) {
			}
		})
		defer stop()
		for range b.N {
			next()
		}
	})
	b.Run("clock-read", func(b *testing.B) {
		b.ReportAllocs()
		clk := clock.New()
		epoch := clk.Now()
		var sum time.Duration
		for range b.N {
			sum += clk.Since(epoch)
		}
		if sum < 0 {
			b.Fatal("the monotonic clock went back")
		}
	})
	b.Run("cold-resume", func(b *testing.B) {
		const n = 100000
		b.ReportAllocs()
		for range b.N {
			b.StopTimer()
			cos := parkedCoroutines(n, func(yield func(struct{}) bool) { yield(struct{}{}) })
			b.StartTimer()
			for _, co := range cos {
				if _, ok := co.next(); ok {
					b.Fatal("a resumed coroutine parked again")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
	})
	b.Run("unwind", func(b *testing.B) {
		const n = 10000
		b.ReportAllocs()
		type stopped struct{}
		unwound := 0
		for range b.N {
			b.StopTimer()
			cos := parkedCoroutines(n, func(yield func(struct{}) bool) {
				defer func() {
					if recover() == (stopped{}) {
						unwound++
					}
				}()
				if !yield(struct{}{}) {
					panic(stopped{})
				}
			})
			runtime.GC() // as StopTree: no collection of the setup's garbage in the timed stops
			b.StartTimer()
			for _, co := range cos {
				co.stop()
			}
		}
		if unwound != b.N*n {
			b.Fatalf("%d coroutines unwound, want %d", unwound, b.N*n)
		}
	})
}

// coroutine is an iter.Pull coroutine's two functions.
type coroutine struct {
	next func() (struct{}, bool)
	stop func()
}

// parkedCoroutines makes n coroutines running body and runs each to its
// first yield, so that it is parked; they all start before any runs, so
// their stacks lie apart as parked tasks' do.
func parkedCoroutines(n int, body func(yield func(struct{}) bool)) []coroutine {
	cos := make([]coroutine, n)
	for i := range cos {
		cos[i].next, cos[i].stop = iter.Pull(body)
	}
	for _, co := range cos {
		co.next()
	}
	return cos
}
