package lua

import (
	"errors"
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// Argument checks for Go functions bound into Lua, the package's own and a
// host's (a CondFunc, say): each raises a Lua error naming the function, as
// "fn: bad argument #n (msg)".

// ArgError raises "fn: bad argument #n (msg)".
func ArgError(L *glua.LState, n int, fn, msg string) {
	L.RaiseError("%s: bad argument #%d (%s)", fn, n, msg)
}

// TypeError raises "fn: bad argument #n (want expected, got <type>)".
func TypeError(L *glua.LState, n int, fn, want string) {
	got := L.Get(n).Type().String()
	if n > L.GetTop() {
		got = "no value"
	}
	ArgError(L, n, fn, want+" expected, got "+got)
}

// CheckNumber is argument n, which must be a number.
func CheckNumber(L *glua.LState, n int, fn string) glua.LNumber {
	v, ok := L.Get(n).(glua.LNumber)
	if !ok {
		TypeError(L, n, fn, "number")
	}
	return v
}

func optNumber(L *glua.LState, n int, fn string, d glua.LNumber) glua.LNumber {
	if L.Get(n) == glua.LNil {
		return d
	}
	return CheckNumber(L, n, fn)
}

func optString(L *glua.LState, n int, fn string) string {
	switch v := L.Get(n).(type) {
	case *glua.LNilType:
		return ""
	case glua.LString:
		return string(v)
	case glua.LNumber:
		return v.String()
	}
	TypeError(L, n, fn, "string")
	return ""
}

// CheckString is argument n, which must be a string.
func CheckString(L *glua.LState, n int, fn string) string {
	v, ok := L.Get(n).(glua.LString)
	if !ok {
		TypeError(L, n, fn, "string")
	}
	return string(v)
}

// CheckFunction is argument n, which must be a function.
func CheckFunction(L *glua.LState, n int, fn string) *glua.LFunction {
	v, ok := L.Get(n).(*glua.LFunction)
	if !ok {
		TypeError(L, n, fn, "function")
	}
	return v
}

// checkTask returns the task a Task userdata refers to.
func checkTask(L *glua.LState, n int, fn string) *taskRef {
	if ud, ok := L.Get(n).(*glua.LUserData); ok {
		if r, ok := ud.Value.(*taskRef); ok {
			return r
		}
	}
	TypeError(L, n, fn, "task")
	return nil
}

// checkCond returns the condition a Condition userdata holds.
func checkCond(L *glua.LState, n int, fn string) *waitcond.Cond {
	if ud, ok := L.Get(n).(*glua.LUserData); ok {
		if c, ok := ud.Value.(*waitcond.Cond); ok {
			return c
		}
	}
	TypeError(L, n, fn, "condition")
	return nil
}

// raise turns a scheduler error into a Lua error naming fn and the problem.
func raise(L *glua.LState, fn string, err error) {
	var de *sched.DeadlockError
	switch {
	case errors.As(err, &de):
		L.RaiseError("%s: %s", fn, de.Error())
	case errors.Is(err, sched.ErrForeign):
		// the message names both owners: keep what follows the task's name
		msg := err.Error()
		if i := strings.Index(msg, "refused"); i >= 0 {
			msg = msg[i:]
		}
		L.RaiseError("%s: %s", fn, strings.TrimSuffix(msg, ": "+sched.ErrForeign.Error()))
	case errors.Is(err, sched.ErrAbandoned) && fn == "Suspend":
		L.RaiseError("Suspend: task can't be suspended because it's abandoned")
	case errors.Is(err, sched.ErrAbandoned):
		L.RaiseError("%s: task already abandoned", fn)
	default:
		for _, s := range []error{sched.ErrStarted, sched.ErrNotStarted, sched.ErrFinished, sched.ErrNotFinished,
			sched.ErrSuspended, sched.ErrNotSuspended, sched.ErrClosed, sched.ErrTaskLimit, sched.ErrOwnResult, sched.ErrInTask} {
			if errors.Is(err, s) {
				L.RaiseError("%s: %s", fn, strings.TrimPrefix(s.Error(), "sched: "))
			}
		}
		L.RaiseError("%s: %s", fn, err.Error())
	}
}

// toLua converts a Go task's result for Lua: nil, booleans, numbers,
// strings and Lua values pass; anything else becomes its fmt.Sprint.
func toLua(v any) glua.LValue {
	switch x := v.(type) {
	case nil:
		return glua.LNil
	case glua.LValue:
		return x
	case bool:
		return glua.LBool(x)
	case string:
		return glua.LString(x)
	case int:
		return glua.LNumber(x)
	case int64:
		return glua.LNumber(x)
	case float64:
		return glua.LNumber(x)
	}
	return glua.LString(fmt.Sprint(v))
}
