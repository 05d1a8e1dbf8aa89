package sched_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// The model test waits on random And/Or trees of monotonic leaves and
// checks, frame by frame, that the event-driven scheduler wakes each waiting
// task in exactly the frame in which a naive evaluator, recomputing the
// whole tree from the script, first finds it met.
//
// The world: the clock moves waitStep before each frame and never during
// one; every condition is made by the host before frame 1, at time 0. The
// script, over modelFrames frames:
//   - helper task k waits for Frame k and then finishes, in frame k;
//   - a signal is fired either by the host just before frame k ("host") or
//     by the script task during frame k ("task");
//   - a future is completed just before frame k by the host ("host") or by
//     a goroutine the host waits for ("goroutine"), or during frame k by
//     the script task ("task").
//
// Within a frame, the helpers due in it run first, then (in frame 1) the
// waiting tasks, then the script task: the helpers' alarms were armed
// before the script's, and tasks first run in start order.
//
// Naive semantics: a leaf is met at frame f when
//   - Frames(n): f >= n;
//   - Timespan(d): f*waitStep >= d;
//   - Task(helper k): f >= k (the helper finishes before the waiter's turn);
//   - Signal or Future made met just before frame k: f >= k; during frame k
//     (by the script task): f >= k+1, since waiters learn of it at the
//     next frame's start and nothing checks them later in frame k;
//
// And and Or combine their parts as usual (And() is met, Or() is not). A
// waiting task must wake in the first frame f >= 1 at which its tree is met,
// and run in that frame (nothing uses the budget). Half the waiting tasks
// call Wait in their first slice (frame 1); the other half are started with
// StartWhen before frame 1, and record the frame of their first slice.
const (
	modelFrames = 20
	modelTrees  = 300
	modelDepth  = 4
	modelPool   = 6 // signals, futures and helper tasks
)

// mnode is a node of a random tree: an And, an Or, or a leaf that the
// naive evaluator finds met from frame from on.
type mnode struct {
	op   string // "And", "Or", or the leaf's description
	from uint64
	subs []*mnode
}

// met is the naive evaluator: it recomputes the whole tree at frame f.
func (n *mnode) met(f uint64) bool {
	switch n.op {
	case "And":
		for _, s := range n.subs {
			if !s.met(f) {
				return false
			}
		}
		return true
	case "Or":
		for _, s := range n.subs {
			if s.met(f) {
				return true
			}
		}
		return false
	}
	return f >= n.from
}

func (n *mnode) String() string {
	if n.op != "And" && n.op != "Or" {
		return n.op
	}
	var parts []string
	for _, s := range n.subs {
		parts = append(parts, s.String())
	}
	return n.op + "(" + strings.Join(parts, ", ") + ")"
}

// modelEvent is a scripted event: a signal fired or a future completed in
// frame k, by mode.
type modelEvent struct {
	k    uint64
	mode string
}

// visibleFrom is the first frame whose waiters see the event.
func (e modelEvent) visibleFrom() uint64 {
	if e.mode == "task" {
		return e.k + 1
	}
	return e.k
}

type model struct {
	r        *rand.Rand
	s        *sched.Scheduler
	signals  []*waitcond.Signal
	sigConds []*waitcond.Cond // one per signal, shared by every tree
	sigAt    []modelEvent
	futures  []*waitcond.Future
	futAt    []modelEvent
	helpers  []*sched.Task
	helperAt []uint64
}

// frame is a frame of the script, some of them past its end, so that some
// leaves are never met.
func (m *model) frame() uint64 { return 1 + m.r.Uint64N(modelFrames+3) }

func (m *model) leaf() (*mnode, *waitcond.Cond) {
	switch m.r.IntN(5) {
	case 0:
		n := m.r.Uint64N(modelFrames + 2)
		return &mnode{op: fmt.Sprintf("Frames %d", n), from: n}, m.s.Frames(n)
	case 1:
		// Around frame starts: on one, just before or after, or between two.
		d := time.Duration(m.r.IntN(modelFrames+2)) * waitStep
		d += []time.Duration{0, -time.Nanosecond, time.Nanosecond, waitStep / 2}[m.r.IntN(4)]
		from := uint64(0)
		for time.Duration(from)*waitStep < d {
			from++
		}
		return &mnode{op: fmt.Sprintf("Timespan %v", d), from: from}, m.s.Timespan(d)
	case 2:
		i := m.r.IntN(modelPool)
		e := m.sigAt[i]
		return &mnode{op: fmt.Sprintf("Signal %d (%s, frame %d)", i, e.mode, e.k), from: e.visibleFrom()}, m.sigConds[i]
	case 3:
		i := m.r.IntN(modelPool)
		return &mnode{op: fmt.Sprintf("Task %d (frame %d)", i, m.helperAt[i]), from: m.helperAt[i]}, waitcond.Task(m.helpers[i])
	default:
		i := m.r.IntN(modelPool)
		e := m.futAt[i]
		return &mnode{op: fmt.Sprintf("Future %d (%s, frame %d)", i, e.mode, e.k), from: e.visibleFrom()}, m.futures[i].Cond()
	}
}

func (m *model) tree(depth int) (*mnode, *waitcond.Cond) {
	if depth == modelDepth || m.r.IntN(3) == 0 {
		return m.leaf()
	}
	n := &mnode{op: "And"}
	if m.r.IntN(2) == 0 {
		n.op = "Or"
	}
	var conds []*waitcond.Cond
	for range m.r.IntN(4) { // 0 to 3 parts: And() and Or() included
		sub, c := m.tree(depth + 1)
		n.subs = append(n.subs, sub)
		conds = append(conds, c)
	}
	if n.op == "And" {
		return n, waitcond.And(conds...)
	}
	return n, waitcond.Or(conds...)
}

// firstMet is the frame in which the naive evaluator first finds n met, up
// to frame last; 0 if it does not.
func firstMet(n *mnode, last uint64) uint64 {
	for f := uint64(1); f <= last; f++ {
		if n.met(f) {
			return f
		}
	}
	return 0
}

func TestWaitModel(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		m := &model{r: rand.New(rand.NewPCG(3, 20260601)), s: w.s}
		for i := range modelPool {
			m.signals = append(m.signals, waitcond.NewSignal(fmt.Sprint("s", i)))
			m.sigConds = append(m.sigConds, m.signals[i].Cond())
			m.sigAt = append(m.sigAt, modelEvent{m.frame(), []string{"host", "task"}[m.r.IntN(2)]})
			m.futures = append(m.futures, waitcond.NewFuture(fmt.Sprint("f", i)))
			m.futAt = append(m.futAt, modelEvent{m.frame(), []string{"host", "goroutine", "task"}[m.r.IntN(3)]})
			k := m.frame()
			m.helperAt = append(m.helperAt, k)
			m.helpers = append(m.helpers, w.spawn("model", fmt.Sprint("helper", i), func(t *sched.Self) (any, error) {
				return nil, t.Wait(waitcond.Frames(0, k))
			}))
		}

		nodes := make([]*mnode, modelTrees)
		woke := make([]uint64, modelTrees)
		waiters := make([]*sched.Task, modelTrees)
		for i := range modelTrees {
			n, c := m.tree(0)
			nodes[i] = n
			if i%2 == 0 {
				waiters[i] = w.spawn("model", fmt.Sprint("waiter", i), func(t *sched.Self) (any, error) {
					if err := t.Wait(c); err != nil {
						return nil, err
					}
					woke[i] = t.Scheduler().Frame()
					return nil, nil
				})
				continue
			}
			h, err := w.s.Create("model", fmt.Sprint("starter", i), func(t *sched.Self) (any, error) {
				woke[i] = t.Scheduler().Frame()
				return nil, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := h.StartWhen(c); err != nil {
				t.Fatal(err)
			}
			waiters[i] = h
		}

		script := w.spawn("model", "script", func(t *sched.Self) (any, error) {
			s := t.Scheduler()
			for {
				for i, e := range m.sigAt {
					if e.mode == "task" && e.k == s.Frame() {
						m.signals[i].Fire()
					}
				}
				for i, e := range m.futAt {
					if e.mode == "task" && e.k == s.Frame() {
						m.futures[i].Complete(i, nil)
					}
				}
				if err := t.Wait(s.NextFrame()); err != nil {
					return nil, err
				}
			}
		})

		for f := uint64(1); f <= modelFrames; f++ {
			w.clk.Add(waitStep)
			for i, e := range m.sigAt {
				if e.mode == "host" && e.k == f {
					m.signals[i].Fire()
				}
			}
			for i, e := range m.futAt {
				switch {
				case e.k != f:
				case e.mode == "host":
					m.futures[i].Complete(i, nil)
				case e.mode == "goroutine":
					go m.futures[i].Complete(i, nil)
				}
			}
			synctest.Wait()
			w.s.RunFrame()

			for i, n := range nodes {
				want := firstMet(n, f)
				if woke[i] != want {
					t.Fatalf("after frame %d: %s woke in frame %d, the naive evaluator says %d\ntree: %s\nWhy: %s",
						f, waiters[i].Name(), woke[i], want, n, waiters[i].Why())
				}
				state := sched.Waiting
				if woke[i] != 0 {
					state = sched.Finished
				}
				if waiters[i].State() != state {
					t.Fatalf("after frame %d: %s is %v, want %v", f, waiters[i].Name(), waiters[i].State(), state)
				}
			}
			for i, h := range m.helpers {
				if got, want := h.Finished(), m.helperAt[i] <= f; got != want {
					t.Fatalf("after frame %d: helper%d finished %v, want %v", f, i, got, want)
				}
			}
		}

		// The script should exercise every outcome.
		var early, late, never int
		for i := range nodes {
			switch {
			case woke[i] == 0:
				never++
			case woke[i] == 1:
				early++
			default:
				late++
			}
		}
		t.Logf("%d trees: %d met at frame 1, %d woken later, %d never met", modelTrees, early, late, never)
		if late < modelTrees/4 || never == 0 || early == 0 {
			t.Errorf("a poor script: %d met at once, %d woken later, %d never", early, late, never)
		}
		checkNoErrors(w)
		runtime.KeepAlive(m.helpers)
		runtime.KeepAlive(waiters)
		runtime.KeepAlive(script)
	})
}
