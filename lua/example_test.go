package lua_test

import (
	"fmt"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// A host runs an addon's script: a loader task spread over frames, and a
// task that waits for its result.
func Example() {
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(4*time.Millisecond))
	host := lua.NewHost(s, lua.Config{
		Print: func(addon, line string) { fmt.Printf("frame %d [%s] %s\n", s.Frame(), addon, line) },
	})
	bags, err := host.NewAddon("Bags", lua.AddonOptions{})
	if err != nil {
		panic(err)
	}
	err = bags.DoString("Bags.lua", `
		local Task, Wait = blTasks.Task, blTasks.Wait
		local loader = Task.Create(function(self)
			for bag = 1, 3 do
				print("indexing bag " .. bag)
				self:Wait(Wait.Frame())
			end
			return "3 bags"
		end):Start()
		Task.Create(function(self) -- holding its self, it runs to its end
			print("loaded " .. loader:Result())
		end):Start()`)
	if err != nil {
		panic(err)
	}
	for range 5 {
		s.RunFrame()
		clk.Add(16 * time.Millisecond)
	}
	s.Close()
	host.Close()
	// Output:
	// frame 1 [Bags] indexing bag 1
	// frame 2 [Bags] indexing bag 2
	// frame 3 [Bags] indexing bag 3
	// frame 4 [Bags] loaded 3 bags
}

// A host condition kind: addons wait for the host's events with
// Wait.Event(name).
func ExampleHost_RegisterCondition() {
	s := sched.New(sched.WithClock(clock.NewMock()))
	host := lua.NewHost(s, lua.Config{Print: func(_, line string) { fmt.Println(line) }})
	events := map[string]*waitcond.Signal{}
	event := func(name string) *waitcond.Signal {
		if events[name] == nil {
			events[name] = waitcond.NewSignal(name)
		}
		return events[name]
	}
	host.RegisterCondition("Event", func(L *glua.LState) *waitcond.Cond {
		return event(L.CheckString(1)).Cond()
	})
	ui, _ := host.NewAddon("UI", lua.AddonOptions{})
	ui.DoString("UI.lua", `
		blTasks.Task.Create(function(self)
			self:Wait(blTasks.Wait.Event("login"))
			print("welcome")
		end):Start()`)
	s.RunFrame()
	fmt.Println("logging in")
	event("login").Fire()
	s.RunFrame()
	s.Close()
	host.Close()
	// Output:
	// logging in
	// welcome
}
