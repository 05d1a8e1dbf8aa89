package lua_test

import (
	"fmt"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// Breath, Wait, Result and Stop work anywhere inside a task: every construct
// below calls park(), which parks the task until the next frame and returns
// the frame it continues in, from inside the construct.

// constructs are Lua bodies that call park() from inside a construct and
// return a string; want is that string when every park moves one frame on
// from frame 1.
var constructs = []struct {
	name, src, want string
}{
	{"plain call", `return "at " .. park()`, "at 2"},
	{"pcall", `
		local ok, v = pcall(park)
		return tostring(ok) .. " " .. v`, "true 2"},
	{"pcall in pcall", `
		local ok, ok2, v = pcall(pcall, function() return park() end)
		return tostring(ok) .. " " .. tostring(ok2) .. " " .. v`, "true true 2"},
	{"error after a park in pcall", `
		local ok, v = pcall(function() error("failed at " .. park(), 0) end)
		return tostring(ok) .. " " .. v .. " " .. frame()`, "false failed at 2 2"},
	{"xpcall", `
		local ok, v = xpcall(function() error("after " .. park(), 0) end,
			function(m) return "handled " .. m .. " in " .. frame() end)
		return tostring(ok) .. " " .. v`, "false handled after 2 in 2"},
	{"__index", `
		local t = setmetatable({}, {__index = function(t, k) return k .. park() end})
		return t.x`, "x2"},
	{"__newindex", `
		local got
		local t = setmetatable({}, {__newindex = function(t, k, v) got = k .. v .. park() end})
		t.y = "="
		return got`, "y=2"},
	{"__add", `
		local mt = {__add = function(a, b) return a.n + b.n + park() end}
		return tostring(setmetatable({n = 1}, mt) + setmetatable({n = 10}, mt))`, "13"},
	{"__lt and __le", `
		local mt = {
			__lt = function(a, b) park() return a.n < b.n end,
			__le = function(a, b) park() return a.n <= b.n end,
		}
		local a, b = setmetatable({n = 1}, mt), setmetatable({n = 2}, mt)
		return tostring(a < b) .. " " .. tostring(b <= a) .. " " .. frame()`, "true false 3"},
	{"__eq", `
		local mt = {__eq = function(a, b) park() return a.n == b.n end}
		return tostring(setmetatable({n = 1}, mt) == setmetatable({n = 1}, mt)) .. " " .. frame()`, "true 2"},
	{"__concat, __unm, __call", `
		local mt = {
			__concat = function(a, b) return "c" .. park() end,
			__unm = function(a) return "u" .. park() end,
			__call = function(self, x) return x .. park() end,
		}
		local o = setmetatable({}, mt)
		return (o .. "x") .. " " .. (-o) .. " " .. o("k")`, "c2 u3 k4"},
	{"__tostring through tostring", `
		return tostring(setmetatable({}, {__tostring = function() return "s" .. park() end}))`, "s2"},
	{"generic for iterator", `
		local out = {}
		for i, v in function(_, i) if i < 2 then return i + 1, park() end end, nil, 0 do
			out[#out + 1] = i .. ":" .. v
		end
		return table.concat(out, ",")`, "1:2,2:3"},
	{"table.sort comparator", `
		local t, first = {3, 1, 2, 5, 4}, true
		table.sort(t, function(a, b)
			if first then first = false park() end
			return a < b
		end)
		return table.concat(t, ",") .. " " .. frame()`, "1,2,3,4,5 2"},
	{"string.gsub replacement function", `
		return (string.gsub("a-b", "%a", function(c) return c .. park() end))`, "a2-b3"},
	{"Go function calling back into Lua", `
		return callback(function(x) return x .. park() end, "g")`, "g2"},
	{"coroutine.resume", `
		local co = coroutine.create(function(x)
			local y = coroutine.yield(x .. park())
			return y .. park()
		end)
		local ok1, a = coroutine.resume(co, "c")
		local ok2, b = coroutine.resume(co, "d")
		return a .. " " .. b .. " " .. coroutine.status(co) .. " " .. tostring(ok1 and ok2)`, "c2 d3 dead true"},
	{"coroutine.wrap", `
		local gen = coroutine.wrap(function()
			for i = 1, 2 do coroutine.yield(i .. "@" .. park()) end
		end)
		return gen() .. " " .. gen()`, "1@2 2@3"},
	{"coroutine.running after a park", `
		local co
		co = coroutine.create(function()
			local before = coroutine.running() == co
			park()
			local after = coroutine.running() == co
			coroutine.yield(tostring(before) .. " " .. tostring(after))
			return "second"
		end)
		local _, a = coroutine.resume(co)
		local outer = coroutine.running() ~= co
		local _, b = coroutine.resume(co)
		return a .. " " .. tostring(outer) .. " " .. b .. " " .. coroutine.status(co)`, "true true true second dead"},
	{"pcall in a coroutine in a metamethod", `
		local t = setmetatable({}, {__index = function(t, k)
			local co = coroutine.wrap(function()
				local ok, v = pcall(park)
				coroutine.yield(k .. v)
			end)
			return co()
		end})
		return t.z`, "z2"},
	{"deep in recursion", `
		local function down(n) if n == 0 then return park() end return down(n - 1) end
		return "depth 300 at " .. down(300)`, "depth 300 at 2"},
}

// ops are the ways to park: each Lua snippet defines park() in a task
// whose view is self.
var ops = []struct{ name, park string }{
	{"Breath", `function() work(0.006) self:Breath() return frame() end`},
	{"BreathLong", `function() work(0.003) self:BreathLong() return frame() end`},
	{"Wait", `function() self:Wait(Wait.Frame()) return frame() end`},
	{"Result", `function()
		local other = Task.Create(function(t) t:Wait(Wait.Frame()) return frame() end)
		return other:Result()
	end`},
}

// newBreathEnv is an env with addon A and a Go function callback(f, ...)
// that calls f from Go and returns its first result.
func newBreathEnv(t *testing.T, opts lua.AddonOptions) (*env, *lua.Addon) {
	e := newEnv(t, lua.Config{})
	a := e.addon("A", opts)
	L := a.State()
	L.SetGlobal("callback", L.NewFunction(func(L *glua.LState) int {
		L.Call(L.GetTop()-1, 1)
		return 1
	}))
	return e, a
}

func TestParkAnywhere(t *testing.T) {
	for _, op := range ops {
		for _, c := range constructs {
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					e, a := newBreathEnv(t, lua.AddonOptions{})
					e.run(a, fmt.Sprintf(`
						h = Task.Create(function(self)
							local park = %s
							local function run() %s end
							print("start", frame())
							print(run())
							print("end", frame())
						end):Start()`, op.park, c.src))
					e.frames(6)
					got := e.out
					if len(got) == 3 {
						got = got[:2] // the end frame is checked below
					}
					checkLines(t, got, []string{"start\t1", c.want})
					if len(e.out) != 3 || !strings.HasPrefix(e.out[2], "end\t") {
						t.Errorf("the task did not go on after the construct: %q", e.out)
					}
					e.checkNoErrors()
				})
			})
		}
	}
}

// A stop inside any construct ends the task there: no line of its code
// runs afterwards, not even a pcall's or xpcall's handler.
func TestStopAnywhere(t *testing.T) {
	stops := []struct{ name, park string }{
		{"Stop itself", `function() self:Stop("stopped here") end`},
		{"stopped by another task while parked", `function() self:Wait(Wait.Frame()) return frame() end`},
		{"stopped by the host while parked", `function() self:Wait(Wait.Frame()) return frame() end`},
	}
	for _, st := range stops {
		for _, c := range constructs {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					e, a := newBreathEnv(t, lua.AddonOptions{})
					e.run(a, fmt.Sprintf(`
						h = Task.Create(function(self)
							local park = %s
							local function run() %s end
							print("start", frame())
							print("not reached", run())
							print("not reached either")
						end):Start()
						Task.Create(function(self)
							if %q == "stopped by another task while parked" then h:Stop("stopped here") end
						end):Start()
						blTasks.OnFinished(function(t, how, err)
							if t == h then print("finished", how, err) end
						end)
						print("script ran", frame())`, st.park, c.src, st.name))
					e.frames(1)
					if st.name == "stopped by the host while parked" {
						e.run(a, `h:Stop("stopped here")`)
					}
					e.frames(3)
					e.run(a, `print(h:Status(), h:Error())`)
					checkLines(t, e.out, []string{
						"script ran\t0",
						"start\t1",
						"finished\tstopped\tstopped here",
						"finished\tstopped here",
					})
					e.checkNoErrors()
				})
			})
		}
	}
}

// An untrusted task that swallows every error with pcall, in a loop, still
// ends when it is stopped: after the stop, every Lua instruction of its
// thread raises, and the loop itself is outside any pcall.
func TestStopEndsPcallLoop(t *testing.T) {
	for _, by := range []string{"another task", "the host"} {
		t.Run(by, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e, a := newBreathEnv(t, lua.AddonOptions{})
				e.run(a, `
					h = Task.Create(function(self)
						local n = 0
						while true do
							n = n + 1
							pcall(function() work(0.006) self:Breath() end)
							pcall(function() while true do pcall(self.Breath, self) pcall(print, "inner", n) break end end)
							pcall(function() self:Wait(Wait.Frame()) end)
							pcall(print, "loop", n, frame())
						end
					end):Start()
					blTasks.OnFinished(function(t, how, err) if t == h then print("finished", how, err, frame()) end end)`)
				if by == "another task" {
					e.run(a, `Task.Create(function(self)
						self:Wait(Wait.Frames(3))
						h:Stop("enough")
						print("stopper goes on", frame())
					end):Start()`)
					e.frames(8)
				} else {
					e.frames(3)
					e.run(a, `h:Stop("enough") print("host goes on", frame())`)
					e.frames(5)
				}
				// frame 1 parks in Breath, 2 waits a frame, 3 parks in Breath, 4 waits
				want := []string{"inner\t1", "loop\t1\t3"}
				if by == "another task" { // stops h in frame 4, while h waits
					// OnFinished handlers run outside tasks: after the stopper's slice.
					want = append(want, "inner\t2", "stopper goes on\t4", "finished\tstopped\tenough\t4")
				} else { // stops h after frame 3, parked in Breath
					want = append(want, "finished\tstopped\tenough\t3", "host goes on\t3")
				}
				checkLines(t, e.out, want)
				e.checkNoErrors()
				if s := e.s.Snapshot(); len(s) != 0 {
					t.Errorf("tasks left: %+v", s)
				}
			})
		})
	}
}

// A trusted addon's task runs without a context, so a pcall can swallow the
// stop (a documented limitation). What is guaranteed: the task counts as
// stopped, with the stop's reason and no result, and when its function
// returns it has ended; a Breath or Wait after the stop does not park it.
func TestStopTrustedPcall(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e, a := newBreathEnv(t, lua.AddonOptions{Trusted: true})
		e.run(a, `
			h = Task.Create(function(self)
				pcall(function() self:Wait(Wait.Frames(100)) end)
				pcall(function() self:Breath() end)
				pcall(function() self:Wait(Wait.Frames(100)) end)
				return "result"
			end):Start()
			blTasks.OnFinished(function(t, how, err) if t == h then print("finished", how, err, frame()) end end)
			Task.Create(function(self)
				self:Wait(Wait.Frames(2))
				h:Stop("enough")
				print("stopper goes on", frame(), h:Status())
			end):Start()`)
		e.frames(5)
		e.run(a, `print(h:Status(), h:Error(), try(h.Result, h))`)
		checkLines(t, e.out, []string{
			"stopper goes on\t3\tfinished", // OnFinished handlers run after the stopper's slice
			"finished\tstopped\tenough\t3",
			"finished\tenough\tenough",
		})
		e.checkNoErrors()
		if s := e.s.Snapshot(); len(s) != 0 {
			t.Errorf("tasks left: %+v", s)
		}
		var slices []string
		for _, line := range e.trace {
			if strings.Contains(line, "A:2: ran") {
				slices = append(slices, line)
			}
		}
		checkLines(t, slices, []string{"1 [A] A:2: ran 0s, waiting"})
	})
}

// A Lua coroutine that a task resumed, and that parked the task from
// inside, is still running: another task must not be able to resume it
// meanwhile (Lua says "cannot resume non-suspended coroutine"), and the
// first task goes on correctly when it wakes.
func TestCoroutineParkedInAnotherTask(t *testing.T) {
	runCases(t, []luaCase{{
		name: "resume from another task while parked",
		src: `
			co = coroutine.create(function(self)
				print("co in", frame())
				self:Wait(Wait.Frames(2))
				print("co out", frame())
				return "co done"
			end)
			a = Task.Create(function(self) print("a", coroutine.resume(co, self)) end):Start()
			Task.Create(function(self)
				self:Wait(Wait.Frame())
				print("b", coroutine.status(co) ~= "suspended", (coroutine.resume(co, self)))
			end):Start()`,
		frames: 4,
		after:  `print(a:Status(), a:Error(), coroutine.status(co))`,
		want: []string{
			"co in\t1",
			"b\ttrue\tfalse",
			"co out\t3",
			"a\ttrue\tco done",
			"finished\tnil\tdead",
		},
	}})
}

// A Lua coroutine made outside any task (by the addon's main chunk) and
// resumed by a task runs as that task: a stop ends it as it ends the task's
// own code, even when it swallows every error with pcall. (The loop is
// bounded so that a failure does not hang the test.)
func TestStopEndsCoroutineMadeOutsideTasks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			co = coroutine.wrap(function(self)
				local n = 0
				for i = 1, 1000 do
					n = n + 1
					pcall(function() work(0.006) self:Breath() end)
				end
				print("the loop survived the stop", n)
			end)
			h = Task.Create(function(self) co(self) print("not reached") end):Start()`)
		e.frames(3)
		e.run(a, `h:Stop("enough") print("Stop returned")`)
		e.frames(2)
		e.run(a, `print(h:Status(), h:Error())`)
		checkLines(t, e.out, []string{"Stop returned", "finished\tenough"})
		e.checkNoErrors()
	})
}
