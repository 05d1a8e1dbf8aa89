package lua_test

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/framesched/framesched/lua"
)

// Async.Define and Async.Call: worker functions, run on Lua states of
// their own; see also async_hostile_test.go.

// workFrames runs n frames; before and after each, the goroutines running
// worker calls finish (synctest.Wait), so that a call made between frames
// is applied in the next frame, and one made in a frame in the frame
// after, on every run.
func (e *env) workFrames(n int) {
	for range n {
		synctest.Wait() // work submitted before the frame is done by its start: applied in it
		e.s.RunFrame()
		synctest.Wait()
		e.clk.Add(frameGap)
	}
}

// killer is a Config.AfterFunc whose timers fire only when the test says.
type killer struct {
	mu     sync.Mutex
	timers map[int]func()
	seq    int
	armed  chan struct{} // told of each timer armed (when it has room)
}

func newKiller() *killer { return &killer{timers: map[int]func(){}, armed: make(chan struct{}, 100)} }

func (k *killer) afterFunc(_ time.Duration, f func()) func() {
	k.mu.Lock()
	k.seq++
	id := k.seq
	k.timers[id] = f
	k.mu.Unlock()
	select {
	case k.armed <- struct{}{}:
	default:
	}
	return func() {
		k.mu.Lock()
		delete(k.timers, id)
		k.mu.Unlock()
	}
}

// fireArmed waits until a timer is armed, then fires every timer armed.
func (k *killer) fireArmed() {
	for {
		k.mu.Lock()
		var fs []func()
		for id, f := range k.timers {
			fs = append(fs, f)
			delete(k.timers, id)
		}
		k.mu.Unlock()
		for _, f := range fs {
			f()
		}
		if len(fs) > 0 {
			return
		}
		<-k.armed
	}
}

// firstLine is the first line of each of lines.
func firstLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i], _, _ = strings.Cut(l, "\n")
	}
	return out
}

// Outside any task, Async.Call runs at once on worker 0, on the frame
// goroutine; the worker's state is kept between calls. Arguments and
// results are copies: tables stay tables (shared ones shared), without
// their metatables. The worker sees none of the addon's globals, and its
// prints are the addon's, printed when its results are delivered.
func TestAsyncBlocking(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local Async = blTasks.Async
			Async.Define("count", "local n = 0 return function() n = n + 1 return n end")
			Async.Define("env", [[return function()
				print("in the worker", 1, nil)
				return blTasks == nil, Task == nil, work == nil, try == nil, getfenv == nil, load == nil,
					type(print), type(os.time()), type(string.rep), type(coroutine.wrap)
			end]])
			Async.Define("echo", "return function(...) return select('#', ...), ... end")
			print(Async.Call("count"), Async.Call("count"), Async.Call("count"))
			print(Async.Call("env"))
			local shared = {1, 2}
			local n, x, y, z = Async.Call("echo", setmetatable({a = shared, b = shared, [shared] = true}, {__index = error}), nil, "s")
			print(n, rawequal(x.a, x.b), x[x.a], getmetatable(x), y, z, #x.a)
			print(select("#", Async.Call("echo")))`)
		checkLines(t, e.out, []string{
			"1\t2\t3",
			"in the worker\t1\tnil",
			"true\ttrue\ttrue\ttrue\ttrue\ttrue\tfunction\tnumber\tfunction\tfunction",
			"3\ttrue\ttrue\tnil\tnil\ts\t2",
			"1",
		})
		checkLines(t, e.who[1:2], []string{"A: in the worker\t1\tnil"})
		e.checkNoErrors()
	})
}

// math.random in a worker draws from a source seeded by the host's seed,
// the addon's name and the call's number: the same calls draw the same on
// every run, whichever worker runs them.
func TestAsyncRandomReproducible(t *testing.T) {
	run := func() []string {
		var out []string
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{Seed: 7})
			a := e.addon("A", lua.AddonOptions{})
			e.run(a, `
				blTasks.Async.Define("draw", "return function() return math.random(1000000), math.random() end")
				print(blTasks.Async.Call("draw"))
				print(blTasks.Async.Call("draw"))
				for i = 1, 3 do
					Task.Create(function() print(i, blTasks.Async.Call("draw")) end):Start()
				end`)
			e.workFrames(3)
			out = e.out
		})
		return out
	}
	first := run()
	if len(first) != 5 || first[0] == first[1] {
		t.Fatalf("draws %q: want 5 lines, the first two different", first)
	}
	for range 3 {
		second := run()
		// Tasks resume in the order their calls completed: compare as sets.
		if strings.Join(first[:2], "\n") != strings.Join(second[:2], "\n") || !sameSet(first[2:], second[2:]) {
			t.Fatalf("two runs drew differently:\n%q\n%q", first, second)
		}
	}
}

func sameSet(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// In a task's own code, Async.Call parks the task until a worker has run
// the function on the scheduler's pool, and the next frame applied its
// result; the other tasks go on meanwhile, and
// Why says what it waits for. It works from coroutines and pcall too.
func TestAsyncInTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local Async = blTasks.Async
			Async.Define("sum", [[return function(t)
				local s = 0
				for _, v in ipairs(t) do s = s + v end
				print("summed", #t)
				return s
			end]])
			h = Task.Create(function(self)
				print("calls in frame", frame())
				local s = Async.Call("sum", {1, 2, 3})
				print("sum", s, "in frame", frame())
				local ok, s2 = pcall(Async.Call, "sum", {4})
				print("in pcall", ok, s2, frame())
				local co = coroutine.wrap(function() return Async.Call("sum", {5, 5}) end)
				print("in a coroutine", co(), frame())
				return s
			end):Start()
			Task.Create(function(self)
				for i = 1, 4 do print("tick", frame()) self:Wait(Wait.Frame()) end
			end):Start()`)
		e.workFrames(1)
		e.run(a, `print(h:Status(), h:Why())`)
		e.workFrames(4)
		e.run(a, `print(h:Status(), h:Result())`)
		checkLines(t, e.out, []string{
			"calls in frame\t1",
			"tick\t1",
			`waiting	Future "Async.Call sum" [pending]`, // done on a pool worker, applied at the next frame's start
			"tick\t2",
			"summed\t3",
			"sum\t6\tin frame\t2",
			"tick\t3",
			"summed\t1",
			"in pcall\ttrue\t4\t3",
			"tick\t4",
			"summed\t2",
			"in a coroutine\t10\t4",
			"finished\t6",
		})
		e.checkNoErrors()
	})
}

// Misuse and failures raise errors naming Async.Call or Async.Define, with
// the worker's traceback for a failure of its code.
func TestAsyncErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local Async = blTasks.Async
			Async.Define("boom", "return function(x)\n  if x then error({code = 1}) end\n  error('boom')\nend")
			Async.Define("notfn", "return 42")
			Async.Define("ret", "return function(kind) if kind then return 1, {f = {print}} end return coroutine.create(print) end")
			Async.Define("deep", "local function f(n) return f(n + 1) + 1 end return f")
			print(try(Async.Call, "boom"))
			print(try(Async.Call, "boom", true))
			print(try(Async.Call, "notfn"))
			print(try(Async.Call, "ret", true))
			print(try(Async.Call, "ret"))
			print(try(Async.Call, "deep", 1))
			print(try(Async.Call, "nope"))
			print(try(Async.Call, 42))
			print(try(Async.Call))
			print(try(Async.Call, "boom", {pos = {x = print}}))
			print(try(Async.Call, "boom", 1, Task.Create(print)))
			local t = {} t.t = t
			print(try(Async.Call, "boom", t))
			local huge = {} for i = 1, 70000 do huge[i] = true end
			print(try(Async.Call, "boom", 1, huge))
			print((try(Async.Call, "boom", _G):gsub("package%.%w+", "package.<fn>"))) -- its order of pairs is a Go map's
			print(try(Async.Define, "boom", "return 1"))
			print(try(Async.Define, "", "x"))
			print(try(Async.Define, string.rep("n", 65), "x"))
			print(try(Async.Define, "x", "return function("))
			print(try(Async.Define, "y"))
			print(try(Async.Define, {}, "x"))
			print(try(Async.Define, "z", string.rep(" ", 2^20 + 1)))
			for i = 1, 252 do Async.Define("f" .. i, "return print") end
			print(try(Async.Define, "one too many", "return print"))`)
		checkLines(t, firstLines(e.out), []string{
			`Async.Call: worker function "boom" failed: boom:3: boom`,
			`Async.Call: worker function "boom" failed: an error value of type table`,
			`Async.Call: worker function "notfn" failed: its source returned a number, not a function`,
			`Async.Call: result #2 of worker function "ret": value at .f[1] is a function, which cannot be copied from a worker`,
			`Async.Call: result #1 of worker function "ret" is a thread, which cannot be copied from a worker`,
			`Async.Call: worker function "deep" failed: lua callstack overflow`,
			`Async.Call: no worker function "nope" (Async.Define defines one)`,
			`Async.Call: bad argument #1 (string expected, got number)`,
			`Async.Call: bad argument #1 (string expected, got no value)`,
			`Async.Call: argument #2: value at .pos.x is a function, which cannot be copied to a worker`,
			`Async.Call: argument #3 is a userdata, which cannot be copied to a worker`,
			`Async.Call: argument #2: value at .t is argument #2 itself, a cycle, which cannot be copied to a worker`,
			`Async.Call: argument #3: over 65536 values, the limit of a copy to a worker`,
			`Async.Call: argument #2: value at .package.<fn> is a function, which cannot be copied to a worker`,
			`Async.Define: worker function "boom" is defined already`,
			`Async.Define: bad argument #1 (a name of 1 to 64 bytes expected)`,
			`Async.Define: bad argument #1 (a name of 1 to 64 bytes expected)`,
			`Async.Define: x at EOF:   syntax error`,
			`Async.Define: bad argument #2 (string expected, got no value)`,
			`Async.Define: bad argument #1 (string expected, got table)`,
			`Async.Define: bad argument #2 (source over 1 MiB)`,
			`Async.Define: the addon has 256 worker functions, the limit`,
		})
		if tb := e.out[0]; !strings.Contains(tb, "\nworker stack traceback:\n") || !strings.Contains(tb, "\tboom:3: in ") {
			t.Errorf("no worker traceback in %q", tb)
		}
		e.checkNoErrors()
	})
}
