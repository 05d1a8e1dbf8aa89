package sched

import (
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/waitcond"
)

// DefaultBudget is the frame budget when WithBudget is not given: a quarter
// of a 60 Hz frame.
const DefaultBudget = 4 * time.Millisecond

// Scheduler runs cooperative tasks a frame at a time. It is single-goroutine:
// every method must be called from the goroutine that calls RunFrame (the
// frame goroutine) or from task code, which runs on its behalf. It never
// starts goroutines of its own beyond one parked coroutine per running task.
type Scheduler struct {
	clk     clock.Clock
	budget  time.Duration
	onError func(TaskError)
	trace   func(Event)

	frame      uint64
	frameStart time.Time
	limit      time.Duration // this frame's budget
	sharers    int           // tasks ready at the frame's start, who share its budget
	stats      FrameStats
	current    *task
	closed     bool

	ready    queue // may run in this frame, in round-robin order
	deferred queue // ready, but this frame has no room for their Breath level
	later    queue // parked until the next frame
	frames   alarmHeap
	timers   alarmHeap
	alarmSeq uint64

	seq                uint64
	liveHead, liveTail *task
	owners             map[string]*owner
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithClock sets the clock every slice and frame is measured with; the
// default is the real clock. Tests pass clock.NewMock().
func WithClock(c clock.Clock) Option { return func(s *Scheduler) { s.clk = c } }

// WithBudget sets the budget RunFrame gives each frame (DefaultBudget when
// not given).
func WithBudget(d time.Duration) Option { return func(s *Scheduler) { s.budget = d } }

// WithErrorHandler sets the function that receives every task error other
// than a stop, on the frame goroutine, attributed to the task's owner. The
// default logs it with slog.Default.
func WithErrorHandler(f func(TaskError)) Option { return func(s *Scheduler) { s.onError = f } }

// WithTrace sets a hook that receives every scheduling event, in order.
// With a mock clock the events are the same on every run.
func WithTrace(f func(Event)) Option { return func(s *Scheduler) { s.trace = f } }

// New returns a scheduler with no tasks, at frame 0.
func New(opts ...Option) *Scheduler {
	s := &Scheduler{
		clk:    clock.New(),
		budget: DefaultBudget,
		owners: map[string]*owner{},
		onError: func(e TaskError) {
			slog.Error("task failed", "owner", e.Owner, "task", e.Task, "frame", e.Frame, "err", e.Err)
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Clock is the scheduler's clock.
func (s *Scheduler) Clock() clock.Clock { return s.clk }

// Frame is the number of the current frame: 0 before the first RunFrame,
// then one more per call.
func (s *Scheduler) Frame() uint64 { return s.frame }

// Now is the time of the scheduler's clock.
func (s *Scheduler) Now() time.Time { return s.clk.Now() }

// Current is the running task's view of itself, or nil outside any task.
func (s *Scheduler) Current() *Self {
	if s.current == nil {
		return nil
	}
	return &s.current.self
}

// Create makes a pending task that will run body once started. The owner
// defaults to the running task's owner, or "host" outside any task.
func (s *Scheduler) Create(owner, name string, body Body) (*Task, error) {
	if s.closed {
		return nil, fmt.Errorf("Create %q: %w", name, ErrClosed)
	}
	if body == nil {
		return nil, fmt.Errorf("Create %q: nil body", name)
	}
	if owner == "" {
		owner = "host"
		if s.current != nil {
			owner = s.current.own.name
		}
	}
	s.seq++
	t := &task{s: s, seq: s.seq, name: name, own: s.owner(owner), body: body}
	t.self.t = t
	t.own.live++
	s.link(t)
	return &Task{t}, nil
}

// Go creates a task and starts it.
func (s *Scheduler) Go(owner, name string, body Body) (*Task, error) {
	h, err := s.Create(owner, name, body)
	if err != nil {
		return nil, err
	}
	return h, h.Start()
}

// Tasks yields a handle to every task that has not finished, in creation
// order.
func (s *Scheduler) Tasks() iter.Seq[*Task] {
	return func(yield func(*Task) bool) {
		for t := s.liveHead; t != nil; t = t.nextLive {
			if !yield(&Task{t}) {
				return
			}
		}
	}
}

// RunFrame runs one frame with the configured budget.
func (s *Scheduler) RunFrame() FrameStats { return s.RunFrameBudget(s.budget) }

// RunFrameBudget runs one frame with the given budget: it wakes the tasks
// whose waits are due, then resumes ready tasks round-robin until the budget
// is spent or nothing is ready. A task that breathes after using its fair
// share of the budget up to its Breath level's threshold (the threshold
// divided by the tasks ready at the frame's start) goes to the back of the
// line, so every task gets a turn before any gets a second. It must not be
// called from task code.
func (s *Scheduler) RunFrameBudget(limit time.Duration) FrameStats {
	if s.current != nil {
		panic("sched: RunFrame called from inside a task")
	}
	if s.closed {
		return FrameStats{Frame: s.frame}
	}
	s.frame++
	start := s.clk.Now()
	s.frameStart, s.limit = start, limit
	s.stats = FrameStats{Frame: s.frame, Budget: limit}
	s.later.moveTo(&s.ready)
	s.wakeDue(start)
	s.sharers = max(1, s.ready.len())

	now := start
	for now.Sub(start) < limit {
		t := s.ready.pop()
		if t == nil {
			break
		}
		if t.state != Active || t.suspended {
			t.queued = false // a stale entry
			continue
		}
		fr := budget.Frame{Limit: limit, Spent: now.Sub(start)}
		if !fr.Admits(t.level, t.estimate) && !fr.Admits(t.level, t.acct.Chunk()) {
			s.deferred.push(t)
			continue
		}
		now = s.runSlice(t, now)
	}
	s.deferred.moveTo(&s.ready)
	s.stats.Used = now.Sub(start)
	s.stats.Overrun = max(s.stats.Used-limit, 0)
	return s.stats
}

// runSlice resumes t until it parks, waits or finishes, charges the slice,
// and returns the time it ended.
// quantum is a task's fair share of this frame for chunks at level l.
func (s *Scheduler) quantum(l budget.Level) time.Duration {
	return l.Threshold(s.limit) / time.Duration(s.sharers)
}

func (s *Scheduler) runSlice(t *task, now time.Time) time.Time {
	t.queued = false
	t.sliceStart, t.lastRead, t.calls = now, now, 0
	t.setAllowance(budget.Frame{Limit: s.limit, Spent: now.Sub(s.frameStart)}, now)
	if t.resume == nil {
		t.resume, t.stopCo = iter.Pull(t.coroutine)
	}
	s.current, t.onStack = t, true
	t.resume()
	s.current, t.onStack = nil, false
	end := s.clk.Now()
	took := end.Sub(now)
	t.acct.AddSlice(took)
	t.own.usage.Add(s.frame, took, s.limit)
	s.stats.Resumed++
	if t.state == Finished {
		t.outcome = "finished"
		t.releaseCoroutine()
	}
	s.emit(Event{Kind: EventSlice, Task: t.name, Owner: t.own.name, Took: took, Outcome: t.outcome})
	return end
}

func (t *task) releaseCoroutine() {
	t.resume, t.stopCo, t.yield, t.body = nil, nil, nil, nil
}

// Close stops every unfinished task with the reason "scheduler closed", in
// creation order, running their deferred functions, and leaves no goroutine
// behind. Afterwards Create fails with ErrClosed and RunFrame does nothing.
// It must not be called from task code.
func (s *Scheduler) Close() error {
	if s.current != nil {
		return fmt.Errorf("Close: %w", ErrInTask)
	}
	s.closed = true
	for s.liveHead != nil {
		s.stop(s.liveHead, "scheduler closed")
	}
	s.ready, s.deferred, s.later = queue{}, queue{}, queue{}
	return nil
}

func (s *Scheduler) start(t *task, c *waitcond.Cond) error {
	switch {
	case s.closed:
		return fmt.Errorf("Start %s: %w", t, ErrClosed)
	case t.state == Finished:
		return fmt.Errorf("Start %s: %w", t, ErrFinished)
	case t.state != Pending:
		return fmt.Errorf("Start %s: %w", t, ErrStarted)
	}
	t.state = Active
	t.level = budget.Short
	s.emit(Event{Kind: EventStart, Task: t.name, Owner: t.own.name})
	if c != nil && !c.Met(s) {
		s.arm(t, c)
		return nil
	}
	s.enqueue(t)
	return nil
}

func (s *Scheduler) enqueue(t *task) {
	if !t.queued {
		t.queued = true
		s.ready.push(t)
	}
}

func (s *Scheduler) stop(t *task, reason string) error {
	if t.state == Finished {
		return fmt.Errorf("Stop %s: %w", t, ErrFinished)
	}
	if reason == "" {
		reason = DefaultStopReason
	}
	s.finish(t, nil, &StopError{Reason: reason})
	switch {
	case t == s.current:
		t.unwind() // the running task stopped itself
	case t.onStack:
		// t is stopping another task further up the stack; it unwinds when
		// control comes back to it, below.
	case t.stopCo != nil:
		prev := s.current
		s.current, t.onStack = t, true
		t.stopCo() // runs its deferred functions
		s.current, t.onStack = prev, false
		t.releaseCoroutine()
	}
	if cur := s.current; cur != nil && cur.state == Finished {
		cur.unwind() // the running task was stopped by the code it called
	}
	return nil
}

func (s *Scheduler) suspend(t *task) error {
	switch {
	case t.state == Pending:
		return fmt.Errorf("Suspend %s: %w", t, ErrNotStarted)
	case t.state == Finished:
		return fmt.Errorf("Suspend %s: %w", t, ErrFinished)
	case t.suspended:
		return fmt.Errorf("Suspend %s: %w", t, ErrSuspended)
	}
	t.suspended = true
	s.emit(Event{Kind: EventSuspend, Task: t.name, Owner: t.own.name})
	if t == s.current {
		t.park("suspended")
	}
	return nil
}

func (s *Scheduler) resumeSuspended(t *task) error {
	switch {
	case t.state == Finished:
		return fmt.Errorf("Resume %s: %w", t, ErrFinished)
	case !t.suspended:
		return fmt.Errorf("Resume %s: %w", t, ErrNotSuspended)
	}
	t.suspended = false
	s.emit(Event{Kind: EventResume, Task: t.name, Owner: t.own.name})
	switch t.state {
	case Active:
		s.enqueue(t)
	case Waiting:
		s.check(t)
	}
	return nil
}

// finish records how t ended and takes it out of every structure.
func (s *Scheduler) finish(t *task, res any, err error) {
	t.state, t.result, t.err = Finished, res, err
	t.suspended = false
	s.disarm(t)
	s.unlink(t)
	t.own.live--
	s.stats.Finished++
	s.emit(Event{Kind: EventFinish, Task: t.name, Owner: t.own.name, Err: err})
	if err != nil && !errors.Is(err, ErrStopped) {
		s.stats.Errors++
		t.own.errors++
		s.onError(TaskError{Frame: s.frame, Task: t.name, Owner: t.own.name, Err: err})
	}
}

func (s *Scheduler) link(t *task) {
	t.prevLive = s.liveTail
	if s.liveTail != nil {
		s.liveTail.nextLive = t
	} else {
		s.liveHead = t
	}
	s.liveTail = t
}

func (s *Scheduler) unlink(t *task) {
	if t.prevLive != nil {
		t.prevLive.nextLive = t.nextLive
	} else if s.liveHead == t {
		s.liveHead = t.nextLive
	}
	if t.nextLive != nil {
		t.nextLive.prevLive = t.prevLive
	} else if s.liveTail == t {
		s.liveTail = t.prevLive
	}
	t.prevLive, t.nextLive = nil, nil
}

func (s *Scheduler) emit(e Event) {
	if s.trace != nil {
		e.Frame = s.frame
		s.trace(e)
	}
}
