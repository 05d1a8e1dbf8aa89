package sched_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

const day = 24 * time.Hour

// keeper holds handles, so that a garbage collection in the middle of a test
// does not stop a task whose handle the test no longer uses; drop lets them
// go.
type keeper struct{ hs []*sched.Task }

func (k *keeper) keep(h *sched.Task) *sched.Task {
	k.hs = append(k.hs, h)
	return h
}

func (k *keeper) drop() {
	clear(k.hs)
	k.hs = nil
}

// goKept starts a task from the code running now (the host or a task) and
// keeps its handle in k. It reports an error with Errorf, which task code
// may call.
func goKept(w *world, k *keeper, owner, name string, body sched.Body) *sched.Task {
	h, err := w.s.Go(owner, name, body)
	if err != nil {
		w.t.Errorf("Go(%q, %q): %v", owner, name, err)
		return nil
	}
	return k.keep(h)
}

// idle is a body that waits for a day; log records when the body unwinds.
func idle(w *world, name string, log *[]string) sched.Body {
	return func(t *sched.Self) (any, error) {
		defer func() { *log = append(*log, name) }()
		if err := t.Wait(w.s.Timespan(day)); err != nil {
			return nil, err
		}
		return nil, nil
	}
}

// grow is the body of a task that starts a child for each name in
// kids[name], in order, keeping their handles in k, then waits for a day;
// log records the unwinding of every body of the tree.
func grow(w *world, k *keeper, kids map[string][]string, log *[]string, name string) sched.Body {
	return func(t *sched.Self) (any, error) {
		defer func() { *log = append(*log, name) }()
		for _, kid := range kids[name] {
			goKept(w, k, "", kid, grow(w, k, kids, log, kid))
		}
		if err := t.Wait(w.s.Timespan(day)); err != nil {
			return nil, err
		}
		return nil, nil
	}
}

// recordFinishes subscribes to the finished event and records each event as
// "name owner how: err".
func recordFinishes(w *world) *[]string {
	var got []string
	w.s.OnFinished(func(e sched.FinishEvent) {
		got = append(got, fmt.Sprintf("%s %s %s: %v", e.Task.Name(), e.Owner, e.How, e.Err))
	})
	return &got
}

// finishLines are the trace's finish events.
func finishLines(w *world) []string {
	var out []string
	for _, l := range w.trace {
		if strings.Contains(l, ": finish") {
			out = append(out, l)
		}
	}
	return out
}

func taskNames(hs []*sched.Task) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Name())
	}
	return out
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

func wantStopped(t *testing.T, h *sched.Task, reason string) {
	t.Helper()
	var se *sched.StopError
	if err := h.Err(); !errors.As(err, &se) || se.Reason != reason {
		t.Errorf("%s: Err() = %v, want a *StopError %q", h.Name(), err, reason)
	}
}

func TestParentIsSetAtStartNotCreate(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		var made, hostStarted *sched.Task
		creator := goKept(w, &k, "A", "creator", func(t *sched.Self) (any, error) {
			var err error
			if made, err = w.s.Create("", "made", idle(w, "made", &log)); err != nil {
				return nil, err
			}
			if hostStarted, err = w.s.Create("", "host-started", idle(w, "host-started", &log)); err != nil {
				return nil, err
			}
			k.keep(made)
			k.keep(hostStarted)
			return nil, t.Wait(w.s.Timespan(day))
		})
		starter := goKept(w, &k, "A", "starter", func(t *sched.Self) (any, error) {
			if err := t.Wait(w.s.NextFrame()); err != nil {
				return nil, err
			}
			if err := made.Start(); err != nil {
				return nil, err
			}
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		if made.State() != sched.Pending || made.Parent() != nil {
			t.Errorf("after creation: made is %v with parent %v, want pending with none", made.State(), made.Parent())
		}
		if got := taskNames(creator.Children()); len(got) != 0 {
			t.Errorf("creator.Children() = %q, want none: creating does not adopt", got)
		}
		if err := hostStarted.Start(); err != nil {
			t.Fatal(err)
		}
		w.frames(1)
		if p := made.Parent(); p != starter {
			t.Errorf("made.Parent() = %v, want the task that started it, %v", p, starter)
		}
		if made.Owner() != "A" {
			t.Errorf("made.Owner() = %q, want A, the owner of the code that created it", made.Owner())
		}
		wantLines(t, "starter.Children()", taskNames(starter.Children()), []string{"made"})
		wantLines(t, "creator.Children()", taskNames(creator.Children()), []string{})
		if p := hostStarted.Parent(); p != nil {
			t.Errorf("a task created by a task and started by the host has parent %v, want none", p)
		}
	})
}

func TestOrphans(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		byHost := goKept(w, &k, "A", "by-host", idle(w, "by-host", &log))
		var byRunAs *sched.Task
		w.s.RunAs("B", func() { byRunAs = goKept(w, &k, "", "by-runas", idle(w, "by-runas", &log)) })
		w.frames(1)
		for _, h := range []*sched.Task{byHost, byRunAs} {
			if p := h.Parent(); p != nil {
				t.Errorf("%s.Parent() = %v, want nil: started outside any task", h.Name(), p)
			}
		}
		if byRunAs.Owner() != "B" {
			t.Errorf("a task created in RunAs(B) belongs to %q, want B", byRunAs.Owner())
		}
		if err := byHost.Stop(""); err != nil {
			t.Fatal(err)
		}
		if byRunAs.Finished() {
			t.Errorf("stopping one orphan finished another: %v", byRunAs.Err())
		}
	})
}

func TestStopPropagatesThroughThreeLevels(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var unwound []string
		kids := map[string][]string{"root": {"a", "b"}, "a": {"a1", "a2"}, "a1": {"a1x"}, "b": {"b1"}}
		root := goKept(w, &k, "A", "root", grow(w, &k, kids, &unwound, "root"))
		outsider := goKept(w, &k, "A", "outsider", grow(w, &k, kids, &unwound, "outsider"))
		w.frames(1)

		a := root.Children()[0]
		wantLines(t, "root.Children()", taskNames(root.Children()), []string{"a", "b"})
		wantLines(t, "a.Children()", taskNames(a.Children()), []string{"a1", "a2"})
		a1x := a.Children()[0].Children()[0]
		if a1x.Name() != "a1x" || a1x.Parent().Parent().Parent() != root {
			t.Fatalf("great-grandchild %v does not descend from root", a1x)
		}

		events := recordFinishes(w)
		w.trace = nil
		if err := root.Stop("bye"); err != nil {
			t.Fatal(err)
		}
		// The stopped task first, then its descendants deepest first,
		// children in start order.
		wantLines(t, "finish events", finishLines(w), []string{
			"1 [A] root: finish: bye",
			"1 [A] a1x: finish: parent finished",
			"1 [A] a1: finish: parent finished",
			"1 [A] a2: finish: parent finished",
			"1 [A] a: finish: parent finished",
			"1 [A] b1: finish: parent finished",
			"1 [A] b: finish: parent finished",
		})
		wantLines(t, "OnFinished", *events, []string{
			"a1x A stopped: parent finished",
			"a1 A stopped: parent finished",
			"a2 A stopped: parent finished",
			"a A stopped: parent finished",
			"b1 A stopped: parent finished",
			"b A stopped: parent finished",
			"root A stopped: bye", // after its descendants', as in blTasks
		})
		// Deferred functions run as each task is stopped; the task whose
		// stop stopped the others unwinds last.
		wantLines(t, "unwound", unwound, []string{"a1x", "a1", "a2", "a", "b1", "b", "root"})
		wantStopped(t, a1x, "parent finished")
		if outsider.Finished() {
			t.Errorf("a task outside the tree was stopped: %v", outsider.Err())
		}
		w.trace = nil
		w.frames(2)
		if len(w.trace) != 0 {
			t.Errorf("stopped tasks ran again:\n%s", w.traceString())
		}
	})
}

func TestStopPropagatesOnEveryWayOfFinishing(t *testing.T) {
	errBoom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		end    func(t *sched.Self) (any, error) // runs in the parent after its children started
		byHost bool                             // the host stops the parent instead
		want   string                           // the parent's finish event
	}{
		{name: "returns", end: func(*sched.Self) (any, error) { return 1, nil }, want: "2 [A] parent: finish"},
		{name: "fails", end: func(*sched.Self) (any, error) { return nil, errBoom }, want: "2 [A] parent: finish: boom"},
		{name: "panics", end: func(*sched.Self) (any, error) { panic("oops") }, want: "2 [A] parent: finish: panic: oops"},
		{name: "stops itself", end: func(t *sched.Self) (any, error) { t.Stop("enough"); return nil, nil }, want: "2 [A] parent: finish: enough"},
		{name: "is stopped", byHost: true, want: "2 [A] parent: finish: task stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*time.Millisecond)
				var k keeper
				var unwound []string
				kids := map[string][]string{"kid": {"grandkid"}}
				parent := goKept(w, &k, "A", "parent", func(t *sched.Self) (any, error) {
					goKept(w, &k, "", "kid", grow(w, &k, kids, &unwound, "kid"))
					if tc.byHost {
						return nil, t.Wait(w.s.Timespan(day))
					}
					if err := t.Wait(w.s.NextFrame()); err != nil {
						return nil, err
					}
					return tc.end(t)
				})
				w.frames(1)
				if tc.byHost {
					w.s.RunFrame()
					if err := parent.Stop(""); err != nil {
						t.Fatal(err)
					}
				} else {
					w.frames(1)
				}
				wantLines(t, "finish events", finishLines(w), []string{
					tc.want,
					"2 [A] grandkid: finish: parent finished",
					"2 [A] kid: finish: parent finished",
				})
				wantLines(t, "unwound", unwound, []string{"grandkid", "kid"})
				for _, h := range k.hs[1:] {
					wantStopped(t, h, "parent finished")
				}
			})
		})
	}
}

func TestStopOfAMiddleTaskLeavesTheRest(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var unwound []string
		kids := map[string][]string{"root": {"a", "b"}, "a": {"a1"}, "b": {"b1"}}
		root := goKept(w, &k, "A", "root", grow(w, &k, kids, &unwound, "root"))
		w.frames(1)
		a := root.Children()[0]
		if err := a.Stop("just a"); err != nil {
			t.Fatal(err)
		}
		wantLines(t, "unwound", unwound, []string{"a1", "a"})
		wantLines(t, "root.Children()", taskNames(root.Children()), []string{"b"})
		if err := a.Stop(""); !errors.Is(err, sched.ErrFinished) {
			t.Errorf("stopping a stopped task: %v, want ErrFinished", err)
		}
	})
}

func TestAbandon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k, grandkid keeper // grandkid's handle stays held to the end
		var unwound []string
		turns := 0
		root := goKept(w, &k, "A", "root", func(t *sched.Self) (any, error) {
			defer func() { unwound = append(unwound, "root") }()
			goKept(w, &k, "", "kid", func(t *sched.Self) (any, error) {
				defer func() { unwound = append(unwound, "kid") }()
				goKept(w, &grandkid, "", "grandkid", idle(w, "grandkid", &unwound))
				for {
					turns++
					if err := t.Wait(w.s.NextFrame()); err != nil {
						return nil, err
					}
				}
			})
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		abandonOnlyChild(t, w, root)

		// It survives its parent,
		if err := root.Stop(""); err != nil {
			t.Fatal(err)
		}
		wantLines(t, "unwound after the parent stopped", unwound, []string{"root"})
		// and the collection of its handles.
		k.drop()
		root = nil
		w.s.Collect()
		before := turns
		w.frames(2)
		wantLines(t, "unwound after Collect", unwound, []string{"root"})
		if turns != before+2 {
			t.Errorf("the abandoned task ran %d times in 2 frames, want 2", turns-before)
		}

		// It can still be stopped by hand, through a handle found again.
		var kid *sched.Task
		for h := range w.s.Tasks() {
			if h.Name() == "kid" {
				kid = h
			}
		}
		if kid == nil {
			t.Fatal("the abandoned task is not among the live tasks")
		}
		if err := kid.Stop("by hand"); err != nil {
			t.Fatal(err)
		}
		wantStopped(t, kid, "by hand")
		// Its own children are still its children.
		wantLines(t, "unwound after the stop by hand", unwound, []string{"root", "grandkid", "kid"})
		wantStopped(t, grandkid.hs[0], "parent finished")
	})
}

// abandonOnlyChild abandons root's only child. It is a function of its own so
// that no handle to the child stays in the caller's frame.
//
//go:noinline
func abandonOnlyChild(t *testing.T, w *world, root *sched.Task) {
	t.Helper()
	kids := root.Children()
	if len(kids) != 1 {
		t.Fatalf("root has children %q, want one", taskNames(kids))
	}
	kid := kids[0]
	if err := kid.Abandon(); err != nil {
		t.Fatalf("Abandon: %v", err)
	}
	if p := kid.Parent(); p != nil {
		t.Errorf("an abandoned task has parent %v, want none", p)
	}
	if got := root.Children(); len(got) != 0 {
		t.Errorf("root still has children %q after abandoning its only one", taskNames(got))
	}
	for _, info := range w.s.Snapshot() {
		if info.Name == "kid" && (!info.Abandoned || info.Parent != 0 || info.Depth != 0) {
			t.Errorf("Snapshot of the abandoned task: %+v, want Abandoned, no parent, depth 0", info)
		}
	}
}

func TestAbandonRefused(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		pending, err := w.s.Create("A", "pending", idle(w, "pending", &log))
		if err != nil {
			t.Fatal(err)
		}
		k.keep(pending)
		suspended := goKept(w, &k, "A", "suspended", idle(w, "suspended", &log))
		finished := goKept(w, &k, "A", "finished", ret(1))
		w.frames(1)
		if err := suspended.Suspend(); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			h    *sched.Task
			want error
		}{
			{pending, sched.ErrNotStarted},
			{suspended, sched.ErrSuspended},
			{finished, sched.ErrFinished},
		} {
			if err := tc.h.Abandon(); !errors.Is(err, tc.want) {
				t.Errorf("Abandon on %s: %v, want %v", tc.h.Name(), err, tc.want)
			}
		}
	})
}

func TestChildrenConditionFollowsTree(t *testing.T) {
	t.Run("last child finishing wakes the parent", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*time.Millisecond)
			var k keeper
			var log []string
			parent := goKept(w, &k, "A", "parent", func(t *sched.Self) (any, error) {
				for i, d := range []time.Duration{time.Second, 3 * time.Second} {
					goKept(w, &k, "", fmt.Sprint("kid", i+1), func(t *sched.Self) (any, error) {
						return nil, t.Wait(w.s.Timespan(d))
					})
				}
				if err := t.Wait(waitcond.Children()); err != nil {
					return nil, err
				}
				log = append(log, fmt.Sprintf("woke in frame %d", w.s.Frame()))
				return nil, nil
			})
			w.frames(1)
			if got, want := parent.Why(), "Children [2 unfinished]"; got != want {
				t.Errorf("Why() = %q, want %q", got, want)
			}
			w.work(time.Second)
			w.frames(1)
			if len(log) != 0 || len(parent.Children()) != 1 {
				t.Errorf("after the first child finished: log %q, children %q; want the parent still waiting for one", log, taskNames(parent.Children()))
			}
			w.work(2 * time.Second)
			w.frames(1)
			wantLines(t, "log", log, []string{"woke in frame 3"})
		})
	})
	t.Run("no children: met at once", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*time.Millisecond)
			var k keeper
			goKept(w, &k, "A", "lonely", func(t *sched.Self) (any, error) {
				return nil, t.Wait(waitcond.Children())
			})
			w.frames(1)
			wantLines(t, "trace", w.trace, []string{
				"0 [A] lonely: start",
				"1 [A] lonely: finish",
				"1 [A] lonely: ran 0s, finished",
			})
		})
	})
	t.Run("abandoning the last child counts", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*time.Millisecond)
			var k keeper
			var log []string
			parent := goKept(w, &k, "A", "parent", func(t *sched.Self) (any, error) {
				goKept(w, &k, "", "kid", idle(w, "kid", &log))
				if err := t.Wait(waitcond.Children()); err != nil {
					return nil, err
				}
				log = append(log, fmt.Sprintf("woke in frame %d", w.s.Frame()))
				return nil, nil
			})
			w.frames(2)
			if err := parent.Children()[0].Abandon(); err != nil {
				t.Fatal(err)
			}
			w.frames(1)
			wantLines(t, "log", log, []string{"woke in frame 3"})
			if kid := k.hs[1]; kid.Finished() {
				t.Errorf("the abandoned child was stopped when its former parent finished: %v", kid.Err())
			}
		})
	})
}

func TestSnapshot(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		waitKids := func(t *sched.Self) (any, error) { return nil, t.Wait(waitcond.Children()) }
		goKept(w, &k, "A", "root", func(t *sched.Self) (any, error) {
			goKept(w, &k, "", "a", idle(w, "a", &log))
			goKept(w, &k, "B", "b", func(t *sched.Self) (any, error) {
				goKept(w, &k, "", "b1", func(t *sched.Self) (any, error) {
					return nil, t.Wait(w.s.Timespan(2 * time.Second))
				})
				return waitKids(t)
			})
			return waitKids(t)
		})
		pending, err := w.s.Create("C", "pending", ret(nil))
		if err != nil {
			t.Fatal(err)
		}
		k.keep(pending)
		w.frames(1)
		w.work(500 * time.Millisecond) // time passes between frames: no task is charged
		got := w.s.Snapshot()
		want := []sched.TaskInfo{
			{ID: 1, Name: "root", Owner: "A", State: sched.Waiting, Why: "Children [2 unfinished]"},
			{ID: 3, Name: "a", Owner: "A", State: sched.Waiting, Parent: 1, Depth: 1, Why: "Timespan 24h0m0s [23h59m59.5s left]"},
			{ID: 4, Name: "b", Owner: "B", State: sched.Waiting, Parent: 1, Depth: 1, Why: "Children [1 unfinished]"},
			{ID: 5, Name: "b1", Owner: "B", State: sched.Waiting, Parent: 4, Depth: 2, Why: "Timespan 2s [1.5s left]"},
			{ID: 2, Name: "pending", Owner: "C", State: sched.Pending},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Snapshot():\ngot  %+v\nwant %+v", got, want)
		}
	})
}

// TestStoppedSubtreeIsNotWoken: while a stop goes through a subtree, a task
// whose child finishes is not woken (its condition not judged, its
// predicates not called) when the same stop stops it next; a task outside
// the stopped subtree is, as ever.
func TestStoppedSubtreeIsNotWoken(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		polls := map[string]int{}
		var waitForKids func(name string, kids int) sched.Body
		waitForKids = func(name string, kids int) sched.Body {
			var body sched.Body
			body = func(t *sched.Self) (any, error) {
				for i := range kids {
					goKept(w, &k, "", fmt.Sprint(name, i), waitForKids(fmt.Sprint(name, i), kids-1))
				}
				return nil, t.Wait(waitcond.Predicate("never", func() bool {
					polls[name]++
					return false
				}))
			}
			return body
		}
		root := goKept(w, &k, "A", "root", waitForKids("root", 2))
		w.frames(2)
		mid := root.Children()[0]
		midKid := mid.Children()[0]
		polls = map[string]int{}
		if err := midKid.Stop(""); err != nil { // outside a subtree stop: mid is judged
			t.Fatal(err)
		}
		if polls["root0"] == 0 {
			t.Errorf("stopping one child of a waiting task did not judge the task's condition: polls %v", polls)
		}
		polls = map[string]int{}
		if err := root.Stop(""); err != nil {
			t.Fatal(err)
		}
		if len(polls) != 0 {
			t.Errorf("stopping the tree judged the conditions of tasks it stopped next: polls %v", polls)
		}
		for _, h := range k.hs {
			if !h.Finished() {
				t.Errorf("%v survived the stop of the root", h)
			}
		}
	})
}
