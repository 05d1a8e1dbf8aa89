package lua_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// The Go share of TestSoakMixed's load: jobs of Go tasks owned by goOwner,
// each a small tree whose shape, chunks and waits the soak's seeded source
// decides when it is spawned.

const goOwner = "GoJobs"

// job is a task the soak waits for, and how it must end: with the result
// want, or with an error whose message is err.
type job struct {
	h    *sched.Task
	want any
	err  string
}

// forever is a wait no frame meets: only a stop or the collector ends it.
const forever = 1 << 40

var errGoJob = errors.New("go job failed")

// spawnGo starts one Go job of a kind drawn from the seeded source.
func (k *soak) spawnGo() {
	n := 1 + k.rng.IntN(4) // children
	chunks := 1 + k.rng.IntN(6)
	chunk := time.Duration(1+k.rng.IntN(20)) * 100 * time.Microsecond
	switch kind := k.rng.IntN(10); kind {
	case 0, 1, 2, 3: // a tree whose root waits for its children, or joins them
		k.goJob(k.goTree(n, chunks, chunk, kind%2 == 0, false), leafSum(n), "")
	case 4: // a tree whose leaves wait forever; the host stops its root
		h := k.goJob(k.goTree(n, chunks, chunk, false, true), nil, "soak stop")
		k.stops = append(k.stops, stopAt{h, k.s.Frame() + uint64(1+k.rng.IntN(8))})
	case 5: // a task that fails, or panics
		if k.rng.IntN(2) == 0 {
			k.goJob(func(t *sched.Self) (any, error) { t.Breath(); return nil, errGoJob }, nil, errGoJob.Error())
		} else {
			k.goJob(func(t *sched.Self) (any, error) { t.BreathLong(); panic("go job panicked") }, nil, "panic: go job panicked")
		}
		k.wantErrs[goOwner]++
	case 6: // a scoped task whose handle is dropped: the collector stops it
		startDroppedGo(k)
		k.dropped++
	case 7: // a child that abandons itself and outlives its parent
		k.goJob(k.goAbandoning(n), "left", "")
	default: // a task that waits for another job, or a few frames
		var other *sched.Task
		if len(k.jobs) > 0 {
			other = k.jobs[k.rng.IntN(len(k.jobs))].h
		}
		k.goJob(func(t *sched.Self) (any, error) {
			c := t.Scheduler().Frames(3)
			if other != nil {
				c = waitcond.Or(waitcond.Task(other), t.Scheduler().Timespan(200*time.Millisecond))
			}
			return "waited", t.Wait(c)
		}, "waited", "")
	}
}

// goJob starts body as a job that must end with want or err.
func (k *soak) goJob(body sched.Body, want any, err string) *sched.Task {
	h, e := k.s.Go(goOwner, "job", body)
	if e != nil {
		k.t.Fatalf("Go: %v", e)
	}
	k.jobs = append(k.jobs, job{h, want, err})
	return h
}

// startDroppedGo starts a scoped task that waits forever and drops its
// handle, in a function of its own so that no handle lingers in the
// caller's frame.
//
//go:noinline
func startDroppedGo(k *soak) {
	h, err := k.s.Go(goOwner, "dropped", func(t *sched.Self) (any, error) {
		return nil, t.Wait(t.Scheduler().Frames(forever))
	})
	if err == nil {
		err = h.Scope()
	}
	if err != nil {
		k.t.Fatal(err)
	}
}

// leafSum is what a tree of n leaves returns: the sum of i*i+1.
func leafSum(n int) int {
	sum := 0
	for i := 1; i <= n; i++ {
		sum += i*i + 1
	}
	return sum
}

// goTree is the body of a root that starts n leaves (its children) and
// sums their results, waiting for its children or joining them. A leaf
// works chunks chunks of chunk, breathing at the four levels in turn, then
// waits: on the conditions of goCond in turn, or forever when stuck.
func (k *soak) goTree(n, chunks int, chunk time.Duration, join, stuck bool) sched.Body {
	return func(t *sched.Self) (any, error) {
		kids := make([]*sched.Task, n)
		for i := range kids {
			var prev *sched.Task
			if i > 0 {
				prev = kids[i-1]
			}
			c := func(s *sched.Scheduler) *waitcond.Cond { return goCond(s, (i+n)%5, prev) }
			if stuck {
				c = func(s *sched.Scheduler) *waitcond.Cond { return s.Frames(forever) }
			}
			h, err := t.Scheduler().Go(goOwner, "leaf", k.goLeaf(i+1, chunks, chunk, c))
			if err != nil {
				return nil, err
			}
			kids[i] = h
		}
		var vals []any
		if join {
			var err error
			if vals, err = t.Join(kids...); err != nil {
				return nil, err
			}
		} else {
			if err := t.Wait(waitcond.Children()); err != nil {
				return nil, err
			}
			for _, h := range kids {
				v, err := h.Result()
				if err != nil {
					return nil, err
				}
				vals = append(vals, v)
			}
		}
		sum := 0
		for _, v := range vals {
			sum += v.(int)
		}
		return sum, nil
	}
}

func (k *soak) goLeaf(i, chunks int, chunk time.Duration, cond func(*sched.Scheduler) *waitcond.Cond) sched.Body {
	return func(t *sched.Self) (any, error) {
		for c := range chunks {
			k.clk.Add(chunk) // CPU work, on the mock clock
			switch c % 4 {
			case 0:
				t.Breath()
			case 1:
				t.BreathShort()
			case 2:
				t.BreathLong()
			default:
				t.BreathFor(chunk)
			}
		}
		if err := t.Wait(cond(t.Scheduler())); err != nil {
			return nil, err
		}
		return i*i + 1, nil
	}
}

// goCond is a leaf's wait: the next frame, a timespan, an Or, an And, or
// its elder sibling's end and a frame.
func goCond(s *sched.Scheduler, kind int, prev *sched.Task) *waitcond.Cond {
	switch kind {
	case 0:
		return s.NextFrame()
	case 1:
		return s.Timespan(20 * time.Millisecond)
	case 2:
		return waitcond.Or(s.Frames(2), s.Timespan(500*time.Millisecond))
	case 3:
		return waitcond.And(s.NextFrame(), s.Timespan(10*time.Millisecond))
	}
	if prev == nil {
		return s.Frames(3)
	}
	return waitcond.And(waitcond.Task(prev), s.NextFrame())
}

// goAbandoning is the body of a root whose child abandons itself, waits n
// frames and returns n; the root returns once its child has left it (its
// children are done), which would stop a child that had not abandoned.
func (k *soak) goAbandoning(n int) sched.Body {
	return func(t *sched.Self) (any, error) {
		kid, err := t.Scheduler().Go(goOwner, "abandoned", func(c *sched.Self) (any, error) {
			if err := c.Handle().Abandon(); err != nil {
				return nil, err
			}
			if p := c.Handle().Parent(); p != nil {
				return nil, fmt.Errorf("abandoned, its parent is %v", p)
			}
			return n, c.Wait(c.Scheduler().Frames(uint64(n)))
		})
		if err != nil {
			return nil, err
		}
		k.jobs = append(k.jobs, job{kid, n, ""})
		return "left", t.Wait(waitcond.Children())
	}
}

// stopAt is a job the host stops at a frame.
type stopAt struct {
	h     *sched.Task
	frame uint64
}
