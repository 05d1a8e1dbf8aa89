package vclock

import (
	"slices"
	"testing"
	"time"
)

func TestClockMovesOnlyByAdd(t *testing.T) {
	start := time.Unix(100, 0)
	c := New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	for _, row := range []struct {
		add  time.Duration
		want time.Duration // since start
	}{
		{0, 0},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{-time.Hour, 1500 * time.Millisecond},
		{time.Second, 2500 * time.Millisecond},
	} {
		c.Add(row.add)
		if got := c.Since(start); got != row.want {
			t.Errorf("after Add(%v): Since(start) = %v, want %v", row.add, got, row.want)
		}
	}
	if got := c.Until(start.Add(3 * time.Second)); got != 500*time.Millisecond {
		t.Errorf("Until(start+3s) = %v, want 500ms", got)
	}
}

func TestAfterFuncIsReal(t *testing.T) {
	c := New(time.Unix(0, 0))
	fired := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(fired) }) // real time: the virtual time never moves here
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Error("AfterFunc did not fire in real time")
	}
}

func TestAfterVirtual(t *testing.T) {
	c := New(time.Unix(0, 0))
	var got []string
	arm := func(name string, d time.Duration) func() {
		return c.AfterVirtual(d, func() { got = append(got, name) })
	}
	arm("b at 10ms", 10*time.Millisecond)
	arm("a at 5ms", 5*time.Millisecond)
	arm("c at 10ms, armed after b", 10*time.Millisecond)
	stop := arm("stopped", 7*time.Millisecond)
	arm("now", 0)
	stop()
	if got != nil {
		t.Fatalf("fired before any Add: %q", got)
	}
	for _, row := range []struct {
		add  time.Duration
		want []string // fired by this Add
	}{
		{time.Millisecond, []string{"now"}},
		{3 * time.Millisecond, nil},
		{time.Millisecond, []string{"a at 5ms"}},
		{time.Hour, []string{"b at 10ms", "c at 10ms, armed after b"}},
		{time.Hour, nil},
	} {
		got = nil
		c.Add(row.add)
		if !slices.Equal(got, row.want) {
			t.Errorf("Add(%v) fired %q, want %q", row.add, got, row.want)
		}
	}
}

func TestAfterVirtualStopAfterFiring(t *testing.T) {
	c := New(time.Unix(0, 0))
	n := 0
	stop := c.AfterVirtual(time.Millisecond, func() { n++ })
	c.Add(time.Millisecond)
	stop()
	c.Add(time.Hour)
	if n != 1 {
		t.Errorf("fired %d times, want 1", n)
	}
}
