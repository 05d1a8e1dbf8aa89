package sched

import (
	"fmt"
	"runtime"
	"time"
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
	if !s.manualCollect {
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
// were collected since the last frame. A task for which code has made a new
// handle since (Self.Handle) is left alone. Cleanups run on another
// goroutine, so they only queue; the stops happen here, on the frame
// goroutine, at a cost proportional to the handles collected.
func (s *Scheduler) applyCollected() {
	for _, t := range s.collected.drain() {
		s.stopIfCollected(t)
	}
}

func (s *Scheduler) stopIfCollected(t *task) {
	if t.state != Finished && !t.abandoned && t.handle.Value() == nil {
		s.stopTask(t, &StopError{Reason: "handle collected"})
	}
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
	}
	t.abandoned, t.parent = true, nil
	if p := t.node.Parent(); p != nil {
		t.node.Detach()
		s.judgeNow()
		s.check(p.Value)
	}
	return nil
}

// control refuses fn on t when t has finished or when the code calling it
// belongs to another owner. The host's own code (outside any task and any
// RunAs) may control every task.
func (s *Scheduler) control(fn string, t *task) error {
	if o := s.actingOwner(); o != nil && o != t.own {
		return fmt.Errorf("%s %s: refused to code of owner %s: %w", fn, t, o.name, ErrForeign)
	}
	if t.state == Finished {
		return fmt.Errorf("%s %s: %w", fn, t, ErrFinished)
	}
	return nil
}

// actingOwner is the owner of the code running now: the running task's, or
// the one RunAs was given, or nil for the host.
func (s *Scheduler) actingOwner() *owner {
	if s.current != nil {
		return s.current.own
	}
	return s.acting
}

// RunAs runs f as code of owner outside any task: tasks it creates belong to
// owner, and it may control only owner's tasks. Hosts use it to run an
// addon's code (loading a script, an event handler) under the addon's name.
func (s *Scheduler) RunAs(owner string, f func()) {
	prev := s.acting
	s.acting = s.owner(owner)
	defer func() { s.acting = prev }()
	f()
}

// SetTaskLimit caps the number of live (unfinished) tasks of owner; 0 removes
// the cap. WithTaskLimit sets the cap of owners not given one.
func (s *Scheduler) SetTaskLimit(owner string, n int) { s.owner(owner).limit = n }

// WithTaskLimit caps the live tasks of every owner not given its own limit
// with SetTaskLimit.
func WithTaskLimit(n int) Option { return func(s *Scheduler) { s.taskLimit = n } }

// How says how a task finished.
type How uint8

const (
	Returned How = iota // its body returned without an error
	Failed              // its body returned an error or panicked
	Stopped             // it was stopped
)

func (h How) String() string {
	return [...]string{"returned", "failed", "stopped"}[h]
}

// FinishEvent is the event of a task finishing.
type FinishEvent struct {
	Task  *Task
	Owner string
	How   How
	Err   error
}

// OnFinished subscribes f to every task's finishing, on the frame goroutine,
// in subscription order, right after the task finished. It returns a
// function that cancels the subscription.
func (s *Scheduler) OnFinished(f func(FinishEvent)) (cancel func()) {
	p := &f
	s.finishedHooks = append(s.finishedHooks, p)
	return func() {
		for i, q := range s.finishedHooks {
			if q == p {
				s.finishedHooks = append(s.finishedHooks[:i:i], s.finishedHooks[i+1:]...)
				return
			}
		}
	}
}

func (s *Scheduler) notifyFinished(t *task) {
	if len(s.finishedHooks) == 0 {
		return
	}
	how := Returned
	switch {
	case isStop(t.err):
		how = Stopped
	case t.err != nil:
		how = Failed
	}
	e := FinishEvent{Task: s.handle(t), Owner: t.own.name, How: how, Err: t.err}
	for _, f := range s.finishedHooks {
		(*f)(e)
	}
}

// TaskInfo is a snapshot of one task, for debugging and display.
type TaskInfo struct {
	ID        uint64 // creation order, unique within the scheduler
	Name      string
	Owner     string
	State     State
	Suspended bool
	Abandoned bool
	Parent    uint64 // 0 for an orphan
	Depth     int    // 0 for an orphan
	CPU       time.Duration
	Why       string // what a waiting task waits for
}

// Snapshot describes every unfinished task, in tree order: each orphan in
// creation order followed by its descendants, depth first.
func (s *Scheduler) Snapshot() []TaskInfo {
	var out []TaskInfo
	for t := s.liveHead; t != nil; t = t.nextLive {
		if t.node.Parent() != nil {
			continue
		}
		out = append(out, t.info())
		for d := range t.node.Descendants() {
			out = append(out, d.Value.info())
		}
	}
	return out
}

func (t *task) info() TaskInfo {
	i := TaskInfo{ID: t.seq, Name: t.name, Owner: t.own.name, State: t.state, Suspended: t.suspended,
		Abandoned: t.abandoned, Depth: t.node.Depth(), CPU: t.acct.Total}
	if p := t.node.Parent(); p != nil {
		i.Parent = p.Value.seq
	}
	if t.state == Waiting {
		i.Why = t.cond.Explain(liveEnv{t})
	}
	return i
}
