package sched_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/framesched/framesched/sched"
)

const (
	ns = time.Nanosecond
	us = time.Microsecond
	ms = time.Millisecond
)

// start is spawn that also keeps the handle reachable until the test ends:
// a task whose handles are all collected is stopped, and a garbage collection
// in the middle of a test must not change what the test sees.
func (w *world) start(owner, name string, body sched.Body) *sched.Task {
	w.t.Helper()
	h := w.spawn(owner, name, body)
	w.hold(h)
	return h
}

// create makes a pending task and keeps its handle reachable, as start does.
func (w *world) create(owner, name string, body sched.Body) *sched.Task {
	w.t.Helper()
	h, err := w.s.Create(owner, name, body)
	if err != nil {
		w.t.Fatalf("Create(%q, %q): %v", owner, name, err)
	}
	w.hold(h)
	return h
}

// hold keeps handles reachable until the test ends.
func (w *world) hold(hs ...*sched.Task) {
	w.t.Cleanup(func() { runtime.KeepAlive(hs) })
}

// turns lists the slices that frame f ran, from the trace, in order, as
// "task outcome" (e.g. "a yielded").
func (w *world) turns(f uint64) []string {
	prefix := fmt.Sprintf("%d [", f)
	var out []string
	for _, line := range w.trace {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		_, rest, _ = strings.Cut(rest, "] ")
		name, what, _ := strings.Cut(rest, ": ")
		if !strings.HasPrefix(what, "ran ") {
			continue
		}
		_, outcome, _ := strings.Cut(what, ", ")
		out = append(out, name+" "+outcome)
	}
	return out
}

// names drops the outcomes from turns.
func names(turns []string) []string {
	out := make([]string, len(turns))
	for i, turn := range turns {
		out[i], _, _ = strings.Cut(turn, " ")
	}
	return out
}

// probe is an ordered log of what task bodies did.
type probe struct{ lines []string }

func (p *probe) log(format string, args ...any) {
	p.lines = append(p.lines, fmt.Sprintf(format, args...))
}

func (p *probe) snapshot() []string { return slices.Clone(p.lines) }

func (p *probe) has(line string) bool { return slices.Contains(p.lines, line) }

// level names a Breath checkpoint, for table tests.
type level int

const (
	short level = iota
	medium
	long
)

func (l level) String() string { return [...]string{"BreathShort", "Breath", "BreathLong"}[l] }

// breathe calls l's checkpoint.
func (l level) breathe(t *sched.Self) {
	switch l {
	case short:
		t.BreathShort()
	case medium:
		t.Breath()
	case long:
		t.BreathLong()
	}
}

// loop is a body that works chunks of d, each followed by l's checkpoint,
// forever.
func loop(w *world, d time.Duration, l level) sched.Body {
	return func(t *sched.Self) (any, error) {
		for {
			w.work(d)
			l.breathe(t)
		}
	}
}

// stopReason is the reason of a *sched.StopError, and whether err is one.
func stopReason(err error) (string, bool) {
	var se *sched.StopError
	if !errors.As(err, &se) {
		return "", false
	}
	return se.Reason, true
}
