package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// A task every handle of which is unreferenced, and that was not abandoned,
// is stopped with "handle collected": a task never started, one whose
// function holds no handle of itself, one made with Scope. A task whose
// function holds its self runs to its end, as in blTasks. gopher-lua has
// no __gc: what counts is whether the Go GC can still reach the handle's
// userdata, and a Lua state can hold a value longer than the script's
// scoping suggests (a register of a function still running, a slot above
// the stack top not yet cleared). So the scripts drop handles in chunks
// that have returned, or by setting the local of a parked task to nil, and
// never in the function that is running when collect is called. collect
// runs Lua's collectgarbage, then Scheduler.Collect twice: a stop can
// release the last reference to another handle (a parent's thread holding
// its child's), which only the second collection sees.

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

// idle is a task function that waits forever, holding its self.
const idle = `function(self) while true do self:Wait(Wait.Frames(1000)) end end`

// selfless is a task function that waits forever without holding a handle
// of itself: it waits for the result of a task that never finishes.
const selfless = `function() forever:Result() end`

// foreverTask starts the task selfless waits for.
const foreverTask = `forever = Task.Create(` + idle + `):Start()`

func TestGCStopsDroppedHandle(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{
			name: "started, holding no handle of itself",
			src:  `local h = Task.Create(` + selfless + `):Start()`,
			want: []string{"finished\tA:1\tstopped\thandle collected"},
		},
		{
			name: "never started",
			src:  `local h = Task.Create(` + idle + `)`,
			want: []string{"finished\tA:1\tstopped\thandle collected"},
		},
		{
			name: "scoped: its self and Current() held by its own function",
			src: `
				Task.Create(function(self)
					local me, cur = self, Task.Current()
					mine = {self, cur} -- a scoped task's view does not keep it alive, wherever it is kept
					while true do me:Wait(Wait.Frames(1000)) end
				end):Scope():Start()`,
			want: []string{"finished\tA:2\tstopped\thandle collected"},
		},
		{
			name: "a parked task's local set to nil",
			src: `
				Task.Create(function(self)
					local child = Task.Create(` + selfless + `):Start()
					self:Wait(Wait.Frame())
					child = nil
					while true do self:Wait(Wait.Frames(1000)) end
				end):Start()`,
			want: []string{"finished\tA:3\tstopped\thandle collected"},
		},
		{
			name: "scoped, dropped with its children",
			src: `
				Task.Create(function(self)
					kid = Task.Create(` + idle + `):Start() -- a child kept in a table
					while true do self:Wait(Wait.Frames(1000)) end
				end):Scope():Start()`,
			want: []string{
				"finished\tA:3\tstopped\tParent finished.", // a child's event comes first
				"finished\tA:2\tstopped\thandle collected",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, onFinished)
				e.run(a, foreverTask)
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
		{"its function holds its self", `Task.Create(` + idle + `):Start()`},
		{"its function holds Current()", `Task.Create(function() local me = Task.Current() while true do me:Wait(Wait.Frames(1000)) end end):Start()`},
		{"a scoped task that holds its handle in an upvalue", `
			local h
			h = Task.Create(function() while true do h:Wait(Wait.Frames(1000)) end end):Scope():Start()`},
		{"abandoned", `local h = Task.Create(` + selfless + `):Start() h:Abandon()`},
		{"in a global table", `keep = {} keep[1] = Task.Create(` + selfless + `):Start()`},
		{"in a global", `kept = Task.Create(` + idle + `)`},
		{"in an upvalue of a global function", `
			local h = Task.Create(` + selfless + `):Start()
			function get() return h end`},
		{"in a local of a parked task", `
			Task.Create(function(self)
				local child = Task.Create(` + selfless + `):Start()
				while true do self:Wait(Wait.Frames(1000)) end
			end):Start()`},
		{"waited for by another task", `
			local h = Task.Create(` + selfless + `):Start()
			Task.Create(function(self) self:Wait(Wait.Task(h)) end):Start()`},
		{"in a condition kept in a table", `
			conds = {Wait.Task(Task.Create(` + selfless + `):Start())}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, onFinished)
				e.run(a, foreverTask)
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
		e.run(a, foreverTask)
		e.run(a, `keep = {Task.Create(`+selfless+`):Start()}`)
		e.frames(2)
		collect(e, a)
		checkLines(t, e.out, nil)
		e.run(a, `keep = nil`)
		collect(e, a)
		checkLines(t, e.out, []string{"finished\tA:1\tstopped\thandle collected"})
		if len(e.warns) != 1 || e.warns[0].Kind != sched.Collected || e.warns[0].Created != "A:1" {
			t.Errorf("warnings = %+v, want one Collected warning for the task created at A:1", e.warns)
		}
	})
}
