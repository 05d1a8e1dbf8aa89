package showcase

import (
	"embed"
	"fmt"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// addon is one of the showcase's addons, in Go or in Lua.
type addon struct {
	name string
	lang string
	job  string // what it does, for the summary
	file string // a Lua addon's source under addons/
	load func(w *world, data []byte)
}

// addons are the showcase's addons, in the order every listing uses.
var addons = []addon{
	{name: "Codex", lang: "Go", job: "parses a 640 kB item database", load: loadCodex},
	{name: "Bags", lang: "Lua", job: "indexes the inventory", file: "bags.lua"},
	{name: "Atlas", lang: "Go", job: "finds paths on a 384x384 map", load: loadAtlas},
	{name: "Chatter", lang: "Lua", job: "a tiny task per chat message", file: "chatter.lua"},
	{name: "Auctioneer", lang: "Lua", job: "scans auctions, never breathes", file: "auctioneer.lua"},
	{name: "QuestLog", lang: "Lua", job: "its task fails on a bad quest", file: "questlog.lua"},
}

// addonIndex is the index of the addon named name in addons, or -1.
func addonIndex(name string) int {
	for i, a := range addons {
		if a.name == name {
			return i
		}
	}
	return -1
}

//go:embed addons/*.lua
var luaSources embed.FS

// install loads the addon into w.
func (a addon) install(w *world, data []byte) error {
	if a.load != nil {
		a.load(w, data)
		return nil
	}
	src, err := luaSources.ReadFile("addons/" + a.file)
	if err != nil {
		return err
	}
	la, err := w.lh.NewAddon(a.name, lua.AddonOptions{})
	if err != nil {
		return err
	}
	w.installSim(la)
	if err := la.DoString(a.file, string(src)); err != nil {
		return fmt.Errorf("%s: %w", a.file, err)
	}
	return nil
}

// installSim makes the global Sim of a Lua addon: the game's events and
// clock, and simulated work.
//
//	Sim.On(name, fn)   call fn(n, text) as the addon when the game's event name happens
//	Sim.Work(seconds)  simulated CPU work, charged to the running task
//	Sim.Frame()        the current frame number
//	Sim.Now()          simulated seconds since the run began
func (w *world) installSim(a *lua.Addon) {
	L := a.State()
	sim := L.NewTable()
	L.SetFuncs(sim, map[string]glua.LGFunction{
		"On": func(L *glua.LState) int {
			name, fn := L.CheckString(1), L.CheckFunction(2)
			w.on(name, func(ev event) {
				if a.Err() != nil {
					return // stopped: its stop was reported once
				}
				if err := a.Call(fn, glua.LNumber(ev.n), glua.LString(ev.text)); err != nil {
					w.s.ReportError(a.Name(), name+" handler", err)
				}
			})
			return 0
		},
		"Work": w.luaWork,
		"Frame": func(L *glua.LState) int {
			L.Push(glua.LNumber(w.frame))
			return 1
		},
		"Now": func(L *glua.LState) int {
			L.Push(glua.LNumber(w.now().Seconds()))
			return 1
		},
	})
	L.SetGlobal("Sim", sim)
}

// luaWork is Sim.Work(seconds). The Lua watchdog's timer runs on the
// virtual clock (vclock.Clock.AfterVirtual), so a slice that works past the
// threshold is interrupted in the Add that crosses it, at the same point on
// every run: Lua raises at the task's next instruction.
func (w *world) luaWork(L *glua.LState) int {
	secs := float64(L.CheckNumber(1))
	if !(secs >= 0 && secs <= 3600) {
		L.ArgError(1, "seconds, 0 to 3600, expected")
	}
	w.work(time.Duration(secs * float64(time.Second)))
	return 0
}

// print is a line a Go addon prints.
func (w *world) print(owner, task, format string, args ...any) {
	w.mon.Print(owner, task, fmt.Sprintf(format, args...))
}
