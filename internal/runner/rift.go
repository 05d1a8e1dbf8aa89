package runner

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// The RIFT preset (--host rift) gives each addon the parts of RIFT's addon
// API that blTasks code uses, so that it runs unchanged and prints what it
// prints under the real blTasks; RIFT_HOST.md is its contract:
//
//	Inspect.Addon.Current()          the addon whose code runs now (see riftActing)
//	Inspect.Time.Real(), .Frame()    seconds of the run's clock; the frame number
//	Inspect.System.Watchdog()        100, or what Sim.SetWatchdog set (0.05 or less: no task runs; set by a task, the frame ends)
//	Inspect.Interaction([name])      auction, bank, guildbank, mail, trade → boolean
//	Inspect.Queue.Status([q[, n]])   global, chat, auctionfullscan → free slots >= n (1)
//	Inspect.Unit.Detail("player")    {name = "Tester"}
//	Utility.Dispatch(fn, addon, desc)  fn() as addon; an error is addon's ERROR line
//	Utility.Event.Create(addon, name)  Event.<addon>.<name> and the function firing it
//	Command.Event.Attach/Detach      handlers of Event.System.Update.Begin/End,
//	                                 Event.blTasks.Task.Finished and created events
//	Wait.Interaction(name), Wait.Queue(q[, n])  conditions on the above
//
// Sim.SetWatchdog, Sim.SetInteraction and Sim.SetQueue play the game's part.
// Each frame runs the Sim.OnFrame hooks, then Event.System.Update.Begin,
// whose first handler is the scheduler's frame, then
// Event.System.Update.End (events.go). Every ERROR line's message is
// Sim.Msg of the error; in a --virtual run os.time() is 1700000000 plus the
// whole seconds of Inspect.Time.Real().

// The interactions and command queues RIFT's API names; other names are
// errors, as they are in blTasks.
var (
	riftInteractions = []string{"auction", "bank", "guildbank", "mail", "trade"}
	riftQueues       = []string{"auctionfullscan", "chat", "global"}
)

const (
	// riftWatchdog is Inspect.System.Watchdog() until Sim.SetWatchdog.
	riftWatchdog = 100.0
	// riftWatchdogLimit: tasks run in a frame only when the watchdog is above it.
	riftWatchdogLimit = 0.05
	// riftQueueSlots is the free slots of each queue until Sim.SetQueue.
	riftQueueSlots = 1
	// riftEpoch is os.time() when a --virtual run starts.
	riftEpoch = 1700000000
	// riftAddon is the addon a single script runs as without --addon.
	riftAddon = "Scenario"
	// riftPlayer is the player's name, Inspect.Unit.Detail("player").name.
	riftPlayer = "Tester"
)

// rift is the state of the game the preset simulates.
type rift struct {
	r            *run
	addons       []*lua.Addon
	watchdog     float64
	interactions map[string]bool // by name: available
	queues       map[string]int  // by name: free slots
	acting       []*riftActing   // see current

	events   []*riftEvent                // in creation order
	byTable  map[*glua.LTable]*riftEvent // each addon's table of each event
	begin    *riftEvent                  // Event.System.Update.Begin
	end      *riftEvent                  // Event.System.Update.End
	finished *riftEvent                  // Event.blTasks.Task.Finished
	attached uint64                      // handlers attached so far: the attach order
}

// riftActing says that addon's code runs now, on behalf of task (nil:
// outside any task).
type riftActing struct {
	addon string
	task  *sched.Self
}

func newRift(r *run) *rift {
	p := &rift{r: r, watchdog: riftWatchdog, interactions: map[string]bool{}, queues: map[string]int{},
		byTable: map[*glua.LTable]*riftEvent{}}
	for _, name := range riftInteractions {
		p.interactions[name] = false
	}
	for _, name := range riftQueues {
		p.queues[name] = riftQueueSlots
	}
	r.h.RegisterCondition("Interaction", p.waitInteraction)
	r.h.RegisterCondition("Queue", p.waitQueue)
	p.installEvents()
	return p
}

// as runs f as addon's code: Inspect.Addon.Current() is addon inside f,
// except inside a task that f's code runs (a slice), where it is the
// task's owner.
func (p *rift) as(addon string, f func()) {
	e := &riftActing{addon: addon, task: p.r.s.Current()}
	p.acting = append(p.acting, e)
	defer func() {
		// Not always the last: a task may have parked inside f meanwhile.
		if i := slices.Index(p.acting, e); i >= 0 {
			p.acting = slices.Delete(p.acting, i, i+1)
		}
	}()
	if e.task == nil {
		// Outside any task, the scheduler also runs f as addon's code, so
		// that tasks it creates are addon's, as blTasks' default owner is
		// Inspect.Addon.Current(). (Inside a task f may park, across which
		// RunAs must not last.)
		p.r.s.RunAs(addon, f)
		return
	}
	f()
}

// current is Inspect.Addon.Current() for code of addon a: inside a task, the
// addon the task's own code last made current (Utility.Dispatch, a handler
// it fired), else the task's owner; outside any task, the addon made
// current last, else a.
func (p *rift) current(a *lua.Addon) string {
	cur := p.r.s.Current()
	for i := len(p.acting) - 1; i >= 0; i-- {
		if p.acting[i].task == cur {
			return p.acting[i].addon
		}
	}
	if cur != nil {
		return cur.Owner()
	}
	return a.Name()
}

// runsTasks reports whether tasks may run now: the watchdog is above its
// limit.
func (p *rift) runsTasks() bool { return p.watchdog > riftWatchdogLimit }

// waitInteraction is Wait.Interaction(name): met while the interaction is
// available.
func (p *rift) waitInteraction(L *glua.LState) *waitcond.Cond {
	name := p.interaction(L, 1, "Wait.Interaction")
	return waitcond.Predicate("Interaction "+name, func() bool { return p.interactions[name] })
}

// waitQueue is Wait.Queue(name [, size]): met while the queue has at least
// size free slots (1 by default).
func (p *rift) waitQueue(L *glua.LState) *waitcond.Cond {
	name := p.queue(L, 1, "Wait.Queue")
	size := optSize(L, 2, "Wait.Queue")
	return waitcond.Predicate(fmt.Sprintf("Queue %s %d", name, size), func() bool { return p.queues[name] >= size })
}

func (p *rift) interaction(L *glua.LState, n int, fn string) string {
	name := lua.CheckString(L, n, fn)
	if _, ok := p.interactions[name]; !ok {
		L.RaiseError("%s: no such interaction %q", fn, name)
	}
	return name
}

func (p *rift) queue(L *glua.LState, n int, fn string) string {
	name := lua.CheckString(L, n, fn)
	if _, ok := p.queues[name]; !ok {
		L.RaiseError("%s: no such queue %q", fn, name)
	}
	return name
}

// optSize is a queue's size argument: 1 when nil.
func optSize(L *glua.LState, n int, fn string) int {
	if L.Get(n) == glua.LNil {
		return 1
	}
	return checkCount(L, n, fn, 1)
}

// install gives addon a the preset's globals and Sim's game controls.
func (p *rift) install(a *lua.Addon) {
	p.addons = append(p.addons, a)
	L := a.State()
	sim := L.GetGlobal("Sim").(*glua.LTable)
	L.SetFuncs(sim, map[string]glua.LGFunction{
		"SetWatchdog": func(L *glua.LState) int {
			const fn = "Sim.SetWatchdog"
			if L.Get(1) == glua.LNil {
				p.watchdog = riftWatchdog
				return 0
			}
			v := float64(lua.CheckNumber(L, 1, fn))
			if !(v >= 0 && v <= maxSeconds) {
				lua.ArgError(L, 1, fn, "seconds, 0 or more, expected")
			}
			p.watchdog = v
			if !p.runsTasks() {
				p.r.s.EndFrame() // in a frame, no further task runs in it
			}
			return 0
		},
		"SetInteraction": func(L *glua.LState) int {
			p.interactions[p.interaction(L, 1, "Sim.SetInteraction")] = glua.LVAsBool(L.Get(2))
			return 0
		},
		"SetQueue": func(L *glua.LState) int {
			name := p.queue(L, 1, "Sim.SetQueue")
			p.queues[name] = checkCount(L, 2, "Sim.SetQueue", 0)
			return 0
		},
	})
	p.installInspect(a)
	p.installUtility(a)
	p.installAddonEvents(a)
}

// installInspect makes the global Inspect of addon a.
func (p *rift) installInspect(a *lua.Addon) {
	L := a.State()
	inspect := L.NewTable()
	L.SetField(inspect, "Addon", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Current": func(L *glua.LState) int {
			L.Push(glua.LString(p.current(a)))
			return 1
		},
	}))
	L.SetField(inspect, "Time", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Real": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.r.seconds()))
			return 1
		},
		"Frame": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.r.frame))
			return 1
		},
	}))
	L.SetField(inspect, "System", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Watchdog": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.watchdog))
			return 1
		},
	}))
	L.SetField(inspect, "Interaction", L.NewFunction(p.inspectInteraction))
	L.SetField(inspect, "Queue", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{"Status": p.inspectQueue}))
	L.SetField(inspect, "Unit", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{"Detail": inspectUnit}))
	L.SetGlobal("Inspect", inspect)
}

// inspectInteraction is Inspect.Interaction([name]): whether the
// interaction is available, or a table of every interaction's.
func (p *rift) inspectInteraction(L *glua.LState) int {
	if L.Get(1) != glua.LNil {
		L.Push(glua.LBool(p.interactions[p.interaction(L, 1, "Inspect.Interaction")]))
		return 1
	}
	t := L.NewTable()
	for _, name := range riftInteractions {
		t.RawSetString(name, glua.LBool(p.interactions[name]))
	}
	L.Push(t)
	return 1
}

// inspectQueue is Inspect.Queue.Status([name [, size]]): whether the queue
// has size free slots (1 by default), or a table of every queue's.
func (p *rift) inspectQueue(L *glua.LState) int {
	const fn = "Inspect.Queue.Status"
	if L.Get(1) != glua.LNil {
		name := p.queue(L, 1, fn)
		L.Push(glua.LBool(p.queues[name] >= optSize(L, 2, fn)))
		return 1
	}
	t := L.NewTable()
	for _, name := range riftQueues {
		t.RawSetString(name, glua.LBool(p.queues[name] >= 1))
	}
	L.Push(t)
	return 1
}

// inspectUnit is Inspect.Unit.Detail(unit): the player's details, nil for
// any other unit.
func inspectUnit(L *glua.LState) int {
	if lua.CheckString(L, 1, "Inspect.Unit.Detail") != "player" {
		L.Push(glua.LNil)
		return 1
	}
	t := L.NewTable()
	t.RawSetString("name", glua.LString(riftPlayer))
	L.Push(t)
	return 1
}

// installUtility makes the global Utility of addon a: Dispatch and
// Event.Create.
func (p *rift) installUtility(a *lua.Addon) {
	L := a.State()
	utility := L.NewTable()
	L.SetField(utility, "Dispatch", L.NewFunction(p.dispatch))
	L.SetField(utility, "Event", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Create": func(L *glua.LState) int { return p.createEvent(L, a) },
	}))
	L.SetGlobal("Utility", utility)
}

// dispatch is Utility.Dispatch(fn, addon [, description]): fn() as addon's
// code; its error is an ERROR line of addon's and is not raised again.
func (p *rift) dispatch(L *glua.LState) int {
	const name = "Utility.Dispatch"
	fn := lua.CheckFunction(L, 1, name)
	addon := checkAddon(L, 2, name)
	if L.Get(3) != glua.LNil {
		lua.CheckString(L, 3, name)
	}
	var err error
	p.as(addon, func() { err = L.CallByParam(glua.P{Fn: fn, Protect: true}) })
	p.report(L, addon, err)
	return 0
}

// report prints err, of addon's code called from L, as an ERROR line;
// unless the task running it was stopped or interrupted meanwhile: then it
// raises err again, so that the task's code does not go on.
func (p *rift) report(L *glua.LState, addon string, err error) {
	if err == nil {
		return
	}
	if cur := p.r.s.Current(); cur != nil && cur.State() == sched.Finished ||
		L != nil && L.Context() != nil && L.Context().Err() != nil {
		if ae, ok := err.(*glua.ApiError); ok {
			L.Error(ae.Object, 0)
		}
		L.RaiseError("%s", err.Error())
	}
	p.r.errorLine(addon, err)
}

// checkAddon is argument n, an addon's name.
func checkAddon(L *glua.LState, n int, fn string) string {
	name := lua.CheckString(L, n, fn)
	if name == "" {
		lua.ArgError(L, n, fn, "an addon's name expected, got an empty string")
	}
	return name
}

// tostring is tostring(err) of an error of addon's code: the Lua value it
// carries through tostring, with its __tostring metamethod called on a
// thread of addon's state (or of the first addon's), or else the error's
// message.
func (p *rift) tostring(addon string, err error) string {
	var v glua.LValue
	if ae, ok := errors.AsType[*glua.ApiError](err); ok {
		v = ae.Object
	} else if le, ok := errors.AsType[*lua.LuaError](err); ok && le.Value != nil {
		v = le.Value
	}
	if v == nil {
		return message(err)
	}
	i := slices.IndexFunc(p.addons, func(a *lua.Addon) bool { return a.Name() == addon })
	if i < 0 && len(p.addons) > 0 {
		i = 0
	}
	if i >= 0 {
		a := p.addons[i]
		L := a.State()
		if mm, ok := L.GetMetaField(v, "__tostring").(*glua.LFunction); ok {
			var s glua.LString
			var ok bool
			a.Watch(func() error { // the metamethod is addon code
				th, cancel := L.NewThread()
				if cancel != nil {
					defer cancel()
				}
				if th.CallByParam(glua.P{Fn: mm, NRet: 1, Protect: true}, v) == nil {
					s, ok = th.Get(-1).(glua.LString)
				}
				return nil
			})
			if ok {
				return strings.TrimRight(string(s), "\n")
			}
		}
	}
	return strings.TrimRight(v.String(), "\n")
}
