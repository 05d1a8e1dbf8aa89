package waitcond

import (
	"fmt"
	"iter"
	"strings"
	"time"
)

// Kind says what a condition waits for.
type Kind uint8

const (
	KindFrame Kind = iota // a frame number has been reached
	KindTime              // the clock has reached a point in time
	KindAnd               // every sub-condition is met
	KindOr                // at least one sub-condition is met
)

// Env is what a condition is evaluated against: the scheduler's view of the
// world at the moment of evaluation.
type Env interface {
	Frame() uint64  // the current frame number
	Now() time.Time // the current time of the scheduler's clock
}

// Cond is a wait condition. Conditions are immutable and safe to share.
// A nil *Cond is always met.
type Cond struct {
	kind  Kind
	frame uint64        // KindFrame: met when Env.Frame() >= frame
	at    time.Time     // KindTime: met when Env.Now() is not before at
	span  time.Duration // KindTime made by Timespan: the span, for String
	subs  []*Cond       // KindAnd, KindOr
}

// Frames is met once frame current+n has begun. Frames(current, 1) waits for
// the next frame; n of 0 is met at once.
func Frames(current uint64, n uint64) *Cond {
	return &Cond{kind: KindFrame, frame: current + n}
}

// Timestamp is met once the clock reads t or later.
func Timestamp(t time.Time) *Cond {
	return &Cond{kind: KindTime, at: t}
}

// Timespan is met once d has passed since now, the time the condition was
// made (as in blTasks: reusing the condition later does not restart it).
func Timespan(now time.Time, d time.Duration) *Cond {
	return &Cond{kind: KindTime, at: now.Add(d), span: d}
}

// And is met when every condition is met; And() is always met.
func And(cs ...*Cond) *Cond {
	return &Cond{kind: KindAnd, subs: cs}
}

// Or is met when any condition is met; Or() is never met.
func Or(cs ...*Cond) *Cond {
	return &Cond{kind: KindOr, subs: cs}
}

// Kind is what c waits for.
func (c *Cond) Kind() Kind { return c.kind }

// Frame is the frame number a KindFrame condition waits for.
func (c *Cond) Frame() uint64 { return c.frame }

// Deadline is the time a KindTime condition waits for.
func (c *Cond) Deadline() time.Time { return c.at }

// Met reports whether c is met in env.
func (c *Cond) Met(env Env) bool {
	if c == nil {
		return true
	}
	switch c.kind {
	case KindFrame:
		return env.Frame() >= c.frame
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

// Explain describes c and, when env is not nil, which parts are unmet, e.g.
// "And(Timespan 2s [1.2s left], Frame 7 [met])".
func (c *Cond) Explain(env Env) string {
	var b strings.Builder
	c.explain(&b, env)
	return b.String()
}

// String describes c without evaluating it.
func (c *Cond) String() string { return c.Explain(nil) }

func (c *Cond) explain(b *strings.Builder, env Env) {
	if c == nil {
		b.WriteString("Nothing")
		return
	}
	switch c.kind {
	case KindAnd, KindOr:
		b.WriteString(map[Kind]string{KindAnd: "And", KindOr: "Or"}[c.kind])
		b.WriteByte('(')
		for i, s := range c.subs {
			if i > 0 {
				b.WriteString(", ")
			}
			s.explain(b, env)
		}
		b.WriteByte(')')
		return
	case KindFrame:
		fmt.Fprintf(b, "Frame %d", c.frame)
	case KindTime:
		if c.span != 0 {
			fmt.Fprintf(b, "Timespan %v", c.span)
		} else {
			fmt.Fprintf(b, "Timestamp %s", c.at.UTC().Format(time.RFC3339Nano))
		}
	}
	if env == nil {
		return
	}
	switch {
	case c.Met(env):
		b.WriteString(" [met]")
	case c.kind == KindTime:
		fmt.Fprintf(b, " [%v left]", c.at.Sub(env.Now()))
	case c.kind == KindFrame:
		fmt.Fprintf(b, " [%d frames left]", c.frame-env.Frame())
	}
}
