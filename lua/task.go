package lua

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
	"weak"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

const taskType = "blTasks.Task"

// taskRef is what a Task userdata holds: the task's handle, which keeps the
// task alive, or, for a task made with Scope, the task's view of itself
// (what its function receives and Task.Current returns), which does not.
// self caches the task's view for a handle too: Breath needs it.
type taskRef struct {
	h    *sched.Task
	self *sched.Self
}

// handle is a handle to the task (made from the view when needed).
func (r *taskRef) handle() *sched.Task {
	if r.h != nil {
		return r.h
	}
	return r.self.Handle()
}

// running is the task's view of itself when it is the running task.
func (r *taskRef) running() *sched.Self {
	if r.self == nil {
		r.self = r.h.Self() // nil unless it runs
	}
	if r.self != nil && r.self.Running() {
		return r.self
	}
	return nil
}

func (r *taskRef) id() uint64 {
	if r.h != nil {
		return r.h.ID()
	}
	return r.self.ID()
}

// taskUD is a Task userdata and the reference it holds, allocated together.
// ud comes first, so that a pointer to it is a pointer to the whole.
type taskUD struct {
	ud  glua.LUserData
	ref taskRef
}

// newTaskUD makes a Task userdata holding a copy of r.
func newTaskUD(L *glua.LState, r *taskRef) *glua.LUserData {
	t := &taskUD{ref: *r}
	t.ud = glua.LUserData{Value: &t.ref, Env: L.Env, Metatable: L.GetTypeMetatable(taskType)}
	return &t.ud
}

// handle is the addon's Task userdata for h: one per task, the same for as
// long as Lua code holds it (so rawequal holds and it works as a table key),
// and a new one only after it was collected. Holding it keeps the task
// alive. The addon refers to it weakly; entries whose userdata was
// collected are swept when the table has doubled since the last sweep.
func (a *Addon) handle(h *sched.Task) *glua.LUserData {
	id := h.ID()
	if ud := a.handles[id].Value(); ud != nil {
		return ud
	}
	ud := newTaskUD(a.main, &taskRef{h: h})
	a.handles[id] = weak.Make(ud)
	if len(a.handles) > 2*a.swept+64 {
		maps.DeleteFunc(a.handles, func(_ uint64, p weak.Pointer[glua.LUserData]) bool { return p.Value() == nil })
		a.swept = len(a.handles)
	}
	return ud
}

// luaTask is the Lua side of a running Lua task.
type luaTask struct {
	a      *Addon
	th     *glua.LState
	fn     *glua.LFunction // the task's function
	self   *sched.Self
	cancel context.CancelFunc // ends the thread's context: nil for trusted addons
	view   *glua.LUserData    // a scoped task's view of itself, else nil
	co     *glua.LState       // the Lua coroutine the task is parked in, if any (see parks)

	// While it is parked, its thread's call-stack table is lent (callstack.go).
	kept     [lentSegments]unsafe.Pointer // the segments the thread keeps meanwhile
	tableLen int                          // the lent table's length, 0 when not lent
	watched  bool                         // slice runs at each slice's start and end

	// The watchdog: kill fires KillAfter into each slice. mu orders its
	// callback (on a timer goroutine with the real clock) against the slice
	// ending, so a task is interrupted only while it runs.
	mu     sync.Mutex
	stop   func() // cancels the kill timer of the current slice
	active bool
	killed bool
}

// body is the sched.Body of a Lua task running fn.
func (a *Addon) body(fn *glua.LFunction) sched.Body {
	return func(self *sched.Self) (any, error) {
		if a.stopped != nil {
			return nil, a.stopped
		}
		lt := a.newTask()
		lt.fn, lt.self = fn, self
		a.h.running[self.ID()] = lt
		defer delete(a.h.running, self.ID())
		th := lt.th
		a.h.threads[th] = true
		defer delete(a.h.threads, th)
		th.Push(fn)
		if a.h.scoped[self.ID()] {
			delete(a.h.scoped, self.ID())
			lt.view = newTaskUD(th, &taskRef{self: self})
			th.Push(lt.view)
		} else {
			th.Push(a.handle(self.Handle())) // which keeps it alive while its function holds it
		}
		th.G.CurrentThread = th
		self.SetTraceback(lt.traceback)
		lt.watched = lt.cancel != nil && (a.h.cfg.KillAfter > 0 || a.mem.limit > 0)
		if lt.watched {
			lt.slice(true)
		}
		self.OnSlice(lt.onSlice)
		err := pcall(th, 1, glua.MultRet)
		lt.slice(false)
		switch {
		case a.mem.over != nil:
			delete(a.h.running, self.ID()) // measured without it
			over := *a.mem.over
			a.mem.settle()
			return nil, &over
		case lt.killed:
			return nil, &WatchdogError{After: a.h.cfg.KillAfter, Traceback: stackOf(err)}
		case self.State() == sched.Finished:
			return nil, nil // stopped: the stop's error stands; the thread is dropped
		case err != nil:
			th.SetTop(0)
			a.release(lt)
			le := luaError(err)
			if le, ok := le.(*LuaError); ok {
				le.addon = a
			}
			return nil, le
		}
		res := Results{Addon: a, Values: make([]glua.LValue, th.GetTop())}
		for i := range res.Values {
			res.Values[i] = th.Get(i + 1)
		}
		th.SetTop(0)
		a.release(lt)
		return res, nil
	}
}

// thread is a task thread and the function that cancels its context.
type thread struct {
	th     *glua.LState
	cancel context.CancelFunc
}

// newTask takes a thread from the pool or makes one. Threads of untrusted
// addons carry a context of their own (NewThread derives one from the
// addon's state), so the watchdog and stops can interrupt them.
func (a *Addon) newTask() *luaTask {
	var t thread
	if n := len(a.pool); n > 0 {
		t, a.pool = a.pool[n-1], a.pool[:n-1]
	} else {
		if a.base != nil {
			// A child of the base, whatever code runs on L now (a call's
			// context ends with the call), and never of a meter: the kill
			// timer cancels it on its own goroutine (see plain).
			saved := a.main.Context()
			a.main.SetContext(a.base)
			t.th, t.cancel = a.main.NewThread()
			a.main.SetContext(saved)
		} else {
			t.th, t.cancel = a.main.NewThread()
		}
		if t.cancel != nil {
			t.th.SetContext(a.metered(t.th.Context()))
		}
		// Dead to gopher-lua's coroutine library, which then never resumes
		// it, even when a script kept it (coroutine.running) after its task.
		t.th.Dead = true
	}
	return &luaTask{a: a, th: t.th, cancel: t.cancel}
}

// release returns a task's thread to the pool when it ended cleanly. Its
// context was not cancelled (a task stopped or killed drops its thread), so
// the next task on the thread keeps it.
func (a *Addon) release(lt *luaTask) {
	if len(a.pool) < 64 {
		a.pool = append(a.pool, thread{lt.th, lt.cancel})
	} else if lt.cancel != nil {
		lt.cancel()
	}
}

// slice starts the kill timer when a slice starts and stops it when the
// slice ends.
func (lt *luaTask) slice(start bool) {
	if start {
		lt.a.h.alloc.enter(&lt.a.mem)
	}
	if lt.a.h.cfg.KillAfter <= 0 {
		return
	}
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.active = start
	if lt.stop != nil {
		lt.stop()
		lt.stop = nil
	}
	if start {
		lt.stop = lt.a.h.cfg.AfterFunc(lt.a.h.cfg.KillAfter, lt.interrupt)
	}
}

func (lt *luaTask) interrupt() {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if lt.active {
		lt.killed = true
		lt.cancel()
	}
}

// stopped ends the thread's context of a task that was stopped, so that
// Lua code that catches the stop with pcall cannot go on, and has the
// stop's unwinding close the task's upvalues first (see unwinding). It is
// called as the task finishes, before its body unwinds.
func (lt *luaTask) stopped() {
	if lt.cancel != nil {
		lt.cancel()
	}
	lt.self.OnUnwind(lt.unwinding)
}

// unwinding closes the open upvalues of the Lua frames that a stop is about
// to unwind, from the innermost thread (the coroutine the task parked in,
// else its own thread) through the threads that resumed it to the task's
// own: closures the task made keep their variables, with the values they
// have at the stop.
//
// The stop unwinds the frames with a Go panic. gopher-lua's PCall (the
// task's, and every pcall's the panic passes through) recovers it and
// clears the registry above the call without closing the upvalues that
// point into it (gopher-lua closes them only where a Lua error is raised),
// so such a closure read a Go nil: "invalid memory address or nil pointer
// dereference". Raising the stop as a Lua error instead would close them
// on the innermost thread only, and not inside an xpcall, so this closing
// would be needed anyway; it would also change how the stop travels through
// pcall, coroutines and the scheduler. Closing them here leaves the
// unwinding as it was, and costs nothing until a stop. (A trusted task that
// swallows the stop with pcall and goes on writes its variables, not the
// closed copies, as after any error that gopher-lua's pcall catches.)
func (lt *luaTask) unwinding() {
	lt.returnTable() // a stop that found it parked: the closing runs Lua calls on it
	th := lt.co
	for ; th != nil && th != lt.th; th = th.Parent {
		closeUpvalues(th)
	}
	closeUpvalues(lt.th)
}

// closeUpvalues closes the open upvalues of th's Lua frames, through
// gopher-lua's own error path: a protected call on top of th's frames
// raises a Lua error, which closes them, and the call's recovery leaves the
// frames as they were. gopher-lua skips the closing while an xpcall's
// handler is set, a note that a protected call clears when it returns: the
// first call clears it.
func closeUpvalues(th *glua.LState) {
	th.GPCall(func(*glua.LState) int { return 0 }, glua.LNil)
	th.GPCall(raiseToClose, glua.LNil)
}

// raiseToClose raises a Lua error. Its Panic (what Error calls, which the
// protected call restores) raises it with a traceback already, so that the
// protected call does not make one, walking every frame.
func raiseToClose(L *glua.LState) int {
	L.Panic = func(*glua.LState) {
		panic(&glua.ApiError{Type: glua.ApiErrorRun, Object: glua.LNil, StackTrace: "closing upvalues"})
	}
	L.Error(glua.LNil, 0)
	return 0
}

// maxTraceback bounds the levels of a traceback: deeper stacks keep their
// first and last maxTraceback/2 levels.
const maxTraceback = 20

// traceback is the Lua stack of the parked task, in the form of gopher-lua's
// tracebacks, from the Breath or Wait that parked it. When it parked inside
// a Lua coroutine (the state's current thread, as the slice left it), the
// coroutine's levels come first, then the task thread's.
func (lt *luaTask) traceback() string {
	var levels []string
	if co := lt.th.G.CurrentThread; co != nil && co != lt.th {
		levels = stackLevels(co, levels)
	}
	levels = stackLevels(lt.th, levels)
	if len(levels) > maxTraceback {
		levels = append(append(levels[:maxTraceback/2:maxTraceback/2], "\t..."), levels[len(levels)-maxTraceback/2:]...)
	}
	return "stack traceback:\n" + strings.Join(levels, "\n")
}

// stackLevels appends a line per level of th's call stack to levels.
func stackLevels(th *glua.LState, levels []string) []string {
	for i := 0; ; i++ {
		dbg, ok := th.GetStack(i)
		if !ok {
			return levels
		}
		if _, err := th.GetInfo("nSl", dbg, glua.LNil); err != nil {
			return levels
		}
		if dbg.What == "G" && dbg.Name == guardName {
			continue // the concatenation guard, which stands for an instruction
		}
		where := "[G]:"
		if dbg.CurrentLine >= 0 {
			where = dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ":"
		}
		fn := "function '" + dbg.Name + "'"
		switch {
		case !namedCall(dbg.Name) && dbg.What == "G":
			fn = "function ?"
		case !namedCall(dbg.Name) && dbg.LineDefined == 0:
			fn = "main chunk"
		case !namedCall(dbg.Name):
			fn = "function <" + dbg.Source + ":" + strconv.Itoa(dbg.LineDefined) + ">"
		}
		levels = append(levels, "\t"+where+" in "+fn)
	}
}

// namedCall reports whether name, from gopher-lua's debug info, is the name
// a function was called by, rather than a placeholder such as "?", "main
// chunk" or "corountine" (sic) for the bottom level of a thread.
func namedCall(name string) bool {
	switch name {
	case "", "?", "main chunk", "corountine":
		return false
	}
	return name[0] != '(' && name[0] != '<'
}

// WatchdogError is the error of a Lua task interrupted by the watchdog.
type WatchdogError struct {
	After     time.Duration // the kill threshold
	Traceback string        // where the task was interrupted
}

func (e *WatchdogError) Error() string {
	return fmt.Sprintf("watchdog: a slice ran past %v without breathing", e.After)
}

// LuaError is the error of a Lua task that raised an error.
type LuaError struct {
	Message   string      // the error value, through tostring
	Traceback string      // the Lua stack where it was raised
	Value     glua.LValue // the error value itself, which Result raises again
	addon     *Addon      // whose Lua state Value belongs to, for a task's error
}

// Results are what a Lua task's function returned (its sched.Task's result):
// values of the Lua state of Addon. Result in another addon's code gets the
// nil, boolean, number and string values only: a table or function of one
// addon must not reach another.
type Results struct {
	Addon  *Addon
	Values []glua.LValue
}

func (e *LuaError) Error() string { return e.Message }

func luaError(err error) error {
	if ae, ok := err.(*glua.ApiError); ok {
		return &LuaError{Message: ae.Object.String(), Traceback: ae.StackTrace, Value: ae.Object}
	}
	return err
}

func stackOf(err error) string {
	if ae, ok := err.(*glua.ApiError); ok {
		return ae.StackTrace
	}
	return ""
}

// taskName names a Lua task after where its function is defined.
func taskName(fn *glua.LFunction) string {
	if fn.Proto == nil {
		return "function"
	}
	src := strings.TrimPrefix(fn.Proto.SourceName, "@")
	if i := strings.LastIndexAny(src, "/\\"); i >= 0 {
		src = src[i+1:]
	}
	return src + ":" + strconv.Itoa(fn.Proto.LineDefined)
}
