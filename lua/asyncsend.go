package lua

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// Async.Send: LÖVE's style of a worker call, which returns at once and
// calls back when its result is back.

// newCall is a call, made by fn, of the worker function name of argument
// 1, with copies of the arguments from first on; it raises fn's error when
// the addon is stopped, the function is not defined or an argument cannot
// be copied.
func (a *Addon) newCall(L *glua.LState, fn string, first int) *asyncCall {
	name := CheckString(L, 1, fn)
	if a.stopped != nil {
		L.RaiseError("%s: addon stopped: %s", fn, a.stopped)
	}
	var def *workerDef
	if a.ws != nil {
		def = a.ws.defs[name]
	}
	if def == nil {
		L.RaiseError("%s: no worker function %q (Async.Define defines one)", fn, name)
	}
	args := make([]glua.LValue, max(L.GetTop()-first+1, 0))
	for i := range args {
		args[i] = L.Get(i + first)
	}
	cp, err := copyOut(args, func(i int) string { return "argument #" + strconv.Itoa(i+first) }, "to a worker")
	if err != nil {
		L.RaiseError("%s: %s", fn, err)
	}
	a.ws.seq++
	return &asyncCall{def: def, args: cp, seq: a.ws.seq}
}

// asyncSend is Async.Send(name, callback, ...): the worker function name
// called on a worker of the scheduler's pool with copies of the arguments,
// returning at once, anywhere (a task does not park). When the call's
// outcome is applied, at the start of a later frame, callback runs as the
// addon's code (Addon.Call: its watchdog, its memory limit), with true and
// copies of the results, or false and the error message; an error of the
// callback is reported as the addon's ("Async.Send callback"). A stopped
// addon's callbacks never run; Addon.Stop, Host.Close and
// Scheduler.Close end the calls pending, whose callbacks do not run.
func (a *Addon) asyncSend(L *glua.LState) int {
	const fn = "Async.Send"
	cb := CheckFunction(L, 2, fn)
	c := a.newCall(L, fn, 3)
	ws := a.ws
	a.mem.charge(L, c.args.bytes+sizeWorker)
	ws.hold(c, c.args.bytes+sizeWorker)
	var closed atomic.Bool // the scheduler closed while the work ran
	f := a.h.s.Pool().Submit(a.name, fn+" "+c.def.name, func(pctx context.Context) (any, error) {
		defer func() { closed.Store(errors.Is(context.Cause(pctx), sched.ErrClosed)) }()
		return ws.serve(pctx, c) // which ends with the addon's workers too
	})
	f.OnComplete(func() {
		defer ws.release(c)
		v, err := f.Result()
		if a.stopped != nil || ws.ctx.Err() != nil || closed.Load() || errors.Is(err, sched.ErrClosed) {
			return // ended with its addon, the host or the scheduler
		}
		res, _ := v.(*asyncResult)
		if res != nil {
			for _, line := range res.printed {
				a.h.cfg.Print(a.name, line)
			}
		}
		// The results are made in the addon's state, and charged to its
		// memory, inside the call, where going over is the callback's error.
		deliver := a.main.NewFunction(func(L *glua.LState) int {
			L.Push(cb)
			if err != nil {
				L.Push(glua.LFalse)
				L.Push(glua.LString(callMessage(fn, c.def.name, err)))
				L.Call(2, 0)
				return 0
			}
			a.mem.charge(L, res.values.bytes)
			L.Push(glua.LTrue)
			L.Call(1+res.values.push(L), 0)
			return 0
		})
		if err := a.Call(deliver); err != nil {
			a.h.s.ReportError(a.name, fn+" callback", luaError(err))
		}
	})
	return 0
}
