package sched_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// The tasks of these tests are made in functions of their own, marked
// noinline, so that no handle lingers in the test's frame; the handles the
// tests hold are in keepers and variables used after Collect. A started
// task keeps itself alive while its body runs, so the tests of collection
// scope their started tasks (Task.Scope): then only other holders count.

// goScoped starts a scoped task and keeps its handle in k.
func goScoped(w *world, k *keeper, owner, name string, body sched.Body) *sched.Task {
	h := goKept(w, k, owner, name, body)
	if err := h.Scope(); err != nil {
		w.t.Errorf("Scope %q: %v", name, err)
	}
	return h
}

//go:noinline
func createDropped(w *world, k *keeper, name string, body sched.Body) {
	h, err := w.s.Create("A", name, body)
	if err != nil {
		w.t.Fatal(err)
	}
	k.keep(h)
}

//go:noinline
func startDropped(w *world, k *keeper, name string, body sched.Body) {
	goScoped(w, k, "A", name, body)
}

func TestCollectStopsTaskWithoutHandles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		started bool
		body    func(w *world, log *[]string) sched.Body
		state   sched.State // before Collect
		outcome string      // of its last slice, before Collect
	}{
		{
			name:  "never started",
			body:  func(w *world, log *[]string) sched.Body { return idle(w, "never started", log) },
			state: sched.Pending,
		},
		{
			name:    "started and waiting",
			started: true,
			body:    func(w *world, log *[]string) sched.Body { return idle(w, "started and waiting", log) },
			state:   sched.Waiting, outcome: "waiting",
		},
		{
			name:    "parked mid-Breath",
			started: true,
			body: func(w *world, log *[]string) sched.Body {
				return func(t *sched.Self) (any, error) {
					defer func() { *log = append(*log, "parked mid-Breath") }()
					for {
						w.work(3 * time.Millisecond)
						*log = append(*log, "chunk")
						t.Breath()
					}
				}
			},
			state: sched.Active, outcome: "parked medium",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*time.Millisecond)
				events := recordFinishes(w)
				var k keeper
				var log []string
				if tc.started {
					startDropped(w, &k, tc.name, tc.body(w, &log))
				} else {
					createDropped(w, &k, tc.name, tc.body(w, &log))
				}
				w.frames(2)
				if got := w.s.Snapshot(); len(got) != 1 || got[0].State != tc.state {
					t.Fatalf("before Collect: %+v, want one task, %v", got, tc.state)
				}
				if tc.outcome != "" {
					if last := w.trace[len(w.trace)-1]; !strings.HasSuffix(last, tc.outcome) {
						t.Fatalf("before Collect the last slice was %q, want %q", last, tc.outcome)
					}
				}
				ran := len(log)
				k.drop()
				w.s.Collect()
				wantLines(t, "OnFinished", *events, []string{tc.name + " A stopped: handle collected"})
				if tc.started {
					// Stopped, it unwound: its deferred function ran.
					wantLines(t, "log after Collect", log[ran:], []string{tc.name})
				} else if len(log) != 0 {
					t.Errorf("a task that was never started ran: %q", log)
				}
				ran = len(log)
				w.frames(3)
				if len(log) != ran {
					t.Errorf("the stopped task ran again: %q", log[ran:])
				}
				if got := w.s.Snapshot(); len(got) != 0 {
					t.Errorf("live tasks after Collect: %+v", got)
				}
			})
		})
	}
}

type handleBox struct{ h *sched.Task }

//go:noinline
func startIntoBox(w *world, log *[]string) *handleBox {
	var k keeper
	return &handleBox{goScoped(w, &k, "A", "in-struct", idle(w, "in-struct", log))}
}

//go:noinline
func startIntoSlice(w *world, log *[]string) []*sched.Task {
	var k keeper
	return []*sched.Task{nil, goScoped(w, &k, "A", "in-slice", idle(w, "in-slice", log))}
}

// startHeldByTask starts a task whose only handle is in the closure of
// another task, "holder", which lets it go when it returns, a second later.
//
//go:noinline
func startHeldByTask(w *world, log *[]string) *sched.Task {
	var k keeper
	held := goScoped(w, &k, "A", "in-closure", idle(w, "in-closure", log))
	return goKept(w, &k, "A", "holder", func(t *sched.Self) (any, error) {
		if err := t.Wait(w.s.Timespan(time.Second)); err != nil {
			return nil, err
		}
		return held.State(), nil
	})
}

func TestCollectKeepsTaskWithLiveHandle(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var unwound []string
		box := startIntoBox(w, &unwound)
		slice := startIntoSlice(w, &unwound)
		holder := startHeldByTask(w, &unwound)
		w.frames(1)
		for range 2 {
			w.s.Collect()
			w.frames(1)
		}
		if len(unwound) != 0 {
			t.Fatalf("tasks with live handles were stopped: %q", unwound)
		}
		runtime.KeepAlive(box)
		runtime.KeepAlive(slice)

		// Each let go in turn: the task goes with its last handle.
		box.h = nil
		w.s.Collect()
		wantLines(t, "unwound after emptying the struct", unwound, []string{"in-struct"})
		slice[1] = nil
		w.s.Collect()
		wantLines(t, "unwound after emptying the slice", unwound, []string{"in-struct", "in-slice"})
		w.work(time.Second)
		w.frames(1)
		if v, err := holder.Result(); v != sched.Waiting || err != nil {
			t.Fatalf("holder.Result() = %v, %v; want waiting, nil", v, err)
		}
		w.s.Collect()
		wantLines(t, "unwound after the holder returned", unwound, []string{"in-struct", "in-slice", "in-closure"})
	})
}

func TestScopedSelfDoesNotKeepTaskAlive(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var views []*sched.Self
		var unwound []string
		startDropped(w, &k, "self-aware", func(t *sched.Self) (any, error) {
			defer func() { unwound = append(unwound, "self-aware") }()
			views = append(views, t, w.s.Current())
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		if len(views) != 2 || views[0] != views[1] {
			t.Fatalf("views = %v, want the body's argument twice", views)
		}
		k.drop()
		w.s.Collect()
		wantLines(t, "unwound", unwound, []string{"self-aware"})
		runtime.KeepAlive(views)
	})
}

func TestSelfHandleKeepsTaskAlive(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var passedOn *sched.Task
		var unwound []string
		startDropped(w, &k, "generous", func(t *sched.Self) (any, error) {
			defer func() { unwound = append(unwound, "generous") }()
			passedOn = t.Handle()
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		k.drop()
		w.s.Collect()
		w.frames(1)
		if len(unwound) != 0 || passedOn.State() != sched.Waiting {
			t.Fatalf("a task whose handle it passed on was stopped: %v", passedOn.Err())
		}
		passedOn = nil
		w.s.Collect()
		wantLines(t, "unwound once the passed-on handle is dropped", unwound, []string{"generous"})
	})
}

// TestCollectStopsEveryDroppedTask drops tasks on both sides of a dropped
// task's child in creation order: stopping the parent stops the child, and
// Collect must still reach the tasks made after it.
func TestCollectStopsEveryDroppedTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		events := recordFinishes(w)
		var k, kept keeper
		var unwound []string
		startDropped(w, &k, "parent", func(t *sched.Self) (any, error) {
			goKept(w, &k, "", "child", idle(w, "child", &unwound))
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		startDropped(w, &k, "later", idle(w, "later", &unwound))
		goKept(w, &kept, "A", "kept", idle(w, "kept", &unwound))
		w.frames(1)
		k.drop()
		w.s.Collect()
		wantLines(t, "OnFinished", *events, []string{
			"child A stopped: parent finished", // a child's event comes before its parent's
			"parent A stopped: handle collected",
			"later A stopped: handle collected",
		})
		if h := kept.hs[0]; h.Finished() {
			t.Errorf("a task with a live handle was stopped: %v", h.Err())
		}
	})
}

// TestCollectedHandleStoppedAtFrameStart tests the path without Collect:
// the runtime's cleanup queues the stop, and the next frame applies it
// before running anything. Cleanups run on runtime goroutines, outside any
// synctest bubble and in no specified order, so this test runs outside a
// bubble, waits for a cleanup of its own on the same handle (which shows the
// handle was collected), then runs frames until the scheduler's cleanup has
// been applied, yielding the processor between them. That last part is a
// wait on another goroutine (guarded by 10 s of real time), not a
// deterministic step: Collect is the deterministic way.
func TestCollectedHandleStoppedAtFrameStart(t *testing.T) {
	w := newWorld(t, 10*time.Millisecond)
	var k keeper
	var unwound []string
	collected := make(chan struct{})
	startWatched(w, &k, &unwound, collected)
	w.frames(1)
	k.drop()
	runtime.GC()
	select {
	case <-collected:
	case <-time.After(10 * time.Second): // a guard against a hang, not a step of the test
		t.Fatal("the task's handle was not collected by runtime.GC")
	}
	w.trace = nil
	frames := 0
	// A guard against a hang, not a step: the cleanup goroutine may wait
	// for the processor for long on a loaded machine (1,000 frames, the
	// bound before, were once not enough in CI).
	for guard := time.Now().Add(10 * time.Second); len(unwound) == 0 && time.Now().Before(guard); {
		runtime.Gosched()
		w.s.RunFrame()
		frames++
	}
	t.Logf("stopped after %d frames", frames)
	wantLines(t, "unwound", unwound, []string{"watched"})
	// The stop was applied at the start of a frame: nothing else happened.
	want := fmt.Sprintf("%d [A] watched: finish: handle collected", w.s.Frame())
	wantLines(t, "trace of the frames after runtime.GC", w.trace, []string{want})
}

//go:noinline
func startWatched(w *world, k *keeper, log *[]string, collected chan struct{}) {
	h := goScoped(w, k, "A", "watched", idle(w, "watched", log))
	runtime.AddCleanup(h, func(c chan struct{}) { close(c) }, collected)
}

func TestCollectInTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond, sched.WithManualCollect())
		var events []string
		w.s.OnFinished(func(e sched.FinishEvent) { events = append(events, e.Task.Name()+": "+fmt.Sprint(e.Err)) })
		dropped := func() { // handles made here are dropped on return
			var k keeper
			goScoped(w, &k, "A", "other", func(t *sched.Self) (any, error) { return nil, t.Wait(waitcond.Or()) })
			goScoped(w, &k, "A", "collector", func(t *sched.Self) (any, error) {
				t.Scheduler().Collect()
				events = append(events, "collector goes on")
				return nil, t.Wait(waitcond.Or())
			})
		}
		dropped()
		w.frames(1)
		want := []string{"other: handle collected", "collector goes on"}
		if fmt.Sprint(events) != fmt.Sprint(want) {
			t.Fatalf("after the frame: %q, want %q", events, want)
		}
		w.frames(1)
		want = append(want, "collector: handle collected")
		if fmt.Sprint(events) != fmt.Sprint(want) {
			t.Fatalf("at the next frame: %q, want %q", events, want)
		}
	})
}

// A started Go task runs to its end whether or not code holds its handle,
// like a goroutine; a created one that nothing holds is collected.
func TestStartedTaskRunsWithoutHandles(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		events := recordFinishes(w)
		var k keeper
		var log []string
		goDropped(w, &k, "runner", func(t *sched.Self) (any, error) {
			for i := range 3 {
				w.work(4 * time.Millisecond)
				log = append(log, fmt.Sprint("chunk ", i))
				t.Breath()
			}
			return nil, t.Wait(w.s.Frames(2))
		})
		createDropped(w, &k, "never started", idle(w, "never started", &log))
		k.drop()
		w.s.Collect() // before the first slice of "runner"
		for range 6 {
			w.frames(1)
			w.s.Collect()
		}
		wantLines(t, "log", log, []string{"chunk 0", "chunk 1", "chunk 2"})
		wantLines(t, "OnFinished", *events, []string{
			"never started A stopped: handle collected",
			"runner A returned: <nil>",
		})
		if len(w.warns) != 1 || w.warns[0].Kind != sched.Collected || w.warns[0].Task != "never started" {
			t.Errorf("warnings = %+v, want one Collected warning for the task never started", w.warns)
		}
	})
}

//go:noinline
func goDropped(w *world, k *keeper, name string, body sched.Body) {
	goKept(w, k, "A", name, body)
}

// A scoped task is never collected before its first slice has begun, even
// when its handle was dropped right after Start.
func TestScopedTaskNotCollectedBeforeFirstSlice(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		startDropped(w, &k, "scoped", func(t *sched.Self) (any, error) {
			log = append(log, "ran")
			return nil, t.Wait(w.s.Timespan(day))
		})
		k.drop()
		w.s.Collect()
		w.frames(1)
		wantLines(t, "log", log, []string{"ran"})
		w.s.Collect()
		if got := w.s.Snapshot(); len(got) != 0 {
			t.Errorf("after its first slice and Collect: %+v, want it stopped", got)
		}
	})
}

// A stop by collection is reported as a Collected warning naming the owner,
// the task and where it was created.
func TestCollectedWarning(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		line := createHere(w)
		w.s.Collect()
		if len(w.warns) != 1 {
			t.Fatalf("warnings = %+v, want one", w.warns)
		}
		wn := w.warns[0]
		where := "sched/gc_test.go:" + fmt.Sprint(line)
		if wn.Kind != sched.Collected || wn.Owner != "Bags" || wn.Task != "loader" || wn.Created != where {
			t.Errorf("warning = %+v, want Collected, Bags, loader, created at %s", wn, where)
		}
		want := "stopped: handle collected (created at " + where + ")"
		if got := wn.Message(); got != want {
			t.Errorf("Message() = %q, want %q", got, want)
		}
	})
}

// createHere creates a task and drops it; it returns the line of Create.
//
//go:noinline
func createHere(w *world) int {
	_, _, line, _ := runtime.Caller(0)
	w.s.Create("Bags", "loader", func(*sched.Self) (any, error) { return nil, nil })
	return line + 1
}

func TestCreatedAt(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		_, _, line, _ := runtime.Caller(0)
		h, _ := w.s.Go("A", "go", func(*sched.Self) (any, error) { return nil, nil })
		if want := fmt.Sprintf("sched/gc_test.go:%d", line+1); h.CreatedAt() != want {
			t.Errorf("CreatedAt() of a task made by Go = %q, want %q", h.CreatedAt(), want)
		}
		h.SetCreatedAt("loader.lua:3")
		if h.CreatedAt() != "loader.lua:3" {
			t.Errorf("CreatedAt() after SetCreatedAt = %q", h.CreatedAt())
		}
		w.frames(1)
		if err := h.Scope(); !errors.Is(err, sched.ErrFinished) {
			t.Errorf("Scope on a finished task: %v, want ErrFinished", err)
		}
	})
}

// The package example's program, with the real clock and a garbage
// collection forced before every frame, and its handle dropped: the task
// still runs to its end.
func TestRealClockGCEveryFrame(t *testing.T) {
	s := sched.New(sched.WithBudget(time.Millisecond), sched.WithWarningHandler(func(w sched.Warning) {
		t.Errorf("warning: %s %s", w.Task, w.Message())
	}))
	defer s.Close()
	sum := 0
	done := false
	s.OnFinished(func(e sched.FinishEvent) {
		v, err := e.Task.Result()
		sum, done = v.(int), err == nil
	})
	s.Go("Bags", "index", func(t *sched.Self) (any, error) {
		n := 0
		for i := 1; i <= 200_000; i++ {
			n += i
			if i%1000 == 0 {
				t.Breath()
			}
		}
		return n, nil
	})
	for frames := 0; !done && frames < 100_000; frames++ {
		runtime.GC()
		s.RunFrame()
	}
	if !done || sum != 200_000*200_001/2 {
		t.Fatalf("done %v, sum %d: the task did not finish", done, sum)
	}
}

// TestClosedSchedulerIsCollected: a host object that holds the scheduler
// and its tasks' handles, captured by the scheduler's hooks, is a cycle
// through the handles' cleanups unless those stay clear of the scheduler.
// The fuzzer ran out of memory on it (12 GB after 580,000 inputs): every
// scheduler of its test worlds stayed alive.
func TestClosedSchedulerIsCollected(t *testing.T) {
	gone := closedHost(t)
	for i := 0; i < 5 && gone.Value() != nil; i++ {
		runtime.GC()
	}
	if gone.Value() != nil {
		t.Fatal("a closed scheduler whose hooks reach its tasks' handles was never collected")
	}
}

// hostObject is what a host keeps: its scheduler and handles of its tasks.
type hostObject struct {
	s       *sched.Scheduler
	handles []*sched.Task
	events  int
}

//go:noinline
func closedHost(t *testing.T) weak.Pointer[sched.Scheduler] {
	g := &hostObject{}
	g.s = sched.New(sched.WithTrace(func(sched.Event) { g.events++ }))
	for i := range 3 {
		h, err := g.s.Go("A", fmt.Sprint("t", i), func(self *sched.Self) (any, error) {
			for {
				self.Wait(self.Scheduler().NextFrame())
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		g.handles = append(g.handles, h)
	}
	g.s.RunFrame()
	g.s.Close()
	return weak.Make(g.s)
}
