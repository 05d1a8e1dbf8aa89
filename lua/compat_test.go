package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
)

// Behaviours of blTasks that addon code relies on (issue 10), and attacks
// on each of them.

func TestYieldAtTaskLevel(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "yield gives the rest of the turn to the other tasks",
			src: `
				Task.Create(function(self)
					for i = 1, 3 do
						print("a", i, frame())
						print("a yield returns", select("#", coroutine.yield(1, 2, 3)))
					end
					work(0.009) -- the frame is spent: back in the next one
					coroutine.yield()
					print("a end", frame(), self:Status())
				end):Start()
				Task.Create(function(self)
					for i = 1, 2 do
						print("b", i, frame())
						coroutine.yield()
					end
				end):Start()`,
			frames: 3,
			want: []string{
				"a\t1\t1", "b\t1\t1", "a yield returns\t0", "a\t2\t1", "b\t2\t1",
				"a yield returns\t0", "a\t3\t1", "a yield returns\t0", "a end\t2\tactive",
			},
		},
		{
			name: "inside pcall, and inside a coroutine the task made",
			src: `
				Task.Create(function(self)
					print(pcall(coroutine.yield))
					local co = coroutine.create(function(x)
						local y = coroutine.yield(x + 1)
						return y * 2
					end)
					print(coroutine.resume(co, 1))
					print(coroutine.resume(co, 5))
					print(coroutine.status(co), frame())
				end):Start()`,
			frames: 2,
			want:   []string{"true", "true\t2", "true\t10", "dead\t1"},
		},
		{
			name: "coroutine.running at the task's level",
			src: `
				Task.Create(function(self)
					local th = coroutine.running()
					saved = th
					print(type(th), coroutine.status(th), coroutine.resume(th))
					local co = coroutine.create(function()
						print("inside", coroutine.status(th), select(2, coroutine.resume(th)), coroutine.running() ~= th)
					end)
					coroutine.resume(co)
					print(pcall(coroutine.wrap(function() return coroutine.resume(th) end)))
					self:Wait(Wait.Frame())
					print("goes on", frame())
				end):Start()`,
			frames: 3,
			after: `
				print("after", coroutine.status(saved), coroutine.resume(saved))
				print(coroutine.running())`,
			want: []string{
				"thread\trunning\tfalse\tcannot resume non-suspended coroutine",
				"inside\tnormal\tcannot resume non-suspended coroutine\ttrue",
				"true\tfalse\tcannot resume non-suspended coroutine",
				"goes on\t2",
				"after\tdead\tfalse\tcannot resume dead coroutine",
				"nil",
			},
		},
		{
			name: "another code resuming a parked task's thread",
			src: `
				Task.Create(function(self)
					saved = coroutine.running()
					self:Wait(Wait.Frames(2))
					print("task goes on", frame())
				end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Frame())
					print("other task", coroutine.status(saved), coroutine.resume(saved))
				end):Start()`,
			frames: 4,
			after:  `print("after", coroutine.status(saved), coroutine.resume(saved))`,
			want: []string{
				"other task\tnormal\tfalse\tcannot resume non-suspended coroutine",
				"task goes on\t3",
				"after\tdead\tfalse\tcannot resume dead coroutine",
			},
		},
		{
			name: "yield outside any task's level is an error",
			src: `
				print(try(coroutine.yield))
				blTasks.OnFinished(function(t) print("handler", try(coroutine.yield)) end)
				Task.Create(function(self)
					self:Wait(Wait.Predicate(function()
						print("predicate", try(coroutine.yield))
						return true
					end))
					print("task goes on", frame())
				end):Start()`,
			frames: 2,
			after:  `print("after", try(error, "x", 0))`,
			want: []string{
				"can not yield from outside of a coroutine",
				"predicate\tcan not yield from outside of a coroutine",
				"task goes on\t1",
				"handler\tcan not yield from outside of a coroutine",
				"after\tx",
			},
		},
	})
}

func TestWaitFromOutside(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "from the addon's code, another task and a handler",
			src: `
				h = Task.Create(function(self)
					for i = 1, 3 do
						print("step", i, frame())
						self:Wait(Wait.Frame())
					end
				end):Start()
				h:Wait(Wait.Frames(2)) -- before its first turn
				print(h:Status())
				Task.Create(function(self)
					self:Wait(Wait.Frames(3))
					h:Wait(Wait.Frames(3)) -- h's Wait.Frame() was just met: it waits three frames more
					print("told", h:Status(), h:Why())
				end):Start()`,
			frames: 9,
			want: []string{
				"waiting",
				"step\t1\t2",
				"step\t2\t3",
				"told\twaiting\tFrame 7 [3 frames left]",
				"step\t3\t7",
			},
		},
		{
			name: "misuse",
			src: `
				local idle = function(self) self:Wait(Wait.Frames(100)) end
				local p = Task.Create(idle)
				print(try(p.Wait, p, Wait.Frame()))
				b = Task.Create(idle):Start()
				a = Task.Create(function(self) self:Wait(Wait.Task(b)) end):Start()
				done = Task.Create(function() end):Start()`,
			frames: 1,
			after: `
				print(try(b.Wait, b, Wait.Task(a)))
				print(try(b.Wait, b, Wait.Task(b)))
				print(try(b.Wait, b, nil))
				print(try(done.Wait, done, Wait.Frame()))
				print(b:Status(), b:Why())`,
			want: []string{
				"Wait: task not started",
				`Wait: deadlock: "A:2" (owner A) waits for "A:6" (owner A) which waits for "A:2"`, // b runs idle, of line 2
				`Wait: deadlock: "A:2" (owner A) waits for "A:2"`,
				"Wait: bad argument #2 (condition expected, got nil)",
				"Wait: task already finished",
				"waiting\tFrame 101 [100 frames left]",
			},
		},
	})
}

// Another addon's code may not make a task wait, from its main chunk or
// from its tasks.
func TestWaitFromOutsideForeign(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(a, `
			victim = Task.Create(function(self)
				for i = 1, 3 do self:Wait(Wait.Frame()) end
				print("victim done", frame())
			end):Start()
			onAnyFinished(function(t) if t:Owner() == "B" then print("B's task finished") end end)`)
		// B gets A's handle the way addons share values: through the host.
		b.State().SetGlobal("victim", a.State().GetGlobal("victim"))
		e.run(b, `
			print(try(victim.Wait, victim, Wait.Frames(50)))
			Task.Create(function(self) print(try(victim.Wait, victim, Wait.Frames(50))) end):Start()`)
		e.frames(5)
		checkLines(t, e.who, []string{
			"B: Wait: refused to code of owner B",
			"B: Wait: refused to code of owner B",
			"A: B's task finished",
			"A: victim done\t4",
		})
		e.checkNoErrors()
	})
}

func TestAbandonMessages(t *testing.T) {
	runCases(t, []luaCase{{
		name: "Suspend and Abandon of an abandoned task",
		src: `
			h = Task.Create(function(self)
				self:Wait(Wait.Frame())
				print(try(self.Suspend, self))
				print(try(self.Abandon, self))
				print("goes on", frame())
			end):Start()
			h:Abandon()
			print(try(h.Suspend, h))
			print(try(h.Abandon, h))`,
		frames: 3,
		want: []string{
			"Suspend: task can't be suspended because it's abandoned",
			"Abandon: task already abandoned",
			"Suspend: task can't be suspended because it's abandoned",
			"Abandon: task already abandoned",
			"goes on\t2",
		},
	}})
}

func TestStopReasons(t *testing.T) {
	runCases(t, []luaCase{{
		name: "any value; only strings and numbers are reasons",
		src: `
			local bad = setmetatable({}, {__tostring = function() error("tostring fails") end})
			for _, r in ipairs({"by hand", 12, 1.5, {}, true, false, print, bad, coroutine.create(print), ""}) do
				local h = Task.Create(function(self) self:Wait(Wait.Frames(10)) end):Start()
				local ok = pcall(h.Stop, h, r)
				local _, err = pcall(h.Result, h)
				print(type(r), ok, err, h:Error() == err)
			end
			h = Task.Create(function(self) self:Stop(bad) end):Start()`,
		frames: 1,
		after: `
			local _, err = pcall(h.Result, h)
			print("self", err, h:Error())`,
		want: []string{
			"string\ttrue\tby hand\ttrue",
			"number\ttrue\t12\ttrue",
			"number\ttrue\t1.5\ttrue",
			"table\ttrue\tTask stopped.\ttrue",
			"boolean\ttrue\tTask stopped.\ttrue",
			"boolean\ttrue\tTask stopped.\ttrue",
			"function\ttrue\tTask stopped.\ttrue",
			"table\ttrue\tTask stopped.\ttrue",
			"thread\ttrue\tTask stopped.\ttrue",
			"string\ttrue\tTask stopped.\ttrue",
			"self\tTask stopped.\tTask stopped.",
		},
	}})
}

func TestErrorValuesKept(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			errs = {}
			blTasks.OnFinished(function(t, how, err) errs[t:ID()] = err end)
			E = {code = 7}
			tbl = Task.Create(function() error(E) end):Start()
			str = Task.Create(function() error("plain", 0) end):Start()
			pos = Task.Create(function() error("here") end):Start()
			parent = Task.Create(function(self)
				child = Task.Create(function(c) c:Wait(Wait.Frames(9)) end):Start()
			end):Start()
			stopped = Task.Create(function(self) self:Wait(Wait.Frames(9)) end):Start()
			Task.Create(function(self)
				stopped:Stop()
				local _, err = pcall(stopped.Result, stopped)
				print("inside", err == "Task stopped.")
			end):Start()`)
		e.frames(1)
		e.run(a, `
			for _, h in ipairs({tbl, str, pos, child, stopped}) do
				local _, err = pcall(h.Result, h)
				print(type(err), err == E, rawequal(h:Error(), err), rawequal(errs[h:ID()], err), type(err) == "string" and err or "")
			end`)
		checkLines(t, e.out, []string{
			"inside\ttrue",
			"table\ttrue\ttrue\ttrue\t",
			"string\tfalse\ttrue\ttrue\tplain",
			"string\tfalse\ttrue\ttrue\tA:7: here",
			"string\tfalse\ttrue\ttrue\tParent finished.",
			"string\tfalse\ttrue\ttrue\tTask stopped.",
		})
		if len(e.errs) != 3 {
			t.Errorf("task errors %q, want the three failures", e.errLines())
		}
	})
}

// Another addon sees the message of a task's error, never a value of the
// task's Lua state.
func TestErrorValuesOfAnotherAddon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(a, `onAnyFinished(function(t, how, err) if t:Owner() == "B" then print(how, type(err)) end end)`)
		e.run(b, `
			h = Task.Create(function() error(setmetatable({}, {__tostring = function() return "B's error" end})) end):Start()`)
		e.frames(1)
		a.State().SetGlobal("h", b.State().GetGlobal("h"))
		e.run(a, `
			local _, err = pcall(h.Result, h)
			print(type(err), type(h:Error()))`)
		checkLines(t, e.out, []string{"failed\tstring", "string\tstring"})
		if len(e.errs) != 1 || e.errs[0].Owner != "B" {
			t.Errorf("errors %v", e.errLines())
		}
	})
}

func TestMethodTypos(t *testing.T) {
	runCases(t, []luaCase{{
		name: "a missing method names itself and a close one",
		src: `
			local h = Task.Create(function(self)
				print(try(function() self:Breathe() end))
				print(try(function() self:breath() end))
				print(self:Status())
			end)
			h:Start()
			print(try(function() h:Strat() end))
			print(try(function() h:Frobnicate() end))
			print(try(function() return h.x end))
			print(try(function() return h[true] end))
			print(try(function() return h[{}] end))
			print(try(function() return Wait.Frame():Met() end))
			print(try(function() blTasks.Signal("s"):fire() end))
			print(rawget(getmetatable(h).__index, "Breath") ~= nil)`,
		frames: 1,
		want: []string{
			`Task has no method "Strat" (did you mean "Start"?)`,
			`Task has no method "Frobnicate"`,
			`Task has no method "x"`,
			`Task has no method [true]`,
			`Task has no method [a table]`,
			`Condition has no method "Met"`,
			`Signal has no method "fire" (did you mean "Fire"?)`,
			"true",
			`Task has no method "Breathe" (did you mean "Breath"?)`,
			`Task has no method "breath" (did you mean "Breath"?)`,
			"active",
		},
	}})
}
