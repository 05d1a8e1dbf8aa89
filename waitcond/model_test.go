package waitcond

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

const horizon = 8 // steps 0..horizon; a leaf met at horizon+1 is never met

// model mirrors a generated condition and evaluates it naively.
type model struct {
	inner, and bool
	subs       []*model
	metAt      int   // c: the first step at which it is met
	c          *Cond // the condition it mirrors; nil for a nil leaf
}

func (m *model) met(step int) bool {
	if !m.inner {
		return step >= m.metAt
	}
	n := 0
	for _, s := range m.subs {
		if s.met(step) {
			n++
		}
	}
	if m.and {
		return n == len(m.subs)
	}
	return n > 0
}

func (m *model) leaves(out []*Cond) []*Cond {
	if !m.inner {
		if m.c != nil {
			out = append(out, m.c)
		}
		return out
	}
	for _, s := range m.subs {
		out = s.leaves(out)
	}
	return out
}

func (m *model) metLeaves(step int) int {
	n := 0
	if !m.inner {
		if m.c != nil && m.met(step) {
			n++
		}
		return n
	}
	for _, s := range m.subs {
		n += s.metLeaves(step)
	}
	return n
}

// world is the scripted history of one tree: what happens at each step.
type world struct {
	rng        *rand.Rand
	events     [horizon + 2][]func()
	childrenAt int
	tasks      []*task // with metAt, for sharing
	taskAt     []int
	signals    []*Signal
	signalAt   []int
	futures    []*Future
	futureAt   []int
}

func (w *world) at() int { return w.rng.IntN(horizon + 2) }

func (w *world) gen(depth int) *model {
	if depth == 5 || w.rng.IntN(3) == 0 {
		return w.leaf()
	}
	m := &model{inner: true, and: w.rng.IntN(2) == 0}
	subs := make([]*Cond, w.rng.IntN(5))
	for i := range subs {
		s := w.gen(depth + 1)
		m.subs = append(m.subs, s)
		subs[i] = s.c
	}
	if m.and {
		m.c = And(subs...)
	} else {
		m.c = Or(subs...)
	}
	return m
}

func (w *world) leaf() *model {
	at := w.at()
	d := time.Duration(at) * time.Second
	switch w.rng.IntN(10) {
	case 0:
		return &model{metAt: 0}
	case 1:
		r := uint64(w.rng.IntN(at + 1))
		return &model{metAt: at, c: Frames(r, uint64(at)-r)}
	case 2:
		return &model{metAt: at, c: Timespan(t0, d-500*time.Millisecond)}
	case 3:
		return &model{metAt: at, c: Timestamp(t0.Add(d))}
	case 4:
		return &model{metAt: w.childrenAt, c: Children()}
	case 5, 6:
		if i := len(w.tasks); i > 0 && w.rng.IntN(2) == 0 {
			i = w.rng.IntN(i)
			return &model{metAt: w.taskAt[i], c: Task(w.tasks[i])}
		}
		t := &task{name: fmt.Sprint("t", len(w.tasks)), owner: "M"}
		w.tasks, w.taskAt = append(w.tasks, t), append(w.taskAt, at)
		w.events[at] = append(w.events[at], func() { t.finished = true })
		return &model{metAt: at, c: Task(t)}
	case 7, 8:
		if i := len(w.signals); i > 0 && w.rng.IntN(2) == 0 {
			i = w.rng.IntN(i)
			return &model{metAt: w.signalAt[i], c: w.signals[i].Cond()}
		}
		s := fired(fmt.Sprint("s", len(w.signals)), w.rng.IntN(3)) // fires before Cond do not count
		w.signals, w.signalAt = append(w.signals, s), append(w.signalAt, at)
		w.events[at] = append(w.events[at], s.Fire)
		if at < horizon {
			w.events[at+1] = append(w.events[at+1], s.Fire)
		}
		return &model{metAt: at, c: s.Cond()}
	default:
		if i := len(w.futures); i > 0 && w.rng.IntN(2) == 0 {
			i = w.rng.IntN(i)
			return &model{metAt: w.futureAt[i], c: w.futures[i].Cond()}
		}
		f := NewFuture(fmt.Sprint("f", len(w.futures)))
		w.futures, w.futureAt = append(w.futures, f), append(w.futureAt, at)
		w.events[at] = append(w.events[at], func() { f.Complete(at, nil) }, func() { f.Complete(-1, nil) })
		return &model{metAt: at, c: f.Cond()}
	}
}

func TestModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for tree := range 2000 {
		w := &world{rng: rng}
		w.childrenAt = w.at()
		m := w.gen(0)
		c := m.c
		if got, want := slices.Collect(c.Leaves()), m.leaves(nil); !slices.Equal(got, want) {
			t.Fatalf("tree %d: Leaves of %v:\n got %v\nwant %v", tree, c, got, want)
		}
		if !c.Monotonic() {
			t.Fatalf("tree %d: %v is not monotonic", tree, c)
		}
		e := &env{}
		for step := 0; step <= horizon; step++ {
			e.frame, e.now, e.childrenDone = uint64(step), t0.Add(time.Duration(step)*time.Second), step >= w.childrenAt
			for _, ev := range w.events[step] {
				ev()
			}
			if got, want := c.Met(e), m.met(step); got != want {
				t.Fatalf("tree %d step %d: %v.Met() = %v, want %v", tree, step, c.Explain(e), got, want)
			}
			if got, want := strings.Count(c.Explain(e), " [met]"), m.metLeaves(step); got != want {
				t.Fatalf("tree %d step %d: %v has %d [met], want %d", tree, step, c.Explain(e), got, want)
			}
		}
	}
}
