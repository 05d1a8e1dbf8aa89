package lua_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// Async.Send: the call returns at once, anywhere, and its callback runs as
// the addon's code when the result is applied at a later frame's start.

const sendDefs = `
	Async = blTasks.Async
	Async.Define("add", "return function(a, b) print('adding', a, b) return a + b, {a, b} end")
	Async.Define("fail", "return function() error('boom') end")
	function show(tag) return function(ok, s, t) print(tag, ok, frame(), firstLine(tostring(s)), type(t) == "table" and t[2] or t) end end
	function firstLine(s) return (string.match(s, "[^\n]*")) end
`

// From the main chunk, a handler and a task, Send returns at once; the
// callbacks get true and the results, in the frame that applies them, and
// a task that sent does not park.
func TestAsyncSendCallback(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(1)) // completions in submission order
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, sendDefs+`
			Async.Send("add", function(ok, s, t) print("main", ok, frame(), s, t[1], t[2]) end, 1, 2)
			print("sent", frame(), select("#", Async.Send("add", show("none"))))
			onAnyFinished(function(task, how)
				Async.Send("add", show("handler " .. how), 3, 4)
			end)
			Task.Create(function(self)
				Async.Send("add", show("task"), 5, 6)
				print("task goes on", frame())
			end):Start()`)
		e.workFrames(3)
		checkLines(t, e.out, []string{
			"sent\t0\t0",
			"adding\t1\t2", // sent between frames: applied at the next one's start
			"main\ttrue\t1\t3\t1\t2",
			"adding\tnil\tnil",
			"none\tfalse\t1\tAsync.Send: worker function \"add\" failed: add:1: cannot perform add operation between nil and nil\tnil",
			"task goes on\t1",
			"adding\t5\t6",
			"task\ttrue\t2\t11\t6",
			"adding\t3\t4",
			"handler returned\ttrue\t2\t7\t4",
		})
		e.checkNoErrors()
	})
}

// A worker's error reaches the callback as false and the message; an error
// of the callback is reported as the addon's, and misuse is Send's error.
func TestAsyncSendErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(1)) // completions in submission order
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, sendDefs+`
			Async.Send("fail", function(ok, err) print(ok, firstLine(err)) end)
			Async.Send("add", function(ok, s) error("callback broke at " .. s) end, 1, 1)
			print(try(Async.Send, "add", 42))
			print(try(Async.Send, "nope", print))
			print(try(Async.Send, "add", print, print))`)
		e.workFrames(2)
		checkLines(t, firstLines(e.out), []string{
			"Async.Send: bad argument #2 (function expected, got number)",
			`Async.Send: no worker function "nope" (Async.Define defines one)`,
			"Async.Send: argument #3 is a function, which cannot be copied to a worker",
			`false	Async.Send: worker function "fail" failed: fail:1: boom`,
			"adding\t1\t1",
		})
		got := e.errLines()
		if len(got) != 1 || !strings.HasPrefix(got[0], "A Async.Send callback: ") || !strings.Contains(got[0], "callback broke at 2") {
			t.Errorf("errors reported: %q", got)
		}
	})
}

// The callbacks of a stopped addon never run, whether its calls were
// running or done when it stopped; closing the scheduler and the host ends
// the calls pending without their callbacks.
func TestAsyncSendStopped(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(1)) // completions in submission order
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(a, sendDefs+`Async.Send("add", show("A"), 1, 2)`)
		e.run(b, sendDefs+`Async.Send("add", show("B"), 1, 2)`)
		synctest.Wait() // both calls done, not applied
		a.Stop(errors.New("bye"))
		e.workFrames(2)
		checkLines(t, e.who, []string{"B: adding\t1\t2", "B: B\ttrue\t1\t3\t2"})
		e.run(b, `Async.Send("add", show("B"), 5, 6)`)
		e.close()
		checkLines(t, e.who[2:], nil)
		if got := e.errLines(); len(got) != 1 || got[0] != "A addon: addon stopped: bye" {
			t.Errorf("errors reported: %q", got)
		}
	})
}
