package runner

import (
	"math"
	"regexp"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// installSim makes the global Sim of an addon: the simulated host's clock,
// frames and work, and helpers for stable transcripts.
func (r *run) installSim(a *lua.Addon) {
	L := a.State()
	sim := L.NewTable()
	L.SetFuncs(sim, map[string]glua.LGFunction{
		"Frame": func(L *glua.LState) int {
			L.Push(glua.LNumber(r.frame))
			return 1
		},
		"Now": func(L *glua.LState) int {
			L.Push(glua.LNumber(r.seconds()))
			return 1
		},
		"Ms": func(L *glua.LState) int {
			L.Push(glua.LNumber(r.clk.Since(r.frameStart) / time.Millisecond))
			return 1
		},
		"Work": r.work,
		"Done": func(L *glua.LState) int {
			r.done = true
			return 0
		},
		"OnFrame": func(L *glua.LState) int {
			r.hooks = append(r.hooks, hook{a: a, fn: lua.CheckFunction(L, 1, "Sim.OnFrame")})
			return 0
		},
		"Msg": func(L *glua.LState) int {
			L.Push(glua.LString(stableMessage(L.ToStringMeta(L.Get(1)).String())))
			return 1
		},
		"Addon": func(L *glua.LState) int {
			L.Push(glua.LString(a.Name()))
			return 1
		},
	})
	L.SetGlobal("Sim", sim)
}

// work is Sim.Work(seconds): simulated CPU work, charged to the code that
// runs it. On the virtual clock it moves the time forward by
// floor(seconds*1e6 + 0.5) microseconds; on the real clock it spins until
// the time has passed, or until the task is interrupted (by the watchdog or
// a stop). It reads the run's clock once after spinning, which is what
// --record keeps of it and --replay returns (the spin reads the real clock
// unrecorded: a recording of a spin's every reading would be large).
func (r *run) work(L *glua.LState) int {
	d := checkSeconds(L, 1, "Sim.Work")
	if r.vclk != nil {
		us := math.Floor(float64(lua.CheckNumber(L, 1, "Sim.Work"))*1e6 + 0.5)
		r.vclk.Add(time.Duration(us) * time.Microsecond)
		return 0
	}
	if r.wall != nil {
		ctx := L.Context()
		for t0 := r.wall.Now(); r.wall.Since(t0) < d; {
			if ctx != nil && ctx.Err() != nil {
				break
			}
		}
	}
	r.clk.Now()
	return 0
}

// The Lua patterns of Sim.Msg, [%w_%-%./]*%.lua:%d+: and 0x%x+, with %w,
// %d and %x of the C locale, as in Lua 5.1.
var (
	positionRE = regexp.MustCompile(`[0-9A-Za-z_\-./]*\.lua:[0-9]+: `)
	addressRE  = regexp.MustCompile(`0x[0-9a-fA-F]+`)
)

// stableMessage is Sim.Msg: msg with every "<chars>.lua:<line>: "
// position replaced by "<pos>: " (each by one, so a message keeps its
// count of positions) and every hexadecimal address by "<addr>".
func stableMessage(msg string) string {
	msg = positionRE.ReplaceAllString(msg, "<pos>: ")
	return addressRE.ReplaceAllString(msg, "<addr>")
}

// maxSeconds bounds durations from Lua well within time.Duration.
const maxSeconds = 1e9

// checkSeconds is a number of seconds, 0 or more, as a duration.
func checkSeconds(L *glua.LState, n int, fn string) time.Duration {
	v := float64(lua.CheckNumber(L, n, fn))
	if !(v >= 0 && v <= maxSeconds) {
		lua.ArgError(L, n, fn, "seconds, 0 or more, expected")
	}
	return time.Duration(v * float64(time.Second))
}

// checkCount is a whole number, min or more.
func checkCount(L *glua.LState, n int, fn string, min int) int {
	v := float64(lua.CheckNumber(L, n, fn))
	if v != math.Trunc(v) || v < float64(min) || v > math.MaxInt32 {
		lua.ArgError(L, n, fn, "a whole number, "+glua.LNumber(min).String()+" or more, expected")
	}
	return int(v)
}
