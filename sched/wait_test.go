package sched_test

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// In these tests the mock clock moves by waitStep before each frame and
// never during one, so frame f starts waitStep*f after the scheduler was
// made, at epoch.Add(waitStep*f).
const waitStep = 10 * time.Millisecond

var epoch = time.Unix(0, 0) // where clock.NewMock starts

// stepFrames runs n frames, moving the clock by waitStep before each.
func stepFrames(w *world, n int) {
	for range n {
		w.clk.Add(waitStep)
		w.s.RunFrame()
	}
}

// keepHandles keeps handles reachable until the test ends, so that no task
// is stopped because its handles were collected.
func keepHandles(w *world, hs ...*sched.Task) {
	w.t.Cleanup(func() { runtime.KeepAlive(hs) })
}

// waker is a body that waits for the condition cond makes (in the task's
// first slice) and records in *woke the frame in which the wait returned.
func waker(cond func(s *sched.Scheduler) *waitcond.Cond, woke *uint64) sched.Body {
	return func(t *sched.Self) (any, error) {
		if err := t.Wait(cond(t.Scheduler())); err != nil {
			return nil, err
		}
		*woke = t.Scheduler().Frame()
		return nil, nil
	}
}

// startWaker starts a waker task and keeps its handle.
func startWaker(w *world, name string, cond func(s *sched.Scheduler) *waitcond.Cond, woke *uint64) *sched.Task {
	w.t.Helper()
	h := w.spawn("Bags", name, waker(cond, woke))
	keepHandles(w, h)
	return h
}

// checkNoErrors fails the test if any task ended with an error.
func checkNoErrors(w *world) {
	w.t.Helper()
	for _, e := range w.errs {
		w.t.Errorf("task error: %v", e)
	}
}

// TestWaitWakesInFrame waits, in frame 1 (at 10ms), for one condition and
// checks the frame in which the wait returns: frame and time alarms fire at
// the start of the frame that reaches them.
func TestWaitWakesInFrame(t *testing.T) {
	const never = 0
	type condFunc = func(s *sched.Scheduler) *waitcond.Cond
	at := func(d time.Duration) condFunc {
		return func(s *sched.Scheduler) *waitcond.Cond { return s.Timestamp(epoch.Add(d)) }
	}
	span := func(d time.Duration) condFunc {
		return func(s *sched.Scheduler) *waitcond.Cond { return s.Timespan(d) }
	}
	frames := func(n uint64) condFunc {
		return func(s *sched.Scheduler) *waitcond.Cond { return s.Frames(n) }
	}
	and := func(cs ...condFunc) condFunc {
		return func(s *sched.Scheduler) *waitcond.Cond {
			var subs []*waitcond.Cond
			for _, c := range cs {
				subs = append(subs, c(s))
			}
			return waitcond.And(subs...)
		}
	}
	or := func(cs ...condFunc) condFunc {
		return func(s *sched.Scheduler) *waitcond.Cond {
			var subs []*waitcond.Cond
			for _, c := range cs {
				subs = append(subs, c(s))
			}
			return waitcond.Or(subs...)
		}
	}
	const ns = time.Nanosecond
	tests := []struct {
		name string
		cond condFunc
		want uint64
	}{
		{"Frames(0)", frames(0), 1},
		{"NextFrame", func(s *sched.Scheduler) *waitcond.Cond { return s.NextFrame() }, 2},
		{"Frames(3)", frames(3), 4},
		{"Timespan 0", span(0), 1},
		{"Timespan to a frame start", span(20 * time.Millisecond), 3},
		{"Timespan to 1ns before a frame start", span(20*time.Millisecond - ns), 3},
		{"Timespan to 1ns after a frame start", span(20*time.Millisecond + ns), 4},
		{"Timestamp in the past", at(0), 1},
		{"Timestamp now", at(10 * time.Millisecond), 1},
		{"Timestamp at a frame start", at(30 * time.Millisecond), 3},
		{"Timestamp 1ns before a frame start", at(30*time.Millisecond - ns), 3},
		{"Timestamp 1ns after a frame start", at(30*time.Millisecond + ns), 4},
		{"Task(nil)", func(*sched.Scheduler) *waitcond.Cond { return waitcond.Task(nil) }, 1},
		{"Children without children", func(*sched.Scheduler) *waitcond.Cond { return waitcond.Children() }, 1},
		{"And()", and(), 1},
		{"Or()", or(), never},
		{"Or(NextFrame, Frames 5)", or(frames(1), frames(5)), 2},
		{"Or(Frames 5, Timespan 20ms)", or(frames(5), span(20*time.Millisecond)), 3},
		{"And(Frames 5, Timespan 20ms)", and(frames(5), span(20*time.Millisecond)), 6},
		{"And(Timespan 1s, Timespan 2s)", and(span(time.Second), span(2*time.Second)), 201},
		{"And(Timespan 2s, Timespan 1s)", and(span(2*time.Second), span(time.Second)), 201},
		{"Or(Timespan 2s, Timespan 1s)", or(span(2*time.Second), span(time.Second)), 101},
		{"And(Frames 150, Timespan 1s)", and(frames(150), span(time.Second)), 151},
		{"And(Or(Frames 3, Timespan 1s), Frames 7)", and(or(frames(3), span(time.Second)), frames(7)), 8},
		{"Or(And(Frames 3, Timespan 1s), Frames 170)", or(and(frames(3), span(time.Second)), frames(170)), 101},
		{"And(Timespan 1s, Or(Frames 180, Timespan 1.5s))",
			and(span(time.Second), or(frames(180), span(1500*time.Millisecond))), 151},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				var woke uint64
				h := startWaker(w, "waiter", tt.cond, &woke)
				for f := uint64(1); f <= 210; f++ {
					stepFrames(w, 1)
					if want := tt.want != never && f >= tt.want; (woke != 0) != want {
						t.Fatalf("after frame %d: woke in frame %d, want %d", f, woke, tt.want)
					}
					if woke == 0 && h.State() != sched.Waiting {
						t.Fatalf("after frame %d: state %v, want waiting", f, h.State())
					}
				}
				if woke != tt.want {
					t.Errorf("woke in frame %d, want %d", woke, tt.want)
				}
				checkNoErrors(w)
			})
		})
	}
}

// A task waiting for another wakes in the frame in which the other finishes
// and runs after it in that frame, budget allowing.
func TestWaitTaskSameFrame(t *testing.T) {
	for _, full := range []bool{false, true} {
		t.Run(fmt.Sprintf("budget-spent=%v", full), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				var log []string
				index := w.spawn("Bags", "index", func(t *sched.Self) (any, error) {
					t.Wait(t.Scheduler().Frames(2))
					if full {
						w.work(5 * time.Millisecond) // more than the frame's budget
					}
					log = append(log, fmt.Sprintf("%d index done", t.Scheduler().Frame()))
					return "ok", nil
				})
				loader := w.spawn("Bags", "loader", func(t *sched.Self) (any, error) {
					if err := t.Wait(waitcond.Task(index)); err != nil {
						return nil, err
					}
					res, _ := index.Result()
					log = append(log, fmt.Sprintf("%d loader woke: %v", t.Scheduler().Frame(), res))
					return nil, nil
				})
				keepHandles(w, index, loader)
				w.frames(3)
				want := []string{"3 index done", "3 loader woke: ok"}
				if full {
					want = want[:1]
					if got := loader.State(); got != sched.Active {
						t.Errorf("loader after frame 3: %v, want active (woken, not run)", got)
					}
				}
				if !slices.Equal(log, want) {
					t.Errorf("after frame 3: %q, want %q", log, want)
				}
				w.frames(1)
				if full {
					want = append(want, "4 loader woke: ok")
				}
				if !slices.Equal(log, want) {
					t.Errorf("after frame 4: %q, want %q", log, want)
				}
				checkNoErrors(w)
			})
		})
	}
}

// A task started before the one it waits for, and a wait on a task that has
// already finished (met at once).
func TestWaitTaskOrderAndFinished(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		var index *sched.Task
		var woke, again uint64
		loader := w.spawn("Bags", "loader", func(t *sched.Self) (any, error) {
			c := waitcond.Task(index)
			t.Wait(c)
			woke = t.Scheduler().Frame()
			t.Wait(c) // finished: met at once
			again = t.Scheduler().Frame()
			return nil, nil
		})
		index = w.spawn("Bags", "index", func(t *sched.Self) (any, error) {
			t.Wait(t.Scheduler().NextFrame())
			return nil, nil
		})
		keepHandles(w, loader, index)
		w.frames(1)
		if loader.State() != sched.Waiting {
			t.Fatalf("loader after frame 1: %v, want waiting", loader.State())
		}
		w.frames(1)
		if woke != 2 || again != 2 || !loader.Finished() {
			t.Errorf("loader woke in frame %d and %d (finished %v), want 2 and 2", woke, again, loader.Finished())
		}
		checkNoErrors(w)
	})
}

// Children is met when the last child finishes, whether it returns or is
// stopped, and the parent runs in that frame.
func TestWaitChildren(t *testing.T) {
	for _, stop := range []bool{false, true} {
		t.Run(fmt.Sprintf("stopped=%v", stop), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				var kids []*sched.Task
				var woke uint64
				parent := w.spawn("Bags", "parent", func(t *sched.Self) (any, error) {
					s := t.Scheduler()
					for i, n := range []uint64{1, 3} {
						h, err := s.Go("", fmt.Sprintf("child%d", i), func(t *sched.Self) (any, error) {
							t.Wait(t.Scheduler().Frames(n))
							return nil, nil
						})
						if err != nil {
							return nil, err
						}
						kids = append(kids, h)
					}
					t.Wait(waitcond.Children())
					woke = s.Frame()
					return nil, nil
				})
				keepHandles(w, parent)
				w.frames(2) // child0 finished in frame 2
				if got := parent.Why(); got != "Children [1 unfinished]" {
					t.Errorf("Why after frame 2: %q", got)
				}
				want := uint64(4)
				if stop {
					if err := kids[1].Stop(""); err != nil {
						t.Fatal(err)
					}
					want = 3 // woken by the stop between frames 2 and 3
				}
				w.frames(2)
				if woke != want {
					t.Errorf("parent woke in frame %d, want %d", woke, want)
				}
				runtime.KeepAlive(kids)
				checkNoErrors(w)
			})
		})
	}
}

// A signal wakes its waiters at the start of the next frame, whether the
// host fires it between frames or a task fires it during one.
func TestWaitSignal(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		loot := waitcond.NewSignal("loot")
		var byHost, byTask, late uint64
		startWaker(w, "host-fired", func(*sched.Scheduler) *waitcond.Cond { return loot.Cond() }, &byHost)
		w.frames(2)
		loot.Fire() // between frames 2 and 3
		w.frames(1)
		if byHost != 3 {
			t.Errorf("host-fired: woke in frame %d, want 3", byHost)
		}

		bell := waitcond.NewSignal("bell")
		h := startWaker(w, "task-fired", func(*sched.Scheduler) *waitcond.Cond { return bell.Cond() }, &byTask)
		w.frames(1) // frame 4: it waits
		w.spawn("Bags", "ringer", func(t *sched.Self) (any, error) {
			bell.Fire() // during frame 5, after the waiter's wait was armed
			return nil, nil
		})
		w.frames(1)
		if byTask != 0 || h.State() != sched.Waiting {
			t.Errorf("task-fired, after frame 5 (the firing frame): woke %d, state %v; want waiting", byTask, h.State())
		}
		w.frames(1)
		if byTask != 6 {
			t.Errorf("task-fired: woke in frame %d, want 6", byTask)
		}

		// A condition made after a firing waits for the next one.
		startWaker(w, "late", func(*sched.Scheduler) *waitcond.Cond { return loot.Cond() }, &late)
		w.frames(3)
		if late != 0 {
			t.Errorf("late: woke in frame %d by an old firing", late)
		}
		loot.Fire()
		w.frames(1)
		if late != 10 {
			t.Errorf("late: woke in frame %d, want 10", late)
		}
		checkNoErrors(w)
	})
}

// A predicate is polled at the start of each frame; it is level-triggered:
// true between two polls but false at the poll is not seen.
func TestWaitPredicate(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		ready, calls := false, 0
		var woke uint64
		h := startWaker(w, "poller", func(*sched.Scheduler) *waitcond.Cond {
			return waitcond.Predicate("ready", func() bool { calls++; return ready })
		}, &woke)
		w.frames(3)
		if calls != 3 { // the Wait, then the polls of frames 2 and 3
			t.Errorf("predicate called %d times in 3 frames, want 3", calls)
		}
		ready = true
		ready = false // flipped back before the next poll
		w.frames(1)
		w.spawn("Bags", "flipper", func(*sched.Self) (any, error) {
			ready = true // during frame 5, after the poll
			ready = false
			return nil, nil
		})
		w.frames(2)
		if woke != 0 || h.State() != sched.Waiting {
			t.Fatalf("woke in frame %d (state %v) by a predicate false at every poll", woke, h.State())
		}
		if got := h.Why(); got != `Predicate "ready" [false]` {
			t.Errorf("Why: %q", got)
		}
		ready = true
		w.frames(1)
		if woke != 7 {
			t.Errorf("woke in frame %d, want 7", woke)
		}
		before := calls
		w.frames(2)
		if calls != before {
			t.Errorf("predicate polled %d more times after the wake", calls-before)
		}
		checkNoErrors(w)
	})
}

// A future wakes its waiters at the start of the frame after it completes:
// completed by the host, by a task, or by a goroutine.
func TestWaitFuture(t *testing.T) {
	for _, by := range []string{"host", "task", "goroutine"} {
		t.Run(by, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				page := waitcond.NewFuture("page")
				var woke uint64
				var got any
				h := w.spawn("Bags", "reader", func(t *sched.Self) (any, error) {
					t.Wait(page.Cond())
					woke = t.Scheduler().Frame()
					got, _ = page.Result()
					return nil, nil
				})
				keepHandles(w, h)
				w.frames(2)
				switch by {
				case "host":
					page.Complete("text", nil)
				case "task":
					w.spawn("Bags", "completer", func(*sched.Self) (any, error) {
						page.Complete("text", nil)
						return nil, nil
					})
					w.frames(1) // frame 3 completes it
					if woke != 0 || h.State() != sched.Waiting {
						t.Fatalf("woke in the completing frame %d; want the next", woke)
					}
				case "goroutine":
					go func() { page.Complete("text", nil) }()
					synctest.Wait()
				}
				w.frames(1)
				want := uint64(3)
				if by == "task" {
					want = 4
				}
				if woke != want || got != "text" {
					t.Errorf("woke in frame %d with %v, want frame %d with text", woke, got, want)
				}
				checkNoErrors(w)
			})
		})
	}
}

// An Or wakes when any part is met; an And waits for every part, in
// whichever order they are met.
func TestWaitAndOr(t *testing.T) {
	type script struct {
		fireBefore uint64 // the host fires the signal before this frame
		finishIn   uint64 // the helper task finishes in this frame
	}
	tests := []struct {
		name   string
		and    bool
		script script
		want   uint64
	}{
		{"Or: signal first", false, script{3, 6}, 3},
		{"Or: task first", false, script{6, 3}, 3},
		{"And: signal first", true, script{3, 6}, 6},
		{"And: task first", true, script{6, 3}, 6},
		{"And: together", true, script{4, 4}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				loot := waitcond.NewSignal("loot")
				helper := w.spawn("Bags", "helper", func(t *sched.Self) (any, error) {
					t.Wait(waitcond.Frames(0, tt.script.finishIn))
					return nil, nil
				})
				keepHandles(w, helper)
				var woke uint64
				h := startWaker(w, "waiter", func(*sched.Scheduler) *waitcond.Cond {
					if tt.and {
						return waitcond.And(waitcond.Task(helper), loot.Cond())
					}
					return waitcond.Or(waitcond.Task(helper), loot.Cond())
				}, &woke)
				for f := uint64(1); f <= 8; f++ {
					if f == tt.script.fireBefore {
						loot.Fire()
					}
					w.s.RunFrame()
					if (woke != 0) != (f >= tt.want) {
						t.Fatalf("after frame %d: woke in frame %d, want %d", f, woke, tt.want)
					}
				}
				if woke != tt.want || !h.Finished() {
					t.Errorf("woke in frame %d, want %d", woke, tt.want)
				}
				checkNoErrors(w)
			})
		})
	}
}

// After an Or woke the task, its other parts no longer concern it: they do
// not wake it from its next wait.
func TestWaitOrDisarmsOtherParts(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		loot := waitcond.NewSignal("loot")
		page := waitcond.NewFuture("page")
		var log []uint64
		helper := w.spawn("Bags", "helper", func(t *sched.Self) (any, error) {
			t.Wait(t.Scheduler().Frames(3))
			return nil, nil
		})
		h := w.spawn("Bags", "waiter", func(t *sched.Self) (any, error) {
			s := t.Scheduler()
			t.Wait(waitcond.Or(s.NextFrame(), loot.Cond(), page.Cond(), waitcond.Task(helper), s.Timespan(25*time.Millisecond)))
			log = append(log, s.Frame())
			t.Wait(s.Frames(100))
			log = append(log, s.Frame())
			return nil, nil
		})
		keepHandles(w, helper, h)
		stepFrames(w, 2)
		loot.Fire()
		page.Complete(nil, nil)
		stepFrames(w, 5)
		if !slices.Equal(log, []uint64{2}) || h.State() != sched.Waiting {
			t.Errorf("waiter woke in frames %v (state %v), want [2] and waiting", log, h.State())
		}
		if got, want := h.Why(), "Frame 102 [95 frames left]"; got != want {
			t.Errorf("Why: got %q, want %q", got, want)
		}
		checkNoErrors(w)
	})
}

// StartWhen's condition is waited for before the body's first line runs.
func TestStartWhen(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		loot := waitcond.NewSignal("loot")
		ran := map[string]uint64{}
		body := func(name string) sched.Body {
			return func(t *sched.Self) (any, error) {
				ran[name] = t.Scheduler().Frame()
				return nil, nil
			}
		}
		start := func(name string, c *waitcond.Cond) *sched.Task {
			h, err := w.s.Create("Bags", name, body(name))
			if err != nil {
				t.Fatal(err)
			}
			if err := h.StartWhen(c); err != nil {
				t.Fatal(err)
			}
			keepHandles(w, h)
			return h
		}
		frames := start("frames", w.s.Frames(3))
		timed := start("timed", w.s.Timespan(25*time.Millisecond))
		signal := start("signal", loot.Cond())
		start("met", waitcond.And())
		if got := frames.State(); got != sched.Waiting {
			t.Errorf("state before frame 1: %v, want waiting", got)
		}
		if got, want := frames.Why(), "Frame 3 [3 frames left]"; got != want {
			t.Errorf("Why: got %q, want %q", got, want)
		}
		stepFrames(w, 2)
		want := map[string]uint64{"met": 1}
		if !maps.Equal(ran, want) {
			t.Errorf("ran %v after frame 2, want %v", ran, want)
		}
		if signal.State() != sched.Waiting || timed.State() != sched.Waiting {
			t.Errorf("states after frame 2: %v, %v, want waiting", signal.State(), timed.State())
		}
		loot.Fire()
		stepFrames(w, 2)
		want = map[string]uint64{"met": 1, "frames": 3, "timed": 3, "signal": 3}
		if !maps.Equal(ran, want) {
			t.Errorf("ran %v after frame 4, want %v", ran, want)
		}
		checkNoErrors(w)
	})
}

// A waiting task that is suspended does not run when what it waits for
// happens; once resumed it runs, as its condition is still met.
func TestWaitSuspended(t *testing.T) {
	// Each setup returns the condition (made in frame 1, at 10ms) and an
	// event that the host makes happen between frames 2 and 3; the
	// condition is met at the start of frame 3.
	type setup func() (cond func(s *sched.Scheduler) *waitcond.Cond, event func())
	tests := []struct {
		name  string
		setup setup
	}{
		{"signal", func() (func(*sched.Scheduler) *waitcond.Cond, func()) {
			loot := waitcond.NewSignal("loot")
			return func(*sched.Scheduler) *waitcond.Cond { return loot.Cond() }, loot.Fire
		}},
		{"timer", func() (func(*sched.Scheduler) *waitcond.Cond, func()) {
			return func(s *sched.Scheduler) *waitcond.Cond { return s.Timespan(15 * time.Millisecond) }, func() {}
		}},
		{"frames", func() (func(*sched.Scheduler) *waitcond.Cond, func()) {
			return func(s *sched.Scheduler) *waitcond.Cond { return s.Frames(2) }, func() {}
		}},
		{"future", func() (func(*sched.Scheduler) *waitcond.Cond, func()) {
			page := waitcond.NewFuture("page")
			return func(*sched.Scheduler) *waitcond.Cond { return page.Cond() }, func() { page.Complete(1, nil) }
		}},
		{"And(signal, timer)", func() (func(*sched.Scheduler) *waitcond.Cond, func()) {
			loot := waitcond.NewSignal("loot")
			return func(s *sched.Scheduler) *waitcond.Cond {
				return waitcond.And(loot.Cond(), s.Timespan(15*time.Millisecond))
			}, loot.Fire
		}},
	}
	for _, tt := range tests {
		for _, resumer := range []string{"host", "task"} {
			t.Run(tt.name+"/resumed-by-"+resumer, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					cond, event := tt.setup()
					w := newWorld(t, 4*time.Millisecond)
					var woke uint64
					h := startWaker(w, "waiter", cond, &woke)
					stepFrames(w, 1) // it waits, in frame 1
					if err := h.Suspend(); err != nil {
						t.Fatal(err)
					}
					stepFrames(w, 1)
					event()
					stepFrames(w, 3)
					if woke != 0 || h.State() != sched.Waiting || !h.Suspended() {
						t.Fatalf("after frame 5: woke %d, state %v, suspended %v; want a suspended waiting task",
							woke, h.State(), h.Suspended())
					}
					// Resumed by the host between frames 5 and 6, or by a task
					// during frame 6: either way it runs in frame 6.
					if resumer == "host" {
						if err := h.Resume(); err != nil {
							t.Fatal(err)
						}
					} else {
						w.spawn("Bags", "resumer", func(*sched.Self) (any, error) {
							return nil, h.Resume()
						})
					}
					stepFrames(w, 1)
					if woke != 6 {
						t.Errorf("woke in frame %d, want 6", woke)
					}
					checkNoErrors(w)
				})
			})
		}
	}
}

// A predicate that was true while the task was suspended but is false when
// it is resumed does not wake it: the condition must still be met.
func TestWaitSuspendedPredicate(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		ready := false
		var woke uint64
		h := startWaker(w, "poller", func(*sched.Scheduler) *waitcond.Cond {
			return waitcond.Predicate("ready", func() bool { return ready })
		}, &woke)
		w.frames(1)
		h.Suspend()
		ready = true
		w.frames(2) // polled true while suspended
		if woke != 0 {
			t.Fatalf("a suspended task woke in frame %d", woke)
		}
		ready = false
		if err := h.Resume(); err != nil {
			t.Fatal(err)
		}
		w.frames(2)
		if woke != 0 || h.State() != sched.Waiting || h.Suspended() {
			t.Fatalf("after resume with the predicate false: woke %d, state %v, suspended %v; want waiting",
				woke, h.State(), h.Suspended())
		}
		ready = true
		w.frames(1)
		if woke != 6 {
			t.Errorf("woke in frame %d, want 6", woke)
		}
		checkNoErrors(w)
	})
}

// Conditions are values: one Timespan shared by two tasks wakes both, and
// once met it is met at once when waited for again; a Signal condition met
// by a firing stays met.
func TestWaitReusedConditions(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		timer := w.s.Timespan(30 * time.Millisecond) // made at 0: due at frame 3
		loot := waitcond.NewSignal("loot")
		lootCond := loot.Cond()
		var log []string
		body := func(name string) sched.Body {
			return func(t *sched.Self) (any, error) {
				s := t.Scheduler()
				for _, c := range []*waitcond.Cond{timer, lootCond, timer, lootCond} {
					t.Wait(c)
					log = append(log, fmt.Sprintf("%d %s %v", s.Frame(), name, c))
				}
				return nil, nil
			}
		}
		a := w.spawn("Bags", "a", body("a"))
		b := w.spawn("Bags", "b", body("b"))
		keepHandles(w, a, b)
		stepFrames(w, 3)
		want := []string{"3 a Timespan 30ms", "3 b Timespan 30ms"}
		if !slices.Equal(log, want) {
			t.Errorf("after frame 3:\n got %q\nwant %q", log, want)
		}
		loot.Fire()
		stepFrames(w, 1)
		want = append(want,
			`4 a Signal "loot"`, "4 a Timespan 30ms", `4 a Signal "loot"`,
			`4 b Signal "loot"`, "4 b Timespan 30ms", `4 b Signal "loot"`)
		if !slices.Equal(log, want) {
			t.Errorf("after frame 4:\n got %q\nwant %q", log, want)
		}
		// Waited for by a task that starts after it was met: met at once.
		var late uint64
		startWaker(w, "late", func(*sched.Scheduler) *waitcond.Cond { return waitcond.And(timer, lootCond) }, &late)
		stepFrames(w, 1)
		if late != 5 {
			t.Errorf("late waiter woke in frame %d, want 5", late)
		}
		checkNoErrors(w)
	})
}

// Stopping a waiting task takes it off everything it waited for: nothing
// that happens later runs it or panics, and its predicate is no longer
// polled.
func TestWaitStopDisarms(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		loot := waitcond.NewSignal("loot")
		page := waitcond.NewFuture("page")
		polls := 0
		helper := w.spawn("Bags", "helper", func(t *sched.Self) (any, error) {
			t.Wait(t.Scheduler().Frames(4))
			return nil, nil
		})
		ran := false
		h := w.spawn("Bags", "waiter", func(t *sched.Self) (any, error) {
			s := t.Scheduler()
			t.Wait(waitcond.Or(s.Timespan(25*time.Millisecond), s.Frames(3), loot.Cond(), page.Cond(), waitcond.Task(helper),
				waitcond.Predicate("never", func() bool { polls++; return false })))
			ran = true
			return nil, nil
		})
		keepHandles(w, helper, h)
		stepFrames(w, 1)
		if err := h.Stop("enough"); err != nil {
			t.Fatal(err)
		}
		before := polls
		loot.Fire()
		page.Complete(nil, nil)
		for f := 2; f <= 6; f++ {
			w.clk.Add(waitStep)
			st := w.s.RunFrame()
			if f != 5 && st.Resumed != 0 { // the helper runs in frame 5
				t.Errorf("frame %d resumed %d slices", f, st.Resumed)
			}
		}
		if ran || polls != before {
			t.Errorf("stopped task ran %v, polled %d more times", ran, polls-before)
		}
		if se := (*sched.StopError)(nil); !errors.As(h.Err(), &se) || se.Reason != "enough" {
			t.Errorf("Err: %v", h.Err())
		}
		if h.Why() != "" {
			t.Errorf("Why of a finished task: %q", h.Why())
		}
		checkNoErrors(w)
	})
}

// A task waiting for a task that is stopped wakes: stopped is finished. A
// stop by the host between frames 2 and 3 and a stop by a task during frame
// 3 both make it run in frame 3.
func TestWaitTaskStopped(t *testing.T) {
	for _, by := range []string{"host", "task"} {
		t.Run(by, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 4*time.Millisecond)
				index := w.spawn("Bags", "index", waitForever)
				var woke uint64
				var got error
				loader := w.spawn("Bags", "loader", func(t *sched.Self) (any, error) {
					t.Wait(waitcond.Task(index))
					woke = t.Scheduler().Frame()
					_, got = index.Result()
					return nil, nil
				})
				keepHandles(w, index, loader)
				w.frames(2)
				const want = 3
				if by == "host" {
					index.Stop("no longer needed")
				} else {
					w.spawn("Bags", "stopper", func(*sched.Self) (any, error) {
						return nil, index.Stop("no longer needed")
					})
				}
				w.frames(1)
				if woke != want || !errors.Is(got, sched.ErrStopped) {
					t.Errorf("loader woke in frame %d seeing %v, want frame %d and a stop", woke, got, want)
				}
				checkNoErrors(w)
			})
		})
	}
}

// Why names what a waiting task waits for and marks each part.
func TestWaitWhy(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		loot := waitcond.NewSignal("loot")
		page := waitcond.NewFuture("page")
		index := w.spawn("Bags", "index", waitForever)
		wait := func(name string, cond func(s *sched.Scheduler) *waitcond.Cond) *sched.Task {
			var woke uint64
			return startWaker(w, name, cond, &woke)
		}
		loader := wait("loader", func(s *sched.Scheduler) *waitcond.Cond {
			return waitcond.And(s.Timespan(2*time.Second), waitcond.Task(index))
		})
		either := wait("either", func(s *sched.Scheduler) *waitcond.Cond {
			return waitcond.Or(loot.Cond(), s.Frames(4))
		})
		both := wait("both", func(s *sched.Scheduler) *waitcond.Cond {
			return waitcond.And(loot.Cond(), s.Frames(9), page.Cond(),
				waitcond.Predicate("bags full", func() bool { return false }))
		})
		stamp := wait("stamp", func(s *sched.Scheduler) *waitcond.Cond {
			return s.Timestamp(epoch.Add(5 * time.Second))
		})
		var child *sched.Task
		parent := wait("parent", func(s *sched.Scheduler) *waitcond.Cond {
			child, _ = s.Go("", "child", waitForever)
			return waitcond.Children()
		})
		keepHandles(w, index)
		defer runtime.KeepAlive(&child)
		w.frames(2)
		w.clk.Add(800 * time.Millisecond)
		loot.Fire() // not delivered yet: Why evaluates, it shows the signal met
		tests := []struct {
			h    *sched.Task
			want string
		}{
			{index, "Timespan 24h0m0s [23h59m59.2s left]"},
			{loader, `And(Timespan 2s [1.2s left], Task "index" (owner Bags) [running])`},
			{either, `Or(Signal "loot" [met], Frame 5 [3 frames left])`},
			{both, `And(Signal "loot" [met], Frame 10 [8 frames left], Future "page" [pending], Predicate "bags full" [false])`},
			{stamp, "Timestamp 1970-01-01T00:00:05Z [4.2s left]"},
			{parent, "Children [1 unfinished]"},
		}
		for _, tt := range tests {
			if got := tt.h.Why(); got != tt.want {
				t.Errorf("Why %s:\n got %s\nwant %s", tt.h, got, tt.want)
			}
		}
		w.frames(1)
		if got := either.Why(); got != "" {
			t.Errorf("Why of a task that has finished: %q", got)
		}
		checkNoErrors(w)
	})
}

// A task's predicate is polled once per frame, however the task's earlier
// waits ended: here each of its waits on Or(predicate, Task(helper)) ends in
// the middle of a frame, when the helper finishes.
func TestWaitPredicatePolledOncePerFrame(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		calls := 0
		never := waitcond.Predicate("never", func() bool { calls++; return false })
		var helpers []*sched.Task
		h := w.spawn("Bags", "poller", func(t *sched.Self) (any, error) {
			s := t.Scheduler()
			for i := range 5 {
				helper, err := s.Go("", fmt.Sprint("helper", i), func(t *sched.Self) (any, error) {
					return nil, t.Wait(t.Scheduler().NextFrame())
				})
				if err != nil {
					return nil, err
				}
				helpers = append(helpers, helper)
				if err := t.Wait(waitcond.Or(never, waitcond.Task(helper))); err != nil {
					return nil, err
				}
			}
			return nil, t.Wait(never)
		})
		keepHandles(w, h)
		w.frames(6) // frames 2 to 6 each end a wait; the last wait starts in frame 6
		for f := 7; f <= 9; f++ {
			before := calls
			w.frames(1)
			if got := calls - before; got != 1 {
				t.Errorf("frame %d polled the predicate %d times, want 1", f, got)
			}
		}
		runtime.KeepAlive(helpers)
		checkNoErrors(w)
	})
}

// A Task condition on a nil handle is met, as DESIGN.md says ("nil means
// met"): the scheduler already treats a nil *sched.Task as nothing to wait
// for when it arms a wait and checks it for deadlock.
func TestWaitNilTaskHandle(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		var none *sched.Task
		var woke uint64
		startWaker(w, "waiter", func(*sched.Scheduler) *waitcond.Cond { return waitcond.Task(none) }, &woke)
		w.frames(1)
		if woke != 1 {
			t.Errorf("woke in frame %d, want 1", woke)
		}
		checkNoErrors(w)
	})
}

// tickingClock moves forward by step at every reading, as a real clock does
// while the scheduler works, but deterministically.
type tickingClock struct {
	clock.Clock // the methods the scheduler does not call
	now         time.Time
	step        time.Duration
}

func (c *tickingClock) Now() time.Time {
	c.now = c.now.Add(c.step)
	return c.now
}

func (c *tickingClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func (c *tickingClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// A timer that falls due while its wait is being installed (after the
// condition was found unmet, before the alarm is armed) still wakes the
// task: the clock moves a microsecond at every reading, and the tasks wait
// for 1µs to 20µs, so some deadline falls in that gap whatever the number of
// readings in between.
func TestWaitTimerDueWhileArming(t *testing.T) {
	bubble(t, func(t *testing.T) {
		clk := &tickingClock{Clock: clock.NewMock(), now: epoch, step: time.Microsecond}
		w := newWorld(t, 4*time.Millisecond, sched.WithClock(clk))
		const n = 20
		woke := make([]uint64, n)
		hs := make([]*sched.Task, n)
		for i := range n {
			d := time.Duration(i+1) * time.Microsecond
			hs[i] = startWaker(w, fmt.Sprint("wait ", d), func(s *sched.Scheduler) *waitcond.Cond { return s.Timespan(d) }, &woke[i])
		}
		w.frames(5)
		for i, h := range hs {
			if woke[i] == 0 {
				t.Errorf("%q never woke: %v, Why %s", h.Name(), h.State(), h.Why())
			}
		}
		checkNoErrors(w)
	})
}
