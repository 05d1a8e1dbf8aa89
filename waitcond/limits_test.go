package waitcond

import (
	"errors"
	"strings"
	"testing"
)

// c = Or(c, leaf) in a loop, as a script's c = c + leaf does, makes one flat
// Or (it made a chain as deep as the loop, and Met overflowed the Go stack
// at twelve million), extending one array in place, until MaxSize.
func TestAccumulateStaysFlat(t *testing.T) {
	leaf := Frames(0, 1)
	c := Or()
	for range 1000 {
		c = Or(c, leaf)
	}
	if got := len(c.Subs()); got != 1000 {
		t.Errorf("after 1000 steps: %d subs, want 1000 (flat)", got)
	}
	if got := c.Explain(&env{frame: 0}); strings.Count(got, "Or(") != 1 {
		t.Errorf("Explain: %q..., want one Or", got[:40])
	}
	// Prepending cannot extend in place: c is flattened only while small,
	// then nested, so the loop stops at MaxDepth instead of copying c at
	// every step.
	c = And()
	for range 40 {
		c = And(leaf, c)
	}
	if got := len(c.Subs()); got != 40 {
		t.Errorf("And prepended 40 times: %d subs, want 40 (flat)", got)
	}
	for range 12_000_000 {
		c = And(leaf, c)
	}
	if err := c.Err(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "deep") {
		t.Errorf("And prepended 12 million times: Err %v, want ErrTooLarge for the depth", err)
	}
}

// Extending in place never changes a condition made before: two conditions
// extending the same one each get their own last part.
func TestExtendKeepsEarlierConditions(t *testing.T) {
	a, x, y := Frames(0, 1), Frames(0, 2), Frames(0, 3)
	base := Or(Or(Or(a), a), a) // its array has room for one more
	c1 := Or(base, x)
	c2 := Or(base, y)
	c3 := Or(c1, y, Or(x, y))
	if &c1.Subs()[0] != &base.Subs()[0] {
		t.Errorf("Or(base, x) copied base's parts, want them extended in place")
	}
	for _, tt := range []struct {
		c    *Cond
		want string
	}{
		{base, "Or(Frame 1, Frame 1, Frame 1)"},
		{c1, "Or(Frame 1, Frame 1, Frame 1, Frame 2)"},
		{c2, "Or(Frame 1, Frame 1, Frame 1, Frame 3)"},
		{c3, "Or(Frame 1, Frame 1, Frame 1, Frame 2, Frame 3, Frame 2, Frame 3)"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
	if s := c1.Subs(); cap(s) != len(s) {
		t.Errorf("Subs has room to append into (cap %d, len %d), want none", cap(s), len(s))
	}
}

func TestLimits(t *testing.T) {
	leaf := Frames(0, 1)
	many := make([]*Cond, MaxSize)
	for i := range many {
		many[i] = leaf
	}
	acc := Or()
	for range 3 * MaxSize {
		acc = Or(acc, leaf)
	}
	doubled := And(leaf, leaf)
	for range 20 {
		doubled = And(doubled, Or(doubled, leaf))
	}
	deep := leaf
	for range 40 {
		deep = And(Or(deep, leaf), leaf)
	}
	for _, tt := range []struct {
		name string
		c    *Cond
		want string // in the error; "" for valid
	}{
		{"Or of MaxSize-1 leaves", Or(many[1:]...), ""},
		{"Or of MaxSize leaves", Or(many...), "Or of 65537 conditions (the limit is 65536)"},
		{"accumulated", acc, "Or of 65537 conditions (the limit is 65536)"},
		{"doubled", doubled, "of"},
		{"deep", deep, "nested 65 deep (the limit is 64)"},
		{"a part too large", And(leaf, acc), "Or of 65537 conditions"},
		{"nil", nil, ""},
	} {
		err := tt.c.Err()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Err %v, want nil", tt.name, err)
		case tt.want != "" && (!errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Err %v, want ErrTooLarge saying %q", tt.name, err, tt.want)
		case tt.want != "":
			if tt.c.Met(&env{frame: 5, childrenDone: true}) {
				t.Errorf("%s: an invalid condition is met", tt.name)
			}
			if got, want := tt.c.String(), "Invalid("+err.Error()+")"; got != want {
				t.Errorf("%s: String %q, want %q", tt.name, got, want)
			}
		}
	}
}
