package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
)

// getfenv and setfenv reach the globals of any function an addon holds,
// another addon's too: untrusted addons do not have them. No addon has
// _printregs, which writes to the process's stdout.
func TestNoFenvForUntrusted(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		tr := e.addon("T", lua.AddonOptions{Trusted: true})
		e.run(a, `print(type(getfenv), type(setfenv), type(_printregs))`)
		e.run(tr, `print(type(getfenv), type(setfenv), type(_printregs))`)
		checkLines(t, e.out, []string{"nil\tnil\tnil", "function\tfunction\tnil"})
	})
}

// OnFinished handlers see the addon's own tasks: those it owns and those
// whose function is its own (made for another addon by impersonation).
func TestOnFinishedOwnTasksOnly(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{Impersonate: true})
		b := e.addon("B", lua.AddonOptions{})
		for _, ad := range []*lua.Addon{a, b} {
			e.run(ad, `blTasks.OnFinished(function(t, how) print(t:Name(), t:Owner(), how) end)`)
		}
		e.run(a, `
			Task.Create(function() end):Start()
			Task.Create(function() end, "B"):Start()`)
		e.run(b, `Task.Create(function() end):Start()`)
		e.frames(1)
		checkLines(t, e.who, []string{
			"A: A:2\tA\treturned",
			"A: A:3\tB\treturned", // A's function, B's task: both see it
			"B: A:3\tB\treturned",
			"B: B:1\tB\treturned",
		})
	})
}

// A handle of another addon's task reads, and refuses every control,
// Start and a Result that would start and wait for it included.
func TestForeignHandleReadOnly(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(a, `
			pending = Task.Create(function() return "a" end)
			waiting = Task.Create(function(self) self:Wait(Wait.Frames(3)) return "w" end):Start()`)
		b.State().SetGlobal("pending", a.Handle(firstTask(e, "A:2")))
		b.State().SetGlobal("waiting", a.Handle(firstTask(e, "A:3")))
		e.run(b, `
			print(pending:Status(), pending:Owner(), pending:Name(), pending:Finished(), pending == pending)
			print(try(pending.Start, pending))
			print(try(pending.Scope, pending))
			print(try(pending.Result, pending))
			Task.Create(function(self)
				print(try(pending.Result, pending))
				print(try(waiting.Result, waiting))
				self:Wait(Wait.Task(waiting)) -- reading: it waits until the task finished
				print("B waited", frame(), waiting:Result())
			end):Start()`)
		e.frames(5)
		checkLines(t, e.who, []string{
			"B: pending\tA\tA:2\tfalse\ttrue",
			"B: Start: refused to code of owner B",
			"B: Scope: refused to code of owner B",
			"B: The task hasn't finished yet.",
			"B: Result: refused to code of owner B",
			"B: Result: refused to code of owner B",
			"B: B waited\t4\tw",
		})
		if pending := firstTask(e, "A:2"); pending.State().String() != "pending" {
			t.Errorf("A's pending task is %v", pending.State())
		}
	})
}

// A predicate is the code of the addon whose state it belongs to, also
// when it is evaluated inside another owner's task's slice (a task it
// waits for finished there): tasks it creates are its addon's, and tasks
// it starts are orphans.
func TestPredicateRunsAsItsAddon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{Impersonate: true})
		e.run(a, `
			v = Task.Create(function(self) self:Wait(Wait.Frames(2)) end, "B"):Start()
			Task.Create(function(self)
				self:Wait(Wait.Predicate(function()
					if v:Finished() and not seen then
						seen = true
						local h = Task.Create(function() end):Start()
						print("in the predicate", h:Owner(), h:Parent())
					end
					return false
				end) + Wait.Task(v))
				print("woken", frame())
			end):Start()`)
		e.frames(4)
		checkLines(t, e.out, []string{"in the predicate\tA\tnil", "woken\t3"})
	})
}

// A condition grown without bound in a loop raises a clear error once it
// passes the limit, instead of overflowing the stack or slowing every frame.
func TestConditionTooLarge(t *testing.T) {
	bubble(t, func(t *testing.T) { testConditionTooLarge(t) })
}

func testConditionTooLarge(t *testing.T) {
	out, _ := script(t, `
		local leaf = Wait.Frames(1000)
		local c = leaf
		print(try(function() for i = 1, 70000 do c = c + leaf end end))
		local d = leaf
		print(try(function() for i = 1, 1000 do d = Wait.And(leaf, Wait.Or(leaf, d)) end end))`, 0)
	checkLines(t, out, []string{
		"+: condition too large: Or of 65537 conditions (the limit is 65536)",
		"Wait.Or: condition too large: Or nested 65 deep (the limit is 64)",
	})
}
