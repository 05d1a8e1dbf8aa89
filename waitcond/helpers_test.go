package waitcond

import (
	"errors"
	"fmt"
	"time"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a fake Env.
type env struct {
	frame        uint64
	now          time.Time
	childrenDone bool
}

func (e *env) Frame() uint64      { return e.frame }
func (e *env) Now() time.Time     { return e.now }
func (e *env) ChildrenDone() bool { return e.childrenDone }

// countingEnv is an env that also counts unfinished children.
type countingEnv struct {
	env
	left int
}

func (e *countingEnv) ChildrenLeft() int { return e.left }

// task is a fake Waitable that prints itself like the scheduler's handles.
type task struct {
	name     string
	owner    string
	finished bool
}

func (t *task) Finished() bool { return t.finished }
func (t *task) String() string { return fmt.Sprintf("%q (owner %s)", t.name, t.owner) }

func fired(name string, n int) *Signal {
	s := NewSignal(name)
	for range n {
		s.Fire()
	}
	return s
}

func completed(name string) *Future {
	f := NewFuture(name)
	f.Complete(nil, nil)
	return f
}

func constant(name string, v bool) *Cond {
	return Predicate(name, func() bool { return v })
}

var errTest = errors.New("test error")
