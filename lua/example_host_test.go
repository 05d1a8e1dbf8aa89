package lua_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// A host binding: a Go function the addon's code calls, set on the addon's
// main state (State), as gopher-lua bindings are.
func ExampleAddon_State() {
	s := sched.New(sched.WithClock(clock.NewMock()))
	host := lua.NewHost(s, lua.Config{Print: func(addon, line string) { fmt.Printf("[%s] %s\n", addon, line) }})
	bags, _ := host.NewAddon("Bags", lua.AddonOptions{})
	L := bags.State()
	L.SetGlobal("slots", L.NewFunction(func(L *glua.LState) int {
		bag := L.CheckInt(1)
		L.Push(glua.LNumber(8 * bag))
		return 1
	}))
	if err := bags.DoString("Bags.lua", `print("bag 2 has " .. slots(2) .. " slots")`); err != nil {
		fmt.Println(err)
	}
	s.Close()
	host.Close()
	// Output:
	// [Bags] bag 2 has 16 slots
}

// With no Config.Print and no error handler, an addon's prints and its
// tasks' errors go to slog.Default, with the addon (owner), task and frame
// as attributes.
func Example_logging() {
	old := slog.Default()
	defer slog.SetDefault(old)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // for output that is the same on every run
			}
			return a
		},
	})))

	s := sched.New(sched.WithClock(clock.NewMock()))
	host := lua.NewHost(s, lua.Config{})
	bags, _ := host.NewAddon("Bags", lua.AddonOptions{})
	bags.DoString("Bags.lua", `
		print("loading")
		blTasks.Task.Create(function(self)
			error("no bag 9")
		end):Start()`)
	s.RunFrame()
	s.Close()
	host.Close()
	// Output:
	// level=INFO msg="addon print" addon=Bags line=loading
	// level=ERROR msg="task failed" owner=Bags task=Bags.lua:3 frame=1 err="Bags.lua:4: no bag 9"
}
