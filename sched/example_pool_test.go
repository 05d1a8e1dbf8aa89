package sched_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/framesched/framesched/sched"
)

// A task hands blocking or heavy work to the pool and parks until a frame
// applies its outcome; the frame goroutine never waits for it.
func ExampleAsync() {
	s := sched.New(sched.WithWorkers(2))
	defer s.Close()
	job, _ := s.Go("Bags", "load", func(t *sched.Self) (any, error) {
		page, err := sched.Async(t, func(ctx context.Context) (string, error) {
			return strings.ToUpper("inventory page"), nil // on a worker: read a file, decode it
		})
		if err != nil {
			return nil, err
		}
		return "loaded " + page, nil
	})
	for !job.Finished() {
		s.RunFrame()
	}
	fmt.Println(job.Result())
	// Output:
	// loaded INVENTORY PAGE <nil>
}

// ParallelFor splits a grid over the pool's workers and parks the task until
// every piece is done.
func ExampleParallelFor() {
	s := sched.New(sched.WithWorkers(2))
	defer s.Close()
	job, _ := s.Go("Map", "heights", func(t *sched.Self) (any, error) {
		var sum atomic.Int64
		err := sched.ParallelFor(t, []int{100, 50}, func(ctx context.Context, lo, hi []int) error {
			for x := lo[0]; x < hi[0]; x++ { // lo and hi bound the piece in each dimension
				for y := lo[1]; y < hi[1]; y++ {
					sum.Add(int64(x * y))
				}
			}
			return nil
		})
		return sum.Load(), err
	})
	for !job.Finished() {
		s.RunFrame()
	}
	fmt.Println(job.Result())
	// Output:
	// 6063750 <nil>
}

// The host submits work and registers a callback, which runs on the frame
// goroutine in the frame that applies the work's outcome.
func ExamplePool_Submit() {
	s := sched.New(sched.WithWorkers(1))
	defer s.Close()
	f := s.Pool().Submit("Bags", "checksum", func(ctx context.Context) (any, error) {
		return len("inventory"), nil
	})
	f.OnComplete(func() {
		v, err := f.Result()
		fmt.Println("applied:", v, err)
	})
	for !f.Done() {
		s.RunFrame()
	}
	// Output:
	// applied: 9 <nil>
}

// Outside any task, Do runs work on the pool and blocks until it returns.
func ExampleScheduler_Do() {
	s := sched.New()
	defer s.Close()
	v, err := s.Do(context.Background(), func(ctx context.Context) (any, error) {
		return "settings parsed", nil
	})
	fmt.Println(v, err)
	// Output:
	// settings parsed <nil>
}
