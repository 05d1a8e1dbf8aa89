package lua

import (
	"errors"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// joinFrames is the most frames Task.Join runs outside any task: a join
// there blocks the host until the tasks finish, which a script can make
// last for ever (a task that waits for a signal nobody sends).
const joinFrames = 1000

// taskJoin is Task.Join(t1, t2, ...): it waits until every task given has
// finished, starting the pending ones, and returns, as LÖVR's join does,
// the first result of each task but the last and all the results of the
// last (nil for a task with none). The first task (in argument order) that
// failed makes it raise that task's error value as Result does. In a
// task's own code the task parks; outside any task it runs frames
// (sched.Scheduler.Join), at most joinFrames, under the watchdog of the
// code calling it; in a predicate or handler, and in any code that runs
// while a frame runs (sched.Scheduler.InFrame: a worker call's callback, a
// host's callback from a frame, code the frames of such a join run), it is
// refused. Another
// addon's task may be joined (that only reads it) but not started, and
// only its plain results come back, as with Result.
func (a *Addon) taskJoin(L *glua.LState) int {
	const fn = "Task.Join"
	hs := make([]*sched.Task, L.GetTop())
	for i := range hs {
		hs[i] = checkTask(L, i+1, fn).handle()
	}
	for _, h := range hs {
		if h.State() == sched.Pending {
			a.h.mayControl(L, h, fn) // Join starts it
		}
	}
	var err error
	switch cur := a.h.s.Current(); {
	case cur != nil && a.h.ownTask(L) != nil:
		parks(L, a.h, func() { _, err = cur.Join(hs...) })
	case cur != nil || a.h.hooks > 0 || a.h.s.InFrame():
		L.RaiseError("%s: cannot wait %s", fn, notOwnCode)
	default:
		ctx := callerContext(L)
		parks(L, a.h, func() { _, err = a.h.s.Join(ctx, joinFrames, hs...) })
		a.h.alloc.enter(&a.mem) // the frames ran other code
	}
	for _, h := range hs {
		if h.Finished() {
			continue
		}
		switch {
		case errors.Is(err, sched.ErrNotFinished):
			L.RaiseError("%s: tasks still running after %d frames, the most a join outside any task runs", fn, joinFrames)
		case errors.Is(err, sched.ErrOwnResult):
			L.RaiseError("%s: a task can't join itself", fn)
		case err != nil:
			raise(L, fn, err)
		}
		L.RaiseError("%s: task %s has not finished", fn, h.Name()) // not reached: Join returns once all have
	}
	for _, h := range hs {
		if _, err := h.Result(); err != nil {
			L.Error(a.h.errValue(L, err), 0) // as Result raises it
		}
	}
	n := 0
	for i, h := range hs {
		n += a.pushResults(L, fn, h, i == len(hs)-1)
	}
	return n
}

// pushResults pushes the results of h, which has finished without error,
// for code on L: all of them, or the first only (nil if none). Another
// addon's task gives its plain values only (see shareable): fn raises for
// the others.
func (a *Addon) pushResults(L *glua.LState, fn string, h *sched.Task, all bool) int {
	res, _ := h.Result()
	r, ok := res.(Results)
	if !ok {
		L.Push(toLua(res))
		return 1
	}
	vs := r.Values
	if !all {
		if len(vs) == 0 {
			L.Push(glua.LNil)
			return 1
		}
		vs = vs[:1]
	}
	for i, v := range vs {
		if r.Addon != a && !shareable(v) {
			L.RaiseError("%s: result #%d of task %s is a %s of addon %s, which another addon may not use",
				fn, i+1, h.Name(), v.Type(), r.Addon.name)
		}
		L.Push(v)
	}
	return len(vs)
}
