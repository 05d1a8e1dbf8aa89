package lua_test

import (
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// BenchmarkCall is what a host pays per call into an addon's code (an
// OnFinished handler, a host callback): with Config.KillAfter, an
// untrusted addon's call runs under the watchdog.
func BenchmarkCall(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts lua.AddonOptions
	}{
		{"untrusted", lua.AddonOptions{}},
		{"trusted", lua.AddonOptions{Trusted: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := sched.New()
			h := lua.NewHost(s, lua.Config{Print: func(string, string) {}, KillAfter: 5 * time.Second})
			defer func() {
				s.Close()
				h.Close()
			}()
			a, err := h.NewAddon("bench", tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			if err := a.DoString("bench", `n = 0 function handler(x) n = n + x end`); err != nil {
				b.Fatal(err)
			}
			fn := a.State().GetGlobal("handler")
			b.ReportAllocs()
			for b.Loop() {
				if err := a.Call(fn, glua.LNumber(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
