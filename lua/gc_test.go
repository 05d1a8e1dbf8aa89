package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
)

// A task whose every handle is dropped, and that was not abandoned, is
// stopped with "handle collected". gopher-lua has no __gc: what counts is
// whether the Go GC can still reach the handle's userdata, and a Lua state
// can hold a value longer than the script's scoping suggests (a register of
// a function still running, a slot above the stack top not yet cleared). So
// the scripts drop handles in chunks that have returned, or by setting the
// local of a parked task to nil, and never in the function that is running
// when collect is called. collect runs Lua's collectgarbage, then
// Scheduler.Collect twice: a stop can release the last reference to another
// handle (a parent's thread holding its child's), which only the second
// collection sees.

// newEnv's schedulers use WithManualCollect, so that no stop happens before
// collect, whenever the Go GC runs.

// collect forces the collection of dropped handles from the host.
func collect(e *env, a *lua.Addon) {
	e.t.Helper()
	e.run(a, `collectgarbage()`)
	for range 2 {
		e.s.Collect()
	}
}

// onFinished prints every task's end as "finished <name> <how> <err>".
const onFinished = `
	blTasks.OnFinished(function(t, how, err) print("finished", t:Name(), how, err) end)`

// idle is a task function that waits forever.
const idle = `function(self) while true do self:Wait(Wait.Frames(1000)) end end`

func TestGCStopsDroppedHandle(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{
			name: "started, in a local of the script",
			src:  `local h = Task.Create(` + idle + `):Start()`,
			want: []string{"finished\tA:1\tstopped\thandle collected"},
		},
		{
			name: "never started",
			src:  `local h = Task.Create(` + idle + `)`,
			want: []string{"finished\tA:1\tstopped\thandle collected"},
		},
		{
			name: "the task's self and Current() held by its own function",
			src: `
				Task.Create(function(self)
					local me, cur = self, Task.Current()
					mine = {self, cur} -- a view does not keep its task alive, wherever it is kept
					while true do me:Wait(Wait.Frames(1000)) end
				end):Start()`,
			want: []string{"finished\tA:2\tstopped\thandle collected"},
		},
		{
			name: "a parked task's local set to nil",
			src: `
				Task.Create(function(self)
					local child = Task.Create(` + idle + `):Start()
					self:Wait(Wait.Frame())
					child = nil
					self:Abandon() -- keep the parent alive; its child is not abandoned
					while true do self:Wait(Wait.Frames(1000)) end
				end):Start()`,
			want: []string{"finished\tA:3\tstopped\thandle collected"},
		},
		{
			name: "dropped with its children",
			src: `
				Task.Create(function(self)
					kid = Task.Create(` + idle + `):Start() -- a child kept in a table
					while true do self:Wait(Wait.Frames(1000)) end
				end):Start()`,
			want: []string{
				"finished\tA:2\tstopped\thandle collected",
				"finished\tA:3\tstopped\tParent finished.",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, onFinished)
				e.run(a, tc.src)
				e.frames(3)
				if len(e.out) != 0 {
					t.Fatalf("before collecting: %q", e.out)
				}
				collect(e, a)
				checkLines(t, e.out, tc.want)
				e.frames(2)
				checkLines(t, e.out, tc.want)
				e.checkNoErrors()
			})
		})
	}
}

func TestGCKeepsHeldHandle(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"abandoned", `local h = Task.Create(` + idle + `):Start() h:Abandon()`},
		{"in a global table", `keep = {} keep[1] = Task.Create(` + idle + `):Start()`},
		{"in a global", `kept = Task.Create(` + idle + `)`},
		{"in an upvalue of a global function", `
			local h = Task.Create(` + idle + `):Start()
			function get() return h end`},
		{"in a local of a parked task", `
			Task.Create(function(self)
				local child = Task.Create(` + idle + `):Start()
				self:Abandon()
				while true do self:Wait(Wait.Frames(1000)) end
			end):Start()`},
		{"waited for by another task", `
			local h = Task.Create(` + idle + `):Start()
			Task.Create(function(self) self:Abandon() self:Wait(Wait.Task(h)) end):Start()`},
		{"in a condition kept in a table", `
			conds = {Wait.Task(Task.Create(` + idle + `):Start())}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, onFinished)
				e.run(a, tc.src)
				e.frames(3)
				collect(e, a)
				e.frames(2)
				collect(e, a)
				checkLines(t, e.out, nil)
				if got := len(e.s.Snapshot()); got == 0 {
					t.Error("no task left")
				}
			})
		})
	}
}

// Dropping a handle later, after it was kept: set the global to nil.
func TestGCAfterRelease(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, onFinished)
		e.run(a, `keep = {Task.Create(`+idle+`):Start()}`)
		e.frames(2)
		collect(e, a)
		checkLines(t, e.out, nil)
		e.run(a, `keep = nil`)
		collect(e, a)
		checkLines(t, e.out, []string{"finished\tA:1\tstopped\thandle collected"})
	})
}
