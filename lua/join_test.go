package lua_test

import (
	"context"
	"errors"
	"testing"

	"github.com/framesched/framesched/lua"
)

// Task.Join(t1, t2, ...) waits for several tasks at once.

// In a task, Join parks until every task given has finished (starting the
// pending ones) and returns, as LÖVR's join, the first result of each but
// the last and all the results of the last; the first failed task in
// argument order makes it raise that task's error value, as Result does.
func TestJoinInTask(t *testing.T) {
	runCases(t, []luaCase{{
		name: "results",
		src: `
			local a = Task.Create(function() return 1, 2 end)
			local b = Task.Create(function(self) self:Wait(Wait.Frames(2)) return "b1", "b2", "b3" end)
			local c = Task.Create(function() end)
			Task.Create(function()
				print("join", Task.Join(a, b))
				print("in frame", frame())
				print("none", select("#", Task.Join()))
				print("first", Task.Join(c, a))
				print("last", select("#", Task.Join(a, c)))
			end):Start()`,
		frames: 5,
		want:   []string{"join\t1\tb1\tb2\tb3", "in frame\t3", "none\t0", "first\tnil\t1\t2", "last\t1"},
	}, {
		name: "from coroutines, in a task and outside",
		src: `
			local a = Task.Create(function(self) self:Wait(Wait.Frame()) return "a" end)
			local b = Task.Create(function(self) self:Wait(Wait.Frames(2)) return "b" end)
			Task.Create(function()
				local co = coroutine.wrap(function() return Task.Join(a) end)
				print("in a task's coroutine", co(), frame())
			end):Start()
			local co = coroutine.create(function() return Task.Join(b) end)
			print("in the main chunk's", coroutine.resume(co))`,
		frames: 2,
		want:   []string{"in a task's coroutine\ta\t2", "in the main chunk's\ttrue\tb"},
	}, {
		name: "errors in argument order, as Result raises them",
		src: `
			local ok1 = Task.Create(function() return 1 end)
			local bad1 = Task.Create(function(self) self:Wait(Wait.Frames(2)) error("first") end)
			local bad2 = Task.Create(function() error("second") end)
			local stopped = Task.Create(function(self) self:Wait(Wait.Frames(5)) end)
			Task.Create(function(self)
				stopped:Start()
				print(pcall(Task.Join, ok1, bad1, bad2))
				print(pcall(Task.Join, bad2, bad1))
				stopped:Stop()
				print(pcall(Task.Join, ok1, stopped))
			end):Start()`,
		frames: 5,
		want:   []string{"false\tA:3: first", "false\tA:4: second", "false\tTask stopped."},
		errs:   []string{"A A:4: A:4: second", "A A:3: A:3: first"},
	}, {
		name: "misuse",
		src: `
			Task.Create(function(self)
				print(try(Task.Join, 1))
				print(try(Task.Join, self, nil))
				print(try(Task.Join, self))
				local other
				local t = Task.Create(function() Task.Join(other) end)
				other = Task.Create(function(o) o:Wait(Wait.Frame()) Task.Join(t) end)
				other:Start()
				print(try(Task.Join, t))
			end):Start()`,
		frames: 3,
		want: []string{
			"Task.Join: bad argument #1 (task expected, got number)",
			"Task.Join: bad argument #2 (task expected, got nil)",
			"Task.Join: a task can't join itself",
			`Task.Join: deadlock: "A:8" (owner A) waits for "A:7" (owner A) which waits for "A:8"`,
		},
		errs: []string{ // other's join failed, and so did t's of other
			`A A:8: A:8: Task.Join: deadlock: "A:8" (owner A) waits for "A:7" (owner A) which waits for "A:8"`,
			`A A:7: A:8: Task.Join: deadlock: "A:8" (owner A) waits for "A:7" (owner A) which waits for "A:8"`,
		},
	}})
}

// Outside any task, Join runs frames until the tasks have finished, at
// most 1000 of them; in a predicate or handler, which may not wait, it is
// refused, also when polled inside a task's slice.
func TestJoinOutsideTasks(t *testing.T) {
	runCases(t, []luaCase{{
		name: "from the main chunk",
		src: `
			local t = Task.Create(function(self) self:Wait(Wait.Frames(3)) return frame() end)
			print(Task.Join(t), frame())
			local never = Task.Create(function(self) self:Wait(Wait.Signal(blTasks.Signal("never"))) end)
			print(try(Task.Join, t, never), frame(), never:Status())`,
		want: []string{"4\t4", "Task.Join: tasks still running after 1000 frames, the most a join outside any task runs\t1004\twaiting"},
	}, {
		name: "from predicates and handlers",
		src: `
			local t = Task.Create(function(self) self:Wait(Wait.Frame()) end):Start()
			blTasks.OnFinished(function() print("handler", try(Task.Join, t)) end)
			Task.Create(function(self)
				self:Wait(Wait.Predicate(function() print("in a slice", try(Task.Join, t)) return true end))
			end):Start()
			Task.Create(function(self)
				self:Wait(Wait.Frame())
				self:Wait(Wait.Predicate(function() print("polled", try(Task.Join, t)) return true end) * Wait.Frame())
			end):Start()`,
		frames: 3,
		want: []string{
			"in a slice\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)", // polled at the wait
			"handler\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",    // that task's end
			"handler\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",    // t's
			"polled\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",     // at the wait, in the slice
			"polled\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",     // at the next frame's start
			"handler\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",
		},
	}})
}

// A join outside any task runs under the watchdog of the code calling it:
// frames whose tasks work past KillAfter kill the main chunk.
func TestJoinOutsideKilled(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		err := a.DoString("A", `
			local t = Task.Create(function(self) for i = 1, 100 do work(0.005) self:Wait(Wait.Frame()) end end)
			Task.Join(t)`)
		var we *lua.WatchdogError
		if !errors.As(err, &we) {
			t.Fatalf("DoString: %v, want a *lua.WatchdogError", err)
		}
		if f := e.s.Frame(); f < 5 || f > 20 {
			t.Errorf("killed after %d frames of 5 ms, want about 10", f)
		}
	})
}

// Joining another addon's task only reads it: allowed for a running or
// finished one, whose plain results come back (a table of the other addon's
// is refused, as with Result), refused for a pending one, which Join would
// start.
func TestJoinForeign(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(b, `
			plain = Task.Create(function(self) self:Wait(Wait.Frame()) return "from B", 2 end):Start()
			tbl = Task.Create(function() return {} end):Start()
			pending = Task.Create(function() end)`)
		for name, task := range map[string]string{"plain": "B:2", "tbl": "B:3", "pending": "B:4"} {
			a.State().SetGlobal(name, a.Handle(firstTask(e, task))) // A's read-only handle, as from a host event
		}
		e.run(a, `
			Task.Create(function()
				print(Task.Join(plain))
				print(try(Task.Join, plain, tbl))
				print(try(Task.Join, pending))
			end):Start()`)
		e.frames(3)
		checkLines(t, e.out, []string{
			"from B\t2",
			"Task.Join: result #1 of task B:3 is a table of addon B, which another addon may not use",
			"Task.Join: refused to code of owner A",
		})
		e.checkNoErrors()
	})
}

// A task's error value reaches Join's caller as it is: a table stays the
// same table.
func TestJoinErrorValue(t *testing.T) {
	bubble(t, func(t *testing.T) {
		out, e := script(t, `
			local err = {code = 7}
			local bad = Task.Create(function() error(err) end)
			Task.Create(function()
				local ok, got = pcall(Task.Join, Task.Create(function() return 1 end), bad)
				print(ok, rawequal(got, err), got.code)
			end):Start()`, 2)
		checkLines(t, out, []string{"false\ttrue\t7"})
		if len(e.errs) != 1 {
			t.Errorf("task errors %v, want bad's", e.errLines())
		}
	})
}

// Code that the frames of a join outside any task run, a host's event
// handler among them, cannot join in its turn: its frames would run inside
// the join's.
func TestJoinNotInsideJoin(t *testing.T) {
	bubble(t, func(t *testing.T) {
		out, _ := script(t, `
			local long = Task.Create(function(self) self:Wait(Wait.Frames(3)) return "long" end)
			onAnyFinished(function(task, how) print("host event", try(Task.Join, long)) end)
			Task.Create(function() end):Start()
			print(Task.Join(long), frame())`, 0)
		checkLines(t, out, []string{
			"host event\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",
			"host event\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)",
			"long\t4",
		})
	})
}

// Code that runs while a frame runs without being a task's own code (a
// worker call's callback, applied at a frame's start) cannot join: its
// frames would run inside the host's frame.
func TestJoinNotInsideFrame(t *testing.T) {
	bubble(t, func(t *testing.T) {
		out, e := script(t, `
			blTasks.Async.Define("id", "return function(x) return x end")
			local long = Task.Create(function(self) self:Wait(Wait.Frames(3)) return "long" end)
			blTasks.Async.Send("id", function(ok, x) print("callback", ok, x, try(Task.Join, long)) end, 1)`, 0)
		for range 3 {
			if err := e.s.Pool().WaitIdle(context.Background()); err != nil {
				t.Fatal(err)
			}
			e.frames(1)
		}
		checkLines(t, out, []string{})
		checkLines(t, e.out, []string{"callback\ttrue\t1\tTask.Join: cannot wait outside a task's own code (in a predicate or handler)"})
	})
}
