package lua

import (
	"context"
	"fmt"
	"slices"
	"sync"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// Async.For: a parallel for over the scheduler's pool (sched.ParallelFor),
// whose body is a worker function.

// forChunk is the outcome of one chunk of an Async.For.
type forChunk struct {
	lo  []int // the chunk's lower bounds, from 0
	res *asyncResult
}

// asyncFor is Async.For(name, {n1[, n2[, n3]]}, ...): the index range of
// one to three dimensions of extents n1, n2, n3 cut into chunks as
// sched.ParallelFor cuts it (at most one per worker of the pool, along one
// dimension), each chunk a call of the worker function name on a worker
// state with its bounds, 1-based and inclusive, lo1, hi1[, lo2, hi2[, lo3,
// hi3]], then copies of the other arguments. The task parks until every
// chunk is done and Async.For returns the first result of each chunk, in
// chunk order (nothing for an empty range). The first chunk to fail
// cancels the others, and its error is Async.For's; stopping the task
// cancels every chunk. Only a task's own code may call it: elsewhere it
// would block the frame for all the chunks.
func (a *Addon) asyncFor(L *glua.LState) int {
	const fn = "Async.For"
	CheckString(L, 1, fn)
	dims := forExtents(L, fn)
	if a.h.ownTask(L) == nil {
		L.RaiseError("%s: only in a task's own code, which it parks (Async.Call or Async.Send elsewhere)", fn)
	}
	base := a.newCall(L, fn, 3)
	ws := a.ws
	k := max(a.h.s.Pool().Size(), 1)
	ws.seq += uint64(k - 1) // one for each chunk: base.seq + its number
	a.mem.charge(L, base.args.bytes+int64(k)*sizeWorker)
	ws.hold(base, base.args.bytes+int64(k)*sizeWorker)
	defer ws.release(base)

	var (
		mu       sync.Mutex
		calls    []*asyncCall
		chunks   []forChunk
		released bool
	)
	defer func() { // the results are the task's, or dropped with it
		mu.Lock()
		defer mu.Unlock()
		released = true
		for _, c := range calls {
			ws.release(c)
		}
	}()
	body := func(ctx context.Context, lo, hi []int) error {
		vals := make([]any, 0, 2*len(lo)+len(base.args.values))
		for d := range lo {
			vals = append(vals, glua.LNumber(lo[d]+1), glua.LNumber(hi[d]))
		}
		vals = append(vals, base.args.values...)
		c := &asyncCall{def: base.def, args: copied{values: vals, bytes: base.args.bytes},
			seq: base.seq + uint64(slabNumber(dims, lo, hi, k))}
		mu.Lock()
		if released {
			mu.Unlock()
			return context.Canceled
		}
		calls = append(calls, c)
		mu.Unlock()
		res, err := ws.serve(ctx, c)
		mu.Lock()
		chunks = append(chunks, forChunk{lo: lo, res: res})
		mu.Unlock()
		return err
	}
	self := a.h.s.Current()
	var err error
	parks(L, a.h, func() { err = sched.ParallelFor(self, dims, body) })
	mu.Lock()
	defer mu.Unlock()
	slices.SortFunc(chunks, func(x, y forChunk) int { return slices.Compare(x.lo, y.lo) })
	for _, ch := range chunks {
		if ch.res != nil {
			for _, line := range ch.res.printed {
				a.h.cfg.Print(a.name, line)
			}
		}
	}
	if err != nil {
		L.RaiseError("%s", callMessage(fn, base.def.name, err))
	}
	var bytes int64
	for _, ch := range chunks {
		bytes += ch.res.values.bytes
	}
	a.mem.charge(L, bytes)
	for _, ch := range chunks {
		first := copied{values: ch.res.values.values[:min(1, len(ch.res.values.values))]}
		if first.push(L) == 0 {
			L.Push(glua.LNil)
		}
	}
	return len(chunks)
}

// forExtents is argument 2 of fn: a list of one to three extents, whole
// numbers from 0 to 2^31-1.
func forExtents(L *glua.LState, fn string) []int {
	t, ok := L.Get(2).(*glua.LTable)
	if !ok {
		ArgError(L, 2, fn, "a list of 1 to 3 extents expected, got "+L.Get(2).Type().String())
	}
	n := t.Len()
	if n < 1 || n > 3 {
		ArgError(L, 2, fn, fmt.Sprintf("a list of 1 to 3 extents expected, got %d", n))
	}
	dims := make([]int, n)
	for i := range dims {
		v, ok := t.RawGetInt(i + 1).(glua.LNumber)
		if !ok || v != glua.LNumber(int64(v)) || v < 0 || v > 1<<31-1 {
			ArgError(L, 2, fn, fmt.Sprintf("extent #%d: a whole number from 0 to 2^31-1 expected", i+1))
		}
		dims[i] = int(v)
	}
	return dims
}

// slabNumber is the number, from 0, of the chunk lo, hi of the range dims
// cut into at most k chunks by sched.ParallelFor: the chunks are cut along
// one dimension, the larger ones first, differing by at most one index.
func slabNumber(dims, lo, hi []int, k int) int {
	for d, n := range dims {
		if hi[d]-lo[d] == n {
			continue
		}
		k = min(k, n)
		q, r := n/k, n%k
		if x := lo[d]; x < r*(q+1) {
			return x / (q + 1)
		} else {
			return r + (x-r*(q+1))/q
		}
	}
	return 0
}
