package lua_test

import (
	"testing"

	"github.com/framesched/framesched/lua"
)

// A task recursing 5000 levels deep works, and parks deep in the recursion:
// its thread's call stack survives the park and grows on demand.
func TestRecursion5000Parks(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		name := "untrusted"
		if trusted {
			name = "trusted"
		}
		t.Run(name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{Trusted: trusted})
				e.run(a, `
					h = Task.Create(function(self)
						local function down(n)
							if n % 1000 == 0 then
								print("depth", 5000 - n, frame())
								self:Wait(Wait.Frame())
							end
							if n % 100 == 0 then work(0.001) self:Breath() end
							if n == 0 then return 0 end
							return n + down(n - 1)
						end
						return down(5000)
					end):Start()`)
				e.frames(40)
				e.run(a, `print(h:Status(), h:Result())`)
				checkLines(t, e.out, []string{
					// ten 1ms chunks per 1000 levels, parked by Breath at 40% of
					// the 10ms budget, and by the Wait: three frames
					"depth\t0\t1",
					"depth\t1000\t4",
					"depth\t2000\t7",
					"depth\t3000\t10",
					"depth\t4000\t13",
					"depth\t5000\t16",
					"finished\t12502500",
				})
				e.checkNoErrors()
			})
		})
	}
}
