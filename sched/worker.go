package sched

import (
	"iter"
	"runtime/debug"
)

// maxIdleWorkers bounds the workers a scheduler keeps for reuse. One is
// enough for tasks that run to completion one after another; more serve
// batches of tasks that park and finish together. Each holds a parked
// goroutine and its stack until Close.
const maxIdleWorkers = 16

// worker is an iter.Pull coroutine that runs Go task bodies, one task after
// another. Making a coroutine (a goroutine and half a dozen allocations),
// and ending it, costs more than the whole life of a short task, so a worker
// whose task has finished waits in its scheduler's pool for the next task
// instead of ending. Beyond maxIdleWorkers, and once the scheduler is
// closed, it ends; Close ends the idle ones.
type worker struct {
	s      *Scheduler
	t      *task // the task it runs, nil while idle
	resume func() (struct{}, bool)
	stop   func()
	yield  func(struct{}) bool
	// goexited: its task's body called runtime.Goexit, which cannot be
	// stopped; the goroutine is parked in the middle of it (see retire).
	goexited bool
}

// worker returns a worker to run t: an idle one, or a new one.
func (s *Scheduler) worker(t *task) *worker {
	var w *worker
	if n := len(s.idle); n > 0 {
		w = s.idle[n-1]
		s.idle[n-1] = nil
		s.idle = s.idle[:n-1]
	} else {
		w = newWorker(s)
	}
	w.t = t
	return w
}

// newWorker makes a worker and starts its coroutine. Each resume that finds
// it idle starts the body of the task it has been given; once that body has
// returned, the worker parks idle in the pool, or ends. A body that panics,
// is stopped (a stop unwinds it with a panic) or calls runtime.Goexit ends
// its worker instead (see recoverBody).
//
// The loop is the coroutine's function itself, and the deferred function
// that recovers the body's panic is its own: the frames under a parked
// task's body are brought back into the CPU's caches one return at a time
// when it is resumed (about 80 ns each when 100,000 tasks wake in a frame,
// BENCHMARKS.md, issue 14), so between the coroutine's entry and the body
// there is this one frame, neither a method value's wrapper nor a frame of
// the task's own.
func newWorker(s *Scheduler) *worker {
	w := &worker{s: s}
	w.resume, w.stop = iter.Pull(func(yield func(struct{}) bool) {
		w.yield = yield
		defer w.recoverBody()
		for {
			t := w.t
			t.label()
			res, err := t.body(&t.self)
			if t.state != Finished { // else stopped: the stop recorded the outcome
				s.finish(t, res, err)
			}
			w.t = nil
			if s.closed || len(s.idle) >= maxIdleWorkers {
				return
			}
			s.idle = append(s.idle, w)
			if !yield(struct{}{}) {
				return // Close ended it
			}
		}
	})
	return w
}

// recoverBody is deferred by the worker's loop: it records how a body that
// did not return ended, and the worker ends with it (its loop's frame is
// gone). A panic finishes the task with a *PanicError, unless it is the
// unwinding of a stop, which recorded the outcome already; so does
// runtime.Goexit, the only way a body ends with neither a return nor a
// panic (w.t is then still set: every return of the loop clears it first).
func (w *worker) recoverBody() {
	r := recover()
	t := w.t
	if t == nil { // the loop returned
		return
	}
	goexit := r == nil
	if t.state != Finished {
		switch _, unwound := r.(unwind); {
		case goexit:
			w.s.finish(t, nil, &PanicError{Value: ErrGoexit, Stack: debug.Stack()})
		case !unwound:
			w.s.finish(t, nil, &PanicError{Value: r, Stack: debug.Stack()})
		}
	}
	if goexit {
		w.retire()
	}
	w.t = nil
}

// endIdleWorkers ends every idle worker's goroutine.
func (s *Scheduler) endIdleWorkers() {
	for _, w := range s.idle {
		w.stop()
	}
	s.idle = nil
}

// goexitDone is the panic that ends a retired worker's goroutine.
type goexitDone struct{}

// retire is called on the worker's goroutine while runtime.Goexit, called by
// its task's body, unwinds it: the task has finished. Left alone, the Goexit
// would end the goroutine and iter.Pull would pass it on to the frame
// goroutine, ending that too. So the worker hands control back at once, as
// if its body had returned, and parks for good; the frame goroutine then
// ends it with end, whose panic iter.Pull passes on instead of the Goexit.
func (w *worker) retire() {
	w.goexited, w.t = true, nil
	w.yield(struct{}{})
	panic(goexitDone{})
}

// end ends the goroutine of a retired worker, on the frame goroutine.
func (w *worker) end() {
	defer func() {
		if r := recover(); r != nil && r != (goexitDone{}) {
			panic(r)
		}
	}()
	w.stop()
}
