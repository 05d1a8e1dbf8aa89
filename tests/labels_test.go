package tests

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/internal/labelprobe"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// A Lua task's code, and the Go functions it calls, run with its addon and
// its own name as pprof labels, as Go tasks' do.
func TestLuaProfilerLabels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := sched.New(sched.WithClock(clock.NewMock()), sched.WithBudget(time.Hour))
		h := lua.NewHost(s, lua.Config{})
		defer func() { s.Close(); h.Close() }()
		var got []string
		for _, name := range []string{"Bags", "Map"} {
			a, err := h.NewAddon(name, lua.AddonOptions{})
			if err != nil {
				t.Fatal(err)
			}
			a.State().SetGlobal("probe", a.State().NewFunction(func(*glua.LState) int {
				got = append(got, labelprobe.Labels())
				return 0
			}))
			src := `blTasks.Task.Create(function(self)
				probe()
				self:Wait(blTasks.Wait.Frame())
				probe()
			end):Start()`
			if err := a.DoString(name+".lua", src); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			s.RunFrame()
		}
		bags, mapl := `{"owner":"Bags", "task":"Bags.lua:1"}`, `{"owner":"Map", "task":"Map.lua:1"}`
		want := []string{bags, mapl, bags, mapl}
		if len(got) != len(want) {
			t.Fatalf("labels %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("probe %d: labels %q, want %q", i, got[i], want[i])
			}
		}
	})
}
