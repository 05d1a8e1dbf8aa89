package sched

import (
	"fmt"
	"sync/atomic"
	"time"
	"weak"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/hierarchy"
	"github.com/framesched/framesched/waitcond"
)

// Body is a Go task's code. It receives the task's view of itself and
// returns the task's result and error. It runs on the frame goroutine's
// behalf, a slice at a time, and must call a Breath method now and then.
type Body func(t *Self) (any, error)

// State is where a task is in its life.
type State uint8

const (
	Pending  State = iota // created, not started
	Active                // started: running, ready, or parked until a later frame
	Waiting               // started and waiting for a condition
	Finished              // returned, failed or stopped; final
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Active:
		return "active"
	case Waiting:
		return "waiting"
	case Finished:
		return "finished"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// unwind is the panic value that unwinds a stopped task's body. The
// coroutine's top frame recovers it; user code that recovers it as well is
// unwound again at its next Breath, Wait or Suspend.
type unwind struct{}

// task is the scheduler's record of a task. Handles (Task) and the task's
// own view (Self) point at it.
type task struct {
	s         *Scheduler
	seq       uint64 // creation order, unique per scheduler
	name      string
	own       *owner
	body      Body
	state     State
	finished  atomic.Bool // state is Finished; read by handle cleanups, which run on another goroutine
	suspended bool
	queued    bool         // in s.ready or s.later
	level     budget.Level // level of the Breath it parked at
	estimate  time.Duration

	w         *worker          // the coroutine running body, from its first slice until it ends
	onSlice   func(start bool) // Self.OnSlice
	outcome   outcome          // how its last slice ended, for the trace
	onStack   bool             // its coroutine is executing (it is current, or stopping another task)
	unwinding bool             // a stop is unwinding its body

	// What waking a task reads (with state, above) lies in its first four
	// cache lines, which is why nextWaits is here: with 100,000 tasks woken
	// in a frame, each further line of a task was another miss.
	nextWaits  []*waitcond.Cond // waits told from outside, installed in turn (see Task.Wait)
	cond       *waitcond.Cond
	alarms     [2]alarm   // one frame and one time alarm while waiting
	links      []waitLink // tasks it waits for
	unwatch    []func()   // cancels its signal watches
	polled     bool       // its condition has a predicate: polled every frame
	inPollList bool       // it is in the scheduler's poll list (perhaps no longer polled)
	waiters    []waiter   // tasks waiting for it to finish

	traceback func() string // Self.SetTraceback
	onUnwind  func()        // Self.OnUnwind
	ctx       *taskContext  // Self.Context, once made

	dlEpoch   uint64 // the deadlock check that last visited it
	dlBlocked bool   // whether that check found it blocked
	dlVia     *task  // and through which task

	node      hierarchy.Node[*task]
	parent    *task // the task that started it, kept after it finished; nil for an orphan
	abandoned bool
	handle    weak.Pointer[Task] // the canonical handle, while any code holds it
	// keep holds the handle while the task counts as holding it itself:
	// from its start until it finishes, or, once scoped, until its first
	// slice begins. A started task thus never disappears before it ran.
	keep      *Task
	scoped    bool    // Scope: only handles other than its body's keep it
	createdPC uintptr // the Go caller of Create, for CreatedAt
	createdAt string  // SetCreatedAt

	result any
	err    error

	acct       budget.Task
	sliceStart time.Duration // since the scheduler's epoch
	lastRead   time.Duration // the clock's reading at the slice's start or its last Breath

	prevLive, nextLive *task // the scheduler's live list, in creation order
	self               Self
}

// Task is a handle to a task: what Create and Go return. A task has one
// handle: every call that gives a handle to the same task gives the same
// pointer. A started task runs until it finishes or is stopped, like a
// goroutine, whether code holds its handle or not: its running body counts
// as holding it. A task that nothing holds a handle to, and that was not
// abandoned, is stopped ("handle collected") at the start of a later frame
// (see Scheduler.Collect) and reported as a Collected Warning: a task
// created and never started, or one made with Scope whose other holders
// all let go of it. Controlling a task (Stop, Suspend, Resume, Abandon)
// from code of another owner fails with ErrForeign; reading it does not. All
// methods must be called from the frame goroutine: by the host between or
// around frames, or by task code.
type Task struct {
	t *task // handles are made by Scheduler.newHandle
}

// Self is a task's view of itself: what its body receives and Current
// returns. While the body runs, the task counts as holding its own handle
// (unless it was made with Scope). Its methods are valid only from the
// task's own code while it runs.
type Self struct {
	t *task
}

// Name is the task's name, as given to Create.
func (h *Task) Name() string { return h.t.name }

// Owner is the owner the task's time and errors are attributed to.
func (h *Task) Owner() string { return h.t.own.name }

// State is the task's state now.
func (h *Task) State() State { return h.t.state }

// Suspended reports whether the task is suspended.
func (h *Task) Suspended() bool { return h.t.suspended }

// Finished reports whether the task has finished. A nil handle counts as
// finished, so that waiting for it is met at once.
func (h *Task) Finished() bool { return h == nil || h.t.state == Finished }

// Result returns a finished task's result and error; on a task that has not
// finished it returns ErrNotFinished.
func (h *Task) Result() (any, error) {
	if h.t.state != Finished {
		return nil, fmt.Errorf("Result %q: %w", h.t.name, ErrNotFinished)
	}
	return h.t.result, h.t.err
}

// Err is a finished task's error: nil when it returned without one, a
// *StopError when it was stopped, a *PanicError when it panicked.
func (h *Task) Err() error { return h.t.err }

// TaskStats is a task's CPU accounting.
type TaskStats struct {
	CPU     time.Duration // time spent in the task's slices
	Slices  int           // how many times it was resumed
	Longest time.Duration // its longest slice
	Chunk   time.Duration // its typical cost between Breath checkpoints
}

// Stats is the task's CPU accounting so far.
func (h *Task) Stats() TaskStats {
	a := &h.t.acct
	return TaskStats{CPU: a.Total, Slices: a.Slices, Longest: a.Longest, Chunk: a.Chunk()}
}

// Start starts a pending task: it runs from the next pass of the scheduler,
// in start order. Starting twice fails with ErrStarted.
func (h *Task) Start() error {
	return h.t.s.start(h.t, nil)
}

// StartWhen starts a pending task that first waits for c. A condition that
// would close a cycle of waiting tasks is refused with a *DeadlockError, and
// an invalid one (c.Err, waitcond.ErrTooLarge) with its error; the task
// stays pending.
func (h *Task) StartWhen(c *waitcond.Cond) error {
	return h.t.s.start(h.t, c)
}

// Stop finishes the task with a *StopError carrying reason (or
// DefaultStopReason when empty), and its unfinished children with "parent
// finished". The task never runs another line of its own code; its deferred
// functions run before Stop returns. Stopping a finished task fails with
// ErrFinished. When a task stops itself (or a task it descends from), Stop
// does not return. A task of the stopped tree is not woken by its
// children's finishing (its condition is not judged): the same stop
// stops it after them.
func (h *Task) Stop(reason string) error {
	return h.t.s.stop(h.t, reason)
}

// Abandon makes a running task an orphan that is never stopped
// automatically: not when its parent finishes, not when its handles are
// collected. It runs until it finishes or is stopped by hand. Abandoning a
// pending or suspended task fails (ErrNotStarted, ErrSuspended), and so
// does abandoning it twice (ErrAbandoned).
func (h *Task) Abandon() error {
	return h.t.s.abandon(h.t)
}

// Parent is a handle to the task that started this one, also after either
// finished, or nil for an orphan (started outside any task, or abandoned).
func (h *Task) Parent() *Task {
	if p := h.t.parent; p != nil {
		return p.s.handle(p)
	}
	return nil
}

// Children are handles to the task's unfinished children, in start order.
func (h *Task) Children() []*Task {
	var out []*Task
	for c := range h.t.node.Children() {
		out = append(out, h.t.s.handle(c.Value))
	}
	return out
}

// Why describes what a waiting task waits for and which parts are unmet,
// e.g. "And(Timespan 2s [1.2s left], Task "index" (owner Bags) [running])";
// "" when it is not waiting.
func (h *Task) Why() string {
	if h.t.state != Waiting {
		return ""
	}
	return h.t.cond.Explain(liveEnv{h.t})
}

// Suspend keeps a started task from running until Resume. A wait that is
// met while the task is suspended must still be met when it is resumed.
// Suspending the running task parks it at once. An abandoned task cannot
// be suspended (ErrAbandoned), as in blTasks.
func (h *Task) Suspend() error {
	return h.t.s.suspend(h.t)
}

// Resume lets a suspended task run again.
func (h *Task) Resume() error {
	return h.t.s.resumeSuspended(h.t)
}

func (h *Task) String() string {
	if h == nil {
		return "nil"
	}
	return h.t.String()
}

func (t *task) String() string {
	return fmt.Sprintf("%q (owner %s)", t.name, t.own.name)
}

// Handle returns a handle to the task, for code that wants to pass it on
// (holding it keeps the task from being stopped when other handles are
// dropped).
func (t *Self) Handle() *Task { return t.t.s.handle(t.t) }

// Name is the task's name.
func (t *Self) Name() string { return t.t.name }

// Owner is the task's owner.
func (t *Self) Owner() string { return t.t.own.name }

// Scheduler is the scheduler running the task.
func (t *Self) Scheduler() *Scheduler { return t.t.s }

// Stop stops the task itself with reason; it does not return.
func (t *Self) Stop(reason string) {
	t.t.s.stop(t.t, reason)
	panic(unwind{}) // not reached: stopping the running task unwinds it
}

// Suspend parks the task until another task or the host resumes it. An
// abandoned task is not suspended: it goes on.
func (t *Self) Suspend() {
	t.t.s.suspend(t.t)
}

// Wait parks the task until c is met, and returns at once when it already
// is. The task is Waiting meanwhile. A wait that would close a cycle of
// tasks waiting on each other is refused with a *DeadlockError naming the
// cycle, and an invalid condition (c.Err, waitcond.ErrTooLarge) with its
// error; the task goes on.
func (t *Self) Wait(c *waitcond.Cond) error {
	return t.t.s.wait(t.t, c)
}

// outcome is how a slice ended, as the trace names it.
type outcome uint8

const (
	parkedShort outcome = iota // parked at a Breath of each level
	parkedMedium
	parkedLong
	yielded // gave the rest of its turn to the other ready tasks
	suspended
	waiting
	finished
)

var outcomeNames = [...]string{"parked short", "parked medium", "parked long", "yielded", "suspended", "waiting", "finished"}

func (o outcome) String() string { return outcomeNames[o] }

// park hands control back to the scheduler until the task is resumed; why
// says why, for the trace. If the task was stopped meanwhile, it unwinds
// instead of returning. (checkpoint and Scheduler.wait, the hot callers, have
// copies written out.)
func (t *task) park(why outcome) {
	t.outcome = why
	t.onStack = false
	ok := t.w.yield(struct{}{})
	t.onStack = true
	if !ok || t.state == Finished {
		t.unwind()
	}
}

// unwind ends the running body of a stopped task.
func (t *task) unwind() {
	t.unwinding = true
	if t.onUnwind != nil {
		t.onUnwind()
	}
	panic(unwind{})
}
