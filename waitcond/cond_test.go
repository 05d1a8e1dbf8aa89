package waitcond

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestMet(t *testing.T) {
	at5 := &env{frame: 5, now: t0.Add(5 * time.Second)}
	kids := &env{childrenDone: true}
	sig := fired("loot", 2)
	sigCond := sig.Cond()
	sig.Fire()
	tests := []struct {
		name string
		c    *Cond
		env  *env
		want bool
	}{
		{"nil", nil, at5, true},
		{"frame reached", Frames(3, 2), at5, true},
		{"frame passed", Frames(0, 1), at5, true},
		{"frame not reached", Frames(5, 1), at5, false},
		{"frames 0", Frames(5, 0), at5, true},
		{"timespan reached", Timespan(t0, 5*time.Second), at5, true},
		{"timespan not reached", Timespan(t0, 5*time.Second+1), at5, false},
		{"timestamp reached", Timestamp(t0), at5, true},
		{"timestamp not reached", Timestamp(t0.Add(6 * time.Second)), at5, false},
		{"task finished", Task(&task{name: "a", finished: true}), at5, true},
		{"task running", Task(&task{name: "a"}), at5, false},
		{"task nil", Task(nil), at5, true},
		{"children done", Children(), kids, true},
		{"children running", Children(), at5, false},
		{"signal fired before", fired("loot", 1).Cond(), at5, false},
		{"signal fired after", sigCond, at5, true},
		{"predicate true", constant("p", true), at5, true},
		{"predicate false", constant("p", false), at5, false},
		{"future completed", completed("f").Cond(), at5, true},
		{"future failed", func() *Cond {
			f := NewFuture("f")
			f.Complete(nil, errTest)
			return f.Cond()
		}(), at5, true},
		{"future pending", NewFuture("f").Cond(), at5, false},
		{"zero future pending", new(Future).Cond(), at5, false},
		{"And()", And(), at5, true},
		{"Or()", Or(), at5, false},
		{"And(nil)", And(nil), at5, true},
		{"Or(nil)", Or(nil), at5, true},
		{"And met", And(Frames(0, 5), Task(nil), completed("f").Cond()), at5, true},
		{"And one unmet", And(Frames(0, 5), Children(), completed("f").Cond()), at5, false},
		{"Or one met", Or(Frames(0, 6), Children(), sigCond), at5, true},
		{"Or none met", Or(Frames(0, 6), Children(), constant("p", false)), at5, false},
		{"nested met", And(Or(Children(), Timestamp(t0)), Or(And(), Task(&task{finished: true}))), at5, true},
		{"nested unmet", Or(And(Children(), Timestamp(t0)), And(Or(), Task(nil))), at5, false},
		{"nested all kinds", And(
			Or(Frames(0, 9), Timespan(t0, time.Second)),
			Or(Task(&task{}), Children(), sigCond),
			And(constant("p", true), completed("f").Cond(), Or(Or(), Timestamp(t0)))),
			at5, true},
	}
	for _, tt := range tests {
		if got := tt.c.Met(tt.env); got != tt.want {
			t.Errorf("%s: %v.Met() = %v, want %v", tt.name, tt.c, got, tt.want)
		}
	}
}

func TestMonotonic(t *testing.T) {
	tests := []struct {
		c            *Cond
		polled, pred bool
	}{
		{nil, false, false},
		{Frames(0, 1), false, false},
		{Children(), false, false},
		{Task(nil), false, false},
		{NewSignal("s").Cond(), false, false},
		{NewFuture("f").Cond(), false, false},
		{constant("p", true), true, true},
		{And(), false, false},
		{And(Frames(0, 1), Or(Children(), constant("p", true))), false, true},
		{Or(Frames(0, 1), And(Children(), Task(nil))), false, false},
	}
	for _, tt := range tests {
		if got := tt.c.Polled(); got != tt.polled {
			t.Errorf("%v.Polled() = %v, want %v", tt.c, got, tt.polled)
		}
		if got := tt.c.HasPredicate(); got != tt.pred {
			t.Errorf("%v.HasPredicate() = %v, want %v", tt.c, got, tt.pred)
		}
		if got := tt.c.Monotonic(); got != !tt.pred {
			t.Errorf("%v.Monotonic() = %v, want %v", tt.c, got, !tt.pred)
		}
	}
}

func TestPredicateCalledEachTime(t *testing.T) {
	calls, v := 0, false
	c := Predicate("flip", func() bool { calls++; return v })
	e := &env{}
	var got []bool
	for _, next := range []bool{false, true, true, false} {
		v = next
		got = append(got, c.Met(e))
	}
	if want := []bool{false, true, true, false}; !slices.Equal(got, want) {
		t.Errorf("Met over time: got %v, want %v", got, want)
	}
	if calls != 4 {
		t.Errorf("calls: got %d, want 4", calls)
	}
}

func TestPredicateNilPanics(t *testing.T) {
	defer func() {
		if got, want := recover(), `waitcond: Predicate "p" with a nil func`; got != want {
			t.Errorf("panic: got %v, want %q", got, want)
		}
	}()
	Predicate("p", nil)
}

func TestAccessors(t *testing.T) {
	w := &task{name: "a"}
	s, s3 := NewSignal("s"), fired("s3", 3)
	f := NewFuture("f")
	tests := []struct {
		c      *Cond
		kind   Kind
		frame  uint64
		target Waitable
		sig    *Signal
		fut    *Future
	}{
		{Frames(3, 4), KindFrame, 7, nil, nil, nil},
		{Timestamp(t0), KindTime, 0, nil, nil, nil},
		{And(), KindAnd, 0, nil, nil, nil},
		{Or(), KindOr, 0, nil, nil, nil},
		{Task(w), KindTask, 0, w, nil, nil},
		{Task(nil), KindTask, 0, nil, nil, nil},
		{Children(), KindChildren, 0, nil, nil, nil},
		{s3.Cond(), KindSignal, 0, nil, s3, nil},
		{s.Cond(), KindSignal, 0, nil, s, nil},
		{constant("p", true), KindPredicate, 0, nil, nil, nil},
		{f.Cond(), KindFuture, 0, nil, nil, f},
	}
	for _, tt := range tests {
		if got := tt.c.Kind(); got != tt.kind {
			t.Errorf("%v.Kind() = %d, want %d", tt.c, got, tt.kind)
		}
		if got := tt.c.Frame(); got != tt.frame {
			t.Errorf("%v.Frame() = %d, want %d", tt.c, got, tt.frame)
		}
		if got := tt.c.Target(); got != tt.target {
			t.Errorf("%v.Target() = %v, want %v", tt.c, got, tt.target)
		}
		if got := tt.c.Signal(); got != tt.sig {
			t.Errorf("%v.Signal() = %p, want %p", tt.c, got, tt.sig)
		}
		if got := tt.c.Future(); got != tt.fut {
			t.Errorf("%v.Future() = %p, want %p", tt.c, got, tt.fut)
		}
	}
	if got, want := Timespan(t0, time.Second).Deadline(), t0.Add(time.Second); !got.Equal(want) {
		t.Errorf("Deadline() = %v, want %v", got, want)
	}
	if Children() != Children() {
		t.Errorf("Children() is not a shared value")
	}
}

func TestLeaves(t *testing.T) {
	a, b, c, d := Frames(0, 1), Children(), Task(nil), constant("p", true)
	cond := And(a, Or(), nil, Or(b, And(c, nil)), d)
	got := slices.Collect(cond.Leaves())
	if want := []*Cond{a, b, c, d}; !slices.Equal(got, want) {
		t.Errorf("Leaves: got %v, want %v", got, want)
	}
	var first []*Cond
	for leaf := range cond.Leaves() {
		first = append(first, leaf)
		if len(first) == 2 {
			break
		}
	}
	if want := []*Cond{a, b}; !slices.Equal(first, want) {
		t.Errorf("Leaves with break: got %v, want %v", first, want)
	}
	if got := slices.Collect((*Cond)(nil).Leaves()); len(got) != 0 {
		t.Errorf("nil Leaves: got %v, want none", got)
	}
	if got := slices.Collect(a.Leaves()); !slices.Equal(got, []*Cond{a}) {
		t.Errorf("leaf Leaves: got %v, want [%v]", got, a)
	}
}

func TestAndOrKeepTheirOwnParts(t *testing.T) {
	parts := []*Cond{Frames(0, 1), Frames(0, 2)}
	and, or := And(parts...), Or(parts...)
	parts[0], parts[1] = Children(), Children()
	if got, want := and.String(), "And(Frame 1, Frame 2)"; got != want {
		t.Errorf("And after its argument changed: got %q, want %q", got, want)
	}
	if got, want := or.String(), "Or(Frame 1, Frame 2)"; got != want {
		t.Errorf("Or after its argument changed: got %q, want %q", got, want)
	}
}

// Frames saturates: a frame number past the counter's range is never met
// (current+n wrapped to a small frame, met at once).
func TestFramesSaturates(t *testing.T) {
	c := Frames(5, math.MaxUint64)
	if c.Frame() != Never {
		t.Errorf("Frames(5, MaxUint64).Frame() = %d, want Never", c.Frame())
	}
	if c.Met(&env{frame: 1 << 40}) {
		t.Errorf("Frames(5, MaxUint64) met at frame 1<<40")
	}
}
