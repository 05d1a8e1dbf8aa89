package sched_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// BenchmarkAsyncRoundTrip is a task that hands a trivial function to the
// pool and resumes with its result, again and again, while the host runs
// frames: each op is a submit, a worker's run, the frame that applies the
// outcome and the slice that resumes the task. The host of "go" yields
// between frames (runtime.Gosched), as one that waits for its next frame
// does; that of "go-back-to-back" never blocks nor yields, so the worker a
// submit wakes, which the Go runtime queues on the frame goroutine's
// processor, waits until another processor steals it.
func BenchmarkAsyncRoundTrip(b *testing.B) {
	b.Run("go", func(b *testing.B) { benchAsyncRoundTrip(b, runtime.Gosched) })
	b.Run("go-back-to-back", func(b *testing.B) { benchAsyncRoundTrip(b, func() {}) })
}

func benchAsyncRoundTrip(b *testing.B, between func()) {
	b.ReportAllocs()
	s := sched.New(sched.WithBudget(time.Hour))
	defer s.Close()
	h, _ := s.Go("bench", "async", func(t *sched.Self) (any, error) {
		sum := 0
		for i := range b.N {
			v, err := sched.Async(t, func(context.Context) (int, error) { return i, nil })
			if err != nil {
				return nil, err
			}
			sum += v
		}
		return sum, nil
	})
	for !h.Finished() {
		s.RunFrame()
		between()
	}
	b.StopTimer()
	if v, err := h.Result(); err != nil || v != b.N*(b.N-1)/2 {
		b.Fatalf("Result() = %v, %v", v, err)
	}
}

// spin is CPU-bound work on indices [lo, hi): a few rounds of xorshift per
// index, about 10ns each.
func spin(lo, hi int) uint64 {
	var sum uint64
	for i := lo; i < hi; i++ {
		x := uint64(i) | 1
		for range 8 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		sum += x
	}
	return sum
}

// BenchmarkParallelFor runs the same CPU-bound loop over 1e6 indices
// serially, on the benchmark's goroutine, and with ParallelFor on a pool of
// 2 workers from a task, in each op, and reports the speed-up (x), the
// serial time over the parallel one. The parallel time runs from the frame
// in which the task calls ParallelFor to the end of the frame in which it
// resumes; between the two the host waits until both pieces have returned,
// as a host that sleeps until its next frame would, rather than running
// frames that would take a core from the workers.
func BenchmarkParallelFor(b *testing.B) {
	b.Run("go", func(b *testing.B) {
		const n = 1_000_000
		s := sched.New(sched.WithBudget(time.Hour), sched.WithWorkers(2))
		defer s.Close()
		var serial, parallel time.Duration
		for range b.N {
			start := time.Now()
			want := spin(0, n)
			serial += time.Since(start)

			var (
				mu      sync.Mutex
				got     uint64
				pending sync.WaitGroup
			)
			pending.Add(2)
			start = time.Now()
			h, _ := s.Go("bench", "parallel", func(t *sched.Self) (any, error) {
				return nil, sched.ParallelFor(t, []int{n}, func(_ context.Context, lo, hi []int) error {
					v := spin(lo[0], hi[0])
					mu.Lock()
					got += v
					mu.Unlock()
					pending.Done()
					return nil
				})
			})
			s.RunFrame()
			pending.Wait()
			for !h.Finished() {
				s.RunFrame()
			}
			parallel += time.Since(start)
			if got != want || h.Err() != nil {
				b.Fatalf("parallel sum %d, err %v; want %d", got, h.Err(), want)
			}
		}
		b.ReportMetric(float64(serial)/float64(parallel), "x")
		b.ReportMetric(float64(serial.Nanoseconds())/float64(b.N), "serial-ns/op")
		b.ReportMetric(float64(parallel.Nanoseconds())/float64(b.N), "parallel-ns/op")
	})
}

// BenchmarkWakeBaseline is the floor of BenchmarkAsyncRoundTrip in plain Go:
// a goroutine hands an int to another, parked on a sync.Cond, and spins on
// an atomic until it is handed back, yielding (runtime.Gosched) in its loop
// or not, as the two hosts of BenchmarkAsyncRoundTrip do between frames.
func BenchmarkWakeBaseline(b *testing.B) {
	b.Run("yielding", func(b *testing.B) { benchWake(b, runtime.Gosched) })
	b.Run("spinning", func(b *testing.B) { benchWake(b, func() {}) })
}

func benchWake(b *testing.B, between func()) {
	var (
		mu   sync.Mutex
		cond = sync.Cond{L: &mu}
		in   []int
		out  atomic.Int64
	)
	go func() {
		mu.Lock()
		defer mu.Unlock()
		for {
			for len(in) == 0 {
				cond.Wait()
			}
			v := in[0]
			in = in[1:]
			if v < 0 {
				return
			}
			out.Store(int64(v))
		}
	}()
	for i := 1; i <= b.N; i++ {
		mu.Lock()
		in = append(in, i)
		cond.Signal()
		mu.Unlock()
		for out.Load() != int64(i) {
			between()
		}
	}
	mu.Lock()
	in = append(in, -1)
	cond.Signal()
	mu.Unlock()
}
