package lua_test

import (
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// The same scripts on a mock clock print the same lines and trace the same
// events, byte for byte: random numbers, CPU work, parks, waits, errors,
// stops and the watchdog included.
func TestDeterminism(t *testing.T) {
	run := func() string {
		var res string
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{Seed: 7, KillAfter: 30 * time.Millisecond},
				sched.WithWatchdog(15*time.Millisecond, func(w sched.Warning) {}))
			a := e.addon("A", lua.AddonOptions{})
			b := e.addon("B", lua.AddonOptions{Trusted: true})
			for _, ad := range []*lua.Addon{a, b} {
				e.run(ad, `
					local sig = blTasks.Signal("go")
					blTasks.OnFinished(function(t, how, err)
						if t:Owner() == "`+ad.Name()+`" then print("finished", t:Name(), how, err, frame()) end
					end)
					local workers = {}
					for i = 1, 4 do
						workers[i] = Task.Create(function(self)
							for j = 1, math.random(3, 8) do
								work(math.random(1, 4) / 1000)
								self:Breath()
							end
							if math.random(4) == 1 then error("unlucky " .. i, 0) end
							self:Wait(Wait.Signal(sig) + Wait.Frames(math.random(2, 6)))
							return i, frame(), os.clock()
						end):Start()
					end
					Task.Create(function(self)
						self:Wait(Wait.Frames(3))
						sig:Fire()
						for i = 1, 4 do
							local ok, n, f = pcall(workers[i].Result, workers[i])
							print("result", i, ok, n, f)
						end
						local greedy = Task.Create(function() for k = 1, 10 do work(0.005) end return "done" end):Start()
						self:Wait(Wait.Task(greedy) + Wait.Frames(20))
						print("greedy", greedy:Status(), greedy:Error())
					end):Start()`)
			}
			e.frames(40)
			res = strings.Join(e.who, "\n") + "\n--\n" + strings.Join(e.trace, "\n") + "\n--\n" + strings.Join(e.errLines(), "\n")
		})
		return res
	}
	first, again := run(), run()
	if first != again {
		t.Errorf("two runs differ:\n%s\n\nand\n\n%s", first, again)
	}
	for _, want := range []string{"A: result\t4", "B: result\t4", "A: greedy\tfinished\twatchdog", "B: greedy"} {
		if !strings.Contains(first, want) {
			t.Errorf("the run lacks %q:\n%s", want, first)
		}
	}
}
