package lua

import (
	"errors"
	"slices"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// What blTasks code sees as it did under blTasks: error values, stop
// reasons, and the coroutine library at a task's own level.

// blTasks' stop reasons, which addon code compares with ==.
const (
	reasonStopped        = "Task stopped."
	reasonParentFinished = "Parent finished."
	notFinished          = "The task hasn't finished yet."
)

// errValue is the Lua value, for code on L, of the error a task finished with
// (nil when none), as Result raises it, Error returns it and OnFinished
// handlers get it: the value the task raised, unchanged (a table stays a
// table); for a stop, its reason, with blTasks' "Task stopped." and "Parent
// finished." for the scheduler's defaults; otherwise the error's message.
// For another addon's code a table, function or other reference is a
// string (the message), so that no value of one addon's Lua state reaches
// another's.
func (h *Host) errValue(L *glua.LState, err error) glua.LValue {
	var le *LuaError
	var se *sched.StopError
	switch {
	case err == nil:
		return glua.LNil
	case errors.As(err, &se):
		return glua.LString(stopReason(se.Reason))
	case errors.As(err, &le) && le.Value != nil:
		if le.addon != nil && h.addonOf(L) == le.addon || shareable(le.Value) {
			return le.Value
		}
	}
	return glua.LString(err.Error())
}

// stopReason is the reason a Lua script sees for a stop with reason r.
func stopReason(r string) string {
	switch r {
	case sched.DefaultStopReason:
		return reasonStopped
	case sched.ParentFinishedReason:
		return reasonParentFinished
	}
	return r
}

// stopReasonArg is Stop's reason, argument n: a string as it is, a number
// as tostring writes it (blTasks concatenates it into a string); nil, an
// empty string and any other value (a table, a boolean, a function) give
// the default reason, without calling a __tostring, which could fail.
func stopReasonArg(L *glua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case glua.LString:
		return string(v)
	case glua.LNumber:
		return v.String()
	}
	return ""
}

// strictMethods makes indexing methods, a methods table used as an
// __index, raise an error for a name it does not hold, naming kind and
// suggesting a close name: `Task has no method "Breathe" (did you mean
// "Breath"?)`. Hits are plain table lookups, so method calls cost the same.
func strictMethods(L *glua.LState, kind string, methods *glua.LTable) *glua.LTable {
	var names []string
	methods.ForEach(func(k, _ glua.LValue) {
		if s, ok := k.(glua.LString); ok {
			names = append(names, string(s))
		}
	})
	slices.Sort(names)
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(noMethod(kind, names)))
	L.SetMetatable(methods, mt)
	return methods
}

// noMethod is an __index function that raises the error for a missing
// method of kind, suggesting the closest of names.
func noMethod(kind string, names []string) glua.LGFunction {
	return func(L *glua.LState) int {
		key := L.Get(2)
		s, ok := key.(glua.LString)
		if !ok {
			L.RaiseError("%s has no method [%s]", kind, keyString(key))
		}
		if near := closest(string(s), names); near != "" {
			L.RaiseError("%s has no method %q (did you mean %q?)", kind, string(s), near)
		}
		L.RaiseError("%s has no method %q", kind, string(s))
		return 0
	}
}

// keyString renders a key that is not a string without calling any of its
// metamethods, and without addresses.
func keyString(v glua.LValue) string {
	switch v.(type) {
	case glua.LNumber, glua.LBool, *glua.LNilType:
		return v.String()
	}
	return "a " + v.Type().String()
}

// closest is the name in names nearest to s, when one is near enough to be
// a typo of it (case aside, at most two edits, fewer than s has letters),
// or "". Ties go to the first in names.
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		d := editDistance(strings.ToLower(s), strings.ToLower(n))
		if d < bestD && d < len(s) {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // no typo of a method name is that long
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// taskThread is the Lua task whose own thread L is, when that task is the
// running one: code at the task's own level, not inside a coroutine it
// created, nor on the addon's main state.
func (h *Host) taskThread(L *glua.LState) *luaTask {
	if lt := h.ownTask(L); lt != nil && lt.th == L {
		return lt
	}
	return nil
}

// guardTaskLevel wraps coroutine.yield, running's results' status and
// resume so that a task's body behaves as a blTasks task's, which is a
// coroutine: coroutine.yield at the task's own level gives the rest of its
// turn to the other tasks (sched.Self.Yield; its values are ignored and it
// returns nothing); coroutine.running there is the task's thread, whose
// status is "running" for its own code ("normal" inside a coroutine it
// resumed, and for any other task's thread), and which coroutine.resume
// refuses: only the scheduler resumes a task. resume and status are the
// guarded functions of guardCoroutines, which this wraps again.
func (a *Addon) guardTaskLevel(co *glua.LTable) {
	L := a.main
	yield := co.RawGetString("yield").(*glua.LFunction)
	resume := co.RawGetString("resume").(*glua.LFunction)
	status := co.RawGetString("status").(*glua.LFunction)
	co.RawSetString("yield", L.NewFunction(func(L *glua.LState) int {
		if a.h.taskThread(L) != nil {
			self := a.h.s.Current()
			parks(L, a.h, self.Yield)
			return 0
		}
		return yield.GFunction(L) // inside a coroutine: its own yield; on the main state: an error
	}))
	co.RawSetString("resume", L.NewFunction(func(L *glua.LState) int {
		switch th := L.CheckThread(1); {
		case a.h.threads[th]:
			L.Push(glua.LFalse)
			L.Push(glua.LString("cannot resume non-suspended coroutine"))
			return 2
		case th.Dead: // a finished coroutine, or the thread of a finished task
			L.Push(glua.LFalse)
			L.Push(glua.LString("cannot resume dead coroutine"))
			return 2
		}
		return resume.GFunction(L)
	}))
	co.RawSetString("status", L.NewFunction(func(L *glua.LState) int {
		th := L.CheckThread(1)
		if a.h.threads[th] {
			st := "normal"
			if L == th {
				st = "running"
			}
			L.Push(glua.LString(st))
			return 1
		}
		return status.GFunction(L)
	}))
}
