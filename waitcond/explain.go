package waitcond

import (
	"fmt"
	"strings"
	"time"
)

// Explain describes c and, when env is not nil, which parts are unmet, e.g.
// "And(Timespan 2s [1.2s left], Task "index" (owner Bags) [running])". Each
// leaf is marked [met] or with why it is not: time or frames left,
// [running] (a task), [n unfinished] (children, when env is a
// ChildCounter), [unmet], [false] (a predicate) or [pending] (a future). It
// evaluates every leaf once, so it calls each predicate's function.
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
	if err := c.Err(); err != nil {
		fmt.Fprintf(b, "Invalid(%v)", err)
		return
	}
	switch c.kind {
	case KindAnd, KindOr:
		if c.kind == KindAnd {
			b.WriteString("And(")
		} else {
			b.WriteString("Or(")
		}
		for i, s := range c.subs {
			if i > 0 {
				b.WriteString(", ")
			}
			s.explain(b, env)
		}
		b.WriteByte(')')
		return
	case KindFrame:
		fmt.Fprintf(b, "Frame %d", c.n)
	case KindTime:
		if c.span != 0 {
			fmt.Fprintf(b, "Timespan %v", c.span)
		} else {
			fmt.Fprintf(b, "Timestamp %s", c.at.UTC().Format(time.RFC3339Nano))
		}
	case KindTask:
		if w := c.Target(); w != nil {
			b.WriteString("Task " + w.String())
		} else {
			b.WriteString("Task nil")
		}
	case KindChildren:
		b.WriteString("Children")
	case KindSignal:
		fmt.Fprintf(b, "Signal %q", c.Signal().Name())
	case KindPredicate:
		fmt.Fprintf(b, "Predicate %q", c.ref.(*predicate).name)
	case KindFuture:
		fmt.Fprintf(b, "Future %q", c.Future().Name())
	}
	if env == nil {
		return
	}
	if c.Met(env) {
		b.WriteString(" [met]")
		return
	}
	switch c.kind {
	case KindTime:
		fmt.Fprintf(b, " [%v left]", c.at.Sub(env.Now()))
	case KindFrame:
		fmt.Fprintf(b, " [%d frames left]", c.n-env.Frame())
	case KindTask:
		b.WriteString(" [running]")
	case KindChildren:
		if cc, ok := env.(ChildCounter); ok {
			fmt.Fprintf(b, " [%d unfinished]", cc.ChildrenLeft())
		} else {
			b.WriteString(" [unmet]")
		}
	case KindPredicate:
		b.WriteString(" [false]")
	case KindFuture:
		b.WriteString(" [pending]")
	default:
		b.WriteString(" [unmet]")
	}
}
