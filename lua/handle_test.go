package lua_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// A task has one handle: what Create returned, its function's self,
// Task.Current(), Parent/Children and the finished event's handle are the
// same userdata.
func TestOneHandlePerTask(t *testing.T) {
	runCases(t, []luaCase{{
		name: "self, Current, Create's value and the finished event",
		src: `
			local names = {}
			local h
			blTasks.OnFinished(function(t) print("event", rawequal(t, h), names[t]) end)
			h = Task.Create(function(self)
				print("self", rawequal(self, h), rawequal(Task.Current(), h), names[self])
				local child = Task.Create(function(c) print("parent", rawequal(c:Parent(), self)) end):Start()
				print("children", rawequal(self:Children()[1], child))
				self:Wait(Wait.Frame())
			end)
			names[h] = "loader"
			h:Start()`,
		frames: 2,
		want: []string{
			"self\ttrue\ttrue\tloader",
			"children\ttrue",
			"parent\ttrue",
			"event\tfalse\tnil", // the child's
			"event\ttrue\tloader",
		},
	}, {
		name: "a scoped task sees a view of itself: equal, not the same",
		src: `
			local h
			h = Task.Create(function(self)
				print(self == h, rawequal(self, h), rawequal(Task.Current(), self))
			end):Scope():Start()`,
		frames: 1,
		want:   []string{"true\tfalse\ttrue"},
	}, {
		name: "Scope is for pending tasks",
		src: `
			local h = Task.Create(function(self) self:Wait(Wait.Frame()) end):Start()
			print(try(h.Scope, h))
			h:Stop()
			print(try(h.Scope, h))`,
		want: []string{
			"Scope: task already started (only a pending task can be scoped)",
			"Scope: task finished",
		},
	}})
}

// The README's Lua snippet, with the real clock and Go's collector run
// before every frame: the task, whose handle the script dropped, runs to
// its end.
func TestReadmeSnippetRealClockGC(t *testing.T) {
	s := sched.New(sched.WithBudget(time.Millisecond), sched.WithWarningHandler(func(w sched.Warning) {
		t.Errorf("warning: %s %s", w.Task, w.Message())
	}))
	var lines []string
	h := lua.NewHost(s, lua.Config{KillAfter: 10 * time.Second, Print: func(_, line string) { lines = append(lines, line) }})
	defer h.Close()
	defer s.Close()
	bags, err := h.NewAddon("Bags", lua.AddonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = bags.DoString("bags.lua", `
		local Task, Wait = blTasks.Task, blTasks.Wait
		local sum = 0
		local function index(i) sum = sum + i end
		Task.Create(function(self)
			for i = 1, 20000 do
				index(i)
				self:Breath()               -- go on, or continue next frame
			end
			self:Wait(Wait.Timespan(0.002) + Wait.Frames(3))  -- + is Or, * is And
			print("indexed", sum)
		end):Start()`)
	if err != nil {
		t.Fatal(err)
	}
	for frames := 0; len(lines) == 0 && frames < 100_000; frames++ {
		runtime.GC()
		s.RunFrame()
	}
	checkLines(t, lines, []string{"indexed\t200010000"})
}
