package waitcond

import (
	"fmt"
	"testing"
	"time"
)

// builder makes a condition from fuzz bytes and works out, on the side,
// whether it is met in its env, how many leaves it has and whether one is
// a predicate.
type builder struct {
	b      []byte
	env    *env
	leaves int
	polled bool
}

func (r *builder) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *builder) build(depth int) (c *Cond, met bool) {
	k := r.next() % 11
	if depth >= 6 && k < 2 { // no deeper And or Or
		k += 2
	}
	if k >= 2 && k < 10 {
		r.leaves++
	}
	b := r.next()
	switch k {
	case 0, 1:
		subs := make([]*Cond, b%5)
		met = k == 0
		for i := range subs {
			var m bool
			subs[i], m = r.build(depth + 1)
			if k == 0 {
				met = met && m
			} else {
				met = met || m
			}
		}
		if k == 0 {
			return And(subs...), met
		}
		return Or(subs...), met
	case 2:
		return Frames(uint64(b)/2, uint64(b)-uint64(b)/2), r.env.frame >= uint64(b)
	case 3:
		d := time.Duration(int(b)-128) * time.Millisecond
		return Timespan(t0, d), !r.env.now.Before(t0.Add(d))
	case 4:
		at := t0.Add(time.Duration(int(b)-128) * time.Millisecond)
		return Timestamp(at), !r.env.now.Before(at)
	case 5:
		if b%3 == 0 {
			return Task(nil), true
		}
		return Task(&task{name: fmt.Sprint("t", b), owner: "F", finished: b%3 == 1}), b%3 == 1
	case 6:
		return Children(), r.env.childrenDone
	case 7:
		s := fired(fmt.Sprint("s", b), int(b%3))
		c := s.Cond()
		if b&4 != 0 {
			s.Fire()
		}
		return c, b&4 != 0
	case 8:
		r.polled = true
		return constant(fmt.Sprint("p", b), b&1 == 1), b&1 == 1
	case 9:
		f := NewFuture(fmt.Sprint("f", b))
		if b&1 == 1 {
			f.Complete(b, nil)
		}
		return f.Cond(), b&1 == 1
	}
	return nil, true
}

func build(data []byte) (*builder, *Cond, bool) {
	r := &builder{b: data}
	r.env = &env{
		frame:        uint64(r.next()),
		now:          t0.Add(time.Duration(int(r.next())-128) * time.Millisecond),
		childrenDone: r.next()&1 == 1,
	}
	c, met := r.build(0)
	return r, c, met
}

func FuzzCond(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{5, 128, 1, 0, 3, 2, 10, 3, 130, 5, 1})
	f.Add([]byte{200, 0, 0, 1, 4, 0, 2, 6, 0, 7, 4, 8, 1, 9, 1, 10, 0})
	f.Add([]byte{1, 2, 3, 0, 4, 0, 4, 0, 4, 1, 4, 5, 2, 9, 0, 8, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, c, want := build(data)
		if got := c.Met(r.env); got != want {
			t.Fatalf("%s: Met() = %v, want %v", c.Explain(r.env), got, want)
		}
		if got := c.Met(r.env); got != want {
			t.Fatalf("%s: second Met() = %v, want %v", c.Explain(r.env), got, want)
		}
		n := 0
		for range c.Leaves() {
			n++
		}
		if n != r.leaves {
			t.Fatalf("%v: %d leaves, want %d", c, n, r.leaves)
		}
		if got := c.HasPredicate(); got != r.polled {
			t.Fatalf("%v: HasPredicate() = %v, want %v", c, got, r.polled)
		}
		r2, c2, _ := build(data)
		if a, b := c.Explain(r.env), c2.Explain(r2.env); a != b {
			t.Fatalf("Explain differs for the same bytes:\n%s\n%s", a, b)
		}
		if a, b := c.Explain(r.env), c.Explain(r.env); a != b {
			t.Fatalf("Explain differs for the same tree:\n%s\n%s", a, b)
		}
		if a, b := c.String(), c2.String(); a != b {
			t.Fatalf("String differs for the same bytes:\n%s\n%s", a, b)
		}
	})
}
