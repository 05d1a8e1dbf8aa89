package sched

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"weak"
)

// handle returns t's canonical handle, making one if no code holds it. A
// handle made here is watched by the garbage collector: when it becomes
// unreachable, t is queued for the stop that applyCollected makes.
func (s *Scheduler) handle(t *task) *Task {
	if h := t.handle.Value(); h != nil {
		return h
	}
	h := s.newHandle(t)
	t.handle = weak.Make(h)
	if !s.manualCollect && t.state != Finished {
		runtime.AddCleanup(h, s.queueCollected, t)
	}
	return h
}

// handleBatch is how many handles newHandle allocates at once: as many as
// the runtime puts in one span of 8-byte objects.
const handleBatch = 1024

// newHandle returns a new handle to t. Handles are allocated handleBatch at
// a time and handed out last first, for the sake of the runtime specials
// each handle gets (its weak pointer and its cleanup). The runtime keeps the
// specials of a span's objects in a list sorted by address, and adding one
// walks the list up to its place, three times per handle. Allocation fills
// a span upwards, so handles made one at a time each walked past the
// specials of every earlier handle in their span (up to 2000 entries), most
// of the cost of a short task's life. Handed out from the top down, each
// handle's place is at the front of the list. Should the allocator order
// change, this only loses the speed-up. The stock costs at most 8 KiB.
func (s *Scheduler) newHandle(t *task) *Task {
	if len(s.handleStock) == 0 {
		for range handleBatch {
			s.handleStock = append(s.handleStock, new(Task))
		}
	}
	n := len(s.handleStock) - 1
	h := s.handleStock[n]
	s.handleStock[n] = nil
	s.handleStock = s.handleStock[:n]
	h.t = t
	return h
}

// applyCollected stops, at the start of a frame, the tasks whose handles
// were collected since the last frame, each with a Collected warning. A
// task for which code has made a new handle since (Self.Handle) is left
// alone. Cleanups run on another
// goroutine, so they only queue; the stops happen here, on the frame
// goroutine, at a cost proportional to the handles collected.
func (s *Scheduler) applyCollected() {
	for _, t := range s.collected.drain() {
		s.stopIfCollected(t)
	}
}

func (s *Scheduler) stopIfCollected(t *task) {
	if t.state != Finished && !t.abandoned && t.handle.Value() == nil {
		s.warn(Warning{Kind: Collected, Frame: s.frame, Task: t.name, Owner: t.own.name, Created: t.created(), Self: &t.self})
		s.stopTask(t, &StopError{Reason: "handle collected"})
	}
}

// Scope makes the task stop ("handle collected") once no code holds its
// handle but its own body: the body's Self no longer keeps it alive, from
// its first slice on (a task is never collected before it has begun). A
// host object that owns a task, such as a loader for a window, scopes it so
// that dropping the object stops the task. A body that holds its own
// handle (Self.Handle) still keeps itself alive. Scoping a finished task
// fails with ErrFinished.
func (h *Task) Scope() error {
	t := h.t
	if err := t.s.control("Scope", t); err != nil {
		return err
	}
	t.scoped = true
	if t.w != nil { // its first slice has begun
		t.keep = nil
	}
	return nil
}

// CreatedAt is where the task was created: what SetCreatedAt set, else the
// Go file and line that called Create or Go ("game/loader.go:42").
func (h *Task) CreatedAt() string { return h.t.created() }

// SetCreatedAt sets what CreatedAt reports, for a host binding whose tasks
// are created by script code (the Lua binding gives the script's position).
func (h *Task) SetCreatedAt(where string) { h.t.createdAt = where }

func (t *task) created() string {
	if t.createdAt != "" || t.createdPC == 0 {
		return t.createdAt
	}
	f, _ := runtime.CallersFrames([]uintptr{t.createdPC}).Next()
	return filepath.Base(filepath.Dir(f.File)) + "/" + filepath.Base(f.File) + ":" + strconv.Itoa(f.Line)
}

// Collect runs the garbage collector and stops at once every task whose
// handles are unreachable, as the next frames would. It lets a host reclaim
// tasks at a moment of its choosing and, with WithManualCollect, makes
// automatic stop deterministic. It costs a full collection and a pass over
// the live tasks. Called from task code, it stops the running task itself
// (when its handles are gone) only at the start of the next frame.
func (s *Scheduler) Collect() {
	runtime.GC() // clears the weak pointers of unreachable handles before returning
	var dropped []*task
	for t := s.liveHead; t != nil; t = t.nextLive {
		if t.handle.Value() == nil {
			dropped = append(dropped, t)
		}
	}
	if !s.manualCollect {
		s.collected.drain() // every queued task was just looked at
	}
	for _, t := range dropped { // a stop may finish others of them: stopIfCollected skips those
		if t == s.current {
			s.collected.push(t)
			continue
		}
		s.stopIfCollected(t)
	}
}

// WithManualCollect stops tasks whose handles were collected only when the
// host calls Collect, never at a frame's start. The garbage collector runs
// when it pleases, so automatic stops at frame starts depend on timing; a
// host that needs the same trace on every run (tests, replays) uses this.
func WithManualCollect() Option { return func(s *Scheduler) { s.manualCollect = true } }

func (s *Scheduler) abandon(t *task) error {
	if err := s.control("Abandon", t); err != nil {
		return err
	}
	switch {
	case t.state == Pending:
		return fmt.Errorf("Abandon %s: %w", t, ErrNotStarted)
	case t.suspended:
		return fmt.Errorf("Abandon %s: %w", t, ErrSuspended)
	case t.abandoned:
		return fmt.Errorf("Abandon %s: already abandoned: %w", t, ErrAbandoned)
	}
	t.abandoned, t.parent = true, nil
	if p := t.node.Parent(); p != nil {
		t.node.Detach()
		s.judgeNow()
		s.check(p.Value)
	}
	return nil
}
