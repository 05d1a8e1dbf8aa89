package lua_test

import (
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// recursionHost runs one addon on a scheduler whose frames have a
// nanosecond's budget, so that every Breath parks; it collects task errors.
func recursionHost(t *testing.T) (*sched.Scheduler, *lua.Addon, *[]sched.TaskError) {
	t.Helper()
	errs := new([]sched.TaskError)
	s := sched.New(sched.WithBudget(time.Nanosecond),
		sched.WithErrorHandler(func(e sched.TaskError) { *errs = append(*errs, e) }))
	h := lua.NewHost(s, lua.Config{})
	a, err := h.NewAddon("deep", lua.AddonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		h.Close()
	})
	return s, a, errs
}

// recursionRun runs frames until every task has finished.
func recursionRun(t *testing.T, s *sched.Scheduler) {
	t.Helper()
	for range 100000 {
		s.RunFrame()
		if len(s.Snapshot()) == 0 {
			return
		}
	}
	t.Fatal("tasks still running after 100000 frames")
}

// A task recursing 5000 levels deep, breathing (and parking) at every
// level on the way down and up and waiting a frame at the bottom, keeps its
// whole Lua stack across the parks.
func TestDeepRecursion(t *testing.T) {
	s, a, errs := recursionHost(t)
	err := a.DoString("deep", `
		local Task, Wait = blTasks.Task, blTasks.Wait
		local function down(self, n)
			self:Breath()
			if n == 0 then
				self:Wait(Wait.Frames(1))
				return 0
			end
			local depth = 1 + down(self, n - 1) -- not a tail call
			self:Breath()
			return depth
		end
		deep = Task.Create(function(self) return down(self, 5000) end):Start()`)
	if err != nil {
		t.Fatal(err)
	}
	recursionRun(t, s)
	if len(*errs) != 0 {
		t.Fatalf("task errors: %v", *errs)
	}
	if err := a.DoString("result", "depth = deep:Result()"); err != nil {
		t.Fatal(err)
	}
	if got, want := a.State().GetGlobal("depth").String(), "5000"; got != want {
		t.Errorf("depth: got %s, want %s", got, want)
	}
}

// Unbounded recursion fails the task with a Lua stack overflow, reported
// for its owner; the host goes on.
func TestRecursionOverflow(t *testing.T) {
	s, a, errs := recursionHost(t)
	err := a.DoString("overflow", `
		local function down(n) return 1 + down(n + 1) end
		overflow = blTasks.Task.Create(function(self) return down(0) end):Start()`)
	if err != nil {
		t.Fatal(err)
	}
	recursionRun(t, s)
	if len(*errs) != 1 {
		t.Fatalf("task errors: got %v, want one", *errs)
	}
	if e := (*errs)[0]; e.Owner != "deep" || !strings.Contains(e.Err.Error(), "stack overflow") {
		t.Errorf("error: got owner %s, %v; want owner deep, a stack overflow", e.Owner, e.Err)
	}
}
