package waitcond

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// Limits of a condition tree, so that evaluating, explaining or arming it
// costs a bounded time and stack, whatever a script builds.
const (
	// MaxSize is the most conditions a tree may hold: every leaf (nil
	// included) and every And and Or, counted once per place it appears.
	MaxSize = 1 << 16
	// MaxDepth is the most And and Or a tree may nest in each other, after
	// the flattening of an And in an And and an Or in an Or.
	MaxDepth = 64
)

// ErrTooLarge is matched by the Err of a condition beyond MaxSize or
// MaxDepth.
var ErrTooLarge = errors.New("waitcond: condition too large")

// spine is the backing array of the subs of conditions made by extending
// one another (c = Or(c, x) in a loop): a new condition's subs extend the
// previous one's in place when no other condition has extended them yet
// (used tells how much of the array is taken), so the loop costs O(1) per
// step rather than a copy of every part. Copying instead would cost
// O(MaxSize^2) in all before the limit stops the loop.
type spine struct{ used atomic.Int64 }

// inlineMax is the most parts a condition of the same kind may have to be
// flattened into an And or Or other than as its first argument. Flattening
// copies the parts: without a bound, c = Or(x, c) in a loop would copy
// O(MaxSize^2) parts in all (52s for the loop to reach the limit); nested
// instead, such a loop reaches MaxDepth after about MaxDepth*inlineMax
// steps and stops there, with ErrTooLarge.
const inlineMax = 64

// flattens reports whether c, the i-th argument of an And or Or of kind,
// is flattened into it.
func flattens(kind Kind, i int, c *Cond) bool {
	return c != nil && c.kind == kind && (i == 0 || len(c.subs) <= inlineMax)
}

// combine makes an And or Or (kind) of cs, flattening the parts of the same
// kind and checking the limits.
func combine(kind Kind, cs []*Cond) *Cond {
	size, depth, n := 1, 0, 0
	for i, c := range cs {
		switch {
		case c == nil || c.kind != KindAnd && c.kind != KindOr:
			size, n = size+1, n+1
		case c.Err() != nil:
			return c
		case flattens(kind, i, c):
			size, n, depth = size+int(c.size)-1, n+len(c.subs), max(depth, int(c.depth)-1)
		default:
			size, n, depth = size+int(c.size), n+1, max(depth, int(c.depth))
		}
	}
	depth++
	switch {
	case size > MaxSize:
		return invalid(fmt.Errorf("%w: %s of %d conditions (the limit is %d)", ErrTooLarge, kindName(kind), size, MaxSize))
	case depth > MaxDepth:
		return invalid(fmt.Errorf("%w: %s nested %d deep (the limit is %d)", ErrTooLarge, kindName(kind), depth, MaxDepth))
	}
	c := &Cond{kind: kind, depth: uint8(depth), size: uint32(size)}
	rest := cs
	if len(cs) > 0 && flattens(kind, 0, cs[0]) {
		// Extending a condition of the same kind: in place if it can be,
		// else into an array with room to grow.
		first := cs[0]
		rest = cs[1:]
		if sp, ok := first.ref.(*spine); ok && cap(first.subs) >= n && sp.used.CompareAndSwap(int64(len(first.subs)), int64(n)) {
			c.subs, c.ref = first.subs, sp
		} else {
			c.subs = append(make([]*Cond, 0, max(n, 2*len(first.subs))), first.subs...)
			sp := &spine{}
			sp.used.Store(int64(n))
			c.ref = sp
		}
	} else {
		c.subs = make([]*Cond, 0, n)
	}
	for _, s := range rest {
		if flattens(kind, 1, s) {
			c.subs = append(c.subs, s.subs...)
		} else {
			c.subs = append(c.subs, s)
		}
	}
	return c
}

// invalid is a condition too large: an Or of nothing, never met, whose Err
// is err.
func invalid(err error) *Cond { return &Cond{kind: KindOr, depth: 1, size: 1, ref: err} }

func kindName(k Kind) string {
	if k == KindAnd {
		return "And"
	}
	return "Or"
}
