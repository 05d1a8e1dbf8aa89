package lua

import (
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// A parked task's thread lends its call-stack table, once the host has
// more than lendAbove started tasks, and keeps only the segments it uses;
// the table comes back when the task runs again, so a task parked shallow
// recurses as deep as ever afterwards, and one stopped while parked unwinds
// (closing its upvalues, which runs Lua calls on its thread) as before.
// Trusted addons, whose slices are not watched, lend too. With fewer tasks,
// threads keep their tables.
func TestParkedTaskLendsCallStack(t *testing.T) {
	for _, c := range []struct {
		trusted bool
		others  int // tasks started, and parked, before the two
		lent    int
	}{{false, lendAbove, 2}, {true, lendAbove, 2}, {false, 0, 0}} {
		s := sched.New(sched.WithClock(clock.NewMock()), sched.WithBudget(time.Nanosecond))
		h := NewHost(s, Config{Print: func(string, string) {}})
		a, err := h.NewAddon("A", AddonOptions{Trusted: c.trusted})
		if err != nil {
			t.Fatal(err)
		}
		err = a.DoString("A", `
			for i = 1, `+fmt.Sprint(c.others)+` do
				blTasks.Task.Create(function(self) self:Wait(blTasks.Wait.Frames(10)) end):Start()
			end
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
		s.RunFrame() // all run to their Breath or Wait, which parks them (the mock clock stands still)
		if len(h.running) != c.others+2 {
			t.Fatalf("%+v: %d running tasks, want %d", c, len(h.running), c.others+2)
		}
		lent := 0
		for _, lt := range h.running {
			segs, _, ok := segmentsOf(lt.th)
			if !ok {
				t.Fatal("gopher-lua's call stack is not of the layout checked")
			}
			switch {
			case lt.tableLen == 0 && len(*segs) == (callStackSize+7)/8:
			case len(*segs) <= lentSegments && lt.tableLen == (callStackSize+7)/8:
				lent++
			default:
				t.Errorf("%+v: a parked thread has a table of %d segments (lent %d)", c, len(*segs), lt.tableLen)
			}
		}
		if lent != c.lent || len(h.tables) != c.lent {
			t.Errorf("%+v: %d threads lent their tables, the host stocks %d; want %d", c, lent, len(h.tables), c.lent)
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
			t.Errorf("%+v: depth %s, want %s", c, got, want)
		}
		if got, want := a.State().GetGlobal("x").String(), "1"; got != want {
			t.Errorf("%+v: the stopped task's upvalue is %s, want %s", c, got, want)
		}
		s.Close()
		h.Close()
	}
}
