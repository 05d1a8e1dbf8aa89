package waitcond

import (
	"testing"
	"time"
)

func TestExplain(t *testing.T) {
	e := &env{frame: 5, now: t0.Add(800 * time.Millisecond)}
	index := &task{name: "index", owner: "Bags"}
	done := &task{name: "sort", owner: "Bags", finished: true}
	loot := NewSignal("loot")
	lootCond := loot.Cond()
	fetch := NewFuture("fetch")
	tests := []struct {
		c           *Cond
		env         Env
		want, want0 string // with env, and String
	}{
		{nil, e, "Nothing", "Nothing"},
		{Frames(5, 2), e, "Frame 7 [2 frames left]", "Frame 7"},
		{Frames(4, 1), e, "Frame 5 [met]", "Frame 5"},
		{Timespan(t0, 2*time.Second), e, "Timespan 2s [1.2s left]", "Timespan 2s"},
		{Timestamp(t0), e, "Timestamp 2025-01-02T03:04:05Z [met]", "Timestamp 2025-01-02T03:04:05Z"},
		{Task(index), e, `Task "index" (owner Bags) [running]`, `Task "index" (owner Bags)`},
		{Task(done), e, `Task "sort" (owner Bags) [met]`, `Task "sort" (owner Bags)`},
		{Task(nil), e, "Task nil [met]", "Task nil"},
		{Children(), e, "Children [unmet]", "Children"},
		{Children(), &env{childrenDone: true}, "Children [met]", "Children"},
		{Children(), &countingEnv{left: 3}, "Children [3 unfinished]", "Children"},
		{Children(), &countingEnv{env: env{childrenDone: true}}, "Children [met]", "Children"},
		{lootCond, e, `Signal "loot" [unmet]`, `Signal "loot"`},
		{fired("loot", 1).Cond(), e, `Signal "loot" [unmet]`, `Signal "loot"`},
		{constant("bags full", false), e, `Predicate "bags full" [false]`, `Predicate "bags full"`},
		{constant("bags full", true), e, `Predicate "bags full" [met]`, `Predicate "bags full"`},
		{fetch.Cond(), e, `Future "fetch" [pending]`, `Future "fetch"`},
		{completed("fetch").Cond(), e, `Future "fetch" [met]`, `Future "fetch"`},
		{And(), e, "And()", "And()"},
		{Or(nil), e, "Or(Nothing)", "Or(Nothing)"},
		{
			And(Timespan(t0, 2*time.Second), Task(index)), e,
			`And(Timespan 2s [1.2s left], Task "index" (owner Bags) [running])`,
			`And(Timespan 2s, Task "index" (owner Bags))`,
		},
		{
			Or(And(Children(), Frames(5, 0)), lootCond, And(fetch.Cond(), Or(constant("bags full", false), Task(done)))), e,
			`Or(And(Children [unmet], Frame 5 [met]), Signal "loot" [unmet], ` +
				`And(Future "fetch" [pending], Or(Predicate "bags full" [false], Task "sort" (owner Bags) [met])))`,
			`Or(And(Children, Frame 5), Signal "loot", And(Future "fetch", Or(Predicate "bags full", Task "sort" (owner Bags))))`,
		},
	}
	for _, tt := range tests {
		if got := tt.c.Explain(tt.env); got != tt.want {
			t.Errorf("Explain:\n got %s\nwant %s", got, tt.want)
		}
		if got := tt.c.String(); got != tt.want0 {
			t.Errorf("String:\n got %s\nwant %s", got, tt.want0)
		}
	}

	// Met leaves are marked met once what they wait for happened.
	c := And(lootCond, fetch.Cond(), Task(index))
	loot.Fire()
	fetch.Complete("page", nil)
	index.finished = true
	want := `And(Signal "loot" [met], Future "fetch" [met], Task "index" (owner Bags) [met])`
	if got := c.Explain(e); got != want {
		t.Errorf("Explain after events:\n got %s\nwant %s", got, want)
	}
}
