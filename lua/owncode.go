package lua

import (
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// A task's own code runs on its thread, or in a coroutine resumed from it.
// Predicates, finished-event handlers and host callbacks run on the addon's
// main state (Addon.Call), also inside a task's slice (a predicate is
// polled when its wait is installed, or when a task it waits for finishes
// in another task's slice): they are not a task's code, and nothing in them
// may park or unwind the running task, whose goroutine they borrow.

// notOwnCode ends the errors of calls refused there.
const notOwnCode = "outside a task's own code (in a predicate or handler)"

// ownTask is the running Lua task when code on L is its own, else nil.
func (h *Host) ownTask(L *glua.LState) *luaTask {
	cur := h.s.Current()
	if cur == nil {
		return nil
	}
	lt := h.running[cur.ID()]
	if lt == nil {
		return nil
	}
	for th := L; th != nil; th = th.Parent {
		if th == lt.th {
			return lt
		}
	}
	return nil
}

// borrowed reports whether code on L runs inside a task's slice without
// being the task's code: a predicate or a host callback there.
func (h *Host) borrowed(L *glua.LState) bool {
	return h.s.Current() != nil && h.ownTask(L) == nil
}

// stopsRunning reports whether stopping t would stop the running task: t is
// it, or a task it descends from.
func (h *Host) stopsRunning(t *sched.Task) bool {
	cur := h.s.Current()
	if cur == nil {
		return false
	}
	for p := cur.Handle(); p != nil; p = p.Parent() {
		if p.ID() == t.ID() {
			return true
		}
	}
	return false
}

// mayControl raises fn's error when the code running now (sched.Scheduler.
// Acting) may not control t: another addon's task is read-only, unless the
// acting addon may impersonate. The scheduler refuses the other controls
// itself (sched.ErrForeign); this covers Start and a Result that would
// start and wait for the task.
func (h *Host) mayControl(L *glua.LState, t *sched.Task, fn string) {
	acting := h.s.Acting()
	if acting == "" || acting == t.Owner() {
		return
	}
	if a := h.byName[acting]; a != nil && a.opts.Impersonate {
		return
	}
	L.RaiseError("%s: refused to code of owner %s", fn, acting)
}

// Handle is the addon's handle of t, the userdata its code gets for t
// everywhere, for a host's own bindings (an event that carries a task). A
// task of another owner is read-only to the addon's code: reading works,
// controlling it is refused.
func (a *Addon) Handle(t *sched.Task) glua.LValue { return a.handle(t) }
