package lua_test

import (
	"fmt"
	"testing"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// Owners at Create: the calling addon by default, the running task's owner
// inside a task, another addon's name only for an addon that may
// impersonate, and a non-string owner is ignored.
func TestCreateOwner(t *testing.T) {
	const src = `
		print("default", Task.Create(function() end):Owner())
		print("non-string", Task.Create(function() end, {}):Owner())
		print("own name", Task.Create(function() end, "%s"):Owner())
		print("another", try(Task.Create, function() end, "Other"))
		print("another's", (pcall(function() return Task.Create(function() end, "Other"):Owner() end)))
		Task.Create(function(self)
			print("inside", self:Owner(), Task.Create(function() end):Owner())
		end, %q):Start()`
	for _, tc := range []struct {
		name        string
		impersonate bool
		owner       string
		want        []string
	}{
		{"plain", false, "A", []string{
			"default\tA", "non-string\tA", "own name\tA",
			`another	Task.Create: owner "Other" is not this addon (A), and the addon may not impersonate others`,
			"another's\tfalse",
			"inside\tA\tA",
		}},
		{"impersonating", true, "Other", []string{
			"default\tA", "non-string\tA", "own name\tA", "another\tok", "another's\ttrue",
			"inside\tOther\tOther", // a task made inside a task belongs to the running task's owner
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{Impersonate: tc.impersonate})
				e.run(a, fmt.Sprintf(src, "A", tc.owner))
				e.frames(1)
				checkLines(t, e.out, tc.want)
			})
		})
	}
}

// An addon that may impersonate controls the tasks it made for another
// addon.
func TestImpersonationControl(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{Impersonate: true})
		e.addon("B", lua.AddonOptions{})
		e.run(a, `theirs = Task.Create(function(self) self:Wait(Wait.Frames(100)) end, "B"):Start()`)
		e.frames(1)
		e.run(a, `theirs:Stop("by A") print(theirs:Status(), theirs:Owner(), theirs:Error())`)
		checkLines(t, e.out, []string{"finished\tB\tby A"})
	})
}

// A task's results and error values reach another addon's code only as
// values: a table or function of one addon's state never reaches another.
func TestResultsStayInTheirAddon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(b, `
			onAnyFinished(function(task, how, err)
				local ok, v = pcall(task.Result, task)
				if type(v) == "string" and v:find("^table: ") then v = "table: (an address)" end
				print("B sees", task:Name(), how, type(err), ok, (string.gsub(tostring(v), "^[%w_]+:%d+: ", "")))
			end)`)
		e.run(a, `
			secret = {}
			Task.Create(function(self) return 1, "two" end):Start()
			Task.Create(function(self) return secret end):Start()
			Task.Create(function(self) error(secret) end):Start()
			Task.Create(function(self) error("plain", 0) end):Start()
			blTasks.OnFinished(function(task, how, err)
				if task:Name() == "A:5" then print("A sees", rawequal(err, secret), rawequal(select(2, pcall(task.Result, task)), secret)) end
			end)`)
		e.frames(1)
		checkLines(t, e.out, []string{
			"B sees\tA:3\treturned\tnil\ttrue\t1",
			"B sees\tA:4\treturned\tnil\tfalse\tResult: result #1 of task A:4 is a table of addon A, which another addon may not use",
			"A sees\ttrue\ttrue", // the table itself, in its own addon
			"B sees\tA:5\tfailed\tstring\tfalse\ttable: (an address)",
			"B sees\tA:6\tfailed\tstring\tfalse\tplain",
		})
	})
}

// An untrusted addon has DefaultTaskLimit live tasks at most, unless its
// options say otherwise; a trusted one has no cap.
func TestDefaultTaskLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts lua.AddonOptions
		want string
	}{
		{"untrusted", lua.AddonOptions{}, fmt.Sprint(lua.DefaultTaskLimit, "\tTask.Create: owner's task limit reached")},
		{"own limit", lua.AddonOptions{TaskLimit: 5}, "5\tTask.Create: owner's task limit reached"},
		{"no limit", lua.AddonOptions{TaskLimit: -1}, "10001\tok"},
		{"trusted", lua.AddonOptions{Trusted: true}, "10001\tok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", tc.opts)
				e.run(a, `
					local n, err = 0, "ok"
					for i = 1, 10001 do
						local ok, e = pcall(Task.Create, function(self) self:Wait(Wait.Frames(10)) end)
						if not ok then err = (string.gsub(e, "^[%w_]+:%d+: ", "")) break end
						e:Start()
						n = n + 1
					end
					print(n, err)`)
				checkLines(t, e.out, []string{tc.want})
			})
		})
	}
}

// TestDefaultLimitsHoldTheirTasks: the default memory limit holds the
// default task limit's tasks, each of which has run and waits, with room to
// spare: an addon that starts as many tasks as it may is not stopped for the
// memory they take (each is charged its goroutine and thread, about 8 KB).
func TestDefaultLimitsHoldTheirTasks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			keep = {}
			for i = 1, `+fmt.Sprint(lua.DefaultTaskLimit)+` do
				keep[i] = Task.Create(function(self)
					local x = 0
					for j = 1, 200 do x = x + j * j end
					self:Breath()
					self:Wait(Wait.Timespan(3600))
				end):Start()
			end
			data = {} for i = 1, 1e5 do data[i] = {i} end -- and some data of its own`)
		e.frames(3)
		if a.Err() != nil {
			t.Fatalf("the addon was stopped: %v", a.Err())
		}
		waiting := 0
		for h := range e.s.Tasks() {
			if h.State() == sched.Waiting {
				waiting++
			}
		}
		if waiting != lua.DefaultTaskLimit {
			t.Errorf("%d tasks wait, want %d", waiting, lua.DefaultTaskLimit)
		}
		e.run(a, `print(select(2, pcall(Task.Create, function() end)))`)
		checkLines(t, e.out, []string{"A:1: Task.Create: owner's task limit reached"})
		checkLines(t, e.errLines(), nil)
	})
}
