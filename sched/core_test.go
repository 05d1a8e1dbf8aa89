package sched_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

func TestRoundRobinInStartOrder(t *testing.T) {
	bubble(t, func(t *testing.T) {
		// With BreathShort and 1ms chunks, a alone could use the whole 12ms
		// of every frame. Three ready tasks share it: each runs its fair share
		// (a third), then the next one runs, in start order, every frame.
		w := newWorld(t, 12*ms)
		var hs []*sched.Task
		for _, name := range []string{"a", "b", "c"} {
			hs = append(hs, w.start("Addon", name, loop(w, ms, short)))
		}
		const frames = 3
		for _, st := range w.frames(frames) {
			if got, want := names(w.turns(st.Frame)), []string{"a", "b", "c"}; !slices.Equal(got, want) {
				t.Errorf("frame %d turns: got %v, want %v", st.Frame, got, want)
			}
			if got, want := st.Used, 12*ms; got != want {
				t.Errorf("frame %d Used: got %v, want %v", st.Frame, got, want)
			}
		}
		for _, h := range hs {
			got := h.Stats()
			if got.Slices != frames || got.CPU != frames*4*ms || got.Longest != 4*ms {
				t.Errorf("%s: got %d slices, %v CPU, longest %v; want %d, %v, %v",
					h.Name(), got.Slices, got.CPU, got.Longest, frames, frames*4*ms, 4*ms)
			}
		}
	})
}

func TestEveryTaskGetsATurnBeforeAnyGetsASecond(t *testing.T) {
	bubble(t, func(t *testing.T) {
		// c ends its turn early (it waits for the next frame), which leaves
		// room for a second round in the frame: it goes on with the task
		// next in line, after every task had its first turn.
		w := newWorld(t, 12*ms)
		w.start("Addon", "a", loop(w, ms, short))
		w.start("Addon", "b", loop(w, ms, short))
		w.start("Addon", "c", func(t *sched.Self) (any, error) {
			for {
				w.work(ms)
				t.Wait(w.s.NextFrame())
			}
		})
		st := w.frames(4)
		want := []string{"a yielded", "b yielded", "c waiting", "a parked short"}
		if got := w.turns(1); !slices.Equal(got, want) {
			t.Errorf("frame 1 turns: got %v, want %v", got, want)
		}
		for _, s := range st {
			turns := names(w.turns(s.Frame))
			seen := map[string]bool{}
			for i, name := range turns {
				if seen[name] && len(seen) < 3 {
					t.Errorf("frame %d turns %v: %s got turn %d before every task had one", s.Frame, turns, name, i+1)
				}
				seen[name] = true
			}
			if len(seen) != 3 {
				t.Errorf("frame %d turns %v: want a turn for each of a, b, c", s.Frame, turns)
			}
		}
	})
}

func TestTaskThatNeverBreathesRunsToTheEnd(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		hog := w.start("Hog", "hog", func(*sched.Self) (any, error) {
			w.work(30 * ms)
			return "done", nil
		})
		var ranIn []uint64
		other := w.start("Other", "other", func(t *sched.Self) (any, error) {
			for range 3 {
				ranIn = append(ranIn, w.s.Frame())
				w.work(ms)
				t.Breath()
			}
			return nil, nil
		})
		st := w.frames(2)

		want := sched.FrameStats{Frame: 1, Budget: 10 * ms, Used: 30 * ms, Overrun: 20 * ms, Resumed: 1, Finished: 1}
		if st[0] != want {
			t.Errorf("frame 1: got %+v, want %+v", st[0], want)
		}
		if res, err := hog.Result(); res != "done" || err != nil {
			t.Errorf("hog Result: got %v, %v; want done, <nil>", res, err)
		}
		if got, want := ranIn, []uint64{2, 2, 2}; !slices.Equal(got, want) {
			t.Errorf("other ran in frames %v, want %v", got, want)
		}
		if !other.Finished() || st[1].Overrun != 0 {
			t.Errorf("frame 2: other finished %v, overrun %v; want true, 0", other.Finished(), st[1].Overrun)
		}
	})
}

func TestAccounting(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		busy := w.start("Busy", "busy", func(t *sched.Self) (any, error) {
			w.work(4 * ms)
			t.Wait(w.s.NextFrame())
			w.work(6 * ms)
			return "done", nil
		})
		idle := w.start("Idle", "idle", func(t *sched.Self) (any, error) {
			t.Wait(w.s.Timespan(time.Hour))
			return nil, nil
		})
		bad := w.start("Bad", "bad", func(*sched.Self) (any, error) {
			w.work(ms)
			return nil, errors.New("bad input")
		})
		breather := w.start("Busy", "breather", func(t *sched.Self) (any, error) {
			w.work(5 * ms)
			t.BreathLong() // at 10ms, past 20%: parks
			return nil, nil
		})
		st := w.frames(3)

		wantFrames := []sched.FrameStats{
			{Frame: 1, Budget: 10 * ms, Used: 10 * ms, Resumed: 4, Parked: 1, Finished: 1, Errors: 1},
			{Frame: 2, Start: 10 * ms, Budget: 10 * ms, Used: 6 * ms, Resumed: 2, Finished: 2},
			{Frame: 3, Start: 16 * ms, Budget: 10 * ms},
		}
		for i := range wantFrames {
			if st[i] != wantFrames[i] {
				t.Errorf("frame %d: got %+v, want %+v", i+1, st[i], wantFrames[i])
			}
		}

		tasks := []struct {
			h    *sched.Task
			want sched.TaskStats
		}{
			{busy, sched.TaskStats{CPU: 10 * ms, Slices: 2, Longest: 6 * ms}},
			{idle, sched.TaskStats{CPU: 0, Slices: 1, Longest: 0}},
			{bad, sched.TaskStats{CPU: ms, Slices: 1, Longest: ms}},
			{breather, sched.TaskStats{CPU: 5 * ms, Slices: 2, Longest: 5 * ms, Chunk: 5 * ms}},
		}
		for _, tt := range tasks {
			if got := tt.h.Stats(); got != tt.want {
				t.Errorf("%s Stats: got %+v, want %+v", tt.h.Name(), got, tt.want)
			}
		}

		owners := w.s.Owners()
		type row struct {
			Name         string
			CPU          time.Duration
			Live, Errors int
		}
		var got []row
		for _, o := range owners {
			got = append(got, row{o.Name, o.CPU, o.Live, o.Errors})
		}
		want := []row{{"Bad", ms, 0, 1}, {"Busy", 15 * ms, 0, 0}, {"Idle", 0, 1, 0}}
		if !slices.Equal(got, want) {
			t.Fatalf("Owners: got %+v, want %+v", got, want)
		}
		badShare, busyShare, idleShare := owners[0].Share, owners[1].Share, owners[2].Share
		if !(busyShare > badShare && badShare > 0) || idleShare != 0 {
			t.Errorf("shares: Busy %v, Bad %v, Idle %v; want Busy > Bad > 0, Idle 0", busyShare, badShare, idleShare)
		}
		w.frames(60)
		if later := w.s.Owners()[1].Share; !(later > 0 && later < busyShare*0.75) {
			t.Errorf("Busy share after 60 idle frames: got %v, want it to fall off from %v", later, busyShare)
		}

		if len(w.errs) != 1 {
			t.Fatalf("error handler got %v, want one error", w.errs)
		}
		if e := w.errs[0]; e.Frame != 1 || e.Task != "bad" || e.Owner != "Bad" || e.Err.Error() != "bad input" {
			t.Errorf("error handler got %+v, want frame 1, task bad, owner Bad, err bad input", e)
		}
	})
}

func TestPanicFinishesTheTaskWithAnError(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		var p probe
		boom := w.start("Crashy", "boom", func(*sched.Self) (any, error) {
			w.work(ms)
			panic("kaboom")
		})
		late := w.start("Crashy", "late", func(t *sched.Self) (any, error) {
			w.work(3 * ms)
			t.BreathLong() // parks: it panics in its second slice
			panic(fmt.Errorf("reading: %w", io.ErrUnexpectedEOF))
		})
		w.start("Calm", "bystander", func(t *sched.Self) (any, error) {
			for {
				p.log("bystander in frame %d", w.s.Frame())
				t.Wait(w.s.NextFrame())
			}
		})
		st := w.frames(2)

		if got, want := p.snapshot(), []string{"bystander in frame 1", "bystander in frame 2"}; !slices.Equal(got, want) {
			t.Errorf("bystander: got %v, want %v", got, want)
		}
		for i, want := range []int{1, 1} {
			if st[i].Errors != want || st[i].Finished != want {
				t.Errorf("frame %d: %d errors, %d finished; want %d, %d", i+1, st[i].Errors, st[i].Finished, want, want)
			}
		}

		var pe *sched.PanicError
		if !errors.As(boom.Err(), &pe) {
			t.Fatalf("boom Err: got %#v, want a *sched.PanicError", boom.Err())
		}
		if pe.Value != "kaboom" || pe.Error() != "panic: kaboom" {
			t.Errorf("boom PanicError: got value %v, message %q; want kaboom, %q", pe.Value, pe.Error(), "panic: kaboom")
		}
		if stack := string(pe.Stack); !strings.Contains(stack, "TestPanicFinishesTheTaskWithAnError") {
			t.Errorf("boom stack does not mention the test function:\n%s", stack)
		}
		if res, err := boom.Result(); res != nil || err != boom.Err() {
			t.Errorf("boom Result: got %v, %v; want <nil>, its PanicError", res, err)
		}
		if err := late.Err(); !errors.As(err, &pe) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("late Err: got %v, want a PanicError wrapping io.ErrUnexpectedEOF", err)
		}
		if errors.Is(boom.Err(), sched.ErrStopped) {
			t.Errorf("boom Err matches ErrStopped")
		}

		if len(w.errs) != 2 {
			t.Fatalf("error handler got %d errors, want 2", len(w.errs))
		}
		for i, want := range []struct {
			frame uint64
			task  string
		}{{1, "boom"}, {2, "late"}} {
			e := w.errs[i]
			if e.Frame != want.frame || e.Task != want.task || e.Owner != "Crashy" {
				t.Errorf("error %d: got frame %d, task %s, owner %s; want %d, %s, Crashy", i, e.Frame, e.Task, e.Owner, want.frame, want.task)
			}
			var pe *sched.PanicError
			if !errors.As(e, &pe) {
				t.Errorf("error %d: errors.As(%v, *PanicError) failed", i, e)
			}
		}
		if got := w.s.Owners()[1]; got.Name != "Crashy" || got.Errors != 2 {
			t.Errorf("owner stats: got %+v, want Crashy with 2 errors", got)
		}
	})
}

// program is a deterministic workload for TestDeterminism: tasks at every
// Breath level, waits on frames and time, a panic, a stop from another task,
// a suspend and resume, and a task that stops itself.
func program(w *world) []sched.FrameStats {
	w.start("A", "short", func(t *sched.Self) (any, error) {
		for range 15 {
			w.work(700 * us)
			t.BreathShort()
		}
		return "short done", nil
	})
	w.start("A", "medium", func(t *sched.Self) (any, error) {
		for range 6 {
			w.work(1200 * us)
			t.Breath()
		}
		return 6, nil
	})
	w.start("B", "long", func(t *sched.Self) (any, error) {
		for range 4 {
			w.work(500 * us)
			t.BreathLong()
			t.Wait(w.s.Timespan(3 * ms))
		}
		return nil, nil
	})
	w.start("B", "crash", func(t *sched.Self) (any, error) {
		t.Wait(w.s.Frames(2))
		w.work(300 * us)
		panic("crash")
	})
	victim := w.start("C", "victim", loop(w, 400*us, short))
	w.start("C", "stopper", func(t *sched.Self) (any, error) {
		t.Wait(w.s.Frames(3))
		w.work(100 * us)
		victim.Stop("enough")
		return nil, nil
	})
	self := w.start("C", "self", func(t *sched.Self) (any, error) {
		w.work(100 * us)
		t.Suspend()
		w.work(100 * us)
		t.Stop("self stop")
		return nil, nil
	})
	var stats []sched.FrameStats
	for f := range 8 {
		stats = append(stats, w.s.RunFrame())
		if f == 2 {
			self.Resume()
		}
	}
	return stats
}

func TestDeterminism(t *testing.T) {
	type run struct {
		trace string
		stats []sched.FrameStats
		errs  []string
	}
	runs := make([]run, 2)
	for i := range runs {
		t.Run(fmt.Sprint("run", i+1), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 5*ms)
				stats := program(w)
				var errs []string
				for _, e := range w.errs {
					errs = append(errs, fmt.Sprintf("%d %v", e.Frame, e))
				}
				runs[i] = run{w.traceString(), stats, errs}
			})
		})
	}
	a, b := runs[0], runs[1]
	for _, want := range []string{"finish: panic: crash", "victim: finish: enough", "self: finish: self stop", "parked medium", "parked long", "yielded"} {
		if !strings.Contains(a.trace, want) {
			t.Errorf("the program's trace lacks %q: it does not exercise what it should\n%s", want, a.trace)
		}
	}
	if a.trace != b.trace {
		t.Errorf("traces differ:\nrun 1:\n%s\nrun 2:\n%s", a.trace, b.trace)
	}
	if !slices.Equal(a.stats, b.stats) {
		t.Errorf("frame stats differ:\nrun 1: %+v\nrun 2: %+v", a.stats, b.stats)
	}
	if !slices.Equal(a.errs, b.errs) {
		t.Errorf("errors differ:\nrun 1: %v\nrun 2: %v", a.errs, b.errs)
	}
}

func TestResults(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		errBad := errors.New("bad input")
		pending := w.create("Addon", "pending", ret("never"))
		parked := w.start("Addon", "parked", func(t *sched.Self) (any, error) {
			w.work(3 * ms)
			t.BreathLong() // parks until frame 2
			return "late", nil
		})
		value := w.start("Addon", "value", ret(42))
		failing := w.start("Addon", "failing", func(*sched.Self) (any, error) { return nil, errBad })
		stopped := w.start("Addon", "stopped", func(t *sched.Self) (any, error) {
			t.Wait(w.s.Timespan(time.Hour))
			return "unreachable", nil
		})

		notFinished := func(when string, hs ...*sched.Task) {
			t.Helper()
			for _, h := range hs {
				if res, err := h.Result(); res != nil || !errors.Is(err, sched.ErrNotFinished) {
					t.Errorf("%s: %s Result: got %v, %v; want <nil>, ErrNotFinished", when, h.Name(), res, err)
				}
			}
		}
		notFinished("before any frame", pending, parked, value, failing, stopped)
		w.s.RunFrame()
		notFinished("after frame 1", pending, parked, stopped)
		if err := stopped.Stop(""); err != nil {
			t.Fatalf("Stop: %v", err)
		}

		check := func(when string) {
			t.Helper()
			if res, err := value.Result(); res != 42 || err != nil {
				t.Errorf("%s: value Result: got %v, %v; want 42, <nil>", when, res, err)
			}
			if res, err := failing.Result(); res != nil || err != errBad {
				t.Errorf("%s: failing Result: got %v, %v; want <nil>, %v", when, res, err, errBad)
			}
			if res, err := stopped.Result(); res != nil || !errors.Is(err, sched.ErrStopped) {
				t.Errorf("%s: stopped Result: got %v, %v; want <nil>, a stop", when, res, err)
			}
		}
		check("after frame 1")
		w.s.RunFrame()
		if res, err := parked.Result(); res != "late" || err != nil {
			t.Errorf("parked Result: got %v, %v; want late, <nil>", res, err)
		}
		w.frames(100)
		check("100 frames later")
		w.s.Close()
		check("after Close")
		if res, err := parked.Result(); res != "late" || err != nil {
			t.Errorf("after Close: parked Result: got %v, %v; want late, <nil>", res, err)
		}
		if reason, ok := stopReason(pending.Err()); !ok || reason != "scheduler closed" {
			t.Errorf("pending after Close: Err %v, want a stop \"scheduler closed\"", pending.Err())
		}
	})
}

// EndFrame ends the frame after the running slice; the next frame runs as
// usual, and EndFrame between frames changes nothing.
func TestEndFrame(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var ran []string
		for _, name := range []string{"a", "b", "c"} {
			w.spawn("A", name, func(self *sched.Self) (any, error) {
				for f := 1; ; f++ {
					ran = append(ran, fmt.Sprint(name, w.s.Frame()))
					if name == "b" && f == 1 {
						self.Scheduler().EndFrame()
					}
					if err := self.Wait(w.s.NextFrame()); err != nil {
						return nil, err
					}
				}
			})
		}
		w.s.EndFrame() // between frames: nothing
		st := w.frames(1)[0]
		if st.Resumed != 2 {
			t.Errorf("frame 1 resumed %d slices, want 2", st.Resumed)
		}
		w.frames(1)
		wantLines(t, "slices", ran, []string{"a1", "b1", "c2", "a2", "b2"})
	})
}
