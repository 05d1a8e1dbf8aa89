package sched

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"runtime"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/budget"
	"github.com/framesched/framesched/hierarchy"
	"github.com/framesched/framesched/internal/tsc"
)

// DefaultBudget is the frame budget when WithBudget is not given: a quarter
// of a 60 Hz frame.
const DefaultBudget = 4 * time.Millisecond

// Scheduler runs cooperative tasks a frame at a time. It is single-goroutine:
// every method must be called from the goroutine that calls RunFrame (the
// frame goroutine) or from task code, which runs on its behalf. It never
// starts goroutines of its own beyond one parked coroutine per running task
// and a few idle ones kept for the next tasks until Close (see worker).
type Scheduler struct {
	clk     clock.Clock
	counter *tsc.Clock // reads the real clock cheaply, nil with another clock (see elapsed)
	budget  time.Duration
	onError func(TaskError)
	trace   func(Event)

	frame      uint64
	epoch      time.Time     // the clock's reading at New; instants are durations since
	frameStart time.Duration // since epoch
	limit      time.Duration // this frame's budget
	sharers    int           // tasks ready at the frame's start, who share its budget
	stats      FrameStats
	current    *task
	closed     bool
	frameEnded bool // EndFrame was called in this frame
	inFrame    bool // RunFrame is running

	prio       queue         // deferred in an earlier frame: they go first
	ready      queue         // may run in this frame, in round-robin order
	deferred   queue         // ready, but this frame has no room for their Breath level
	sliceEnd   time.Duration // set by a checkpoint that parks: the slice's end
	sliceEnded bool
	later      queue // parked until the next frame
	frames     alarmHeap
	timers     alarmHeap
	alarmSeq   uint64

	seq                uint64
	dlEpoch            uint64
	manualCollect      bool          // WithManualCollect
	outside            []func()      // Outside calls waiting for the running slice to end
	warnAfter          time.Duration // the watchdog's threshold (WithWatchdog)
	onWarn             func(Warning)
	judged             time.Time // the instant conditions are judged at (see judgeNow)
	liveHead, liveTail *task
	owners             map[string]*owner
	acting             *owner           // the owner whose code runs outside any task (RunAs)
	actingIn           *task            // the task running when RunAs began (see taskCode)
	taskLimit          int              // default cap on an owner's live tasks, 0 for none
	escalation         EscalationPolicy // of owners not given one (WithEscalation), normalized
	escalated          []*owner         // owners above NoEscalation, in the order they were first warned
	finishedHooks      []*func(FinishEvent)

	idle      []*worker // workers waiting for a task (see worker)
	signaled  []*task   // woken by a signal; checked at the next frame's start
	inbox     inbox     // woken by futures completed on any goroutine
	polled    []*task   // waiting on predicates
	collected inbox     // tasks whose handle was garbage-collected
	pool      Pool
	ctx       context.Context // see context
	cancelCtx context.CancelCauseFunc
	// queueCollected is the cleanup of every handle, made once (a method
	// value passed to runtime.AddCleanup would be allocated per handle).
	queueCollected func(*task)
	handleStock    []*Task // see newHandle
	// stopOrder is finish's snapshot of a stopped subtree, kept for the
	// next stop: as long as the largest subtree stopped, 8 bytes a task.
	stopOrder []*hierarchy.Node[*task]
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithClock sets the clock every slice and frame is measured with; the
// default is the real clock, read through the processor's counter where it
// is steady (see elapsed). Tests pass clock.NewMock().
func WithClock(c clock.Clock) Option { return func(s *Scheduler) { s.clk = c } }

// WithBudget sets the budget RunFrame gives each frame (DefaultBudget when
// not given).
func WithBudget(d time.Duration) Option { return func(s *Scheduler) { s.budget = d } }

// WithErrorHandler sets the function that receives every task error other
// than a stop, on the frame goroutine, attributed to the task's owner. The
// default logs it with slog.Default at level Error: message "task failed",
// attributes owner, task, frame and err. It also receives the panics of the
// other hooks (see WithTrace); a panic of its own is logged with
// slog.Default, and the scheduler goes on.
func WithErrorHandler(f func(TaskError)) Option { return func(s *Scheduler) { s.onError = f } }

// WithTrace sets a hook that receives every scheduling event, in order.
// With a mock clock the events are the same on every run. A panic in f is
// recovered and sent to the error handler as a TaskError of HostOwner named
// "trace hook", carrying a *PanicError; the scheduler goes on.
func WithTrace(f func(Event)) Option { return func(s *Scheduler) { s.trace = f } }

// New returns a scheduler with no tasks, at frame 0.
func New(opts ...Option) *Scheduler {
	s := &Scheduler{
		budget:     DefaultBudget,
		owners:     map[string]*owner{},
		escalation: defaultEscalation,
		onError: func(e TaskError) {
			slog.Error("task failed", "owner", e.Owner, "task", e.Task, "frame", e.Frame, "err", e.Err)
		},
	}
	for _, o := range opts {
		o(s)
	}
	s.pool.init(s)
	s.queueCollected = func(t *task) {
		// Most handles are dropped after their task finished: those need
		// no stop, and the frame goroutine need not look at them.
		if !t.finished.Load() {
			s.collected.push(t)
		}
	}
	if s.clk == nil { // the real clock
		s.clk = clock.New()
		if tsc.Available() {
			s.counter = tsc.New(func() time.Duration { return s.clk.Since(s.epoch) })
		}
	}
	s.epoch = s.clk.Now()
	return s
}

// Clock is the scheduler's clock.
func (s *Scheduler) Clock() clock.Clock { return s.clk }

// Frame is the number of the current frame: 0 before the first RunFrame,
// then one more per call.
func (s *Scheduler) Frame() uint64 { return s.frame }

// Now is the time of the scheduler's clock.
func (s *Scheduler) Now() time.Time { return s.clk.Now() }

// elapsed is the time since the scheduler was made. With the real clock it
// reads only the monotonic clock, half the cost of Now; where the
// processor's counter is steady, it reads that and the real clock every
// 50 ms (internal/tsc), half the cost again: every Breath and slice reads
// the clock.
func (s *Scheduler) elapsed() time.Duration {
	if s.counter != nil {
		return s.counter.Now()
	}
	return s.clk.Since(s.epoch)
}

// Current is the running task's view of itself, or nil outside any task.
func (s *Scheduler) Current() *Self {
	if s.current == nil {
		return nil
	}
	return &s.current.self
}

// Create makes a pending task that will run body once started. The owner
// defaults to the owner of the code calling Create: the running task's, the
// one given to RunAs, or "host". Creating more live tasks than the owner's
// limit fails with ErrTaskLimit.
func (s *Scheduler) Create(ownerName, name string, body Body) (*Task, error) {
	return s.create(ownerName, name, body, callerPC())
}

// Go creates a task and starts it. Like a goroutine, it runs until it
// finishes or is stopped, whether the caller keeps the handle or not.
func (s *Scheduler) Go(owner, name string, body Body) (*Task, error) {
	h, err := s.create(owner, name, body, callerPC())
	if err != nil {
		return nil, err
	}
	return h, h.Start()
}

// callerPC is the program counter of the call of its caller's caller: the
// code that called Create or Go.
func callerPC() uintptr {
	var pc [1]uintptr
	runtime.Callers(3, pc[:])
	return pc[0]
}

func (s *Scheduler) create(ownerName, name string, body Body, pc uintptr) (*Task, error) {
	if s.closed {
		return nil, fmt.Errorf("Create %q: %w", name, ErrClosed)
	}
	if body == nil {
		return nil, fmt.Errorf("Create %q: nil body", name)
	}
	var o *owner
	if ownerName != "" {
		o = s.owner(ownerName)
	} else if o = s.actingOwner(); o == nil {
		o = s.owner(HostOwner)
	}
	if o.limit > 0 && o.live >= o.limit {
		return nil, fmt.Errorf("Create %q: owner %s has %d live tasks: %w", name, o.name, o.live, ErrTaskLimit)
	}
	s.seq++
	t := &task{s: s, seq: s.seq, name: name, own: o, body: body, createdPC: pc}
	t.self.t = t
	t.node.Value = t
	o.live++
	s.link(t)
	return s.handle(t), nil
}

// Tasks yields a handle to every task that has not finished, in creation
// order.
func (s *Scheduler) Tasks() iter.Seq[*Task] {
	return func(yield func(*Task) bool) {
		for t := s.liveHead; t != nil; t = t.nextLive {
			if !yield(s.handle(t)) {
				return
			}
		}
	}
}

// RunFrame runs one frame with the configured budget.
func (s *Scheduler) RunFrame() FrameStats { return s.RunFrameBudget(s.budget) }

// RunFrameBudget runs one frame with the given budget: it applies the
// pool's finished work while the budget allows (see Pool), wakes the tasks
// whose waits are due, then resumes ready tasks round-robin until the budget
// is spent or nothing is ready. A task that breathes after using its fair
// share of the budget up to its Breath level's threshold (the threshold
// divided by the tasks ready at the frame's start, but at least 50 µs or an
// eighth of the threshold, whichever is less) goes to the back of the line,
// so every task gets a turn before any gets a second. It must not be called
// from task code.
func (s *Scheduler) RunFrameBudget(limit time.Duration) FrameStats {
	if s.current != nil {
		panic("sched: RunFrame called from inside a task")
	}
	if s.inFrame {
		panic("sched: RunFrame called while a frame runs (from a handler, predicate or completion)")
	}
	if s.closed {
		return FrameStats{Frame: s.frame}
	}
	s.inFrame = true
	defer func() { s.inFrame = false }()
	s.frame++
	start := s.elapsed()
	s.frameStart, s.limit = start, limit
	s.stats = FrameStats{Frame: s.frame, Start: start, Budget: limit}
	s.frameEnded = false
	s.applyCollected()
	if len(s.escalated) > 0 {
		s.review()
	}
	s.later.moveTo(&s.ready)
	now := start
	if s.pool.due() {
		s.applyDone(start, limit)
		now = s.elapsed()
	}
	if s.wakeDue(now) {
		now = s.elapsed() // the slices that follow are not charged for the waking (predicates)
	}
	s.sharers = max(1, s.turnsWaiting())

	for now-start < limit && !s.frameEnded {
		t := s.prio.pop()
		if t == nil {
			if t = s.ready.pop(); t == nil {
				break
			}
		}
		if t.state != Active || t.suspended {
			t.queued = false // a stale entry
			continue
		}
		// The first slice of a frame is always admitted, so that a chunk
		// estimated larger than the whole budget still runs.
		if (s.stats.Resumed > 0 && !t.admitted(budget.Frame{Limit: limit, Spent: now - start})) || !t.ownerAdmits(0) {
			s.deferred.push(t)
			continue
		}
		s.startSlice(t, now)
		t.w.resume() // here, not in a helper: see checkpoint
		now = s.endSlice(t, now)
	}
	s.deferred.moveTo(&s.prio)
	st := &s.stats
	st.Used = now - start
	st.Overrun = max(st.Used-limit, 0)
	// Field by field: copying the struct whole reads, with 16-byte loads,
	// fields just written with 8-byte stores, which the CPU cannot forward
	// and stalls on (about 5% of a one-slice frame).
	return FrameStats{Frame: st.Frame, Start: st.Start, Budget: st.Budget, Used: st.Used, Overrun: st.Overrun,
		Resumed: st.Resumed, Parked: st.Parked, Finished: st.Finished, Errors: st.Errors, Completions: st.Completions}
}

// EndFrame ends the running frame once the running slice ends: no other
// slice starts in it, as if its budget were spent. A host calls it from
// code that runs in the frame (a binding called by task code, a finished
// event's handler) when the frame must stop at once, for instance because
// the game's own watchdog says so. Called between frames, it does nothing.
func (s *Scheduler) EndFrame() { s.frameEnded = true }

// InFrame reports whether a frame is running: code called now runs inside
// RunFrame (a task, a handler, a predicate, a completion), where running
// frames is refused.
func (s *Scheduler) InFrame() bool { return s.inFrame }

// turnsWaiting is how many queue entries may still get a turn this frame.
func (s *Scheduler) turnsWaiting() int { return s.prio.len() + s.ready.len() }

// minTurn is the least a turn lasts before the task yields to the others,
// while the frame has room, unless an eighth of the level's threshold is
// less. With many ready tasks the fair share (the threshold divided by
// them) falls below one chunk of work, and every Breath would switch to the
// next task in line, whose stack and data are out of the CPU's caches by
// then: a microsecond or more a switch at 10,000 tasks, against 0.3 µs with
// one (BenchmarkSwitchAtScale/lua). Turns of at least 50 µs keep that a few
// per cent of the work (BENCHMARKS.md, issue 14); every task still gets a
// turn before any gets a second, across frames if this one has no room.
const minTurn = 50 * time.Microsecond

// quantum is a task's fair share of this frame for chunks at level l, and
// at least the shorter of minTurn and an eighth of the level's threshold.
func (s *Scheduler) quantum(l budget.Level) time.Duration {
	th := l.Threshold(s.limit)
	return max(th/time.Duration(s.sharers), min(minTurn, th/8))
}

// admitted reports whether the frame has room for t's next chunk at the
// level (or with the estimate) of the Breath it parked at.
func (t *task) admitted(fr budget.Frame) bool {
	if t.estimate > 0 {
		return fr.Fits(t.estimate)
	}
	return fr.Admits(t.level, t.acct.Chunk())
}

// startSlice makes t the running task for a slice starting at now; the
// caller resumes it.
func (s *Scheduler) startSlice(t *task, now time.Duration) {
	t.queued = false
	t.sliceStart, t.lastRead = now, now
	if t.w == nil { // its first slice
		t.w = s.worker(t)
		if t.scoped {
			t.keep = nil
		}
	}
	s.current, t.onStack, s.sliceEnded = t, true, false
	if t.onSlice != nil {
		t.onSlice(true)
	}
}

// endSlice charges the slice of t that started at now and returns the time
// it ended.
func (s *Scheduler) endSlice(t *task, now time.Duration) time.Duration {
	if t.onSlice != nil {
		t.onSlice(false)
	}
	s.current, t.onStack = nil, false
	end := s.sliceEnd
	if !s.sliceEnded {
		end = s.elapsed()
	}
	took := end - now
	t.acct.AddSlice(took)
	t.own.usage.Add(s.frame, took, s.limit)
	if t.own.share > 0 {
		t.own.balance -= took // brought up to date for this frame by the slice's admission
	}
	s.stats.Resumed++
	if t.state == Finished {
		t.outcome = finished
		t.releaseCoroutine()
	}
	overruns := 0
	if s.warnAfter > 0 && took >= s.warnAfter {
		overruns = s.overrun(t)
		s.warnSlow(t, took, overruns)
	}
	if s.trace != nil {
		s.emit(t, Event{Kind: EventSlice, At: end, Took: took, Outcome: t.outcome.String()})
	}
	if overruns > 0 {
		s.escalate(t, overruns) // after the slice's event: it may stop t
	}
	if len(s.outside) > 0 {
		s.runOutside()
		end = s.elapsed() // what ran outside (an addon's handler) is not the next slice's
	}
	return end
}

// releaseCoroutine forgets the worker of a task whose body has ended (the
// worker went back to the pool or ended) and the body.
func (t *task) releaseCoroutine() {
	if t.w != nil && t.w.goexited {
		t.w.end()
	}
	// The hooks a binding set (a Lua task's hold its Lua thread) go too,
	// for the task's handle may outlive it by long.
	t.w, t.body, t.onSlice, t.traceback = nil, nil, nil, nil
}

// Close stops every unfinished task with the reason "scheduler closed", in
// creation order, running their deferred functions, then closes the pool:
// it cancels the context of the work still running (see Pool), waits for
// that work to return, and completes every Future of the pool's work that
// no frame applied: with the work's outcome if it finished, with ErrClosed
// if it never started. It leaves no goroutine behind. Afterwards Create fails with ErrClosed and RunFrame does nothing,
// and the host's hooks (error handler, trace, warning handler, finished
// subscribers) are dropped. It must not be called from task code.
func (s *Scheduler) Close() error {
	if s.current != nil {
		return fmt.Errorf("Close: %w", ErrInTask)
	}
	s.closed = true
	for s.liveHead != nil {
		s.stopTask(s.liveHead, &StopError{Reason: "scheduler closed"})
	}
	s.pool.close()
	s.endIdleWorkers()
	s.prio, s.ready, s.deferred, s.later = queue{}, queue{}, queue{}, queue{}
	// The host's hooks go: the runtime keeps every handle's cleanup, and so
	// the scheduler, alive while the handle lives, so a host object that
	// holds handles and that a hook reaches would keep itself, the handles
	// and the scheduler alive for ever.
	s.onError, s.trace, s.onWarn, s.finishedHooks, s.outside = func(TaskError) {}, nil, nil, nil, nil
	return nil
}
