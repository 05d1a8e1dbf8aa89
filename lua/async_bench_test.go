package lua_test

import (
	"fmt"
	"testing"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// BenchmarkAsyncCall is a blocking Async.Call from the addon's code of a
// function returning its argument: a number, or a list of n tables {x = i}
// (4n+1 values), copied four times (to the worker and into it, back and
// into the addon), and the call on worker 0.
func BenchmarkAsyncCall(b *testing.B) {
	for _, tc := range []struct{ name, args string }{
		{"number", "1"},
		{"tables=50", "t50"},
		{"tables=500", "t500"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := sched.New(sched.WithClock(clock.NewMock()))
			h := lua.NewHost(s, lua.Config{Print: func(string, string) {}})
			defer func() { s.Close(); h.Close() }()
			a, err := h.NewAddon("A", lua.AddonOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if err := a.DoString("A", `
				local function list(n) local t = {} for i = 1, n do t[i] = {x = i} end return t end
				t50, t500 = list(50), list(500)
				blTasks.Async.Define("id", "return function(v) return v end")
				function bench(n, v) for i = 1, n do blTasks.Async.Call("id", v) end end`); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if err := a.DoString("A", fmt.Sprintf("bench(%d, %s)", b.N, tc.args)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
