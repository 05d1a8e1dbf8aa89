package lua_test

import (
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// TestAddonEscalation: an addon whose slices keep overrunning the watchdog's
// threshold is escalated under the scheduler's policy, unless its
// AddonOptions.Escalation says otherwise; its Lua task is killed at last.
func TestAddonEscalation(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWatchdog(11*time.Millisecond, func(sched.Warning) {}))
		slow := `Task.Create(function(self) while true do work(0.012) self:Wait(Wait.Frames(1)) end end):Start()`
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{Escalation: &sched.EscalationPolicy{Off: true}})
		e.run(a, slow)
		e.run(b, slow)
		e.frames(400)
		steps := map[string]sched.EscalationStep{}
		live := map[string]int{}
		for _, o := range e.s.Owners() {
			steps[o.Name], live[o.Name] = o.Escalation, o.Live
		}
		if steps["A"] == sched.NoEscalation || live["A"] != 0 {
			t.Errorf("A after 400 overrunning frames: step %v, %d live tasks; want escalated and its task killed", steps["A"], live["A"])
		}
		if steps["B"] != sched.NoEscalation || live["B"] != 1 {
			t.Errorf("B (escalation off) after 400 overrunning frames: step %v, %d live tasks", steps["B"], live["B"])
		}
	})
}
