package sched

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/framesched/framesched/waitcond"
)

// ParallelFor calls chunk for pieces of an index range of one to three
// dimensions on the scheduler's pool, and parks the running task until
// every piece has returned and been applied (see Pool). dims are the
// range's extents; chunk(ctx, lo, hi) covers the indices i with
// lo[d] <= i[d] < hi[d] in every dimension d. Each call has lo and hi of
// its own.
//
// The range is cut along one dimension into k slabs, k being the pool's
// size when ParallelFor is called (1 if it is 0), or that dimension's
// extent if it is smaller: the first dimension whose extent is at least the
// pool's size, or else the longest one (the first of equals). Slabs differ
// by at most one index, the larger ones first, and are queued in order. A
// range with an extent of 0 runs nothing and returns nil at once; a negative
// extent, or fewer than one or more than three dimensions, is an error.
//
// The pieces run with a context of their own, a child of the task's
// (Self.Context). When a piece fails, returning an error or panicking (a
// *PanicError), the context of the others is cancelled with that error as
// its cause, and ParallelFor returns it, the first to fail, once every
// piece has returned; the task's body returns it to make it the task's
// error. If the task is stopped meanwhile, the pieces' context is cancelled
// and the task unwinds at once; pieces still running go on until they
// return, and Close waits for them.
func ParallelFor(t *Self, dims []int, chunk func(ctx context.Context, lo, hi []int) error) error {
	tk := t.t
	s := tk.s
	if tk != s.current || tk.unwinding {
		tk.misuseOrUnwind("ParallelFor")
	}
	if len(dims) < 1 || len(dims) > 3 {
		return fmt.Errorf("ParallelFor: %d dimensions, want 1 to 3", len(dims))
	}
	for _, n := range dims {
		if n < 0 {
			return fmt.Errorf("ParallelFor: extents %v: a negative extent", dims)
		}
		if n == 0 {
			return nil
		}
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	var (
		once  sync.Once
		first error
	)
	fail := func(err error) {
		once.Do(func() { first = err; cancel(err) })
	}
	slabs := split(dims, max(s.pool.Size(), 1))
	left := len(slabs)
	all := waitcond.NewFuture("parallel-for")
	for _, sl := range slabs {
		j := &job{ctx: ctx, own: tk.own, fut: all, left: &left}
		j.work = func(ctx context.Context) (_ any, err error) {
			returned := false
			defer func() {
				if r := recover(); r != nil {
					err = &PanicError{Value: r, Stack: debug.Stack()}
				} else if !returned {
					err = &PanicError{Value: ErrGoexit, Stack: debug.Stack()}
				}
				if err != nil {
					fail(err)
				}
			}()
			err = chunk(ctx, sl.lo, sl.hi)
			returned = true
			return nil, err
		}
		s.pool.submit(j)
	}
	t.Wait(all.Cond()) // a Future's condition is never refused
	// first was written before the failed piece's outcome was queued, which
	// the wait saw.
	return first
}

// slab is a piece of a ParallelFor range.
type slab struct{ lo, hi []int }

// split cuts the range of extents dims (none 0) into at most k slabs, as
// ParallelFor says.
func split(dims []int, k int) []slab {
	d := -1
	for i, n := range dims {
		if n >= k {
			d = i
			break
		}
		if d < 0 || n > dims[d] {
			d = i
		}
	}
	n := dims[d]
	k = min(k, n)
	out := make([]slab, k)
	bounds := make([]int, 2*k*len(dims)) // one array for every slab's lo and hi
	at := 0
	for i := range out {
		lo := bounds[:len(dims):len(dims)]
		hi := bounds[len(dims) : 2*len(dims) : 2*len(dims)]
		bounds = bounds[2*len(dims):]
		copy(hi, dims)
		size := n / k
		if i < n%k {
			size++
		}
		lo[d], hi[d] = at, at+size
		at += size
		out[i] = slab{lo: lo, hi: hi}
	}
	return out
}
