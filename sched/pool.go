package sched

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"

	"github.com/framesched/framesched/waitcond"
)

// Pool runs Go functions on worker goroutines beside the frame goroutine: the
// work of Async, ParallelFor, Submit and Do. Workers never touch the
// scheduler: what they finish goes into one queue, which the frame goroutine
// applies at the start of a frame, within the frame's budget (see
// Scheduler.RunFrameBudget). Applying finished work completes its Future,
// which wakes the tasks waiting for it and calls the callbacks registered
// with its OnComplete, there and then.
//
// The pool has a size, runtime.GOMAXPROCS unless WithWorkers says
// otherwise: it starts a worker when work is queued and fewer than size
// workers are alive, none idle, and keeps it until the pool shrinks below
// its number or the scheduler closes. Size, SetSize, AtLeast, AtMost and
// WaitIdle may be called from any goroutine; Submit, Cancel and Stats from
// the frame goroutine only.
//
// A host that runs frames back to back, never blocking, should yield
// between them (runtime.Gosched): the Go runtime queues the worker that
// new work wakes on the frame goroutine's processor, where it waits until
// another processor wakes up and takes it, about 90 µs on a 2-vCPU VM
// (a whole Async round trip takes about 1 µs when the host yields; see
// BENCHMARKS.md). A host that waits for its next frame yields anyway.
type Pool struct {
	s *Scheduler

	mu       sync.Mutex
	wake     sync.Cond // idle workers wait on it for work, a shrink or the close
	size     int
	workers  int    // goroutines alive
	idle     int    // workers waiting on wake
	starting int    // workers started that have not looked for work yet
	busy     int    // workers running work
	queue    []*job // submitted, in submission order; those before head have started
	head     int
	closed   bool
	done     []*job // finished, not applied, in the order they finished
	doneFull atomic.Bool
	alive    sync.WaitGroup // one per worker goroutine
	idleCh   chan struct{}  // closed once no work is queued or running (WaitIdle)

	// The frame goroutine's own.
	applying []*job                    // taken from done, applied in order over frames
	taken    []*job                    // applying's whole backing array, handed back to done once applied
	inflight map[*waitcond.Future]*job // Submit's work until it is applied, for Cancel
}

// job is one function given to the pool, with its outcome.
type job struct {
	work   func(context.Context) (any, error)
	ctx    context.Context
	cancel context.CancelCauseFunc // nil when ctx is not the job's own (Async's is its task's)
	own    *owner                  // charged for the callbacks its completion runs; nil for Do's
	fut    *waitcond.Future        // completed when the job is applied; nil for Do's
	left   *int                    // ParallelFor's: chunks of its range not applied; fut completes with the last
	direct chan struct{}           // Do's: closed once the work has returned
	v      any
	err    error
}

// WithWorkers sets the size of the scheduler's pool; 0 or less is
// runtime.GOMAXPROCS at New, the default.
func WithWorkers(n int) Option { return func(s *Scheduler) { s.pool.size = n } }

// Pool is the scheduler's worker pool.
func (s *Scheduler) Pool() *Pool { return &s.pool }

func (p *Pool) init(s *Scheduler) {
	p.s = s
	p.wake.L = &p.mu
	if p.size <= 0 {
		p.size = runtime.GOMAXPROCS(0)
	}
}

// Size is how many workers the pool may run at once.
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// SetSize makes the pool's size exactly n (0 for less). Growing starts
// workers for the work already queued; shrinking lets running work finish,
// and the workers beyond n end once they have no work. With a size of 0,
// queued work waits until the pool grows.
func (p *Pool) SetSize(n int) { p.resize(func(int) int { return max(n, 0) }) }

// AtLeast makes the pool's size at least n, growing it if it is smaller.
func (p *Pool) AtLeast(n int) { p.resize(func(size int) int { return max(size, n) }) }

// AtMost makes the pool's size at most n (0 for less), shrinking it if it
// is larger.
func (p *Pool) AtMost(n int) { p.resize(func(size int) int { return max(min(size, n), 0) }) }

func (p *Pool) resize(f func(size int) int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.size = f(p.size)
	p.wake.Broadcast() // idle workers beyond the size end
	p.startWorkers()
}

// PoolStats is a snapshot of the pool.
type PoolStats struct {
	Size    int // how many workers may run at once
	Workers int // worker goroutines alive: busy, idle, or ending after a shrink
	Busy    int // workers running work
	Queued  int // work waiting for a worker
	Done    int // finished work waiting for a frame to apply it
}

// Stats is a snapshot of the pool.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Size: p.size, Workers: p.workers, Busy: p.busy, Queued: p.queued(), Done: len(p.done) + len(p.applying)}
}

// queued is how much work waits for a worker; p.mu is held.
func (p *Pool) queued() int { return len(p.queue) - p.head }

// Submit runs work on the pool and returns a Future of its outcome, which
// completes on the frame goroutine when a frame applies it: at the start of
// the first frame after work returned that has room for it. A task waits
// for it with Self.Wait(f.Cond()) (or uses Async); the host can register a
// callback with f.OnComplete, which runs then, charged to the frame's budget
// and to owner, the owner of the code calling Submit when empty. name names
// the Future (Task.Why shows it).
//
// work's context is cancelled, its cause context.Canceled, by Cancel(f),
// and, its cause ErrClosed, when the scheduler closes; it is not tied to the
// task calling Submit (Async's is). Work cancelled before it started does
// not run: its Future completes with the cause. A panic in work completes
// the Future with a *PanicError. After Close, the Future is completed at
// once with ErrClosed. Submit must be called from the frame goroutine.
func (p *Pool) Submit(owner, name string, work func(ctx context.Context) (any, error)) *waitcond.Future {
	s := p.s
	f := waitcond.NewFuture(name)
	if s.closed {
		f.Complete(nil, fmt.Errorf("Submit %q: %w", name, ErrClosed))
		return f
	}
	o := s.actingOwner()
	if owner != "" {
		o = s.owner(owner)
	} else if o == nil {
		o = s.owner(HostOwner)
	}
	ctx, cancel := context.WithCancelCause(s.context())
	j := &job{work: work, ctx: ctx, cancel: cancel, own: o, fut: f}
	if p.inflight == nil {
		p.inflight = map[*waitcond.Future]*job{}
	}
	p.inflight[f] = j
	p.submit(j)
	return f
}

// Cancel cancels the context of the work behind f, a Future that Submit
// returned, and reports whether that work had not been applied yet (f
// completes when it is, with what the work returned, or context.Canceled
// if it had not started). It must be called from the frame goroutine.
func (p *Pool) Cancel(f *waitcond.Future) bool {
	j := p.inflight[f]
	if j == nil {
		return false
	}
	j.cancel(context.Canceled)
	return true
}

// WaitIdle blocks until no work is queued or running (the work that
// finished waits for a frame to apply it), or until ctx is done, and returns
// ctx.Err() then. A headless host or a test uses it to choose the frame
// that applies the work submitted before: with one worker, work finishes in
// the order it was submitted, so a run on a mock clock is the same every
// time. With a pool of size 0 and work queued, it waits until the pool
// grows or ctx is done. It may be called from any goroutine.
func (p *Pool) WaitIdle(ctx context.Context) error {
	p.mu.Lock()
	if p.busy == 0 && p.queued() == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.idleCh == nil {
		p.idleCh = make(chan struct{})
	}
	idle := p.idleCh
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// submit queues j and starts a worker for it if none is idle and the size
// allows.
func (p *Pool) submit(j *job) {
	p.mu.Lock()
	if p.head > 0 && len(p.queue) == cap(p.queue) { // make room at the front, rather than grow
		n := copy(p.queue, p.queue[p.head:])
		clear(p.queue[n:])
		p.queue, p.head = p.queue[:n], 0
	}
	p.queue = append(p.queue, j)
	if p.idle > 0 {
		p.wake.Signal()
	}
	p.startWorkers()
	p.mu.Unlock()
}

// startWorkers starts the workers the queued work needs, up to the size;
// idle workers, and those starting, will take their share. p.mu is held.
func (p *Pool) startWorkers() {
	for !p.closed && p.workers < p.size && p.queued() > p.idle+p.starting {
		p.workers++
		p.starting++
		p.alive.Add(1)
		go p.serve()
	}
}

// serve is a worker goroutine: it runs queued work until the pool has more
// workers than its size or closes.
func (p *Pool) serve() {
	defer p.alive.Done()
	p.mu.Lock()
	p.starting--
	for j := p.next(); j != nil; j = p.next() {
		p.mu.Unlock()
		p.run(j) // returns with p.mu held
	}
	p.workers--
	p.mu.Unlock()
}

// next is the next queued work for the calling worker, or nil when the
// worker should end. It waits while there is none; p.mu is held.
func (p *Pool) next() *job {
	for {
		if p.closed || p.workers > p.size {
			return nil
		}
		if p.head < len(p.queue) {
			j := p.queue[p.head]
			p.queue[p.head] = nil
			if p.head++; p.head == len(p.queue) {
				p.queue, p.head = p.queue[:0], 0 // the array is reused
			}
			p.busy++
			return j
		}
		p.idle++
		p.wake.Wait()
		p.idle--
	}
}

// run runs j's work on the calling worker and queues its outcome, returning
// with p.mu held. Work that calls runtime.Goexit ends the worker (nothing
// can stop that): its outcome is a *PanicError of ErrGoexit, and another
// worker is started in its place if work is queued.
func (p *Pool) run(j *job) {
	returned := false
	defer func() {
		goexit := false
		if !returned {
			r := recover()
			if goexit = r == nil; goexit {
				r = ErrGoexit
			}
			j.v, j.err = nil, &PanicError{Value: r, Stack: debug.Stack()}
		}
		p.mu.Lock()
		p.finished(j)
		if goexit {
			p.workers--
			p.startWorkers()
			p.mu.Unlock()
		}
	}()
	if j.ctx.Err() == nil {
		pprof.SetGoroutineLabels(j.labels())
		j.v, j.err = j.work(j.ctx)
	} else {
		j.err = context.Cause(j.ctx) // cancelled before it started
	}
	returned = true
}

// labels are the pprof labels j's work runs with: its owner's, none for
// Do's (the host's).
func (j *job) labels() context.Context {
	if j.own == nil {
		return context.Background()
	}
	return j.own.labels
}

// finished hands j's outcome back: to the blocked Do, or to the queue the
// frame goroutine applies. p.mu is held.
func (p *Pool) finished(j *job) {
	p.busy--
	if j.direct != nil {
		close(j.direct)
	} else {
		p.done = append(p.done, j)
		p.doneFull.Store(true)
	}
	// After the outcome is queued: WaitIdle's waiter may run a frame at
	// once, which must find it due.
	if p.idleCh != nil && p.busy == 0 && p.queued() == 0 {
		close(p.idleCh)
		p.idleCh = nil
	}
}

// close ends the pool for Close: it cancels every job's context (through
// the scheduler's), waits for the running work to return and the workers to
// end, and completes the Futures of what did not run with ErrClosed, after
// those of finished work, which get their outcome.
func (p *Pool) close() {
	p.mu.Lock()
	p.closed = true
	queued := p.queue[p.head:]
	p.queue, p.head = nil, 0
	p.wake.Broadcast()
	p.mu.Unlock()
	p.s.cancel(ErrClosed)
	p.alive.Wait()
	if p.idleCh != nil { // work queued on a pool of size 0 was dropped
		close(p.idleCh)
		p.idleCh = nil
	}
	for _, j := range queued {
		j.err = ErrClosed
		if j.direct != nil {
			close(j.direct)
		} else {
			p.done = append(p.done, j)
		}
	}
	p.doneFull.Store(len(p.done) > 0)
	for len(p.applying) > 0 || p.take() {
		p.s.apply(p.popApplying())
	}
	p.inflight, p.taken = nil, nil
}
