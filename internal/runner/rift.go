package runner

import (
	"fmt"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/waitcond"
)

// The RIFT preset (--host rift) gives each addon the parts of RIFT's addon
// API that blTasks code uses, so that it runs unchanged: the finished event
// through Command.Event, Inspect.Addon, Inspect.Time, Inspect.System.Watchdog,
// Inspect.Interaction, Inspect.Queue.Status, and the host conditions
// Wait.Interaction and Wait.Queue. Sim.SetWatchdog, Sim.SetInteraction and
// Sim.SetQueue play the game's part.

// The interactions and command queues RIFT's API names; other names are
// errors, as they are in blTasks.
var (
	riftInteractions = []string{"auction", "bank", "guildbank", "mail"}
	riftQueues       = []string{"auctionfullscan", "global"}
)

const (
	// riftHeadroom is the watchdog's headroom at the start of each frame
	// until a script calls Sim.SetWatchdog.
	riftHeadroom = 100 * time.Millisecond
	// riftWatchdogLimit is the least headroom with which a frame runs tasks.
	riftWatchdogLimit = 50 * time.Millisecond
	// riftQueueSlots is the free slots of each queue until Sim.SetQueue.
	riftQueueSlots = 1
)

// rift is the state of the game the preset simulates.
type rift struct {
	r            *run
	headroom     time.Duration
	interactions map[string]bool // by name: available
	queues       map[string]int  // by name: free slots
}

func newRift(r *run) *rift {
	p := &rift{r: r, headroom: riftHeadroom, interactions: map[string]bool{}, queues: map[string]int{}}
	for _, name := range riftInteractions {
		p.interactions[name] = false
	}
	for _, name := range riftQueues {
		p.queues[name] = riftQueueSlots
	}
	r.h.RegisterCondition("Interaction", p.waitInteraction)
	r.h.RegisterCondition("Queue", p.waitQueue)
	return p
}

// watchdog is the headroom left: what Sim.SetWatchdog set for the start of
// a frame, less the time the frame has taken so far.
func (p *rift) watchdog() time.Duration {
	return max(0, p.headroom-p.r.clk.Since(p.r.frameStart))
}

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
	size := 1
	if L.Get(2) != glua.LNil {
		size = checkCount(L, 2, "Wait.Queue", 1)
	}
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

// install gives addon a the preset's globals and Sim's game controls.
func (p *rift) install(a *lua.Addon) {
	L := a.State()
	sim := L.GetGlobal("Sim").(*glua.LTable)
	L.SetFuncs(sim, map[string]glua.LGFunction{
		"SetWatchdog": func(L *glua.LState) int {
			p.headroom = checkSeconds(L, 1, "Sim.SetWatchdog")
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
	p.installEvents(a)
}

// installInspect makes the global Inspect of addon a.
func (p *rift) installInspect(a *lua.Addon) {
	L := a.State()
	inspect := L.NewTable()
	L.SetField(inspect, "Addon", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Current": func(L *glua.LState) int {
			L.Push(glua.LString(a.Name()))
			return 1
		},
	}))
	L.SetField(inspect, "Time", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Real": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.r.clk.Since(p.r.start).Seconds()))
			return 1
		},
		"Frame": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.r.frameStart.Sub(p.r.start).Seconds()))
			return 1
		},
	}))
	L.SetField(inspect, "System", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"Watchdog": func(L *glua.LState) int {
			L.Push(glua.LNumber(p.watchdog().Seconds()))
			return 1
		},
	}))
	L.SetField(inspect, "Interaction", L.NewFunction(p.inspectInteraction))
	L.SetField(inspect, "Queue", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{"Status": p.inspectQueue}))
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

// inspectQueue is Inspect.Queue.Status([name [, size]]): false when the
// queue has fewer than size free slots (1 by default), else its free
// slots; or a table of every queue's.
func (p *rift) inspectQueue(L *glua.LState) int {
	status := func(name string, size int) glua.LValue {
		if free := p.queues[name]; free >= size {
			return glua.LNumber(free)
		}
		return glua.LFalse
	}
	if L.Get(1) != glua.LNil {
		name := p.queue(L, 1, "Inspect.Queue.Status")
		size := 1
		if L.Get(2) != glua.LNil {
			size = checkCount(L, 2, "Inspect.Queue.Status", 1)
		}
		L.Push(status(name, size))
		return 1
	}
	t := L.NewTable()
	for _, name := range riftQueues {
		t.RawSetString(name, status(name, 1))
	}
	L.Push(t)
	return 1
}
