package lua_test

import (
	"strconv"
	"testing"

	"github.com/framesched/framesched/lua"
)

// TestPredicateRewaitsItsTask: a predicate that tells its own task to wait
// on a new condition (met or not) each time it is polled is polled once
// per frame: the new wait starts from the next frame, and the frame ends.
func TestPredicateRewaitsItsTask(t *testing.T) {
	for _, c := range []struct{ name, again string }{
		{"met, returning false", `h:Wait(Wait.Predicate(again) + Wait.Predicate(function() return true end)) return false`},
		{"met, returning true", `h:Wait(Wait.Predicate(function() return true end) * Wait.Predicate(again)) return true`},
		{"itself", `h:Wait(Wait.Predicate(again)) return false`},
	} {
		t.Run(c.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, `
					n = 0
					local h
					function again() n = n + 1 if n > 1000 then return true end `+c.again+` end
					h = Task.Create(function(self) self:Wait(Wait.Predicate(again)) end):Start()`)
				for range 3 {
					e.frames(1)
					e.run(a, `print(n)`)
				}
				if n, _ := strconv.Atoi(e.out[len(e.out)-1]); len(e.out) != 3 || n < 1 || n > 6 {
					t.Errorf("polls after each of 3 frames: %v, want a few (the predicate re-arms its task's wait)", e.out)
				}
			})
		})
	}
}
