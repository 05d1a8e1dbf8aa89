package lua_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// Worker functions as a hostile addon writes them: loops, hogs, stops,
// closes, calls from where code may not park.

const spinDefs = `
	blTasks.Async.Define("spin", "return function()\n  while true do end\nend")
	blTasks.Async.Define("count", "local n = 0 return function() n = n + 1 return n end")`

// A worker function that loops for ever, called from a task, is
// interrupted after KillAfter (the timer of Config.AfterFunc) and the
// task's call fails with the worker's traceback; the task goes on.
func TestAsyncWatchdogInTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		k := newKiller()
		e := newEnv(t, lua.Config{KillAfter: killAfter, AfterFunc: k.afterFunc})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, spinDefs+`
			h = Task.Create(function()
				print(try(blTasks.Async.Call, "spin"))
				return "went on"
			end):Start()`)
		e.s.RunFrame() // the task parks; a goroutine spins: no clock may move now
		untilRunning("(*workerState).run")
		k.fireArmed() // the worker's kill timer, once the worker spins
		synctest.Wait()
		e.s.RunFrame()
		e.run(a, `print(h:Result())`)
		checkLines(t, firstLines(e.out), []string{
			`Async.Call: worker function "spin" killed by the watchdog: it ran past 50ms`,
			"went on",
		})
		if !strings.Contains(e.out[0], "\nworker stack traceback:\n\tspin:") { // :1 or :2, as the timer fired
			t.Errorf("no worker traceback in %q", e.out[0])
		}
		e.checkNoErrors()
	})
}

// Outside any task, the call runs under the watchdog of the code calling
// it: the main chunk is killed as if it looped itself, and worker 0 gets a
// new state.
func TestAsyncWatchdogBlocking(t *testing.T) {
	bubble(t, func(t *testing.T) {
		k := newKiller()
		e := newEnv(t, lua.Config{KillAfter: killAfter, AfterFunc: k.afterFunc})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, spinDefs+`print(blTasks.Async.Call("count"), blTasks.Async.Call("count"))`)
		fired := make(chan struct{})
		go func() { // the main chunk's kill timer, once the worker spins
			defer close(fired)
			untilRunning("(*workerState).run")
			k.fireArmed()
		}()
		err := a.DoString("A", `blTasks.Async.Call("spin")`)
		<-fired
		var we *lua.WatchdogError
		if !errors.As(err, &we) {
			t.Fatalf("DoString: %v, want a *lua.WatchdogError", err)
		}
		e.run(a, `print(blTasks.Async.Call("count"))`)
		checkLines(t, e.out, []string{"1\t2", "1"})
	})
}

// Stopping a task that waits for a call ends the call: the goroutine
// spinning in it stops (synctest.Wait would wait for it for ever).
func TestAsyncStopEndsCall(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, spinDefs+`
			h = Task.Create(function() blTasks.Async.Call("spin") print("never") end):Start()`)
		e.s.RunFrame()
		e.run(a, `h:Stop() print(h:Status(), h:Error())`)
		synctest.Wait()
		e.workFrames(2)
		checkLines(t, e.out, []string{"finished\tTask stopped."})
	})
}

// Host.Close ends every call, running or waiting for a worker, of trusted
// addons too (their workers have no watchdog but run under a context),
// whether or not their tasks were stopped first; nothing is left running.
func TestAsyncCloseEndsCalls(t *testing.T) {
	for _, hostFirst := range []bool{true, false} {
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{})
			for _, opts := range []lua.AddonOptions{{}, {Trusted: true}} {
				name := "A"
				if opts.Trusted {
					name = "T"
				}
				a := e.addon(name, opts)
				e.run(a, spinDefs+`
					for i = 1, 12 do -- more than there are workers: some wait for one
						Task.Create(function() blTasks.Async.Call("spin") end):Start()
					end`)
			}
			e.s.RunFrame()
			e.done = true
			if hostFirst {
				e.h.Close()
				synctest.Wait() // every goroutine has ended
				e.s.Close()
			} else {
				e.s.Close()
				e.h.Close()
			}
		})
	}
}

// A worker of an untrusted addon has the addon's memory limit, of its own:
// a call that keeps too much fails (pcall cannot swallow it), and neither
// the addon nor its next calls suffer.
func TestAsyncMemoryLimit(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{MemoryLimit: 4 << 20})
		e.run(a, spinDefs+`
			blTasks.Async.Define("hog", [[keep = {} return function()
				while true do pcall(function() while true do keep[#keep + 1] = {1, 2, 3, 4} end end) end
			end]])
			print(try(blTasks.Async.Call, "hog"))
			Task.Create(function()
				print(try(blTasks.Async.Call, "hog"))
				print(blTasks.Async.Call("count"))
			end):Start()`)
		e.workFrames(3)
		lines := e.out
		for i := range 2 {
			if !strings.HasPrefix(lines[i], `Async.Call: worker function "hog": memory: a worker of addon A takes it to `) ||
				!strings.HasSuffix(lines[i], "over its limit of 4096 KiB") {
				t.Errorf("line %d: %q", i+1, lines[i])
			}
		}
		checkLines(t, lines[2:], []string{"1"})
		if a.Err() != nil {
			t.Errorf("the addon was stopped: %v", a.Err())
		}
		e.checkNoErrors()
	})
}

// A worker's built-ins are bounded as the addon's, its `..` is guarded,
// and it loads code only with AllowLoad (guarded too).
func TestAsyncSandbox(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		for _, opts := range []lua.AddonOptions{{}, {AllowLoad: true}} {
			a := e.addon(map[bool]string{false: "A", true: "L"}[opts.AllowLoad], opts)
			e.run(a, `
				blTasks.Async.Define("hostile", [[return function(what)
					if what == "rep" then return string.rep("x", 2^30) end
					if what == "concat" then local s = "x" for i = 1, 40 do s = s .. s end return #s end
					if what == "unpack" then return unpack({}, 1, 1e6) end
					if what == "load" then return type(loadstring), type(load), type(dofile), type(getfenv), type(setfenv) end
					if what == "loaded" then return loadstring("local s = 'x' for i = 1, 40 do s = s .. s end")() end
					if what == "yield" then coroutine.yield() end
				end]])
				for _, what in ipairs({"rep", "concat", "unpack", "load", "loaded", "yield"}) do
					print(try(blTasks.Async.Call, "hostile", what))
				end`)
		}
		checkLines(t, firstLines(e.out), []string{
			`Async.Call: worker function "hostile" failed: hostile:2: string.rep: the result would be over 16 MiB`,
			`Async.Call: worker function "hostile" failed: hostile:3: ..: the result would be over 16 MiB`,
			`Async.Call: worker function "hostile" failed: hostile:4: unpack: too many results (1000000, the limit is 8000)`,
			"ok",
			`Async.Call: worker function "hostile" failed: hostile:6: attempt to call a non-function object`,
			`Async.Call: worker function "hostile" failed: hostile:7: can not yield from outside of a coroutine`,
			`Async.Call: worker function "hostile" failed: hostile:2: string.rep: the result would be over 16 MiB`,
			`Async.Call: worker function "hostile" failed: hostile:3: ..: the result would be over 16 MiB`,
			`Async.Call: worker function "hostile" failed: hostile:4: unpack: too many results (1000000, the limit is 8000)`,
			"ok",
			`Async.Call: worker function "hostile" failed: <string>:1: ..: the result would be over 16 MiB`,
			`Async.Call: worker function "hostile" failed: hostile:7: can not yield from outside of a coroutine`,
		})
	})
}

// Async.Call in a predicate, a handler or a host callback, where code may
// not park, runs at once (the blocking form); the worker's prints come out
// as the addon's.
func TestAsyncWhereCodeMayNotPark(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, spinDefs+`
			blTasks.OnFinished(function(task, how) print("handler", blTasks.Async.Call("count")) end)
			local polls = 0
			Task.Create(function(self)
				self:Wait(Wait.Predicate(function()
					polls = polls + 1
					print("predicate", blTasks.Async.Call("count"), Task.Current())
					return polls == 2
				end))
			end):Start()
			function callback() return blTasks.Async.Call("count") end`)
		e.workFrames(3)
		if err := a.Call(a.State().GetGlobal("callback")); err != nil {
			t.Fatal(err)
		}
		e.run(a, `print("callback", callback())`)
		checkLines(t, e.out, []string{"predicate\t1\tnil", "predicate\t2\tnil", "handler\t3", "callback\t5"})
		e.checkNoErrors()
	})
}

// A task still running its slice when its addon is stopped cannot start
// another call; the calls running are interrupted.
func TestAsyncAfterStop(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		L := a.State()
		L.SetGlobal("stopAddon", L.NewFunction(func(*glua.LState) int {
			a.Stop(errors.New("enough"))
			return 0
		}))
		e.run(a, spinDefs+`
			Task.Create(function() blTasks.Async.Call("spin") end):Start()
			Task.Create(function()
				stopAddon()
				print(try(blTasks.Async.Call, "count"))
			end):Start()`)
		e.workFrames(2)
		checkLines(t, e.out, []string{"Async.Call: addon stopped: enough"})
		if err := a.DoString("A", `print("runs")`); err == nil || err.Error() != "enough" {
			t.Errorf("DoString after Stop: %v", err)
		}
	})
}

// Worker prints are bounded per call, and come out in order with the
// call's error too.
func TestAsyncPrint(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			blTasks.Async.Define("chatty", [[return function(n)
				print("one", setmetatable({}, {__tostring = function() return "two" end}))
				if n then local s = string.rep("x", 2^20) for i = 1, n do print(s) end end
				error("three")
			end]])
			print(try(blTasks.Async.Call, "chatty"))
			print(try(blTasks.Async.Call, "chatty", 20))`)
		lines := firstLines(e.out)
		if len(lines) != 19 { // 2, then "one two", 15 lines of a MiB and the error
			t.Fatalf("%d lines", len(lines))
		}
		checkLines(t, lines[:2], []string{"one\ttwo", `Async.Call: worker function "chatty" failed: chatty:4: three`})
		checkLines(t, lines[18:], []string{`Async.Call: worker function "chatty" failed: chatty:3: print: the result would be over 16 MiB`})
	})
}

// The copies a call from a task holds until its task takes its results
// count in the addon's memory: one big table passed to a hundred calls goes
// over the limit, though the addon's state holds it once; the addon, which
// then keeps most of its limit in the calls still waiting, is stopped.
func TestAsyncHeldCopiesCharged(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{MemoryLimit: 8 << 20})
		e.run(a, `
			blTasks.Async.Define("drop", "return function() end")
			big = {}
			for i = 1, 20000 do big[i] = i end
			for i = 1, 100 do
				Task.Create(function() blTasks.Async.Call("drop", big) end):Start()
			end`)
		e.workFrames(2)
		failed := 0
		for _, te := range e.errs {
			var me *lua.MemoryError
			if errors.As(te.Err, &me) && !me.Worker && me.Limit == 8<<20 {
				failed++
			}
		}
		if failed == 0 || failed == 100 {
			t.Errorf("%d calls failed over the memory limit, want some: %v", failed, e.errLines())
		}
		var me *lua.MemoryError
		if !errors.As(a.Err(), &me) || !me.Kept {
			t.Errorf("the addon's error: %v, want it stopped for keeping most of its limit", a.Err())
		}
	})
}

// untilRunning returns once a goroutine's stack has a call of fn: code
// that spins, which synctest.Wait cannot wait for, has begun.
func untilRunning(fn string) {
	buf := make([]byte, 1<<20)
	for !strings.Contains(string(buf[:runtime.Stack(buf, true)]), fn) {
		runtime.Gosched()
	}
}
