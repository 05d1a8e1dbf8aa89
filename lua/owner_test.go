package lua_test

import (
	"fmt"
	"testing"

	"github.com/framesched/framesched/lua"
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
