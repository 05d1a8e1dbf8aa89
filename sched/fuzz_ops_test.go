package sched_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// FuzzOps runs a random sequence of operations of the Go API, by the host
// and by task bodies, twice, demanding the same trace, and checks the
// scheduler's invariants during every slice and after every frame:
//   - a task runs only while it is the current, active task, not suspended,
//     not waiting and not finished (a stopped task never runs again);
//   - no unfinished task outlives its parent unless it was abandoned;
//   - each owner's live count is its unfinished tasks;
//   - a frame's Used is the sum of its slices, and at most its budget plus
//     one chunk (bodies work only right before a Breath).
func FuzzOps(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 8, 8, 8},
		{0, 0, 6, 3, 0, 5, 1, 12, 8, 8, 8, 2, 0, 8},
		{0, 1, 0, 16, 4, 0, 8, 3, 0, 8, 4, 0, 8, 8},
		{0, 2, 10, 0, 2, 11, 0, 1, 9, 6, 2, 4, 12, 8, 8, 8},
		{0, 0, 12, 6, 4, 0, 3, 2, 3, 5, 1, 13, 0, 8, 5, 1, 8, 2, 1, 8, 7, 8},
		{0, 0, 8, 6, 6, 2, 0, 0, 5, 0, 1, 3, 8, 8, 0, 8, 3, 16, 8, 8, 10, 200, 8, 9, 8},
		{0, 1, 14, 15, 0, 0, 9, 1, 0, 8, 6, 0, 20, 8, 8, 2, 1, 8},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 300 {
			ops = ops[:300]
		}
		var traces [2]string
		for run := range traces {
			synctest.Test(t, func(t *testing.T) { traces[run] = runOps(t, ops) })
		}
		if traces[0] != traces[1] {
			t.Fatalf("two runs gave different traces:\n%s\n---\n%s", traces[0], traces[1])
		}
	})
}

// opsWorld is the state of one run of FuzzOps.
type opsWorld struct {
	t      *testing.T
	clk    *clock.Mock
	s      *sched.Scheduler
	log    []string
	events []sched.Event
	tasks  []*opsTask
}

type opsTask struct {
	h         *sched.Task
	owner     string
	abandoned bool
}

const opsChunk = 4 * time.Millisecond // the most a body works before a Breath

func runOps(t *testing.T, ops []byte) string {
	o := &opsWorld{t: t, clk: clock.NewMock()}
	o.s = sched.New(
		sched.WithClock(o.clk),
		sched.WithBudget(10*time.Millisecond),
		sched.WithManualCollect(),
		sched.WithTrace(func(e sched.Event) {
			o.events = append(o.events, e)
			o.log = append(o.log, e.String())
		}),
		sched.WithErrorHandler(func(e sched.TaskError) { o.log = append(o.log, "error "+e.Error()) }),
		sched.WithWarningHandler(func(w sched.Warning) { o.log = append(o.log, "warning "+w.Task+" "+w.Message()) }),
	)
	r := &reader{b: ops}
	for !r.empty() {
		op := r.next()
		switch op % 11 {
		case 0:
			o.create(fmt.Sprint("ABC"[r.next()%3:][:1]), r)
		case 1:
			if k := o.pick(r); k != nil {
				if c := o.cond(r, nil); c == nil {
					o.note("Start", k.h.Start())
				} else {
					o.note("StartWhen", k.h.StartWhen(c))
				}
			}
		case 2:
			if k := o.pick(r); k != nil {
				o.note("Stop", k.h.Stop(""))
			}
		case 3:
			if k := o.pick(r); k != nil {
				o.note("Suspend", k.h.Suspend())
			}
		case 4:
			if k := o.pick(r); k != nil {
				o.note("Resume", k.h.Resume())
			}
		case 5:
			if k := o.pick(r); k != nil {
				o.abandon(k)
			}
		case 6:
			if k := o.pick(r); k != nil {
				if c := o.cond(r, k); c != nil {
					o.note("Wait", k.h.Wait(c))
				}
			}
		case 7:
			o.s.Collect()
		case 9:
			o.s.EndFrame()
			o.frame(10 * time.Millisecond)
		case 10:
			o.frame(time.Duration(r.next()) * 100 * time.Microsecond)
		default:
			o.frame(10 * time.Millisecond)
		}
	}
	for range 3 {
		o.frame(10 * time.Millisecond)
	}
	o.s.Close()
	for _, k := range o.tasks {
		if !k.h.Finished() {
			t.Errorf("%s not finished after Close", k.h)
		}
	}
	runtime.KeepAlive(o.tasks)
	return strings.Join(o.log, "\n")
}

func (o *opsWorld) note(what string, err error) {
	if err != nil {
		o.log = append(o.log, what+": "+err.Error())
	}
}

// reader reads fuzz bytes, then zeros.
type reader struct{ b []byte }

func (r *reader) empty() bool { return len(r.b) == 0 }

func (r *reader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// program takes the next n%12 bytes as a body's program.
func (r *reader) program() []byte {
	n := min(int(r.next()%12), len(r.b))
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (o *opsWorld) pick(r *reader) *opsTask {
	if len(o.tasks) == 0 {
		r.next()
		return nil
	}
	return o.tasks[int(r.next())%len(o.tasks)]
}

// cond makes a condition, or nil; self, when not nil, is the task that will
// wait for it (a Task leaf picks another task).
func (o *opsWorld) cond(r *reader, self *opsTask) *waitcond.Cond {
	switch b := r.next(); b % 7 {
	case 1:
		return o.s.Frames(uint64(b%3) + 1)
	case 2:
		return o.s.Timespan(time.Duration(b%20+1) * time.Millisecond)
	case 3:
		if k := o.pick(r); k != nil {
			return waitcond.Task(k.h)
		}
	case 4:
		return waitcond.Children()
	case 5:
		return waitcond.Or(o.cond(r, self), o.cond(r, self))
	case 6:
		return waitcond.And(o.cond(r, self), o.cond(r, self))
	}
	return nil
}

// create makes a task of owner with a program read from r; from a body, the
// owner is "" (the running task's).
func (o *opsWorld) create(owner string, r *reader) *opsTask {
	k := &opsTask{}
	h, err := o.s.Create(owner, fmt.Sprintf("t%d", len(o.tasks)), o.body(k, r.program()))
	if err != nil {
		o.note("Create", err)
		return nil
	}
	k.h, k.owner = h, h.Owner()
	o.tasks = append(o.tasks, k)
	return k
}

func (o *opsWorld) abandon(k *opsTask) {
	err := k.h.Abandon()
	if err == nil {
		k.abandoned = true
	}
	o.note("Abandon", err)
}

// body interprets a program: each byte is a step.
func (o *opsWorld) body(k *opsTask, prog []byte) sched.Body {
	return func(self *sched.Self) (any, error) {
		r := &reader{b: prog}
		name := self.Name()
		defer func() { o.log = append(o.log, name+" deferred") }()
		check := func(what string) {
			h := k.h
			if h.Finished() || h.State() != sched.Active || h.Suspended() || o.s.Current() == nil || o.s.Current().ID() != h.ID() {
				o.t.Errorf("%s runs after %s: state %v, suspended %v", h, what, h.State(), h.Suspended())
			}
		}
		check("starting")
		for !r.empty() {
			b := r.next()
			switch b % 16 {
			case 0:
				o.clk.Add(time.Duration(r.next())%opsChunk + time.Millisecond/2)
				[]func(){self.BreathShort, self.Breath, self.BreathLong}[b/16%3]()
			case 1:
				self.Yield()
			case 2, 3:
				if c := o.cond(r, k); c != nil {
					o.note(name+" Wait", self.Wait(c))
				}
			case 4:
				if c := o.create("", r); c != nil {
					o.note(name+" Start", c.h.Start())
				}
			case 5:
				if v := o.pick(r); v != nil {
					o.note(name+" Stop", v.h.Stop("by "+name))
				}
			case 6:
				self.Suspend()
			case 7:
				if b/16%4 == 0 {
					self.Stop("itself")
				}
			case 8:
				if b/16%4 == 0 {
					panic(name + " panics")
				}
			case 9:
				if b/16%4 == 0 {
					runtime.Goexit()
				}
			case 10:
				return name, nil
			case 11:
				if v := o.pick(r); v != nil {
					_, err := self.Result(v.h)
					o.log = append(o.log, fmt.Sprintf("%s Result of %s: %v", name, v.h.Name(), err))
				}
			case 12:
				o.s.EndFrame()
			case 13:
				if v := o.pick(r); v != nil {
					o.note(name+" Suspend", v.h.Suspend())
					o.note(name+" Resume", v.h.Resume())
				}
			case 14:
				if v := o.pick(r); v != nil {
					if c := o.cond(r, v); c != nil {
						o.note(name+" Task.Wait", v.h.Wait(c))
					}
				}
			case 15:
				o.abandon(k)
			}
			check(fmt.Sprintf("step %d", b%16))
		}
		return nil, errors.New(name + " done")
	}
}

// frame runs a frame with limit and checks the invariants.
func (o *opsWorld) frame(limit time.Duration) {
	t := o.t
	o.events = o.events[:0]
	st := o.s.RunFrameBudget(limit)
	var sum time.Duration
	for _, e := range o.events {
		if e.Kind == sched.EventSlice {
			sum += e.Took
		}
	}
	if st.Used != sum {
		t.Errorf("frame %d: Used %v, but its slices took %v", st.Frame, st.Used, sum)
	}
	if st.Used > limit+opsChunk {
		t.Errorf("frame %d: Used %v, more than the budget %v and a chunk", st.Frame, st.Used, limit)
	}
	live := map[string]int{}
	for _, k := range o.tasks {
		if k.h.Finished() {
			continue
		}
		live[k.owner]++
		if p := k.h.Parent(); p != nil && p.Finished() && !k.abandoned {
			t.Errorf("frame %d: %s (%v) outlived its parent %s", st.Frame, k.h, k.h.State(), p)
		}
	}
	for _, os := range o.s.Owners() {
		if os.Live != live[os.Name] {
			t.Errorf("frame %d: owner %s: %d live, want %d", st.Frame, os.Name, os.Live, live[os.Name])
		}
	}
	o.log = append(o.log, fmt.Sprintf("frame %+v", st))
}
