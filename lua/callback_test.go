package lua_test

import (
	"strings"
	"testing"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// Predicates are addon code that the scheduler runs on the addon's main Lua
// state, also inside a task's slice (when the task installs the wait, or
// when a task it waits for finishes in another task's slice). They are not
// the task's code: nothing in them may park or unwind a task. Result,
// Stop and Suspend of the running task, and Breath or Wait from a coroutine
// made there, raise an error naming the function.
func TestPredicateCannotPark(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "calls on the running task",
			src: `
				-- inco calls f in a coroutine and raises what try says of it
				function inco(f, ...)
					local args = {...}
					error(coroutine.wrap(function() return try(f, unpack(args)) end)(), 0)
				end
				X = Task.Create(function(self) self:Wait(Wait.Frames(3)) return "x" end):Start()
				P = Task.Create(function(self)
					local function check(what, f, ...) print(what, try(f, ...)) end
					self:Wait(Wait.Predicate(function()
						polls = (polls or 0) + 1
						if polls > 1 then return X:Finished() end
						check("Result", X.Result, X)
						check("Stop", self.Stop, self)
						check("Suspend", self.Suspend, self)
						check("Breath in a coroutine", inco, self.Breath, self)
						check("Wait in a coroutine", inco, self.Wait, self, Wait.Frame())
						check("Result in a coroutine", inco, X.Result, X)
						check("Current", function() assert(Task.Current() == nil, "a task") end)
						return false
					end))
					print("P goes on", frame(), X:Result())
				end):Start()`,
			frames: 6,
			after:  `print("after", P:Status(), X:Status(), try(error, "x", 0))`,
			want: []string{
				"Result\tResult: cannot wait outside a task's own code (in a predicate or handler)",
				"Stop\tStop: cannot stop the running task outside its own code (in a predicate or handler)",
				"Suspend\tSuspend: cannot suspend the running task outside its own code (in a predicate or handler)",
				"Breath in a coroutine\tBreath: cannot park the running task outside its own code (in a predicate or handler)",
				"Wait in a coroutine\tok", // the task waits from its next turn, as from outside
				"Result in a coroutine\tResult: cannot wait outside a task's own code (in a predicate or handler)",
				"Current\tok",
				"P goes on\t5\tx", // a frame more: the Wait from the coroutine
				"after\tfinished\tfinished\tx",
			},
		},
	})
}

// The leak of issue 11: a predicate that waited for a task's result parked
// the task that installed the wait on the addon's main state. Repeated, it
// left task goroutines behind after Close and live tasks that their owner
// did not count.
func TestPredicateResultLeak(t *testing.T) {
	bubble(t, func(t *testing.T) {
		before := len(leak.TaskGoroutines())
		e := newEnv(t, lua.Config{}, sched.WithTaskLimit(8))
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			X = Task.Create(function(self) self:Wait(Wait.Frames(1000)) return "x" end):Start()
			Task.Create(function(self)
				while true do
					for i = 1, 4 do
						local ok = pcall(function()
							Task.Create(function(t)
								t:Wait(Wait.Predicate(function() pcall(X.Result, X) return false end))
							end):Start()
						end)
					end
					self:Wait(Wait.Frame())
				end
			end):Start()`)
		e.frames(50)
		checkOwners(t, e.s)
		e.close()
		if after := leak.TaskGoroutines(); len(after) > before {
			t.Errorf("%d task goroutines after Close, %d before:\n%s", len(after), before, strings.Join(after, "\n\n"))
		}
	})
}

// checkOwners checks that every owner's live count is the number of its
// tasks that s lists, and that none is over limit.
func checkOwners(t testing.TB, s *sched.Scheduler) {
	t.Helper()
	n := map[string]int{}
	for h := range s.Tasks() {
		n[h.Owner()]++
	}
	for _, o := range s.Owners() {
		if o.Live != n[o.Name] {
			t.Errorf("owner %s: %d live, %d listed", o.Name, o.Live, n[o.Name])
		}
		delete(n, o.Name)
	}
	for name, k := range n {
		t.Errorf("owner %s: not in Owners, %d listed", name, k)
	}
}
