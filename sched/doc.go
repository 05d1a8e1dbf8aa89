// Package sched is the frame-budget cooperative scheduler: the host calls
// RunFrame once per frame, and the scheduler resumes ready tasks round-robin,
// in start order, until the frame's budget is spent or nothing is ready.
//
// A task's body calls a Breath checkpoint between chunks of work. Breath
// lets the task go on while the frame has room for the next chunk, and parks
// it until the next frame when it does not:
//
//	s := sched.New(sched.WithBudget(4 * time.Millisecond))
//	defer s.Close()
//	s.Go("Bags", "index", func(t *sched.Self) (any, error) {
//		for _, item := range items {
//			index(item)
//			t.Breath() // go on, or continue next frame
//		}
//		return len(items), nil
//	})
//	for running {
//		stats := s.RunFrame() // at most about 4ms of task work
//		render(stats)
//	}
//
// Breath has three levels, as in blTasks: BreathShort goes on while any of
// the budget is left, Breath while less than 40% is used, BreathLong while
// less than 20% is used; BreathFor takes an explicit estimate. Every Breath
// reads the clock (the real clock by default: through the processor's
// time-stamp counter where the kernel keeps time with it, about 9 ns a
// reading; see internal/tsc), and guarantees: a Breath that returns
// without parking saw the frame's used time below its level's threshold,
// also after a Wait or a chunk that suddenly grew. The scheduler learns each task's typical cost
// between checkpoints, so a chunk that would not fit in the frame is not
// started: what it learns may make a Breath park earlier, never later.
//
// Tasks wait on conditions from package waitcond (Self.Wait, Task.StartWhen);
// waiting is event-driven, so a frame with many waiting tasks and nothing due
// costs next to nothing. A task finishes by returning, by failing (an error,
// a panic or runtime.Goexit, reported to the error handler with its owner),
// or by being stopped; a stopped Go task unwinds, running its deferred
// functions, and never runs another line of its own code. A panic in one of
// the host's hooks (error handler, trace, warnings, finished subscribers) is
// recovered and reported, and the scheduler goes on.
//
// A task has one handle (*Task). A started task runs until it finishes or
// is stopped, like a goroutine; a task that no code holds a handle to (one
// never started, or one made with Task.Scope whose holders let go) is
// stopped at a later frame ("handle collected") and reported as a Collected
// Warning naming where it was created. Abandon exempts a task from that.
//
// Every slice is measured with the scheduler's clock (WithClock) and charged
// to the task, its owner and the frame. Owners (addons) can be held to a
// share of each frame's budget (SetBudgetShare) and a number of live tasks
// (SetTaskLimit). With a watchdog threshold (WithWatchdog), an owner whose
// slices or predicates keep running that long is escalated, counting in
// frames (EscalationPolicy): warned, throttled, suspended (an owner's state
// its code cannot resume out of), and last its offending task is killed
// with ErrOverrun; each step is a Warning, a window of frames without
// overrun steps it back down, and Pardon clears it. With a mock clock
// everything the scheduler does, and its trace (WithTrace), is the same on
// every run; the trace, the warnings, the errors and FrameStats carry their
// time on that clock, so package tracefile can draw them on a timeline.
// Task code runs with the pprof labels owner and task (LabelOwner,
// LabelTask), and the pool's work with owner, so a CPU profile splits by
// addon (go tool pprof -tagfocus owner=Bags).
//
// Work that must not hold up the frame (reading files, decoding, a big
// computation) goes to the scheduler's worker pool (Pool), sized by default
// to runtime.GOMAXPROCS and resizable while it runs: a task calls Async,
// which parks it until the work is done, or ParallelFor, which splits an
// index range of up to three dimensions over the workers; the host calls
// Pool.Submit for a Future, or Do, which blocks. Workers never touch the
// scheduler: finished work is applied on the frame goroutine at the start
// of a frame, within its budget and in the order it finished, so a burst of
// it is spread over frames. A task's Self.Context is cancelled when the task
// finishes, and with it the work it handed out; Close cancels the rest and
// waits for it.
//
// A task that ends for any reason leaves a trace the host sees. With no
// WithErrorHandler, task errors are logged with slog.Default at level Error
// ("task failed", with attributes owner, task, frame and err); with no
// warning handler (WithWarningHandler, or WithWatchdog's), Warnings at
// level Warn ("task warning": owner, task, frame, warning, traceback).
//
// The Scheduler is single-goroutine: call it from the frame goroutine only.
// Go task bodies run on iter.Pull coroutines that never run concurrently with
// it or with each other; the pool's workers run only the functions given to
// them.
package sched
