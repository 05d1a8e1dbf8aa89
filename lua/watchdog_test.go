package lua_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// With Config.KillAfter, a Lua slice that runs that long without breathing
// is interrupted and its task finishes with a *lua.WatchdogError.

const killAfter = 50 * time.Millisecond

// ticker is a task that prints the frame each frame, to show that the
// others go on.
const ticker = `
	Task.Create(function(self)
		for i = 1, 4 do
			print("tick", frame())
			self:Wait(Wait.Frame())
		end
	end):Start()`

func TestWatchdogKills(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"plain loop", `while true do work(0.01) end`},
		{"loop swallowing errors", `while true do pcall(function() while true do work(0.01) end end) end`},
		{"in a metamethod", `local t = setmetatable({}, {__index = function() while true do work(0.01) end end}) return t.x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				var warns []string
				e := newEnv(t, lua.Config{KillAfter: killAfter}, sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
					warns = append(warns, w.Owner+" "+w.Task+" "+w.Took.String())
				}))
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, ticker)
				e.run(a, `
					h = Task.Create(function(self)
						print("greedy starts", frame())
						`+tc.body+`
					end):Start()`)
				e.frames(4)
				e.run(a, `print(h:Status(), h:Error())`)
				checkLines(t, e.out, []string{
					"tick\t1",
					"greedy starts\t1",
					"tick\t2",
					"tick\t3",
					"tick\t4",
					"finished\twatchdog: a slice ran past 50ms without breathing",
				})
				if len(e.errs) != 1 {
					t.Fatalf("task errors %v, want one", e.errLines())
				}
				te := e.errs[0]
				var we *lua.WatchdogError
				if te.Owner != "A" || te.Task != "A:2" || !errors.As(te.Err, &we) {
					t.Fatalf("task error %+v, want A's A:2 with a *lua.WatchdogError", te)
				}
				if we.After != killAfter || !strings.Contains(we.Traceback, "A:") {
					t.Errorf("WatchdogError %+v, want After %v and a traceback in A", we, killAfter)
				}
				checkLines(t, warns, []string{"A A:2 50ms"})
			})
		})
	}
}

func TestWatchdogSpares(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    lua.AddonOptions
		body    string
		warning bool
	}{
		{"a task that breathes in time", lua.AddonOptions{}, `for i = 1, 40 do work(0.004) self:Breath() end`, false},
		{"a task parked for long", lua.AddonOptions{}, `self:Wait(Wait.Timespan(1)) work(0.03)`, true},
		{"a trusted addon's task", lua.AddonOptions{Trusted: true}, `for i = 1, 10 do work(0.01) end`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				var warns []string
				e := newEnv(t, lua.Config{KillAfter: killAfter}, sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
					warns = append(warns, w.Owner+" "+w.Task)
				}))
				a := e.addon("A", tc.opts)
				e.run(a, `
					h = Task.Create(function(self)
						`+tc.body+`
						return "survived"
					end):Start()`)
				e.frames(80)
				e.run(a, `print(h:Status(), h:Result())`)
				checkLines(t, e.out, []string{"finished\tsurvived"})
				e.checkNoErrors()
				if got := len(warns) > 0; got != tc.warning {
					t.Errorf("warnings %q; want some: %v", warns, tc.warning)
				}
				for _, w := range warns {
					if w != "A A:2" {
						t.Errorf("warning %q, want it to name owner A and task A:2", w)
					}
				}
			})
		})
	}
}

// The kill timer belongs to one slice: a task killed does not disturb the
// next task to use a pooled thread.
func TestWatchdogThenReuse(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			for i = 1, 3 do Task.Create(function() return i end):Start() end
			Task.Create(function() while true do work(0.01) end end):Start()`)
		e.frames(1)
		e.run(a, `
			for i = 1, 3 do
				Task.Create(function(self)
					for j = 1, 5 do work(0.008) self:Breath() end
					print("fine", i)
				end):Start()
			end`)
		e.frames(30)
		checkLines(t, e.out, []string{"fine\t1", "fine\t2", "fine\t3"})
		if got := e.errLines(); len(got) != 1 || !strings.Contains(got[0], "watchdog") {
			t.Errorf("task errors %q, want one watchdog error", got)
		}
	})
}

// A coroutine made outside any task and resumed by a task is interrupted
// with the task. (The loop is bounded so that a failure does not hang.)
func TestWatchdogKillsCoroutineMadeOutsideTasks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			co = coroutine.wrap(function()
				for i = 1, 100 do work(0.01) end
				print("the coroutine ran its whole second")
			end)
			h = Task.Create(function() co() print("not reached") end):Start()`)
		e.frames(2)
		e.run(a, `print(h:Status(), h:Error())`)
		checkLines(t, e.out, []string{"finished\twatchdog: a slice ran past 50ms without breathing"})
		if got := e.s.Now().Sub(time.Unix(0, 0)); got > 200*time.Millisecond {
			t.Errorf("the task ran %v of CPU work; the kill is at %v", got, killAfter)
		}
	})
}

// A watchdog warning about a Lua task carries the Lua stack of the Breath
// that ended the long slice: through nested functions and inside a Lua
// coroutine. A task that finished in the long slice has no stack to show.
func TestWatchdogWarningTraceback(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // the traceback's lines
	}{
		{"nested functions", `
			local function chew() work(0.03) self:Breath() end
			local function meal() chew() end
			meal()`, []string{
			"stack traceback:",
			"\t[G]: in function 'Breath'",
			"\tA:3: in function 'chew'",
			"\tA:4: in function 'meal'",
			"\tA:5: in function <A:2>",
		}},
		{"inside a coroutine", `
			local co = coroutine.wrap(function() work(0.03) self:BreathLong() end)
			co()`, []string{
			"stack traceback:",
			"\t[G]: in function 'BreathLong'",
			"\tA:3: in function <A:3>",
			"\t[G]: in function 'resume'",
			"\tcoroutine.wrap:9: in function 'co'",
			"\tA:4: in function <A:2>",
		}},
		{"deep recursion, cut in the middle", `
			local function dive(n) if n == 0 then work(0.03) self:Breath() else dive(n - 1) end end
			dive(30)`, []string{
			"stack traceback:",
			"\t[G]: in function 'Breath'",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\t...",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\tA:3: in function 'dive'", "\tA:3: in function 'dive'", "\tA:3: in function 'dive'",
			"\tA:4: in function <A:2>",
		}},
		{"finished in the slice", `work(0.03)`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				var warns []sched.Warning
				e := newEnv(t, lua.Config{}, sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
					warns = append(warns, w)
				}))
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, `
					h = Task.Create(function(self)`+tc.body+`
					end):Start()`)
				e.frames(3)
				e.checkNoErrors()
				if len(warns) != 1 {
					t.Fatalf("warnings %+v, want one", warns)
				}
				var got []string
				if warns[0].Traceback != "" {
					got = strings.Split(warns[0].Traceback, "\n")
				}
				checkLines(t, got, tc.want)
			})
		})
	}
}
