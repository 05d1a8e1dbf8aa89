package lua

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"
)

// openSandbox opens the libraries an addon gets: base, table, string, math,
// coroutine and package (require of modules the host preloads only), with
// os.time, os.clock and math.random served by the scheduler's clock and the
// host's seed (os.time of a date table in UTC), print attributed to the addon, and no file access.
func (a *Addon) openSandbox() {
	L := a.main
	openLibs(L)
	ud := L.NewUserData()
	ud.Value = a
	L.G.Registry.RawSetString(addonKey, ud)

	openLoaders(L, a.opts.AllowLoad, &a.compiler)
	if !a.opts.Trusted {
		L.SetGlobal("collectgarbage", L.NewFunction(a.collectGarbage()))
		noFenv(L)
	}
	L.SetGlobal("print", L.NewFunction(a.print))
	if !a.opts.Trusted {
		limitBuiltins(L, a.mem.charge)
	}
	a.guardCoroutines()
	a.start = a.h.s.Clock().Now()
	openOS(L, a.h.s.Clock(), a.start)
	setRandom(L, a.rng)
}

// openLibs opens the libraries of every Lua state of an addon, its main
// state's and its workers': base, table, string, math, coroutine and
// package, whose require finds only the modules the host preloads.
func openLibs(L *glua.LState) {
	for _, lib := range []struct {
		name string
		open glua.LGFunction
	}{
		{glua.LoadLibName, glua.OpenPackage},
		{glua.BaseLibName, glua.OpenBase},
		{glua.TabLibName, glua.OpenTable},
		{glua.StringLibName, glua.OpenString},
		{glua.MathLibName, glua.OpenMath},
		{glua.CoroutineLibName, glua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(glua.LString(lib.name))
		L.Call(1, 0)
	}
	if pkg, ok := L.GetGlobal("package").(*glua.LTable); ok {
		pkg.RawSetString("path", glua.LString(""))
		pkg.RawSetString("cpath", glua.LString(""))
		if loaders, ok := pkg.RawGetString("loaders").(*glua.LTable); ok {
			for i := loaders.Len(); i > 1; i-- { // keep only the preload searcher
				loaders.RawSetInt(i, glua.LNil)
			}
		}
	}
	L.SetGlobal("_printregs", glua.LNil) // a debugging aid that writes the VM's registers to the process's stdout
}

// openLoaders removes load, loadstring, dofile and loadfile unless the
// addon may load code; an untrusted addon's compile with guarded
// concatenation.
func openLoaders(L *glua.LState, allowLoad bool, c *compiler) {
	switch {
	case !allowLoad:
		for _, name := range []string{"dofile", "loadfile", "load", "loadstring"} {
			L.SetGlobal(name, glua.LNil)
		}
	case !c.trusted:
		c.guardLoaders(L)
	}
}

// noFenv removes getfenv and setfenv, which an untrusted addon does not
// get: getfenv(f) gives the environment of any function an addon holds,
// another addon's too: its globals.
func noFenv(L *glua.LState) {
	L.SetGlobal("getfenv", glua.LNil)
	L.SetGlobal("setfenv", glua.LNil)
}

// openOS sets os to os.time, os.clock (seconds since start) and
// os.difftime on clk.
func openOS(L *glua.LState, clk clock.Clock, start time.Time) {
	os := L.NewTable()
	os.RawSetString("time", L.NewFunction(func(L *glua.LState) int {
		switch v := L.Get(1).(type) {
		case *glua.LNilType:
			L.Push(glua.LNumber(clk.Now().Unix()))
		case *glua.LTable:
			L.Push(glua.LNumber(dateTable(L, v).Unix()))
		default:
			TypeError(L, 1, "os.time", "table")
		}
		return 1
	}))
	os.RawSetString("clock", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LNumber(clk.Since(start).Seconds()))
		return 1
	}))
	os.RawSetString("difftime", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LNumber(float64(CheckNumber(L, 1, "os.difftime")) - float64(optNumber(L, 2, "os.difftime", 0))))
		return 1
	}))
	L.SetGlobal("os", os)
}

// setRandom makes math.random draw from rng; the host seeds it, so
// math.randomseed does nothing.
func setRandom(L *glua.LState, rng *rand.Rand) {
	math := L.GetGlobal("math").(*glua.LTable)
	math.RawSetString("random", L.NewFunction(func(L *glua.LState) int { return random(L, rng) }))
	math.RawSetString("randomseed", L.NewFunction(func(L *glua.LState) int { return 0 }))
}

// collectEvery is how many frames apart an untrusted addon's
// collectgarbage runs Go's collector at most.
const collectEvery = 60

// collectGarbage is collectgarbage for an untrusted addon. gopher-lua's runs
// a full runtime.GC() at every call, whatever the option (and returns
// nothing): a loop of it took whole frames. This one collects at most once
// per collectEvery frames for the addon, and otherwise returns at once; the
// Go collector runs on its own anyway.
func (a *Addon) collectGarbage() glua.LGFunction {
	last, ran := uint64(0), false
	return func(L *glua.LState) int {
		if f := a.h.s.Frame(); !ran || f-last >= collectEvery {
			last, ran = f, true
			runtime.GC()
		}
		return 0
	}
}

// print writes its arguments through tostring, tab-separated, as the addon.
func (a *Addon) print(L *glua.LState) int {
	n := L.GetTop()
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
	}
	a.h.cfg.Print(a.name, strings.Join(parts, "\t"))
	return 0
}

// random is math.random on a seeded source, as in Lua 5.1:
// math.random() in [0,1), math.random(m) in [1,m], math.random(m, n) in
// [m,n], the bounds truncated to integers. A bound must be an integer that
// a Lua number holds exactly (up to 2^53 either way).
func random(L *glua.LState, rng *rand.Rand) int {
	switch L.GetTop() {
	case 0:
		L.Push(glua.LNumber(rng.Float64()))
		return 1
	case 1:
		return randomIn(L, rng, 1, randomBound(L, 1))
	case 2:
		return randomIn(L, rng, randomBound(L, 1), randomBound(L, 2))
	}
	L.RaiseError("math.random: wrong number of arguments")
	return 0
}

// maxRandom is the largest bound of math.random: beyond it, Lua numbers
// are not every integer.
const maxRandom = 1 << 53

// randomBound is argument n of math.random, truncated to an integer.
func randomBound(L *glua.LState, n int) int64 {
	f := math.Trunc(float64(CheckNumber(L, n, "math.random")))
	if !(f >= -maxRandom && f <= maxRandom) { // NaN too
		ArgError(L, n, "math.random", "integer between -2^53 and 2^53 expected")
	}
	return int64(f)
}

// randomIn pushes an integer in [lo,hi]; its size fits an int64 since the
// bounds are within ±2^53.
func randomIn(L *glua.LState, rng *rand.Rand, lo, hi int64) int {
	if lo > hi {
		L.RaiseError("math.random: interval is empty")
	}
	L.Push(glua.LNumber(lo + rng.Int64N(hi-lo+1)))
	return 1
}

// seconds converts Lua seconds to a duration, saturating: math.huge and
// anything past about 292 years is the largest duration, never a wrapped
// negative one.
func seconds(v glua.LNumber) time.Duration {
	d := float64(v) * float64(time.Second)
	switch {
	case d >= math.MaxInt64: // float64(MaxInt64) is 2^63, one past it
		return math.MaxInt64
	case d <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(d)
}

// guardCoroutines wraps coroutine.resume, status and wrap: a coroutine
// parked inside a task (it called Breath or Wait) is not suspended and may
// not be resumed by anyone else, and a coroutine resumed inside a task runs
// under that task's context, so the task's stop and the watchdog reach it
// even when it was made outside the task.
func (a *Addon) guardCoroutines() {
	L := a.main
	co, ok := L.GetGlobal("coroutine").(*glua.LTable)
	if !ok {
		return
	}
	resume := co.RawGetString("resume").(*glua.LFunction)
	status := co.RawGetString("status").(*glua.LFunction)
	co.RawSetString("resume", L.NewFunction(func(L *glua.LState) int {
		th := L.CheckThread(1)
		if a.h.parked[th] {
			L.Push(glua.LFalse)
			L.Push(glua.LString("cannot resume non-suspended coroutine"))
			return 2
		}
		if cur := a.h.s.Current(); cur != nil {
			if lt := a.h.running[cur.ID()]; lt != nil && lt.th.Context() != nil {
				th.SetContext(lt.th.Context())
			}
		}
		return resume.GFunction(L)
	}))
	co.RawSetString("status", L.NewFunction(func(L *glua.LState) int {
		if a.h.parked[L.CheckThread(1)] {
			L.Push(glua.LString("normal"))
			return 1
		}
		return status.GFunction(L)
	}))
	a.guardTaskLevel(co)
	wrapOverResume(L)
}

// wrapOverResume makes coroutine.wrap call coroutine.resume as it is now,
// a guarded one, so that wrap is guarded too. Tracebacks through it name
// it coroutine.wrap.
func wrapOverResume(L *glua.LState) {
	wrap, err := L.Load(strings.NewReader(`
		local create, resume = coroutine.create, coroutine.resume
		local function pass(ok, ...)
			if not ok then error((...), 0) end
			return ...
		end
		coroutine.wrap = function(f)
			local co = create(f)
			return function(...) return pass(resume(co, ...)) end
		end`), "coroutine.wrap")
	if err == nil {
		L.Push(wrap)
		err = L.PCall(0, 0, nil)
	}
	if err != nil {
		panic("lua: coroutine.wrap: " + err.Error()) // a bug in the source above
	}
}

// dateTable is the time a table given to os.time says, in UTC, so that a
// script gets the same on every machine (Lua's own os.time reads the local
// time zone): year, month and day are required; hour defaults to 12, min
// and sec to 0.
func dateTable(L *glua.LState, t *glua.LTable) time.Time {
	field := func(key string, def int) int {
		switch v := t.RawGetString(key).(type) {
		case glua.LNumber:
			if f := float64(v); f == math.Trunc(f) && math.Abs(f) < 1<<31 {
				return int(f)
			}
			L.RaiseError("os.time: field '%s' is not a whole number", key)
		case *glua.LNilType:
			if def >= 0 {
				return def
			}
			L.RaiseError("os.time: field '%s' missing in date table", key)
		}
		L.RaiseError("os.time: field '%s' is not a number", key)
		return 0
	}
	day, month, year := field("day", -1), field("month", -1), field("year", -1)
	return time.Date(year, time.Month(month), day, field("hour", 12), field("min", 0), field("sec", 0), 0, time.UTC)
}
