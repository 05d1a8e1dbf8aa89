package lua_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
)

// Every call into an untrusted addon's code runs under the watchdog, not
// only task slices: the main chunk, OnFinished handlers, host callbacks
// (Addon.Call) and Wait.Predicate functions. Each case's loop does 10 s of
// mock work in steps of 10 ms, and prints when it runs to its end: without
// the watchdog it does (and the test fails rather than hangs).

// spin is a loop of 10 s of mock work.
const spin = `for i = 1, 1000 do work(0.01) end print("ran to the end")`

// checkKilled checks that err is a *lua.WatchdogError whose traceback is in
// A, and that the call took at most twice the kill threshold.
func checkKilled(t *testing.T, e *env, err error, since time.Time) {
	t.Helper()
	var we *lua.WatchdogError
	if !errors.As(err, &we) {
		t.Fatalf("error %v (%T), want a *lua.WatchdogError", err, err)
	}
	if we.After != killAfter || !strings.Contains(we.Traceback, "A:") {
		t.Errorf("WatchdogError %+v, want After %v and a traceback in A", we, killAfter)
	}
	if took := e.clk.Now().Sub(since); took > 2*killAfter {
		t.Errorf("the call ran %v; the kill is at %v", took, killAfter)
	}
}

func TestWatchdogKillsMainChunk(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		t0 := e.clk.Now()
		err := a.DoString("A", spin)
		checkKilled(t, e, err, t0)
		if err.Error() != "watchdog: a slice ran past 50ms without breathing" {
			t.Errorf("message %q", err)
		}
		// The addon goes on: its next call and its tasks run.
		e.run(a, `Task.Create(function(self) self:Breath() print("task runs") end):Start()`)
		e.frames(2)
		checkLines(t, e.out, []string{"task runs"})
		e.checkNoErrors()
	})
}

func TestWatchdogKillsCall(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `function hook() `+spin+` end`)
		t0 := e.clk.Now()
		checkKilled(t, e, a.Call(a.State().GetGlobal("hook")), t0)
		// A second call gets a timer of its own.
		t0 = e.clk.Now()
		checkKilled(t, e, a.Call(a.State().GetGlobal("hook")), t0)
		checkLines(t, e.out, nil)
	})
}

func TestWatchdogKillsOnFinishedHandler(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			blTasks.OnFinished(function(task, how) print("handler", how) `+spin+` end)
			Task.Create(function() end):Start()`)
		t0 := e.clk.Now()
		e.s.RunFrame()
		if took := e.clk.Now().Sub(t0); took > 2*killAfter {
			t.Errorf("the frame ran %v; the kill is at %v", took, killAfter)
		}
		checkLines(t, e.out, []string{"handler\treturned"})
		checkLines(t, e.errLines(), []string{"A OnFinished handler: watchdog: a slice ran past 50ms without breathing"})
		var we *lua.WatchdogError
		if len(e.errs) == 0 || !errors.As(e.errs[0].Err, &we) || !strings.Contains(we.Traceback, "A:") {
			t.Errorf("errors %v, want a *lua.WatchdogError with a traceback in A", e.errs)
		}
	})
}

func TestWatchdogKillsPredicate(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"Wait", `Task.Create(function(self) self:Wait(Wait.Predicate(p, "p")) print("after the wait") end):Start()`},
		{"Start", `Task.Create(function(self) print("after the wait") end):Start(Wait.Predicate(p, "p"))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{KillAfter: killAfter})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, `
					calls = 0
					function p() -- its first call is in Wait or Start, its second in the frame
						calls = calls + 1
						if calls == 2 then `+spin+` end
						return calls >= 4
					end`)
				e.run(a, tc.src)
				t0 := e.clk.Now()
				e.s.RunFrame()
				if took := e.clk.Now().Sub(t0); took > 2*killAfter {
					t.Errorf("the frame ran %v; the kill is at %v", took, killAfter)
				}
				// The killed poll counted as false; the fourth poll is true.
				e.frames(4)
				checkLines(t, e.out, []string{"after the wait"})
				checkLines(t, e.errLines(), []string{"A predicate p: watchdog: a slice ran past 50ms without breathing"})
			})
		})
	}
}

// A handler called inside a watched call of its addon (the main chunk
// stops a task) runs under the main chunk's watchdog: both are killed.
func TestWatchdogNestedCalls(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `blTasks.OnFinished(function() `+spin+` end)`)
		t0 := e.clk.Now()
		err := a.DoString("A", `
			work(0.03)
			Task.Create(function() end):Start():Stop()
			print("the main chunk goes on")`)
		checkKilled(t, e, err, t0)
		checkLines(t, e.out, nil)
		checkLines(t, e.errLines(), []string{"A OnFinished handler: watchdog: a slice ran past 50ms without breathing"})
	})
}

// A coroutine made in one call runs under the watchdog of the call that
// resumes it, even after the call that made it was killed.
func TestWatchdogCoroutineAcrossCalls(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `co = coroutine.wrap(function() while true do coroutine.yield(work(0.01)) end end)`)
		if err := a.DoString("A", `co() `+spin); !errors.As(err, new(*lua.WatchdogError)) {
			t.Fatalf("error %v, want a *lua.WatchdogError", err)
		}
		e.run(a, `co() print("resumed after the kill")`)
		e.run(a, `Task.Create(function() co() print("resumed in a task") end):Start()`)
		e.frames(1)
		checkLines(t, e.out, []string{"resumed after the kill", "resumed in a task"})
		e.checkNoErrors()
		t0 := e.clk.Now()
		checkKilled(t, e, a.DoString("A", `for i = 1, 1000 do co() end print("ran to the end")`), t0)
	})
}

// Trusted addons' calls are not watched.
func TestWatchdogSparesTrustedCalls(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		a := e.addon("A", lua.AddonOptions{Trusted: true})
		e.run(a, `for i = 1, 10 do work(0.01) end print("ran to the end")`)
		checkLines(t, e.out, []string{"ran to the end"})
	})
}
