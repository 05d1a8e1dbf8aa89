package lua_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/framesched/framesched/lua"
)

// A closure keeps the variables it captured after the task that made it
// ends, however it ends: stopped while parked (anywhere: inside pcall, a
// metamethod, a Lua coroutine), stopping itself, killed by the watchdog,
// returning or failing. It sees every update made before the end, and
// nothing of the tasks that run on the same Lua thread afterwards.

// trust names the two kinds of addon: untrusted tasks run with a context
// that a stop cancels, trusted ones without.
var trust = []struct {
	name string
	opts lua.AddonOptions
}{
	{"untrusted", lua.AddonOptions{}},
	{"trusted", lua.AddonOptions{Trusted: true}},
}

// The case reported: the task makes get over its local count and is
// stopped while waiting; get then returns count + 1 as it was at the stop
// (42 while parked first, 52 after the update), and set shares the variable.
func TestClosureAfterStop(t *testing.T) {
	for _, tr := range trust {
		for _, by := range []string{"the host", "another task", "itself"} {
			t.Run(tr.name+"/"+by, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					e := newEnv(t, lua.Config{})
					a := e.addon("A", tr.opts)
					e.run(a, fmt.Sprintf(`
						h = Task.Create(function(self)
							local count = 41
							get = function() return count + 1 end
							set = function(v) count = v end
							self:Wait(Wait.Frame())
							count = count + 10
							if %[1]q == "itself" then self:Stop("enough") end
							self:Wait(Wait.Timespan(1000))
							print("not reached", frame())
						end):Start()
						if %[1]q == "another task" then
							Task.Create(function(self)
								self:Wait(Wait.Frames(2))
								h:Stop("enough")
								print("stopper", get(), frame())
							end):Start()
						end`, by))
					e.frames(1)
					e.run(a, `print("parked", get())`)
					e.frames(2)
					if by == "the host" {
						e.run(a, `h:Stop("enough") print("host", get())`)
					}
					e.frames(2)
					e.run(a, `
						print(h:Status(), h:Error(), get())
						set(1)
						print("set", get())`)
					want := []string{"parked\t42", "finished\tenough\t52", "set\t2"}
					switch by {
					case "the host":
						want = slices.Insert(want, 1, "host\t52")
					case "another task":
						want = slices.Insert(want, 1, "stopper\t52\t3")
					}
					checkLines(t, e.out, want)
					e.checkNoErrors()
				})
			})
		}
	}
}

// A closure made inside a Lua coroutine that the task runs, where the
// task is parked by a Breath inside the coroutine when it is stopped: in a
// function called directly, or through a pcall, which clears that
// function's frame as it recovers the stop.
func TestClosureInCoroutineAfterStop(t *testing.T) {
	for _, tr := range trust {
		for _, co := range []struct{ name, call string }{
			{"coroutine.wrap", `coroutine.wrap(body)()`},
			{"coroutine.resume", `print("resume returned", coroutine.resume(coroutine.create(body)))`},
		} {
			for _, at := range []struct{ name, call string }{
				{"Breath", `deeper()`},
				{"Breath in pcall", `pcall(deeper)`},
			} {
				t.Run(tr.name+"/"+co.name+"/"+at.name, func(t *testing.T) {
					bubble(t, func(t *testing.T) {
						e := newEnv(t, lua.Config{})
						a := e.addon("A", tr.opts)
						e.run(a, `
							h = Task.Create(function(self)
								local count = 41
								get = function() return count + 1 end
								local function deeper()
									local n = 1
									getDeeper = function() return n end
									n = 2
									work(0.006) self:Breath()
								end
								local function body()
									local inner = "co"
									getInner = function() return inner .. "+" .. count end
									inner = "inner"
									`+at.call+`
									print("not reached in the coroutine")
								end
								count = 42
								`+co.call+`
								print("not reached")
							end):Start()`)
						e.frames(1)
						e.run(a, `h:Stop("enough") print(h:Status(), h:Error(), get(), getInner(), getDeeper())`)
						e.frames(2)
						want := []string{"finished\tenough\t43\tinner+42\t2"}
						if tr.opts.Trusted {
							// A trusted task can swallow the stop and go on (see
							// TestStopTrustedPcall), which changes nothing for the
							// closures: their variables were closed at the stop.
							wentOn := map[string][]string{
								"coroutine.resume/Breath":          {"resume returned\tfalse\ttask stopped", "not reached"},
								"coroutine.wrap/Breath in pcall":   {"not reached in the coroutine", "not reached"},
								"coroutine.resume/Breath in pcall": {"not reached in the coroutine", "resume returned\ttrue", "not reached"},
							}[co.name+"/"+at.name]
							want = append(wentOn, want...)
						}
						checkLines(t, e.out, want)
						e.checkNoErrors()
					})
				})
			}
		}
	}
}

// A stop while the task is parked inside any construct: the closures made
// by the task's function and by the function that parks keep their
// variables. In an untrusted addon no line of the task runs after the stop;
// in a trusted one a pcall may swallow it (see TestStopTrustedPcall), which
// changes nothing for the closures.
func TestClosureAfterStopAnywhere(t *testing.T) {
	parks := []struct{ name, park string }{
		{"Breath", `function() work(0.006) self:Breath() return frame() end`},
		{"Wait", `function() self:Wait(Wait.Frame()) return frame() end`},
	}
	for _, tr := range trust {
		for _, op := range parks {
			for _, c := range constructs {
				t.Run(tr.name+"/"+op.name+"/"+c.name, func(t *testing.T) {
					bubble(t, func(t *testing.T) {
						e, a := newBreathEnv(t, tr.opts)
						e.run(a, fmt.Sprintf(`
							h = Task.Create(function(self)
								local count = 41
								get = function() return count + 1 end
								count = 42
								local parkHere = %s
								local function park()
									local inner = "in"
									getInner = function() return inner .. "+" .. count end
									inner = "inner"
									local at = parkHere() -- not a tail call, which would close inner
									return at
								end
								local function run() %s end
								print("not reached", run())
							end):Start()`, op.park, c.src))
						e.frames(1)
						e.run(a, `h:Stop("enough") print(h:Status(), h:Error(), get(), getInner())`)
						e.frames(2)
						var got []string
						for _, line := range e.out {
							if tr.opts.Trusted && strings.HasPrefix(line, "not reached") {
								continue // a pcall swallowed the stop: the function went on to its end
							}
							got = append(got, line)
						}
						checkLines(t, got, []string{"finished\tenough\t43\tinner+42"})
						e.checkNoErrors()
					})
				})
			}
		}
	}
}

// A task killed by the watchdog, wherever its loop runs.
func TestClosureAfterKill(t *testing.T) {
	for _, tc := range []struct{ name, body, inner string }{
		{"plain loop", `
			local inner = "plain"
			getInner = function() return inner end
			while true do work(0.01) end`, "plain"},
		{"loop swallowing errors", `
			while true do pcall(function()
				local inner = "swallowed"
				getInner = function() return inner end
				while true do work(0.01) end
			end) end`, "swallowed"},
		{"xpcall", `
			xpcall(function()
				local inner = "xpcall"
				getInner = function() return inner end
				while true do work(0.01) end
			end, function(m) return m end)
			while true do work(0.01) end`, "xpcall"},
		{"coroutine.wrap", `
			coroutine.wrap(function()
				local inner = "wrap"
				getInner = function() return inner end
				while true do work(0.01) end
			end)()`, "wrap"},
		{"coroutine.resume", `
			local co = coroutine.create(function()
				local inner = "resume"
				getInner = function() return inner end
				while true do work(0.01) end
			end)
			print("not reached", coroutine.resume(co))`, "resume"},
		{"pcall around coroutine.wrap", `
			while true do pcall(coroutine.wrap(function()
				local inner = "pcall wrap"
				getInner = function() return inner end
				while true do work(0.01) end
			end)) end`, "pcall wrap"},
		{"metamethod", `
			local t = setmetatable({}, {__index = function(t, k)
				local inner = k
				getInner = function() return inner end
				while true do work(0.01) end
			end})
			return t.metamethod`, "metamethod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{KillAfter: killAfter})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, `
					h = Task.Create(function(self)
						local count = 41
						get = function() return count + 1 end
						self:Wait(Wait.Frame())
						count = 42
						`+tc.body+`
					end):Start()`)
				e.frames(3)
				e.run(a, `print(h:Status(), h:Error(), get(), getInner())`)
				checkLines(t, e.out, []string{"finished\twatchdog: a slice ran past 50ms without breathing\t43\t" + tc.inner})
				if got := e.errLines(); len(got) != 1 || !strings.Contains(got[0], "watchdog") {
					t.Errorf("task errors %q, want one watchdog error", got)
				}
			})
		})
	}
}

// A task that returned or failed. Its thread goes back to the addon's pool:
// the tasks that use it next must not share variables with the closures.
func TestClosureAfterFinish(t *testing.T) {
	for _, tc := range []struct{ name, body, status string }{
		{"returned", `return "done"`, "finished\tnil"},
		{"failed", `error("boom", 0)`, "finished\tboom"},
		{"failed in a pcall, then returned", `
			pcall(function()
				local inner = "pcall"
				getInner = function() return inner end
				error("boom", 0)
			end)
			return "done"`, "finished\tnil"},
		{"failed in a coroutine", `
			local co = coroutine.create(function()
				local inner = "resume"
				getInner = function() return inner end
				error("boom", 0)
			end)
			local ok, err = coroutine.resume(co)
			error(err, 0)`, "finished\tboom"},
		{"failed in coroutine.wrap", `
			coroutine.wrap(function()
				local inner = "wrap"
				getInner = function() return inner end
				error("boom", 0)
			end)()`, "finished\tboom"},
	} {
		for _, tr := range trust {
			t.Run(tr.name+"/"+tc.name, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					e := newEnv(t, lua.Config{})
					a := e.addon("A", tr.opts)
					e.run(a, `
						getInner = function() return "none" end
						h = Task.Create(function(self)
							local count = 41
							get = function() return count + 1 end
							self:Wait(Wait.Frame())
							count = 42
							`+tc.body+`
						end):Start()`)
					e.frames(3)
					before := `print(h:Status(), h:Error(), get(), getInner())`
					e.run(a, before)
					// The next task runs on the pooled thread, with locals where h had its own.
					e.run(a, `Task.Create(function(self)
						local a, b, c, d, e, f, g, h, i, j = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
						self:Wait(Wait.Frame())
						print("reused", a + b + c + d + e + f + g + h + i + j)
					end):Start()`)
					e.frames(1)
					e.run(a, before)
					e.frames(2)
					e.run(a, before)
					if len(e.out) != 4 {
						t.Fatalf("got lines %q, want 4", e.out)
					}
					first := e.out[0]
					if !strings.HasPrefix(first, tc.status+"\t43\t") {
						t.Errorf("first line %q, want %q and the closures' values", first, tc.status)
					}
					checkLines(t, e.out, []string{first, first, "reused\t55", first})
				})
			})
		}
	}
}
