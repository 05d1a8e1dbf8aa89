package lua_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// BenchmarkAsyncRoundTrip/lua is sched's BenchmarkAsyncRoundTrip/go from
// Lua: a task of an (untrusted) addon calls a host's async function whose
// work returns its number argument, and resumes with it, again and again,
// while the host runs frames, yielding between them (runtime.Gosched).
// Each op is the binding reading its argument, a submit, a worker's run,
// the frame that applies the outcome, the slice that resumes the task and
// the result pushed.
func BenchmarkAsyncRoundTrip(b *testing.B) {
	b.Run("lua", func(b *testing.B) {
		b.ReportAllocs()
		s := sched.New(sched.WithBudget(time.Hour))
		h := lua.NewHost(s, lua.Config{Print: func(string, string) {}})
		defer func() { s.Close(); h.Close() }()
		h.RegisterAsync("id", func(L *glua.LState) (lua.AsyncWork, error) {
			n := float64(lua.CheckNumber(L, 1, "Async.id"))
			return func(context.Context) ([]any, error) { return []any{n}, nil }, nil
		})
		a, err := h.NewAddon("A", lua.AddonOptions{})
		if err != nil {
			b.Fatal(err)
		}
		sum, finished := 0.0, false
		a.State().SetGlobal("finish", a.State().NewFunction(func(L *glua.LState) int {
			sum, finished = float64(lua.CheckNumber(L, 1, "finish")), true
			return 0
		}))
		if err := a.DoString("A", fmt.Sprintf(`
			local id = blTasks.Async.id
			h = blTasks.Task.Create(function(self)
				local sum = 0
				for i = 1, %d do sum = sum + id(i) end
				finish(sum)
			end):Start()`, b.N)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for !finished {
			s.RunFrame()
			runtime.Gosched()
		}
		b.StopTimer()
		if want := float64(b.N) * float64(b.N+1) / 2; sum != want {
			b.Fatalf("sum %v, want %v", sum, want)
		}
	})
}
