package runner

import (
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// In a --virtual run, tasks whose handles the scripts dropped are stopped
// by collectgarbage("collect") and by nothing else, so that every run stops
// them at the same point. The scheduler stops such tasks at the start of the
// frame after Go's collector found their handles unreachable, and the
// collector runs when the heap says so, not when the script does: the
// runner therefore holds a handle to every task (pin) from the end of one
// frame to the end of the next, and lets go of them only inside
// collectgarbage (collectNow).

// pin holds a handle to every unfinished task, in a --virtual run. A task
// whose handle Go's collector took meanwhile gets a new one, which keeps the
// scheduler from stopping it at the next frame's start.
func (r *run) pin() {
	if !r.stable {
		return
	}
	clear(r.pins)
	r.pins = r.pins[:0]
	for h := range r.s.Tasks() {
		r.pins = append(r.pins, h)
	}
}

// collectNow lets go of the pinned handles, stops every task whose handles
// no script holds, and pins the rest.
func (r *run) collectNow() {
	clear(r.pins)
	r.pins = r.pins[:0]
	r.s.Collect() // fails only inside a task, which wrapCollect rules out
	r.pin()
}

// wrapCollect makes collectgarbage("collect"), the default option, collect
// and apply the stops it causes before it returns. Inside a task, where the
// scheduler cannot stop tasks, the collection happens at the end of the
// frame instead. Other options keep gopher-lua's behaviour.
func (r *run) wrapCollect(a *lua.Addon) {
	L := a.State()
	orig, _ := L.GetGlobal("collectgarbage").(*glua.LFunction)
	L.SetGlobal("collectgarbage", L.NewFunction(func(L *glua.LState) int {
		if opt := L.OptString(1, "collect"); opt != "collect" && orig != nil {
			return orig.GFunction(L)
		}
		if r.s.Current() != nil {
			r.collect = true
			return 0
		}
		r.collectNow()
		return 0
	}))
}
