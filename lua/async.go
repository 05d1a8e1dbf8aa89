package lua

import (
	"context"
	"errors"
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// asyncTable is blTasks.Async: functions that run on workers (workers.go).
func (a *Addon) asyncTable() *glua.LTable {
	t := a.main.NewTable()
	a.main.SetFuncs(t, map[string]glua.LGFunction{"Define": a.asyncDefine, "Call": a.asyncCall,
		"Send": a.asyncSend, "For": a.asyncFor})
	a.hostAsync(t) // the host's async functions (hostasync.go)
	return t
}

// asyncDefine is Async.Define(name, src): src is Lua source whose chunk
// returns the worker function name. It is compiled now (a syntax error is
// Define's error) and in each worker state the first time that state calls
// it, where its chunk runs once. A name is defined once.
func (a *Addon) asyncDefine(L *glua.LState) int {
	const fn = "Async.Define"
	name, src := CheckString(L, 1, fn), CheckString(L, 2, fn)
	switch {
	case name == "" || len(name) > maxWorkerName:
		ArgError(L, 1, fn, fmt.Sprintf("a name of 1 to %d bytes expected", maxWorkerName))
	case len(src) > maxWorkerSource:
		ArgError(L, 2, fn, fmt.Sprintf("source over %d MiB", maxWorkerSource>>20))
	}
	ws := a.workers()
	switch {
	case ws.defs[name] != nil:
		L.RaiseError("%s: worker function %q is defined already", fn, name)
	case len(ws.defs) >= maxWorkerFunctions:
		L.RaiseError("%s: the addon has %d worker functions, the limit", fn, maxWorkerFunctions)
	}
	if _, err := a.load(L, strings.NewReader(src), name); err != nil {
		L.RaiseError("%s: %s", fn, syntaxMessage(err))
	}
	a.mem.charge(L, int64(len(src))+sizeString)
	ws.defs[name] = &workerDef{name: name, src: src}
	return 0
}

// syntaxMessage is the message of a compile error.
func syntaxMessage(err error) string {
	if ae, ok := err.(*glua.ApiError); ok {
		return ae.Object.String()
	}
	return err.Error()
}

// asyncCall is Async.Call(name, ...): the worker function name called with
// copies of the arguments, returning copies of its results. In a task's own
// code the task parks until a worker has run it; elsewhere (the main chunk,
// a handler, a predicate, a host callback) it runs at once on worker 0,
// blocking the frame goroutine, under the watchdog of the code calling it.
func (a *Addon) asyncCall(L *glua.LState) int {
	c := a.newCall(L, "Async.Call", 2)
	var res *asyncResult
	var err error
	if a.h.ownTask(L) != nil {
		res, err = a.awaitCall(L, c)
	} else {
		res, err = a.ws.exec(callerContext(L), 0, c)
	}
	if res != nil {
		for _, line := range res.printed {
			a.h.cfg.Print(a.name, line)
		}
	}
	if err != nil {
		raiseCall(L, c.def.name, err)
	}
	a.mem.charge(L, res.values.bytes)
	return res.values.push(L)
}

// awaitCall runs c for the running task, which parks until it is done. A
// stop of the task unwinds through here, which ends the call. The call
// starts once the task's slice has ended, so that the task always resumes
// in a later frame, whatever the goroutines do: a pool applies completions
// at a frame's start too.
func (a *Addon) awaitCall(L *glua.LState, c *asyncCall) (*asyncResult, error) {
	ws := a.ws
	a.mem.charge(L, c.args.bytes+sizeWorker)
	ws.hold(c, c.args.bytes+sizeWorker)
	defer ws.release(c)
	// The pool's worker picks an idle worker state.
	v, err := a.awaitPool(L, "Async.Call", "Async.Call "+c.def.name, func(ctx context.Context) (any, error) {
		return ws.serve(ctx, c)
	})
	res, _ := v.(*asyncResult)
	return res, err
}

// awaitPool runs work on the scheduler's pool for the running task, which
// parks on the work's Future, named name, until a frame has applied its
// outcome, and returns it. A stop of the task unwinds through here, which
// cancels work's context; so do Pool.Cancel and Close. fn names the
// caller in errors.
func (a *Addon) awaitPool(L *glua.LState, fn, name string, work func(ctx context.Context) (any, error)) (any, error) {
	self := a.h.s.Current()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := a.h.s.Pool().Submit(a.name, name, func(pctx context.Context) (any, error) {
		defer context.AfterFunc(pctx, cancel)()
		return work(ctx)
	})
	var err error
	parks(L, a.h, func() { err = self.Wait(f.Cond()) })
	if err != nil {
		raise(L, fn, err)
	}
	return f.Result()
}

// callerContext is the context of the code running on L, which the
// watchdog of that code cancels (plain: the calls derive contexts from
// it), or Background.
func callerContext(L *glua.LState) context.Context {
	if ctx := L.Context(); ctx != nil {
		return plain(ctx)
	}
	return context.Background()
}

// raiseCall raises the error of a call of the worker function name, with
// the worker's traceback where there is one.
func raiseCall(L *glua.LState, name string, err error) {
	L.RaiseError("%s", callMessage("Async.Call", name, err))
}

// callMessage is the message of the error err of a call of the worker
// function name made by fn, with the worker's traceback where there is one.
func callMessage(fn, name string, err error) string {
	var we *WatchdogError
	var me *MemoryError
	var le *LuaError
	switch {
	case errors.As(err, &we):
		return fmt.Sprintf("%s: worker function %q killed by the watchdog: it ran past %v%s", fn, name, we.After, workerTraceback(we.Traceback))
	case errors.As(err, &me):
		return fmt.Sprintf("%s: worker function %q: %s", fn, name, me)
	case errors.As(err, &le):
		return fmt.Sprintf("%s: worker function %q failed: %s%s", fn, name, le.Message, workerTraceback(le.Traceback))
	}
	return fmt.Sprintf("%s: %s", fn, err)
}

// workerTraceback is a worker's traceback, told apart from the addon's.
func workerTraceback(tb string) string {
	if tb == "" {
		return ""
	}
	return "\nworker " + tb
}
