package lua

import (
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/waitcond"
)

const (
	condType   = "blTasks.Condition"
	signalType = "blTasks.Signal"
)

func pushCond(L *glua.LState, c *waitcond.Cond) int {
	ud := L.NewUserData()
	ud.Value = c
	ud.Metatable = L.GetTypeMetatable(condType)
	L.Push(ud)
	return 1
}

// waitTable is blTasks.Wait: the condition constructors, and any kind the
// host registered, looked up by name when called.
func (a *Addon) waitTable() *glua.LTable {
	L := a.main
	s := a.h.s
	w := L.NewTable()
	L.SetFuncs(w, map[string]glua.LGFunction{
		"And": func(L *glua.LState) int {
			return pushCombined(L, "Wait.And", waitcond.And(checkConds(L, "Wait.And")...))
		},
		"Or": func(L *glua.LState) int { return pushCombined(L, "Wait.Or", waitcond.Or(checkConds(L, "Wait.Or")...)) },
		"Task": func(L *glua.LState) int { // nil is an error, as in blTasks: it hides typos
			return pushCond(L, waitcond.Task(checkTask(L, 1, "Wait.Task").handle()))
		},
		"Children": func(L *glua.LState) int { return pushCond(L, waitcond.Children()) },
		"Frame":    func(L *glua.LState) int { return pushCond(L, s.NextFrame()) },
		"Frames": func(L *glua.LState) int {
			n := CheckNumber(L, 1, "Wait.Frames")
			if n < 0 || float64(n) != float64(int64(n)) {
				ArgError(L, 1, "Wait.Frames", "a whole number of frames, 0 or more, expected")
			}
			return pushCond(L, s.Frames(uint64(n)))
		},
		"Timespan": func(L *glua.LState) int {
			d := CheckNumber(L, 1, "Wait.Timespan")
			if d < 0 || d != d {
				ArgError(L, 1, "Wait.Timespan", "seconds, 0 or more, expected")
			}
			return pushCond(L, s.Timespan(seconds(d)))
		},
		"Timestamp": func(L *glua.LState) int {
			t := CheckNumber(L, 1, "Wait.Timestamp")
			if t != t {
				ArgError(L, 1, "Wait.Timestamp", "seconds since the epoch expected")
			}
			return pushCond(L, waitcond.Timestamp(time.Unix(0, 0).Add(seconds(t))))
		},
		"Signal": func(L *glua.LState) int { return pushCond(L, checkSignal(L, 1, "Wait.Signal").Cond()) },
		"Predicate": func(L *glua.LState) int {
			fn := CheckFunction(L, 1, "Wait.Predicate")
			name := optString(L, 2, "Wait.Predicate")
			if name == "" {
				name = taskName(fn)
			}
			return pushCond(L, waitcond.Predicate(name, a.predicate(name, fn)))
		},
	})
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		name := L.CheckString(2)
		f, ok := a.h.conds[name]
		if !ok {
			L.RaiseError("Wait.%s: no such condition", name)
		}
		L.Push(L.NewFunction(func(L *glua.LState) int { return pushCond(L, f(L)) }))
		return 1
	}))
	L.SetMetatable(w, mt)
	return w
}

// predicate calls fn as the addon's code, under the addon's watchdog (see
// Addon.Watch), each time the scheduler polls; an error, or a kill, counts
// as false and is reported.
func (a *Addon) predicate(name string, fn *glua.LFunction) func() bool {
	return func() bool {
		L := a.main
		met := false
		a.h.hooks++
		defer func() { a.h.hooks-- }()
		a.h.s.RunAs(a.name, func() {
			err := a.Watch(func() error {
				L.Push(fn)
				if err := pcall(L, 0, 1); err != nil {
					return err
				}
				met = glua.LVAsBool(L.Get(-1))
				L.Pop(1)
				return nil
			})
			if err != nil {
				met = false
				a.h.s.ReportError(a.name, "predicate "+name, luaError(err))
			}
		})
		return met
	}
}

func checkConds(L *glua.LState, fn string) []*waitcond.Cond {
	n := L.GetTop()
	if n == 0 {
		ArgError(L, 1, fn, "condition expected, got no value")
	}
	cs := make([]*waitcond.Cond, n)
	for i := range cs {
		cs[i] = checkCond(L, i+1, fn)
	}
	return cs
}

func condOr(L *glua.LState) int {
	return pushCombined(L, "+", waitcond.Or(checkCond(L, 1, "+"), checkCond(L, 2, "+")))
}

// pushCombined pushes c, an And or Or that fn made, or raises its error
// when it is too large (waitcond.MaxSize, waitcond.MaxDepth).
func pushCombined(L *glua.LState, fn string, c *waitcond.Cond) int {
	if err := c.Err(); err != nil {
		L.RaiseError("%s: %s", fn, strings.TrimPrefix(err.Error(), "waitcond: "))
	}
	return pushCond(L, c)
}

func condAnd(L *glua.LState) int {
	return pushCombined(L, "*", waitcond.And(checkCond(L, 1, "*"), checkCond(L, 2, "*")))
}

func condToString(L *glua.LState) int {
	L.Push(glua.LString("Condition " + checkCond(L, 1, "tostring").String()))
	return 1
}

// newSignal is blTasks.Signal(name): a signal addon code fires; tasks
// waiting on it wake at the start of the next frame.
func newSignal(L *glua.LState) int {
	name := optString(L, 1, "Signal")
	mt := L.GetTypeMetatable(signalType)
	if mt == glua.LNil {
		t := L.NewTypeMetatable(signalType)
		t.RawSetString("__index", strictMethods(L, "Signal", L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
			"Fire": func(L *glua.LState) int {
				checkSignal(L, 1, "Fire").Fire()
				L.Push(L.Get(1))
				return 1
			},
			"Cond": func(L *glua.LState) int { return pushCond(L, checkSignal(L, 1, "Cond").Cond()) },
			"Name": func(L *glua.LState) int { L.Push(glua.LString(checkSignal(L, 1, "Name").Name())); return 1 },
		})))
		mt = t
	}
	ud := L.NewUserData()
	ud.Value = waitcond.NewSignal(name)
	ud.Metatable = mt
	L.Push(ud)
	return 1
}

func checkSignal(L *glua.LState, n int, fn string) *waitcond.Signal {
	if ud, ok := L.Get(n).(*glua.LUserData); ok {
		if s, ok := ud.Value.(*waitcond.Signal); ok {
			return s
		}
	}
	TypeError(L, n, fn, "signal")
	return nil
}
