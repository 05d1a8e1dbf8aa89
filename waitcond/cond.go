package waitcond

import (
	"fmt"
	"iter"
	"math"
	"time"
)

// Kind says what a condition waits for.
type Kind uint8

const (
	KindFrame     Kind = iota // a frame number has been reached
	KindTime                  // the clock has reached a point in time
	KindAnd                   // every sub-condition is met
	KindOr                    // at least one sub-condition is met
	KindTask                  // a task has finished
	KindChildren              // every child of the waiting task has finished
	KindSignal                // a host signal has fired since the condition was made
	KindPredicate             // a polled function returns true
	KindFuture                // a future has completed
)

// Env is what a condition is evaluated against: the scheduler's view of the
// world, seen from one waiting task, at the moment of evaluation.
type Env interface {
	Frame() uint64      // the current frame number
	Now() time.Time     // the current time of the scheduler's clock
	ChildrenDone() bool // every child of the waiting task has finished (true if it has none)
}

// ChildCounter is an Env that can also count the waiting task's unfinished
// children; Explain then says how many a Children condition waits for.
type ChildCounter interface {
	ChildrenLeft() int
}

// Waitable is a task as a Task condition sees it. The scheduler's task
// handles implement it.
type Waitable interface {
	Finished() bool
	String() string // how Explain names the task
}

// Cond is a wait condition. Conditions are immutable and safe to share; what
// they refer to (a task, a Signal, a Future, a predicate's state) changes.
// A nil *Cond is always met.
type Cond struct {
	kind  Kind
	depth uint8         // And, Or: how deep they nest in c, itself included (see MaxDepth)
	size  uint32        // And, Or: conditions in c, itself included (see MaxSize)
	n     uint64        // KindFrame: the frame waited for; KindSignal: the fire count when made
	at    time.Time     // KindTime: met when Env.Now() is not before at
	span  time.Duration // KindTime made by Timespan: the span, for String
	subs  []*Cond       // KindAnd, KindOr
	// ref is what a Task, Signal, Future or Predicate leaf refers to: a
	// Waitable, *Signal, *Future or *predicate. One slot for the four keeps
	// the leaves of parked tasks small. For an And or Or it is nil, the
	// *spine its subs may be extended in, or, for a condition too large,
	// its error.
	ref any
}

type predicate struct {
	name string
	f    func() bool
}

// children is the one Children condition: it holds no state.
var children = &Cond{kind: KindChildren}

// Never is the frame number a Frames condition waits for when current+n
// would overflow: no frame counter reaches it, so the condition is never met.
const Never = math.MaxUint64

// Frames is met once frame current+n has begun. Frames(current, 1) waits for
// the next frame; n of 0 is met at once. When current+n overflows, it waits
// for frame Never: it is never met.
func Frames(current uint64, n uint64) *Cond {
	f := current + n
	if f < current {
		f = Never
	}
	return &Cond{kind: KindFrame, n: f}
}

// Timestamp is met once the clock reads t or later.
func Timestamp(t time.Time) *Cond {
	return &Cond{kind: KindTime, at: t}
}

// Timespan is met once d has passed since now, the time the condition was
// made (as in blTasks: reusing the condition later does not restart it).
// now+d saturates as time.Time.Add does: a span past the largest Time waits
// until then, that is forever; a negative span is met at once.
func Timespan(now time.Time, d time.Duration) *Cond {
	return &Cond{kind: KindTime, at: now.Add(d), span: d}
}

// Task is met once t has finished. A nil t is met. Only a nil interface
// counts as nil: a typed nil pointer is asked whether it has Finished.
func Task(t Waitable) *Cond {
	return &Cond{kind: KindTask, ref: t}
}

// Children is met once every child of the waiting task has finished, as
// Env.ChildrenDone reports; it is met at once for a task without children.
func Children() *Cond { return children }

// Predicate is met while f returns true. It is level-triggered: f is called
// on every evaluation (the scheduler polls it each frame and charges the
// cost), and a met predicate can become unmet again. f must not be nil.
func Predicate(name string, f func() bool) *Cond {
	if f == nil {
		panic(fmt.Sprintf("waitcond: Predicate %q with a nil func", name))
	}
	return &Cond{kind: KindPredicate, ref: &predicate{name, f}}
}

// And is met when every condition is met; And() is always met. An And
// among cs is flattened into the result: And(And(a, b), c) is And(a, b, c),
// so that c = And(c, x) in a loop makes one flat And, at O(1) per step. (An
// And after the first argument is flattened only if it has at most 64
// parts: c = And(x, c) in a loop nests, and reaches MaxDepth after some
// 4,000 steps, rather than copy c at every step.) A result beyond MaxSize or
// MaxDepth, or with a part that is, is invalid (see Err).
func And(cs ...*Cond) *Cond { return combine(KindAnd, cs) }

// Or is met when any condition is met; Or() is never met. It flattens and
// is limited as And.
func Or(cs ...*Cond) *Cond { return combine(KindOr, cs) }

// Subs are the conditions an And or Or combines, in argument order, with
// the parts of the same kind flattened; nil for other kinds. The slice must
// not be modified.
func (c *Cond) Subs() []*Cond { return c.subs[:len(c.subs):len(c.subs)] }

// Err is nil for a condition that a scheduler may wait for, and, for one
// too large (see MaxSize and MaxDepth), an error matching ErrTooLarge that
// says which limit it passed. An invalid condition is an Or of nothing,
// never met; a scheduler refuses to wait for it. A nil condition is valid.
func (c *Cond) Err() error {
	if c == nil || c.kind != KindOr {
		return nil
	}
	err, _ := c.ref.(error)
	return err
}

// Kind is what c waits for.
func (c *Cond) Kind() Kind { return c.kind }

// Frame is the frame number a KindFrame condition waits for.
func (c *Cond) Frame() uint64 {
	if c.kind != KindFrame {
		return 0
	}
	return c.n
}

// Deadline is the time a KindTime condition waits for.
func (c *Cond) Deadline() time.Time { return c.at }

// Target is the task a KindTask condition waits for; nil for other kinds
// and for Task(nil).
func (c *Cond) Target() Waitable {
	if c.kind != KindTask {
		return nil
	}
	w, _ := c.ref.(Waitable)
	return w
}

// Signal is the signal a KindSignal condition waits for; nil for other kinds.
func (c *Cond) Signal() *Signal {
	s, _ := c.ref.(*Signal)
	return s
}

// Future is the future a KindFuture condition waits for; nil for other kinds.
func (c *Cond) Future() *Future {
	f, _ := c.ref.(*Future)
	return f
}

// Polled reports whether c is a predicate leaf, which nothing announces:
// it must be evaluated again every frame.
func (c *Cond) Polled() bool { return c != nil && c.kind == KindPredicate }

// HasPredicate reports whether any leaf of c is a predicate, so a task
// waiting for c must be polled each frame.
func (c *Cond) HasPredicate() bool {
	for leaf := range c.Leaves() {
		if leaf.Polled() {
			return true
		}
	}
	return false
}

// Monotonic reports whether c, once met, stays met: true when no leaf is a
// predicate. A nil condition is monotonic.
func (c *Cond) Monotonic() bool { return !c.HasPredicate() }

// Met reports whether c is met in env. It calls the function of every
// predicate it evaluates; And and Or stop at the first part that decides.
func (c *Cond) Met(env Env) bool {
	if c == nil {
		return true
	}
	switch c.kind {
	case KindFrame:
		return env.Frame() >= c.n
	case KindTime:
		return !env.Now().Before(c.at)
	case KindAnd:
		for _, s := range c.subs {
			if !s.Met(env) {
				return false
			}
		}
		return true
	case KindOr:
		for _, s := range c.subs {
			if s.Met(env) {
				return true
			}
		}
		return false
	case KindTask:
		w, _ := c.ref.(Waitable)
		return w == nil || w.Finished()
	case KindChildren:
		return env.ChildrenDone()
	case KindSignal:
		return c.ref.(*Signal).fired > c.n
	case KindPredicate:
		return c.ref.(*predicate).f()
	case KindFuture:
		return c.ref.(*Future).Done()
	}
	panic(fmt.Sprintf("waitcond: unknown kind %d", c.kind))
}

// Leaves yields every leaf (non And/Or) condition under c, depth first, in
// argument order. A nil condition has no leaves.
func (c *Cond) Leaves() iter.Seq[*Cond] {
	return func(yield func(*Cond) bool) {
		c.leaves(yield)
	}
}

func (c *Cond) leaves(yield func(*Cond) bool) bool {
	if c == nil {
		return true
	}
	if c.kind != KindAnd && c.kind != KindOr {
		return yield(c)
	}
	for _, s := range c.subs {
		if !s.leaves(yield) {
			return false
		}
	}
	return true
}
