package runner

import (
	"slices"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// The RIFT preset's events. RIFT runs every addon in one Lua state; here
// each addon has its own, so an event is a Go value with a table in each
// addon's state (Event.System.Update.Begin...) and one list of handlers, in
// attach order, whatever addon attached them. A handler is called as
// handler(event, ...) on its own addon's state, event being that state's
// table, as the addon that attached it; its error is that addon's ERROR line
// and the other handlers still run.

// riftEvent is one event.
type riftEvent struct {
	path     []string // under Event: {"System", "Update", "Begin"}
	tables   map[*lua.Addon]*glua.LTable
	handlers []*riftHandler // by priority, highest first, then in attach order
}

// riftHandler is an attached handler: a Lua function of addon a, or the
// scheduler's frame (run).
type riftHandler struct {
	a        *lua.Addon
	fn       *glua.LFunction
	run      func()
	owner    string // the addon that attached it
	label    string
	priority float64
	seq      uint64 // the attach order
	detached bool
}

// riftSchedulerLabel labels the scheduler's frame, the first handler of
// Event.System.Update.Begin, attached by blTasks.
const riftSchedulerLabel = "blTasks.Update"

// installEvents makes the host's events: the frame's Begin and End, whose
// first handler is the scheduler's frame, and blTasks' Task.Finished, fired
// after every task that finishes (from outside any task) with its handle.
func (p *rift) installEvents() {
	p.begin = p.newEvent("System", "Update", "Begin")
	p.end = p.newEvent("System", "Update", "End")
	p.finished = p.newEvent("blTasks", "Task", "Finished")
	p.attach(p.begin, &riftHandler{run: p.r.schedulerFrame, owner: "blTasks", label: riftSchedulerLabel})
	p.r.s.OnFinished(func(e sched.FinishEvent) {
		// RIFT fires it to every addon, as all addons shared one Lua state:
		// each gets its own handle, read-only for another addon's task.
		p.r.s.Outside(func() {
			p.fire(nil, p.finished, func(a *lua.Addon) []glua.LValue {
				return []glua.LValue{a.Handle(e.Task)}
			})
		})
	})
}

// update is the frame's events: Begin, then End.
func (p *rift) update() {
	p.fire(nil, p.begin, nil)
	p.fire(nil, p.end, nil)
}

// newEvent makes the event Event.<path...> in every addon.
func (p *rift) newEvent(path ...string) *riftEvent {
	ev := &riftEvent{path: path, tables: map[*lua.Addon]*glua.LTable{}}
	p.events = append(p.events, ev)
	for _, a := range p.addons {
		p.eventTable(ev, a)
	}
	return ev
}

// eventTable makes ev's table in addon a's state, under the global Event;
// not when a script replaced a table on its way by something else.
func (p *rift) eventTable(ev *riftEvent, a *lua.Addon) {
	L := a.State()
	t, ok := L.GetGlobal("Event").(*glua.LTable)
	if !ok {
		return
	}
	for _, name := range ev.path {
		switch v := t.RawGetString(name).(type) {
		case *glua.LTable:
			t = v
		case *glua.LNilType:
			next := L.NewTable()
			t.RawSetString(name, next)
			t = next
		default:
			return
		}
	}
	ev.tables[a] = t
	p.byTable[t] = ev
}

// installAddonEvents gives addon a the global Event with every event, the
// global Command with Event.Attach and Event.Detach.
func (p *rift) installAddonEvents(a *lua.Addon) {
	L := a.State()
	L.SetGlobal("Event", L.NewTable())
	for _, ev := range p.events {
		p.eventTable(ev, a)
	}
	command := L.NewTable()
	command.RawSetString("Event", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Attach": func(L *glua.LState) int { return p.attachLua(L, a) },
		"Detach": p.detach,
	}))
	L.SetGlobal("Command", command)
}

// createEvent is Utility.Event.Create(addon, name), for code of addon a:
// it makes Event.<addon>.<name> in every addon and returns the function
// that fires it.
func (p *rift) createEvent(L *glua.LState, a *lua.Addon) int {
	const fn = "Utility.Event.Create"
	addon := checkAddon(L, 1, fn)
	name := lua.CheckString(L, 2, fn)
	path := append([]string{addon}, strings.Split(name, ".")...)
	if slices.Contains(path, "") {
		lua.ArgError(L, 2, fn, "an event's name expected, such as \"Task.Finished\"")
	}
	for _, ev := range p.events {
		if slices.Equal(ev.path, path) || isPrefix(ev.path, path) || isPrefix(path, ev.path) {
			L.RaiseError("%s: Event.%s exists", fn, strings.Join(ev.path, "."))
		}
	}
	ev := p.newEvent(path...)
	if ev.tables[a] == nil {
		L.RaiseError("%s: the global Event of %s is not the host's", fn, a.Name())
	}
	L.Push(L.NewFunction(func(L *glua.LState) int {
		args := make([]glua.LValue, L.GetTop())
		for i := range args {
			args[i] = L.Get(i + 1)
		}
		p.fire(L, ev, func(*lua.Addon) []glua.LValue { return args })
		return 0
	}))
	return 1
}

// isPrefix reports whether a is a proper prefix of b.
func isPrefix(a, b []string) bool { return len(a) < len(b) && slices.Equal(a, b[:len(a)]) }

// fire calls ev's handlers attached when it starts, in order, skipping
// those detached meanwhile; args gives the arguments after the event for
// a handler of an addon. L is the state of the Lua code firing it, nil
// from the frame loop.
func (p *rift) fire(L *glua.LState, ev *riftEvent, args func(*lua.Addon) []glua.LValue) {
	for _, h := range slices.Clone(ev.handlers) {
		if h.detached || h.a != nil && h.a.Err() != nil { // a stopped addon's: its stop was reported once
			continue
		}
		if h.run != nil {
			p.as(h.owner, h.run)
			continue
		}
		t := ev.tables[h.a]
		if t == nil {
			continue
		}
		vs := []glua.LValue{t}
		if args != nil {
			vs = append(vs, args(h.a)...)
		}
		p.call(L, h.a, h.owner, h.fn, vs)
	}
}

// call calls fn of addon a as owner's code, from the Lua code running on L
// (nil: none), and reports its error. Outside any task fn runs on the
// addon's state; inside a task, on L when fn is of the same state, which
// keeps a Breath inside fn a Breath of the task, else on a thread of its
// own, since a's state may be in the middle of a call that the task's
// parking would leave unfinished.
func (p *rift) call(L *glua.LState, a *lua.Addon, owner string, fn *glua.LFunction, args []glua.LValue) {
	var err error
	p.as(owner, func() {
		switch {
		case p.r.s.Current() == nil || L == nil:
			err = a.Call(fn, args...)
		case L.G == a.State().G:
			err = L.CallByParam(glua.P{Fn: fn, Protect: true}, args...)
		default: // under a's watchdog, which ends the thread's context
			err = a.Watch(func() error {
				th, cancel := a.State().NewThread()
				if cancel != nil {
					defer cancel()
				}
				return th.CallByParam(glua.P{Fn: fn, Protect: true}, args...)
			})
		}
	})
	p.report(L, owner, err)
}

// attachLua is Command.Event.Attach(event, handler, label [, priority]),
// for code of addon a: higher priorities are called first, equal ones in
// attach order.
func (p *rift) attachLua(L *glua.LState, a *lua.Addon) int {
	const fn = "Command.Event.Attach"
	ev := p.checkEvent(L, fn)
	h := &riftHandler{a: a, fn: lua.CheckFunction(L, 2, fn), owner: p.current(a), label: lua.CheckString(L, 3, fn)}
	if L.Get(4) != glua.LNil {
		h.priority = float64(lua.CheckNumber(L, 4, fn))
	}
	p.attach(ev, h)
	return 0
}

func (p *rift) attach(ev *riftEvent, h *riftHandler) {
	p.attached++
	h.seq = p.attached
	i := len(ev.handlers)
	for i > 0 && ev.handlers[i-1].priority < h.priority {
		i--
	}
	ev.handlers = slices.Insert(ev.handlers, i, h)
}

// detach is Command.Event.Detach(event [, handler [, label [, priority [,
// owner]]]]): it detaches the handler attached first of those that match,
// nil matching anything; owner is the addon that attached it.
func (p *rift) detach(L *glua.LState) int {
	const fn = "Command.Event.Detach"
	var ev *riftEvent
	if L.Get(1) != glua.LNil {
		ev = p.checkEvent(L, fn)
	}
	var (
		hfn      = L.Get(2)
		label    = L.Get(3)
		priority = L.Get(4)
		owner    = L.Get(5)
	)
	if hfn != glua.LNil {
		lua.CheckFunction(L, 2, fn)
	}
	if label != glua.LNil {
		lua.CheckString(L, 3, fn)
	}
	if priority != glua.LNil {
		lua.CheckNumber(L, 4, fn)
	}
	if owner != glua.LNil {
		lua.CheckString(L, 5, fn)
	}
	match := func(h *riftHandler) bool {
		return (hfn == glua.LNil || hfn == h.fn) &&
			(label == glua.LNil || string(label.(glua.LString)) == h.label) &&
			(priority == glua.LNil || float64(priority.(glua.LNumber)) == h.priority) &&
			(owner == glua.LNil || string(owner.(glua.LString)) == h.owner)
	}
	var from *riftEvent
	var found *riftHandler
	for _, e := range p.events {
		if ev != nil && e != ev {
			continue
		}
		for _, h := range e.handlers {
			if match(h) && (found == nil || h.seq < found.seq) {
				from, found = e, h
			}
		}
	}
	if found != nil {
		found.detached = true
		from.handlers = slices.DeleteFunc(from.handlers, func(h *riftHandler) bool { return h == found })
	}
	return 0
}

func (p *rift) checkEvent(L *glua.LState, fn string) *riftEvent {
	t, ok := L.Get(1).(*glua.LTable)
	if !ok {
		lua.TypeError(L, 1, fn, "event")
	}
	ev := p.byTable[t]
	if ev == nil {
		lua.ArgError(L, 1, fn, "not an event of this host")
	}
	return ev
}
