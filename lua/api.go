package lua

import (
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// installAPI makes the blTasks table: a global under the host's name and a
// module of the same name for require.
func (a *Addon) installAPI() {
	L := a.main
	mt := L.NewTypeMetatable(taskType)
	mt.RawSetString("__index", strictMethods(L, "Task", L.SetFuncs(L.NewTable(), a.taskMethods())))
	mt.RawSetString("__tostring", L.NewFunction(taskToString))
	mt.RawSetString("__eq", L.NewFunction(taskEq))
	cmt := L.NewTypeMetatable(condType)
	cmt.RawSetString("__add", L.NewFunction(condOr))
	cmt.RawSetString("__mul", L.NewFunction(condAnd))
	cmt.RawSetString("__tostring", L.NewFunction(condToString))
	cmt.RawSetString("__index", L.NewFunction(noMethod("Condition", nil)))

	api := L.NewTable()
	task := L.NewTable()
	L.SetFuncs(task, map[string]glua.LGFunction{"Create": a.create, "Current": a.current, "Join": a.taskJoin})
	api.RawSetString("Task", task)
	api.RawSetString("Async", a.asyncTable())
	api.RawSetString("Wait", a.waitTable())
	api.RawSetString("Signal", L.NewFunction(newSignal))
	api.RawSetString("OnFinished", L.NewFunction(a.onFinished))
	L.SetGlobal(a.h.cfg.Global, api)
	L.PreloadModule(a.h.cfg.Global, func(L *glua.LState) int {
		L.Push(api)
		return 1
	})
}

// create is Task.Create(fn [, owner]): a pending task. Its owner is the
// owner of the code calling it (sched.Scheduler.Acting: the running task's
// owner, the owner a host runs the code as, else this addon); an owner
// given as a string may be the addon's own name, or another addon's when
// the addon may impersonate (AddonOptions.Impersonate); another value is
// ignored, as in blTasks.
func (a *Addon) create(L *glua.LState) int {
	fn := CheckFunction(L, 1, "Task.Create")
	owner := a.h.s.Acting()
	if owner == "" {
		owner = a.name
	}
	if name, ok := L.Get(2).(glua.LString); ok {
		if string(name) != a.name && !a.opts.Impersonate {
			L.RaiseError("Task.Create: owner %q is not this addon (%s), and the addon may not impersonate others", string(name), a.name)
		}
		owner = string(name)
	}
	a.mem.charge(L, sizeThread) // its thread, once it runs
	h, err := a.h.s.Create(owner, taskName(fn), a.body(fn))
	if err != nil {
		raise(L, "Task.Create", err)
	}
	h.Scope() // its own references are Lua values: the collector sees them
	h.SetCreatedAt(callerPosition(L))
	if a.h.madeBy == nil {
		a.h.madeBy = map[uint64]*Addon{}
	}
	a.h.madeBy[h.ID()] = a
	L.Push(a.handle(h))
	return 1
}

// callerPosition is where the Lua code calling the running Go function
// stands: "file.lua:12", or "?" when a Go function called it.
func callerPosition(L *glua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("Sl", dbg, glua.LNil); err != nil || dbg.CurrentLine < 0 {
		return "?"
	}
	return strings.TrimPrefix(dbg.Source, "@") + ":" + strconv.Itoa(dbg.CurrentLine)
}

// current is Task.Current(): the running task's handle (its view, for a
// task made with Scope), or nil.
// Code that is not a task's own (see ownTask) runs in no task: nil.
func (a *Addon) current(L *glua.LState) int {
	lt := a.h.ownTask(L)
	switch {
	case lt == nil:
		L.Push(glua.LNil)
	case lt.view != nil && lt.a == a:
		L.Push(lt.view)
	default:
		L.Push(a.handle(a.h.s.Current().Handle()))
	}
	return 1
}

// taskScope is Scope(): the task stops ("handle collected") once no code
// holds its handle but the task itself: its function then receives a view
// of it that does not keep it alive (== to its handle, but not rawequal).
// Only a pending task can be scoped: a started one holds its handle already.
func (a *Addon) taskScope(L *glua.LState) int {
	r := checkTask(L, 1, "Scope")
	h := r.handle()
	switch {
	case h.Finished():
		L.RaiseError("Scope: task finished")
	case h.State() != sched.Pending:
		L.RaiseError("Scope: task already started (only a pending task can be scoped)")
	}
	if err := h.Scope(); err != nil {
		raise(L, "Scope", err)
	}
	a.h.scoped[h.ID()] = true
	L.Push(L.Get(1))
	return 1
}

func (a *Addon) taskMethods() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"Start":       a.taskStart,
		"Stop":        a.taskStop,
		"Wait":        a.taskWait,
		"Suspend":     a.taskSuspend,
		"Resume":      chain("Resume", (*sched.Task).Resume),
		"Abandon":     chain("Abandon", (*sched.Task).Abandon),
		"BreathShort": a.breath("BreathShort", (*sched.Self).BreathShort),
		"Breath":      a.breath("Breath", (*sched.Self).Breath),
		"BreathLong":  a.breath("BreathLong", (*sched.Self).BreathLong),
		"Finished":    taskFinished,
		"Result":      a.taskResult,
		"Status":      taskStatus,
		"Error":       a.taskError,
		"Owner":       func(L *glua.LState) int { L.Push(glua.LString(checkTask(L, 1, "Owner").handle().Owner())); return 1 },
		"Name":        func(L *glua.LState) int { L.Push(glua.LString(checkTask(L, 1, "Name").handle().Name())); return 1 },
		"ID":          func(L *glua.LState) int { L.Push(glua.LNumber(checkTask(L, 1, "ID").id())); return 1 },
		"Parent":      a.taskParent,
		"Children":    a.taskChildren,
		"Scope":       a.taskScope,
		"Stats":       taskStats,
		"Why":         taskWhy,
	}
}

func (a *Addon) taskStart(L *glua.LState) int {
	h := checkTask(L, 1, "Start").handle()
	a.h.mayControl(L, h, "Start")
	var err error
	if L.Get(2) == glua.LNil {
		err = h.Start()
	} else {
		err = h.StartWhen(checkCond(L, 2, "Start"))
	}
	if err != nil {
		raise(L, "Start", err)
	}
	L.Push(L.Get(1))
	return 1
}

// chain makes a method that calls f on the task and returns the task.
func chain(name string, f func(*sched.Task) error) glua.LGFunction {
	return func(L *glua.LState) int {
		if err := f(checkTask(L, 1, name).handle()); err != nil {
			raise(L, name, err)
		}
		L.Push(L.Get(1))
		return 1
	}
}

// parks runs f, which may park the running task, and then restores the
// Lua state's current thread to the caller's.
func parks(L *glua.LState, h *Host, f func()) {
	if L.Parent != nil { // a Lua coroutine: no other task may resume it while it is parked
		h.parked[L] = true
		lt := h.ownTask(L)
		if lt != nil {
			prev := lt.co
			lt.co = L // where a stop unwinds the task from (see luaTask.unwinding)
			defer func() { lt.co = prev }()
		}
		defer delete(h.parked, L)
	}
	f()
	L.G.CurrentThread = L
}

func (a *Addon) taskStop(L *glua.LState) int {
	h := checkTask(L, 1, "Stop").handle()
	msg := stopReasonArg(L, 2)
	if a.h.borrowed(L) && a.h.stopsRunning(h) {
		if h.Self() != nil {
			L.RaiseError("Stop: cannot stop the running task outside its own code (in a predicate or handler)")
		}
		L.RaiseError("Stop: cannot stop a parent of the running task outside its own code (in a predicate or handler)")
	}
	var err error
	parks(L, a.h, func() { err = h.Stop(msg) }) // stopping the running task does not return
	if err != nil {
		raise(L, "Stop", err)
	}
	L.Push(L.Get(1))
	return 1
}

func (a *Addon) taskSuspend(L *glua.LState) int {
	h := checkTask(L, 1, "Suspend").handle()
	if h.Self() != nil && a.h.borrowed(L) {
		L.RaiseError("Suspend: cannot suspend the running task outside its own code (in a predicate or handler)")
	}
	var err error
	parks(L, a.h, func() { err = h.Suspend() })
	if err != nil {
		raise(L, "Suspend", err)
	}
	L.Push(L.Get(1))
	return 1
}

// runningSelf is the task r refers to as the running task, or a Lua error
// saying why fn cannot be called on it. Code that is not the task's own
// (loading, handlers, predicates: see ownTask) cannot park the running
// task, even through its view.
func (h *Host) runningSelf(L *glua.LState, r *taskRef, fn string) *sched.Self {
	self := r.running()
	switch {
	case self != nil && h.ownTask(L) == nil:
		L.RaiseError("%s: cannot park the running task outside its own code (in a predicate or handler)", fn)
	case self == nil && r.handle().State() == sched.Waiting:
		L.RaiseError("%s: task is waiting", fn)
	case self == nil:
		L.RaiseError("%s: not the running task", fn)
	}
	return self
}

// breath makes a Breath method. Task loops call it more than anything else,
// so the common case (the task's own view, running) is checked inline, and
// the handle is returned where it already is, as the only value left.
func (a *Addon) breath(name string, f func(*sched.Self)) glua.LGFunction {
	return func(L *glua.LState) int {
		r := checkTask(L, 1, name)
		self := r.self // nil for a handle until running caches it
		if self == nil || !self.Running() || L.Parent != nil || L == L.G.MainThread {
			self = a.h.runningSelf(L, r, name)
			parks(L, a.h, func() { f(self) })
			L.SetTop(1)
			return 1
		}
		f(self)
		L.G.CurrentThread = L
		L.SetTop(1)
		return 1
	}
}

// taskWait is Wait(cond): the task's own code waits at once; other code
// (the addon's, another task's) makes the task wait from its next turn
// (sched.Task.Wait).
func (a *Addon) taskWait(L *glua.LState) int {
	r := checkTask(L, 1, "Wait")
	c := checkCond(L, 2, "Wait")
	var err error
	if self := r.running(); self != nil && a.h.ownTask(L) != nil {
		parks(L, a.h, func() { err = self.Wait(c) })
	} else {
		err = r.handle().Wait(c)
	}
	if err != nil {
		raise(L, "Wait", err)
	}
	L.Push(L.Get(1))
	return 1
}

func taskFinished(L *glua.LState) int {
	L.Push(glua.LBool(checkTask(L, 1, "Finished").handle().Finished()))
	return 1
}

// taskResult is Result(): the results of a finished task, or its error
// value raised as it is (see errValue); inside a task, an unfinished target
// is started if pending and waited for; outside any task it is blTasks'
// error "The task hasn't finished yet.", raised as it is too.
func (a *Addon) taskResult(L *glua.LState) int {
	h := checkTask(L, 1, "Result").handle()
	if !h.Finished() {
		cur := a.h.s.Current()
		switch {
		case cur != nil && a.h.ownTask(L) == nil:
			L.RaiseError("Result: cannot wait " + notOwnCode)
		case cur == nil:
			L.Error(glua.LString(notFinished), 0)
		case cur.ID() == h.ID():
			L.RaiseError("Result: a task can't get its own result")
		}
		a.h.mayControl(L, h, "Result") // it would start a pending task
		var err error
		parks(L, a.h, func() { _, err = cur.Result(h) })
		if err != nil && !h.Finished() {
			raise(L, "Result", err)
		}
	}
	if _, err := h.Result(); err != nil {
		L.Error(a.h.errValue(L, err), 0) // without a second position
	}
	return a.pushResults(L, "Result", h, true)
}

func taskStatus(L *glua.LState) int {
	h := checkTask(L, 1, "Status").handle()
	st := h.State().String()
	if h.Suspended() {
		st = "suspended"
	}
	L.Push(glua.LString(st))
	return 1
}

// taskError is Error(): nil, or the value Result raises.
func (a *Addon) taskError(L *glua.LState) int {
	h := checkTask(L, 1, "Error").handle()
	L.Push(a.h.errValue(L, h.Err()))
	return 1
}

func (a *Addon) taskParent(L *glua.LState) int {
	if p := checkTask(L, 1, "Parent").handle().Parent(); p != nil {
		L.Push(a.handle(p))
	} else {
		L.Push(glua.LNil)
	}
	return 1
}

func (a *Addon) taskChildren(L *glua.LState) int {
	t := L.NewTable()
	for _, c := range checkTask(L, 1, "Children").handle().Children() {
		t.Append(a.handle(c))
	}
	L.Push(t)
	return 1
}

func taskStats(L *glua.LState) int {
	st := checkTask(L, 1, "Stats").handle().Stats()
	t := L.NewTable()
	t.RawSetString("cpu", glua.LNumber(st.CPU.Seconds()))
	t.RawSetString("slices", glua.LNumber(st.Slices))
	t.RawSetString("longest", glua.LNumber(st.Longest.Seconds()))
	t.RawSetString("chunk", glua.LNumber(st.Chunk.Seconds()))
	L.Push(t)
	return 1
}

func taskWhy(L *glua.LState) int {
	if why := checkTask(L, 1, "Why").handle().Why(); why != "" {
		L.Push(glua.LString(why))
	} else {
		L.Push(glua.LNil)
	}
	return 1
}

func taskToString(L *glua.LState) int {
	r := checkTask(L, 1, "tostring")
	h := r.handle()
	L.Push(glua.LString("Task " + h.String() + " " + h.State().String()))
	return 1
}

func taskEq(L *glua.LState) int {
	L.Push(glua.LBool(checkTask(L, 1, "==").id() == checkTask(L, 2, "==").id()))
	return 1
}

// onFinished is blTasks.OnFinished(fn): fn(task, how, err) is called, as
// the addon, whenever one of its tasks finishes (one it owns, or one whose
// function is its own, made for another addon by impersonation); how is
// "returned", "failed" or "stopped", and err is nil or the value Result
// raises. It returns a function that cancels the subscription.
func (a *Addon) onFinished(L *glua.LState) int {
	fn := CheckFunction(L, 1, "OnFinished")
	a.onFinEv = append(a.onFinEv, fn)
	L.Push(L.NewFunction(func(L *glua.LState) int {
		for i, f := range a.onFinEv {
			if f == fn {
				a.onFinEv = append(a.onFinEv[:i:i], a.onFinEv[i+1:]...)
				break
			}
		}
		return 0
	}))
	return 1
}

// finished is the host's OnFinished subscription: it ends the Lua thread of
// a stopped Lua task at once, and calls the addons' handlers outside any
// task, as each addon's code.
func (h *Host) finished(e sched.FinishEvent) {
	if lt := h.running[e.Task.ID()]; lt != nil && e.How == sched.Stopped {
		lt.stopped()
	}
	delete(h.scoped, e.Task.ID())
	by := h.madeBy[e.Task.ID()]
	h.s.Outside(func() { // handlers are addon code, not code of the task that finished
		defer delete(h.madeBy, e.Task.ID())
		h.hooks++
		defer func() { h.hooks-- }()
		for _, a := range h.addons {
			if a != by && a.name != e.Task.Owner() {
				continue // another addon's task: not even its handle may reach a
			}
			if a.stopped != nil {
				continue // its stop, reported once, stops its tasks: not a line for each
			}
			for _, fn := range a.onFinEv {
				errv := h.errValue(a.main, e.Err)
				if err := a.Call(fn, a.handle(e.Task), glua.LString(e.How.String()), errv); err != nil {
					h.s.ReportError(a.name, "OnFinished handler", luaError(err))
				}
			}
		}
	})
}

// shareable reports whether a Lua value may pass from one addon's state to
// another's: values, not references.
func shareable(v glua.LValue) bool {
	switch v.(type) {
	case *glua.LNilType, glua.LBool, glua.LNumber, glua.LString:
		return true
	}
	return false
}
