package lua

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// A parked task's thread lends its call-stack table and keeps only the
// segments it uses; the table comes back when the task runs again, so a
// task parked shallow recurses as deep as ever afterwards, and one stopped
// while parked unwinds (closing its upvalues, which runs Lua calls on its
// thread) as before. Trusted addons, whose slices are not watched, lend too.
func TestParkedTaskLendsCallStack(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		s := sched.New(sched.WithClock(clock.NewMock()), sched.WithBudget(time.Nanosecond))
		h := NewHost(s, Config{Print: func(string, string) {}})
		a, err := h.NewAddon("A", AddonOptions{Trusted: trusted})
		if err != nil {
			t.Fatal(err)
		}
		err = a.DoString("A", `
			local function down(n) if n == 0 then return 0 end return 1 + down(n - 1) end
			deep = blTasks.Task.Create(function(self)
				self:Breath()
				return down(4000)
			end):Start()
			stopped = blTasks.Task.Create(function(self)
				local x = 1
				getX = function() return x end
				self:Breath()
				x = 2
			end):Start()`)
		if err != nil {
			t.Fatal(err)
		}
		s.RunFrame() // both run to their Breath, which parks them (the mock clock stands still)
		if len(h.running) != 2 {
			t.Fatalf("trusted %v: %d running tasks, want 2", trusted, len(h.running))
		}
		for _, lt := range h.running {
			segs, _, ok := segmentsOf(lt.th)
			if !ok {
				t.Fatal("gopher-lua's call stack is not of the layout checked")
			}
			if len(*segs) > lentSegments || lt.tableLen != (callStackSize+7)/8 {
				t.Errorf("trusted %v: a parked thread has a table of %d segments (lent %d), want its table lent", trusted, len(*segs), lt.tableLen)
			}
		}
		if len(h.tables) != 2 {
			t.Errorf("trusted %v: the host stocks %d tables, want 2", trusted, len(h.tables))
		}
		if err := a.DoString("A", `stopped:Stop()`); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			s.RunFrame()
		}
		if err := a.DoString("A", `depth, x = deep:Result(), getX()`); err != nil {
			t.Fatal(err)
		}
		if got, want := a.State().GetGlobal("depth").String(), "4000"; got != want {
			t.Errorf("trusted %v: depth %s, want %s", trusted, got, want)
		}
		if got, want := a.State().GetGlobal("x").String(), "1"; got != want {
			t.Errorf("trusted %v: the stopped task's upvalue is %s, want %s", trusted, got, want)
		}
		s.Close()
		h.Close()
	}
}
