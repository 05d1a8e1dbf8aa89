package runner

import (
	"slices"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// riftEvents is one addon's side of the RIFT preset's events:
// Event.blTasks.Task.Finished, with handlers attached through
// Command.Event.Attach and called as handler(event, task).
type riftEvents struct {
	p        *rift
	a        *lua.Addon
	finished *glua.LTable  // Event.blTasks.Task.Finished
	handlers []riftHandler // by priority, highest first, then in attach order
}

type riftHandler struct {
	fn       *glua.LFunction
	label    string
	priority float64
}

// installEvents makes the globals Event and Command of addon a. The event
// fires through blTasks.OnFinished, so handlers run as the addon.
func (p *rift) installEvents(a *lua.Addon) {
	L := a.State()
	ev := &riftEvents{p: p, a: a, finished: L.NewTable()}
	task := L.NewTable()
	task.RawSetString("Finished", ev.finished)
	blTasks := L.NewTable()
	blTasks.RawSetString("Task", task)
	event := L.NewTable()
	event.RawSetString("blTasks", blTasks)
	L.SetGlobal("Event", event)

	command := L.NewTable()
	command.RawSetString("Event", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Attach": ev.attach,
		"Detach": ev.detach,
	}))
	L.SetGlobal("Command", command)

	api := L.GetGlobal("blTasks").(*glua.LTable)
	L.CallByParam(glua.P{Fn: api.RawGetString("OnFinished")}, L.NewFunction(ev.fire))
}

// fire calls the handlers with (event, task), each error reported as the
// addon's.
func (ev *riftEvents) fire(L *glua.LState) int {
	task := L.Get(1)
	for _, h := range slices.Clone(ev.handlers) { // a handler may attach or detach
		if err := L.CallByParam(glua.P{Fn: h.fn, Protect: true}, ev.finished, task); err != nil {
			ev.p.r.errorLine(ev.a.Name(), err)
		}
	}
	return 0
}

// attach is Command.Event.Attach(event, handler, label [, priority]):
// higher priorities are called first.
func (ev *riftEvents) attach(L *glua.LState) int {
	const fn = "Command.Event.Attach"
	ev.checkEvent(L, fn)
	h := riftHandler{fn: lua.CheckFunction(L, 2, fn), label: lua.CheckString(L, 3, fn)}
	if L.Get(4) != glua.LNil {
		h.priority = float64(lua.CheckNumber(L, 4, fn))
	}
	i := len(ev.handlers)
	for i > 0 && ev.handlers[i-1].priority < h.priority {
		i--
	}
	ev.handlers = slices.Insert(ev.handlers, i, h)
	return 0
}

// detach is Command.Event.Detach(event [, handler [, label [, priority [,
// owner]]]]): it detaches the first handler that matches; nil matches
// anything.
func (ev *riftEvents) detach(L *glua.LState) int {
	const fn = "Command.Event.Detach"
	if L.Get(1) != glua.LNil {
		ev.checkEvent(L, fn)
	}
	match := func(h riftHandler) bool {
		if v := L.Get(2); v != glua.LNil && v != h.fn {
			return false
		}
		if L.Get(3) != glua.LNil && lua.CheckString(L, 3, fn) != h.label {
			return false
		}
		if L.Get(4) != glua.LNil && float64(lua.CheckNumber(L, 4, fn)) != h.priority {
			return false
		}
		return L.Get(5) == glua.LNil || lua.CheckString(L, 5, fn) == ev.a.Name()
	}
	if i := slices.IndexFunc(ev.handlers, match); i >= 0 {
		ev.handlers = slices.Delete(ev.handlers, i, i+1)
	}
	return 0
}

func (ev *riftEvents) checkEvent(L *glua.LState, fn string) {
	switch v := L.Get(1).(type) {
	case *glua.LTable:
		if v != ev.finished {
			lua.ArgError(L, 1, fn, "not an event of this host")
		}
	default:
		lua.TypeError(L, 1, fn, "event")
	}
}
