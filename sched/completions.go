package sched

import "time"

// Finished pool work comes back to the scheduler here: the frame goroutine
// takes the workers' queue of it and applies it, in the order it finished,
// at the start of a frame, within the frame's budget.

// due reports whether finished work waits to be applied.
func (p *Pool) due() bool { return len(p.applying) > 0 || p.doneFull.Load() }

// take moves the finished work to applying and reports whether there was
// any. Only the frame goroutine applies, so the array it hands back to done
// is one it has applied in full.
func (p *Pool) take() bool {
	if !p.doneFull.Load() {
		return false
	}
	p.mu.Lock()
	p.taken, p.done = p.done, p.taken[:0]
	p.doneFull.Store(false)
	p.mu.Unlock()
	p.applying = p.taken
	return len(p.applying) > 0
}

// popApplying takes the first of the work being applied.
func (p *Pool) popApplying() *job {
	j := p.applying[0]
	p.applying[0] = nil // its outcome may be large: not kept until the array's next use
	p.applying = p.applying[1:]
	return j
}

// applyDone applies finished work, in the order it finished, from the
// frame's start at start while the frame of budget limit has room: at least
// one, so that a frame with no room still makes progress, and at most one
// past the budget. The time each takes (the callbacks its Future runs) is
// charged to the frame and to the owner that submitted it. What is left
// waits for the next frame.
func (s *Scheduler) applyDone(start, limit time.Duration) {
	p := &s.pool
	before := s.elapsed()
	for n := 0; n == 0 || (before-start < limit && !s.frameEnded); n++ {
		if len(p.applying) == 0 && !p.take() {
			return
		}
		j := p.popApplying()
		s.apply(j)
		after := s.elapsed()
		s.stats.Completions++
		j.own.charge(s.frame, after-before, limit)
		before = after
	}
}

// apply completes j's Future, on the frame goroutine. A callback's panic is
// a host hook's.
func (s *Scheduler) apply(j *job) {
	defer s.recoverHook("completion callback")
	if j.cancel != nil {
		j.cancel(nil) // release the context
		delete(s.pool.inflight, j.fut)
	}
	if j.left != nil {
		if *j.left--; *j.left > 0 {
			return
		}
	}
	j.fut.Complete(j.v, j.err)
}
