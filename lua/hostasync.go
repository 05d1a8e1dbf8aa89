package lua

import (
	"context"
	"errors"
	"fmt"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// Host async functions: Go functions a host registers for Lua whose work
// runs on the scheduler's pool, LÖVR's rule. Addons call them as
// blTasks.Async.<name>(...).

// AsyncFunc binds a host's async function: it reads and checks its Lua
// arguments (L's stack from index 1) on the frame goroutine, raising a Lua
// error for bad ones (ArgError, CheckString... naming "Async.<name>"), and
// returns the work to run on the pool, or an error, raised as
// "Async.<name>: <error>".
type AsyncFunc func(L *glua.LState) (AsyncWork, error)

// AsyncWork is the work of a call of an async function. It runs on a pool
// worker, so it must not touch any Lua state: it takes plain Go values
// from its AsyncFunc and returns plain values, pushed as its Lua results
// on the frame goroutine: nil, bool, int, int64, float64, string, []byte
// (a string), and []any (a list) and map[string]any (a table) of those,
// nested at most 32 deep. Its error is raised as "Async.<name>: <error>".
// ctx is cancelled when the task that called it is stopped, and when the
// scheduler closes; work that may take long should watch it.
type AsyncWork func(ctx context.Context) ([]any, error)

// maxAsyncDepth bounds the nesting of an async function's results.
const maxAsyncDepth = 32

// RegisterAsync adds an async function that addons call as
// blTasks.Async.<name>(...). Called in a task's own code (coroutines and
// pcall included), the call parks the task until the work has run on the
// scheduler's pool, and the task resumes with its results at the start of
// a later frame (stopping the task cancels the work's context); called
// anywhere else (a main chunk, a handler, a predicate, a host callback), it
// blocks until the work returns (sched.Scheduler.Do) under the watchdog of
// the code calling it. Registering a name twice replaces it; addons made
// before see it too. name must be an identifier other than the Async
// table's own functions (Define, Call, Send, For).
func (h *Host) RegisterAsync(name string, f AsyncFunc) {
	switch name {
	case "Define", "Call", "Send", "For":
		panic(fmt.Sprintf("lua: RegisterAsync: %q is one of blTasks.Async's own functions", name))
	}
	if !isIdentifier(name) {
		panic(fmt.Sprintf("lua: RegisterAsync: bad name %q", name))
	}
	if f == nil {
		panic("lua: RegisterAsync: nil function")
	}
	if h.asyncs == nil {
		h.asyncs = map[string]AsyncFunc{}
	}
	h.asyncs[name] = f
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// hostAsync gives the Async table t the host's async functions: a lookup
// of a name t does not hold finds the registered function, and keeps its
// binding in t.
func (a *Addon) hostAsync(t *glua.LTable) {
	L := a.main
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		name, ok := L.Get(2).(glua.LString)
		if !ok || a.h.asyncs[string(name)] == nil {
			L.Push(glua.LNil)
			return 1
		}
		fn := L.NewFunction(func(L *glua.LState) int { return a.callAsync(L, string(name)) })
		t.RawSetString(string(name), fn)
		L.Push(fn)
		return 1
	}))
	L.SetMetatable(t, mt)
}

// callAsync is a call of the host's async function name.
func (a *Addon) callAsync(L *glua.LState, name string) int {
	fn := "Async." + name
	f := a.h.asyncs[name]
	if f == nil {
		L.RaiseError("%s: no such function", fn)
	}
	if a.stopped != nil {
		L.RaiseError("%s: addon stopped: %s", fn, a.stopped)
	}
	work, err := f(L)
	if err != nil {
		L.RaiseError("%s: %s", fn, err)
	}
	if work == nil {
		L.RaiseError("%s: the host's binding returned no work", fn)
	}
	var v any
	if a.h.ownTask(L) != nil {
		v, err = a.awaitPool(L, fn, fn, func(ctx context.Context) (any, error) { return work(ctx) })
	} else {
		v, err = a.h.s.Do(callerContext(L), func(ctx context.Context) (any, error) { return work(ctx) })
		if errors.Is(err, sched.ErrInTask) {
			// code that runs while a task is current but is not its own (a
			// handler during a stop): Do refuses it, so block here instead
			v, err = runInline(callerContext(L), work)
		}
	}
	if err != nil {
		var pe *sched.PanicError
		if errors.As(err, &pe) {
			L.RaiseError("%s: the host's work panicked: %v", fn, pe.Value)
		}
		L.RaiseError("%s: %s", fn, err)
	}
	res, _ := v.([]any)
	var size int64
	for _, r := range res {
		n, err := asyncSize(r, 0)
		if err != nil {
			L.RaiseError("%s: result: %s", fn, err)
		}
		size += n
	}
	a.mem.charge(L, size)
	for _, r := range res {
		L.Push(asyncValue(L, r))
	}
	return len(res)
}

// runInline runs work on the calling goroutine, a panic its error.
func runInline(ctx context.Context, work AsyncWork) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &sched.PanicError{Value: p}
		}
	}()
	return work(ctx)
}

// asyncSize is the memory a result takes in Lua, or an error for a value
// that cannot be one.
func asyncSize(v any, depth int) (int64, error) {
	if depth > maxAsyncDepth {
		return 0, fmt.Errorf("nested over %d deep", maxAsyncDepth)
	}
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return 0, nil
	case string:
		return int64(len(x)) + sizeString, nil
	case []byte:
		return int64(len(x)) + sizeString, nil
	case []any:
		n := int64(sizeTable + len(x)*sizeValue)
		for _, e := range x {
			m, err := asyncSize(e, depth+1)
			if err != nil {
				return 0, err
			}
			n += m
		}
		return n, nil
	case map[string]any:
		n := int64(sizeTable + len(x)*sizeEntry)
		for k, e := range x {
			m, err := asyncSize(e, depth+1)
			if err != nil {
				return 0, err
			}
			n += m + int64(len(k)) + sizeString
		}
		return n, nil
	}
	return 0, fmt.Errorf("a value of Go type %T", v)
}

// asyncValue is a result, checked by asyncSize, as a Lua value.
func asyncValue(L *glua.LState, v any) glua.LValue {
	switch x := v.(type) {
	case []byte:
		return glua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, asyncValue(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, asyncValue(L, e))
		}
		return t
	}
	return toLua(v)
}
