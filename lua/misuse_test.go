package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
)

// Misuse raises a Lua error naming the function and the problem; the
// scheduler goes on as if the call had not been made.

func TestMisuseMessages(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "lifecycle misuse outside any task",
			src: `
				local idle = function(self) self:Wait(Wait.Frames(100)) end
				local p = Task.Create(idle)
				print(try(p.Abandon, p))
				print(try(p.Suspend, p))
				print(try(p.Resume, p))
				print(try(p.Wait, p, Wait.Frame()))
				print(try(p.Breath, p))
				local h = Task.Create(idle):Start()
				print(try(h.Start, h))
				print(try(h.Resume, h))
				h:Suspend()
				print(try(h.Suspend, h))
				print(try(h.Abandon, h))
				h:Resume()
				print(try(h.Wait, h, Wait.Frame())) -- from outside: it waits from its next turn
				print(h:Status(), h:Why())
				print(try(h.Breath, h))
				print(try(h.BreathShort, h))
				print(try(h.BreathLong, h))
				h:Stop()
				print(try(h.Stop, h))
				print(try(h.Start, h))
				print(try(h.Suspend, h))
				print(try(h.Resume, h))
				print(try(h.Abandon, h))
				print(try(h.Wait, h, Wait.Frame()))
				print(try(h.Breath, h))
				print(h:Status(), h:Error())`,
			want: []string{
				"Abandon: task not started",
				"Suspend: task not started",
				"Resume: task not suspended",
				"Wait: task not started",
				"Breath: not the running task",
				"Start: task already started",
				"Resume: task not suspended",
				"Suspend: task is suspended",
				"Abandon: task is suspended",
				"ok",
				"waiting\tFrame 1 [1 frames left]",
				"Breath: task is waiting",
				"BreathShort: task is waiting",
				"BreathLong: task is waiting",
				"Stop: task already finished",
				"Start: task already finished",
				"Suspend: task already finished",
				"Resume: task already finished",
				"Abandon: task already finished",
				"Wait: task already finished",
				"Breath: not the running task",
				"finished\tTask stopped.",
			},
		},
		{
			name: "lifecycle misuse from another task",
			src: `
				waiter = Task.Create(function(self) self:Wait(Wait.Frames(100)) end):Start()
				runner = Task.Create(function(self) while true do self:Wait(Wait.Frame()) end end):Start()
				Task.Create(function(self)
					print(try(waiter.Wait, waiter, Wait.Frame()))
					print(try(waiter.Breath, waiter))
					print(try(runner.Breath, runner))
					print(try(runner.Wait, runner, Wait.Frame()))
					print(waiter:Status(), runner:Status(), self:Status())
				end):Start()`,
			frames: 1,
			want: []string{
				"ok", // waiter waits a frame more once its wait is met
				"Breath: task is waiting",
				"Breath: task is waiting",
				"ok",
				"waiting\twaiting\tactive",
			},
		},
		{
			name: "Breath of a finished task from a later task",
			src: `
				first = Task.Create(function(self) saved = self end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Task(first))
					print(try(saved.Breath, saved))
					print(try(saved.Wait, saved, Wait.Frame()))
					print(try(saved.Stop, saved))
				end):Start()`,
			frames: 2,
			want: []string{
				"Breath: not the running task",
				"Wait: task already finished",
				"Stop: task already finished",
			},
		},
		{
			name: "deadlocks are refused and the task goes on",
			src: `
				Task.Create(function(self)
					print(try(self.Wait, self, Wait.Task(self)))
					print(try(self.Wait, self, Wait.And(Wait.Frames(1), Wait.Task(self))))
					self:Wait(Wait.Or(Wait.Frames(1), Wait.Task(self))) -- Or has a way out: no deadlock
					print("goes on", self:Status())
				end):Start()
				local a, b
				a = Task.Create(function(self) self:Wait(Wait.Task(b)) end)
				b = Task.Create(function(self)
					print(try(self.Wait, self, Wait.Task(a)))
					print(try(a.Result, a))
					a:Stop()
				end)
				a:Start()
				b:Start()`,
			frames: 2,
			want: []string{
				`Wait: deadlock: "A:2" (owner A) waits for "A:2"`,
				`Wait: deadlock: "A:2" (owner A) waits for "A:2"`,
				`Wait: deadlock: "A:10" (owner A) waits for "A:9" (owner A) which waits for "A:10"`,
				`Result: deadlock: "A:10" (owner A) waits for "A:9" (owner A) which waits for "A:10"`,
				"goes on\tactive",
			},
		},
	})
}

func TestBadArguments(t *testing.T) {
	runCases(t, []luaCase{{
		name: "every function checks its arguments",
		src: `
			local h = Task.Create(function() end)
			local c = Wait.Frame()
			local sig = blTasks.Signal("s")
			for _, f in ipairs({
				function() Task.Create(5) end,
				function() Task.Create() end,
				function() Task.Create(function() end, {}) end,
				function() Task.Create(function() end, "OtherAddon") end,
				function() h.Start(5) end,
				function() h:Start("x") end,
				function() h:Start(h) end,
				function() Task.Create(print):Stop({}) end, -- the default reason, as in blTasks
				function() h.Stop() end,
				function() h:Wait(nil) end,
				function() h:Wait(5) end,
				function() h.Suspend("x") end,
				function() h.Resume(nil) end,
				function() h.Abandon(c) end,
				function() h.Breath(c) end,
				function() h.BreathShort(sig) end,
				function() h.BreathLong(1) end,
				function() h.Finished({}) end,
				function() h.Result(false) end,
				function() h.Status() end,
				function() h.Error(1) end,
				function() h.Owner(1) end,
				function() h.Name(1) end,
				function() h.Parent(1) end,
				function() h.Children(1) end,
				function() h.Stats(1) end,
				function() h.Why(1) end,
				function() Wait.And() end,
				function() Wait.And(c, 5) end,
				function() Wait.Or() end,
				function() Wait.Or("c") end,
				function() Wait.Task(5) end,
				function() Wait.Task(c) end,
				function() Wait.Frames(1.5) end,
				function() Wait.Frames(-1) end,
				function() Wait.Frames("2") end,
				function() Wait.Timespan(-1) end,
				function() Wait.Timespan(0/0) end,
				function() Wait.Timespan() end,
				function() Wait.Timestamp("noon") end,
				function() Wait.Timestamp(0/0) end,
				function() Wait.Signal("s") end,
				function() Wait.Signal() end,
				function() Wait.Predicate(5) end,
				function() Wait.Predicate(function() end, {}) end,
				function() return c + 5 end,
				function() return 5 * c end,
				function() return c + h end,
				function() blTasks.Signal({}) end,
				function() sig.Fire(5) end,
				function() sig.Cond(h) end,
				function() sig.Name() end,
				function() blTasks.OnFinished(5) end,
				function() blTasks.OnFinished() end,
				function() return h == c end,
			}) do
				print(try(f))
			end
			print(h:Status())`,
		want: []string{
			"Task.Create: bad argument #1 (function expected, got number)",
			"Task.Create: bad argument #1 (function expected, got no value)",
			"ok", // an owner that is not a string is ignored, as in blTasks
			`Task.Create: owner "OtherAddon" is not this addon (A), and the addon may not impersonate others`,
			"Start: bad argument #1 (task expected, got number)",
			"Start: bad argument #2 (condition expected, got string)",
			"Start: bad argument #2 (condition expected, got userdata)",
			"ok",
			"Stop: bad argument #1 (task expected, got no value)",
			"Wait: bad argument #2 (condition expected, got nil)",
			"Wait: bad argument #2 (condition expected, got number)",
			"Suspend: bad argument #1 (task expected, got string)",
			"Resume: bad argument #1 (task expected, got nil)",
			"Abandon: bad argument #1 (task expected, got userdata)",
			"Breath: bad argument #1 (task expected, got userdata)",
			"BreathShort: bad argument #1 (task expected, got userdata)",
			"BreathLong: bad argument #1 (task expected, got number)",
			"Finished: bad argument #1 (task expected, got table)",
			"Result: bad argument #1 (task expected, got boolean)",
			"Status: bad argument #1 (task expected, got no value)",
			"Error: bad argument #1 (task expected, got number)",
			"Owner: bad argument #1 (task expected, got number)",
			"Name: bad argument #1 (task expected, got number)",
			"Parent: bad argument #1 (task expected, got number)",
			"Children: bad argument #1 (task expected, got number)",
			"Stats: bad argument #1 (task expected, got number)",
			"Why: bad argument #1 (task expected, got number)",
			"Wait.And: bad argument #1 (condition expected, got no value)",
			"Wait.And: bad argument #2 (condition expected, got number)",
			"Wait.Or: bad argument #1 (condition expected, got no value)",
			"Wait.Or: bad argument #1 (condition expected, got string)",
			"Wait.Task: bad argument #1 (task expected, got number)",
			"Wait.Task: bad argument #1 (task expected, got userdata)",
			"Wait.Frames: bad argument #1 (a whole number of frames, 0 or more, expected)",
			"Wait.Frames: bad argument #1 (a whole number of frames, 0 or more, expected)",
			"Wait.Frames: bad argument #1 (number expected, got string)",
			"Wait.Timespan: bad argument #1 (seconds, 0 or more, expected)",
			"Wait.Timespan: bad argument #1 (seconds, 0 or more, expected)",
			"Wait.Timespan: bad argument #1 (number expected, got no value)",
			"Wait.Timestamp: bad argument #1 (number expected, got string)",
			"Wait.Timestamp: bad argument #1 (seconds since the epoch expected)",
			"Wait.Signal: bad argument #1 (signal expected, got string)",
			"Wait.Signal: bad argument #1 (signal expected, got no value)",
			"Wait.Predicate: bad argument #1 (function expected, got number)",
			"Wait.Predicate: bad argument #2 (string expected, got table)",
			"+: bad argument #2 (condition expected, got number)",
			"*: bad argument #1 (condition expected, got number)",
			"+: bad argument #2 (condition expected, got userdata)",
			"Signal: bad argument #1 (string expected, got table)",
			"Fire: bad argument #1 (signal expected, got number)",
			"Cond: bad argument #1 (signal expected, got userdata)",
			"Name: bad argument #1 (signal expected, got no value)",
			"OnFinished: bad argument #1 (function expected, got number)",
			"OnFinished: bad argument #1 (function expected, got no value)",
			"ok",
			"pending",
		},
	}})
}

// Handles of another addon's tasks are read-only. An addon sees them in its
// finished events: here B's task P has a child C; when C finishes, A's
// handler gets C and, through C:Parent(), P, alive. C finishes either from
// the host (outside any task) or by returning (inside C's own slice); either
// way A's handler is A's code and must not control B's task.
func TestForeignTaskRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    string // C's function
	}{
		{"finished event outside any task", `function(self) self:Wait(Wait.Frames(100)) end`},
		{"finished event inside B's task", `function() return "c" end`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				b := e.addon("B", lua.AddonOptions{})
				e.run(a, `
					onAnyFinished(function(t)
						local p = t:Parent()
						if t:Owner() ~= "B" or not p then return end
						print("B's task", p:Name(), p:Owner(), p:Status(), p:Finished())
						print(try(p.Stop, p))
						print(try(p.Suspend, p))
						print(try(p.Resume, p))
						print(try(p.Abandon, p))
						print(try(p.Start, p))
						print(try(p.Breath, p))
						print(try(p.Wait, p, Wait.Frame()))
						print(try(p.Result, p))
					end)`)
				e.run(b, `
					P = Task.Create(function(self)
						Task.Create(`+tc.c+`):Start()
						self:Wait(Wait.Frames(5))
						print("P done", frame())
					end):Start()`)
				e.frames(2)
				for h := range e.s.Tasks() {
					if h.Name() == "B:3" {
						h.Stop("by the host")
					}
				}
				e.frames(5)
				checkLines(t, e.who, []string{
					"A: B's task\tB:2\tB\twaiting\tfalse",
					"A: Stop: refused to code of owner A",
					"A: Suspend: refused to code of owner A",
					"A: Resume: refused to code of owner A",
					"A: Abandon: refused to code of owner A",
					"A: Start: refused to code of owner A",
					"A: Breath: task is waiting",
					"A: Wait: refused to code of owner A",
					"A: The task hasn't finished yet.",
					"B: P done\t6",
				})
				e.checkNoErrors()
			})
		})
	}
}

// Predicates and finished-event handlers are addon code that the scheduler
// runs on the addon's main Lua state, outside the task's thread (the first
// poll of a predicate happens inside the task's own Wait). Parking a task
// there would leave the main state's call stack in the middle of a call
// while other code uses it: a Wait or Breath there must raise an error, and
// several tasks doing it must not corrupt anything.
func TestParkInAddonCallback(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "predicate",
			src: `
				for i = 1, 3 do
					Task.Create(function(self)
						local n = 0
						self:Wait(Wait.Predicate(function()
							n = n + 1
							-- Wait from outside the task's code: it does not park,
							-- the task waits a frame more once this wait is met
							local r = try(self.Wait, self, Wait.Frame())
							if r ~= "ok" then print("Wait in a predicate", i, n, r) end
							return n >= 2
						end))
						print("done", i, frame())
					end):Start()
				end`,
			frames: 4,
			after:  `print("after", try(error, "x", 0))`,
			want:   []string{"done\t1\t3", "done\t2\t3", "done\t3\t3", "after\tx"},
		},
		{
			name: "OnFinished handler waiting on the task that finished",
			src: `
				blTasks.OnFinished(function(t, how)
					print("handler", t:Name(), how, try(t.Wait, t, Wait.Frame()), try(t.Breath, t), t:Status())
				end)
				h = Task.Create(function() end):Start()`,
			frames: 3,
			after:  `print(h:Status())`,
			want: []string{
				"handler\tA:5\treturned\tWait: task already finished\tBreath: not the running task\tfinished",
				"finished",
			},
		},
		{
			name: "OnFinished handler",
			src: `
				blTasks.OnFinished(function(t, how)
					local cur = Task.Current()
					if cur and try(cur.Wait, cur, Wait.Frame()) == "ok" then print("Wait parked in a handler", t:Name(), how) end
				end)
				for i = 1, 3 do
					local v = Task.Create(function(self) self:Wait(Wait.Frames(10)) end):Start()
					Task.Create(function(self)
						v:Stop()
						print("stopper goes on", i, frame())
					end):Start()
				end`,
			frames: 3,
			after:  `print("after", try(error, "x", 0))`,
			want: []string{
				"stopper goes on\t1\t1",
				"stopper goes on\t2\t1",
				"stopper goes on\t3\t1",
				"after\tx",
			},
		},
	})
}

// A finished-event handler is the addon's code outside any task (Addon.Call),
// even when the task finished inside its own slice: Task.Current() is nil,
// a task it starts is an orphan and runs, and stopping a task does not
// unwind the handler.
func TestOnFinishedHandlerOutsideTasks(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "Current and starting tasks",
			src: `
				n = 0
				blTasks.OnFinished(function(t, how)
					n = n + 1
					if n > 3 then return end
					print("handler", n, t:Name(), Task.Current())
					local h = Task.Create(function() print("started by the handler") end)
					print(try(h.Start, h), h:Parent())
				end)
				Task.Create(function() end):Start()`,
			frames: 4,
			want: []string{
				"handler\t1\tA:10\tnil",
				"ok\tnil",
				"started by the handler",
				"handler\t2\tA:7\tnil",
				"ok\tnil",
				"started by the handler",
				"handler\t3\tA:7\tnil",
				"ok\tnil",
				"started by the handler",
			},
		},
		{
			name: "stopping the finished task's parent",
			src: `
				blTasks.OnFinished(function(t, how)
					local p = t:Parent()
					if p then print("handler", t:Name(), how, try(p.Stop, p, "from handler")) end
				end)
				P = Task.Create(function(self)
					Task.Create(function() return 1 end):Start()
					self:Wait(Wait.Frames(3))
					print("not reached")
				end):Start()`,
			frames: 5,
			after:  `print(P:Status(), P:Error())`,
			want: []string{
				"handler\tA:7\treturned\tok",
				"finished\tfrom handler",
			},
		},
	})
}
