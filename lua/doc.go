// Package lua runs Lua addons (on github.com/yuin/gopher-lua, imported as
// glua) as cooperative tasks of a sched.Scheduler, with the blTasks API.
//
// A Host holds the scheduler; each Addon is one sandboxed glua.LState whose
// code and tasks are attributed to the addon. Addon code sees the blTasks API
// as a global (named by the host, "blTasks" by default) and through require:
//
//	local Task, Wait = blTasks.Task, blTasks.Wait
//	local loader = Task.Create(function(self)
//		for i = 1, 100000 do
//			index(i)
//			self:Breath()            -- go on, or continue next frame
//		end
//		self:Wait(Wait.Timespan(2))  -- park for two seconds
//		return "done"
//	end):Start()
//	Task.Create(function(self)       -- holding its self, it runs to its end
//		print(loader:Result())       -- waits for loader, then prints "done"
//	end):Start()
//
// Handles have Start([cond]), Stop([msg]), Wait(cond), Suspend(), Resume(),
// Abandon(), BreathShort(), Breath(), BreathLong(), Finished() and Result(),
// each returning the handle where it has nothing else to return; conditions
// are Wait.And, Wait.Or, Wait.Task, Wait.Children, Wait.Frame, Wait.Frames,
// Wait.Timespan, Wait.Timestamp, Wait.Signal and Wait.Predicate, and combine
// with + (Or) and * (And). Extensions: Status, Error, Owner, Name, Parent,
// Children, Stats, Why, Scope; blTasks.Signal(name), blTasks.OnFinished(fn),
// Task.Join(t1, t2, ...) and blTasks.Async (worker functions, below).
// Task.Create(fn, owner) accepts the addon's own name, and another addon's
// only with AddonOptions.Impersonate.
//
// Each task runs on its own Lua thread, parked on the Go side, so Breath,
// Wait, Result and Stop work anywhere in the task: inside pcall, metamethods,
// iterators, table.sort comparators and Go functions that call back into Lua.
// Closures a task made keep their variables however it ends (returned,
// failed, stopped, killed by the watchdog), with the values they had then.
// A task has one handle per addon: the value Create returned, its
// function's self, Task.Current(), Parent/Children and the finished event's
// task are the same userdata (rawequal; usable as a table key) for as long as
// Lua code holds it. As in blTasks, holding a handle keeps the task alive,
// and a task whose function holds its self runs to its end. A task that
// nothing holds (never started, or holding no handle of itself) is stopped
// at the next collection ("handle collected", reported as a sched.Warning
// naming where Create was called). h:Scope() on a pending task makes it
// stop once no code but its own holds it: its function then receives a view
// of it (== to the handle, not rawequal) that does not keep it alive.
//
// As in blTasks, whose task bodies are coroutines:
//
//   - coroutine.yield() in the task's own code (not inside a coroutine it
//     made) gives the rest of its turn to the other tasks: it goes on later
//     in the frame if the budget allows, else in the next frame. Its values
//     are ignored and it returns nothing. coroutine.running() there is the
//     task's thread: its status is "running" for the task's own code, and
//     coroutine.resume refuses it ("cannot resume non-suspended coroutine").
//   - h:Wait(cond) from code other than the task's own (the addon's main
//     chunk, a handler, another task of the addon) makes h wait from its
//     next turn; a waiting task waits for cond once its current wait is met.
//     A suspended task waits too, and goes on once cond is met and it is
//     resumed.
//   - Result raises the task's error value as it is: the value it raised (a
//     table stays a table), the reason given to Stop, "Task stopped." for a
//     stop without a reason and "Parent finished." for a task stopped with its
//     parent; outside any task, on an unfinished task, it raises "The task
//     hasn't finished yet.". Error() returns the same value, and so does the
//     err argument of OnFinished handlers (for another addon's task, its
//     message as a string). Stop's reason is a string, or a number as
//     tostring writes it; any other value gives the default reason.
//   - Wait.Task(nil) is an error; Suspend of an abandoned task and a second
//     Abandon are errors.
//
// Calling a method a handle, condition or signal does not have raises an
// error naming it, with a close name when there is one: `Task has no method
// "Breathe" (did you mean "Breath"?)`.
//
// The watchdog: a scheduler made with sched.WithWatchdog warns about every
// slice that ran too long without breathing; for a Lua task the
// sched.Warning's Traceback is the Lua stack of the Breath or Wait that ended
// the slice. Config.KillAfter interrupts a slice of an untrusted addon's task
// that runs that long; the task fails with a *WatchdogError. It interrupts
// every other call into an untrusted addon's code that runs that long too
// (Addon.Watch): the main chunk (DoString returns the *WatchdogError),
// OnFinished handlers and host callbacks (Addon.Call), and Wait.Predicate
// functions (a killed predicate counts as false); the scheduler's error
// handler gets their *WatchdogError as it gets their errors. A coroutine
// runs under the watchdog of the code that resumes it.
//
// Built-ins that could run long or allocate without bound from a small
// input are bounded for untrusted addons (see limits.go): string.rep,
// string.format and table.concat refuse a result over 16 MiB; unpack and
// string.byte refuse more than 8000 values; string.format refuses a width
// or precision over two digits. Each refusal is a Lua error naming the
// function and the limit: "string.rep: the result would be over 16 MiB",
// "unpack: too many results (400000, the limit is 8000)". The pattern
// functions (string.find, match, gmatch, gsub) run our own interruptible
// matcher (package lua/internal/luapat), which the watchdog ends as it ends
// a loop, with a bounded backtracking stack ("string.find: pattern too
// complex"); gsub refuses a result over 16 MiB. They behave as
// gopher-lua's, quirks included (see patterns.go). So does `..`: an
// untrusted addon's code (DoString, DoFile, and load, loadstring, loadfile
// and dofile with AllowLoad) is compiled so that each concatenation calls a
// guard that does what gopher-lua's `..` does, metamethods, errors, lines
// and tracebacks included, but refuses a result over 16 MiB before
// building it ("..: the result would be over 16 MiB"), where
// `s = s .. s` forty times would end the host with a fatal out of memory.
//
// Memory: an untrusted addon keeps at most AddonOptions.MemoryLimit bytes
// (DefaultMemoryLimit unless set; see memory.go). Code that takes it over
// fails with a *MemoryError that pcall cannot swallow; an addon that still
// keeps more than three quarters of its limit once that code has unwound is
// stopped (Addon.Stop): its tasks are stopped and none of its code runs
// again. Addon.Close removes an addon for good.
//
// Isolation: an untrusted addon has no getfenv or setfenv, and its
// collectgarbage runs Go's collector at most once per 60 frames. OnFinished
// handlers see the addon's own tasks (owned, or running its function). A
// handle of another addon's task (Addon.Handle, for a host's events) is
// read-only: Start, Stop, Suspend, Resume, Abandon, Wait, Scope and a
// Result that would wait raise "<fn>: refused to code of owner <addon>";
// Wait.Task on it is allowed. Predicates and handlers run as their addon's
// code on its main state, never as a task's, even when a predicate is
// polled inside a task's slice: Task.Current() is nil there, and Result,
// Breath, and Stop or Suspend of the running task raise ("Result: cannot
// wait outside a task's own code (in a predicate or handler)").
//
// Several tasks, and work on other cores:
//
//	local Task, Async = blTasks.Task, blTasks.Async
//	Async.Define("stats", [[
//		return function(prices)              -- the chunk returns the worker function
//			table.sort(prices)
//			return {min = prices[1], max = prices[#prices]}
//		end]])
//	Task.Create(function(self)
//		local st = Async.Call("stats", list)  -- parks the task; a worker runs it
//		local a, b, c = Task.Join(t1, t2, t3) -- parks until all three have finished
//	end):Start()
//	print(Async.Call("stats", list).max)     -- outside any task: runs at once, blocking
//
// Task.Join(t1, t2, ...) starts the pending tasks given and waits for all of
// them; it returns, as LÖVR's join does, the first result of each task but
// the last and all the results of the last, and raises the error value of
// the first task (in argument order) that failed, as Result does. In a
// task's own code it parks the task; outside any task it runs frames
// (sched.Scheduler.Join), at most 1000, under the watchdog of the code
// calling it; in a predicate, a handler or any code that runs while a frame
// runs (an Async.Send callback) it is refused. Another addon's task
// may be joined but not started, and gives only its plain results.
//
// Async.Define(name, src) compiles src, Lua source whose chunk returns a
// function, the worker function name (a syntax error is Define's error;
// a name is defined once; at most 256 per addon, of 1 MiB of source each).
// Async.Call(name, ...) calls it on a worker: a Lua state of its own, with
// the addon's sandbox (the same libraries, bounded built-ins, guarded `..`,
// loaders with AllowLoad, and the addon's MemoryLimit, which the addon's
// state and its worker states share) but no blTasks API and none of the addon's globals. Each worker runs
// the chunk once, the first time it calls the function, and keeps its state
// between calls (which worker runs a call is not determined: keep no state
// there that results depend on). The arguments and results are copied
// (copy.go): nil, booleans, numbers, strings and tables of them, shared
// tables shared in the copy, without metatables; a function, userdata,
// thread or cycle is refused with an error naming where it is ("Async.Call:
// argument #2: value at [3].pos.x is a function, which cannot be copied to
// a worker"), and so is a copy of over 65536 values or 64 nested tables.
// In a task's own code (coroutines and pcall included), Async.Call parks
// the task until a worker of the scheduler's pool (sched.Pool) has run the
// function; the result is applied at the start of a later frame, within its
// budget, and the task resumes; stopping the task ends the call. Elsewhere (the main
// chunk, handlers, predicates, host callbacks) it is the blocking form, as
// in LÖVR: it runs the function at once on worker 0, on the calling
// goroutine, under the watchdog of the code calling it. A call from a task
// runs under Config.KillAfter of its own: one that runs that long is
// interrupted, and its worker's state is replaced by a new one. Errors name
// Async.Call and carry the worker's traceback after their first line
// ("Async.Call: worker function "parse" failed: parse:3: bad line"). What a
// worker prints is printed as the addon's once its call's results arrive;
// its math.random is seeded per call from Config.Seed, the addon's name and
// the call's number. Host.Close (and Addon.Stop, Addon.Close) ends every
// call. Worker goroutines read the scheduler's clock (os.time, os.clock)
// and call Config.AfterFunc: both must be safe for any goroutine, as the
// clock package's are.
//
// A host's async functions (Host.RegisterAsync) are Go functions called as
// Async.<name>(...): the host's AsyncFunc reads and checks the arguments on
// the frame goroutine (its errors name Async.<name>) and returns an
// AsyncWork, which runs on the scheduler's pool, touching no Lua state, and
// returns plain Go values (nil, bool, numbers, string, []byte, and []any
// and map[string]any of them, 32 deep at most), pushed as the call's
// results, charged to the addon's memory. In a task's own code the call
// parks the task, which resumes with the results at the start of a later
// frame; stopping the task cancels the work's context. Elsewhere it blocks
// until the work returns (sched.Scheduler.Do), under the watchdog of the
// calling code. The work's error, a panic in it, or a result that is not a
// plain value is raised as "Async.<name>: ...". Async.Define and Async.Call
// are not host names; a name not registered reads as nil.
//
// Async.Send(name, callback, ...) is LÖVE's form: it submits the call to
// the pool and returns at once, anywhere (a task does not park); when the
// result is applied, at the start of a later frame, callback runs as the
// addon's code (Addon.Call: watchdog, memory limit) with true and the
// results, or false and the error message ("Async.Send: worker function
// ..."); a callback's error is reported as the addon's ("Async.Send
// callback"). A stopped addon's callbacks never run, and Addon.Stop,
// Host.Close and Scheduler.Close end the calls pending without them.
//
// Async.For(name, {n1[, n2[, n3]]}, ...) is a parallel for: the range is
// cut as sched.ParallelFor cuts it (along one dimension, at most one chunk
// per pool worker) and the worker function is called per chunk with its
// bounds, 1-based and inclusive, lo1, hi1[, lo2, hi2[, lo3, hi3]], then
// copies of the other arguments. The task parks until every chunk is done
// and Async.For returns the first result of each chunk, in chunk order
// (nothing for an empty range); the first chunk to fail cancels the others
// and its error is Async.For's; stopping the task cancels the chunks. It is
// refused outside a task's own code.
//
// What addons print goes to Config.Print; with none, it is logged with
// slog.Default at level Info ("addon print", with attributes addon and
// line). Their tasks' errors and warnings go to the scheduler's handlers,
// which log with slog.Default unless the host sets them.
//
// Misuse (a wrong argument type, starting twice, Breath outside the task,
// stopping a finished task...) raises a Lua error naming the function and the
// problem; it never panics the host or corrupts the scheduler.
package lua
