package tracefile_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/internal/tracecheck"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/tracefile"
	"github.com/framesched/framesched/waitcond"
)

const ms = time.Millisecond

// run runs a few frames of Go tasks of two owners that breathe, park, wait,
// warn, fail, get suspended and get stopped, on a mock clock, and returns
// the trace file and the frames' stats.
func run(t *testing.T) ([]byte, []sched.FrameStats) {
	var buf bytes.Buffer
	tw := tracefile.New(&buf)
	clk := clock.NewMock()
	work := func(d time.Duration) { clk.Add(d) }
	s := sched.New(sched.WithClock(clk), sched.WithBudget(10*ms), sched.WithManualCollect(),
		sched.WithTrace(tw.Event), sched.WithErrorHandler(tw.Error), sched.WithWatchdog(8*ms, tw.Warning))
	loot := waitcond.NewSignal("loot")
	go1 := func(owner, name string, body sched.Body) *sched.Task {
		h, err := s.Go(owner, name, body)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	go1("Bags", "index", func(self *sched.Self) (any, error) {
		for range 6 {
			work(2 * ms)
			self.Breath() // parks once 40% of the budget is used
		}
		loot.Fire()
		return nil, nil
	})
	go1("Bags", "looter", func(self *sched.Self) (any, error) {
		work(ms)
		self.Wait(loot.Cond())
		work(ms)
		return nil, nil
	})
	go1("Map", "render", func(self *sched.Self) (any, error) {
		work(9 * ms) // past the watchdog's 8ms
		self.Wait(self.Scheduler().NextFrame())
		return nil, errors.New("tile missing")
	})
	idle := go1("Map", "idle", func(self *sched.Self) (any, error) {
		self.Wait(self.Scheduler().Timespan(time.Hour))
		return nil, nil
	})
	sleeper := go1("Map", "sleeper", func(self *sched.Self) (any, error) {
		for {
			work(ms)
			self.BreathShort()
		}
	})
	var frames []sched.FrameStats
	for i := range 7 {
		switch i {
		case 1:
			sleeper.Suspend()
		case 3:
			sleeper.Resume()
		case 4:
			idle.Stop("not needed")
		}
		st := s.RunFrame()
		tw.Frame(st)
		frames = append(frames, st)
		clk.Add(16*ms - st.Used)
	}
	s.Close()
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), frames
}

func TestTrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		data, frames := run(t)
		f, err := tracecheck.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		track := func(process, thread string) []tracecheck.Event {
			tr, ok := f.Thread(process, thread)
			if !ok {
				t.Fatalf("no track %s/%s; threads %v, processes %v", process, thread, f.Threads, f.Processes)
			}
			return f.On(tr)
		}
		names := func(evs []tracecheck.Event) string {
			var b []string
			for _, e := range evs {
				b = append(b, e.Ph+" "+e.Name)
			}
			return strings.Join(b, ", ")
		}

		fr := track("frames", "frames")
		if len(fr) != 2*len(frames) {
			t.Fatalf("frames' track: %s, want a span and a counter per frame", names(fr))
		}
		for i, st := range frames {
			span, counter := fr[2*i], fr[2*i+1]
			name := "frame"
			if st.Overrun > 0 {
				name = "overrun frame"
			}
			if span.Ph != "X" || span.Name != name || *span.Ts != float64(st.Start.Microseconds()) || *span.Dur != float64(st.Used.Microseconds()) {
				t.Errorf("frame %d: %s %s at %v for %v, want X %s at %v for %v", i+1, span.Ph, span.Name, *span.Ts, *span.Dur, name, st.Start, st.Used)
			}
			if counter.Ph != "C" || counter.Args["budget ms"] != 10.0 || counter.Args["used ms"] != float64(st.Used.Milliseconds()) {
				t.Errorf("frame %d: counter %+v, want budget 10, used %v", i+1, counter, st.Used)
			}
		}

		// Each task's track has its slices, and what came between them when
		// time passed.
		for _, task := range []struct{ owner, name, gaps string }{
			{"Bags", "index", "ready yielded parked medium"},
			{"Map", "sleeper", "ready yielded parked short"},
		} {
			evs := track(task.owner, task.name)
			for i, e := range evs {
				gap := e.Name != task.name
				if gap && (!strings.Contains(task.gaps, e.Name) || i > 0 && evs[i-1].Name != task.name) {
					t.Errorf("%s's track: %s\nwant its slices between %s", task.name, names(evs), task.gaps)
					break
				}
			}
		}
		if got := strings.Count(names(track("Bags", "index")), "X index"); got != 6 {
			t.Errorf("index ran %d slices, want 6: its 6 Breaths park or yield", got)
		}
		looter := track("Bags", "looter")
		if got, want := names(looter), "X ready, X looter, X waiting, X looter"; got != want {
			t.Fatalf("looter's track: %s\nwant %s", got, want)
		}
		if w := looter[2]; w.Args["waits for"] != `Signal "loot"` || *w.Ts != 3000 || *w.Ts+*w.Dur != *looter[3].Ts || looter[3].Args["frame"] != 7.0 {
			t.Errorf("looter's wait: %+v, want one from 3ms to its slice in frame 7 (after index fired in frame 6), for the loot signal", w)
		}
		if got, want := names(track("Map", "render")), "X ready, X render, X waiting, X render"; got != want {
			t.Errorf("render's track: %s\nwant %s", got, want)
		}
		idle := track("Map", "idle")
		if got, want := names(idle), "X ready, X idle, X waiting"; got != want || *idle[2].Ts+*idle[2].Dur != 64000 {
			t.Errorf("idle's track: %s, ending at %v\nwant %s, ending when stopped at 64ms", got, *idle[2].Ts+*idle[2].Dur, want)
		}
		own := track("Map", "Map")
		for _, want := range []string{"warning: render", "failed: render", "error: render", "suspended: sleeper",
			"resumed: sleeper", "stopped: idle", "stopped: sleeper"} {
			if !strings.Contains(names(own), "i "+want) {
				t.Errorf("Map's own track: %s\nwant i %s", names(own), want)
			}
		}
	})
}

// A run on a mock clock writes the same file every time.
func TestTraceDeterministic(t *testing.T) {
	var runs [2][]byte
	for i := range runs {
		synctest.Test(t, func(t *testing.T) { runs[i], _ = run(t) })
	}
	if !bytes.Equal(runs[0], runs[1]) {
		t.Errorf("two runs wrote different files:\n%s\n---\n%s", runs[0], runs[1])
	}
}

// failAfter fails every write once n bytes were written.
type failAfter struct{ n int }

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// An error of the file does not reach the host until it asks: the writer
// stops writing, and Err and Close say why.
func TestWriteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tw := tracefile.New(&failAfter{n: 5000})
		s := sched.New(sched.WithClock(clock.NewMock()), sched.WithTrace(tw.Event))
		defer s.Close()
		for i := range 200 {
			s.Go("Bags", fmt.Sprint("task ", i), func(*sched.Self) (any, error) { return nil, nil })
			tw.Frame(s.RunFrame())
		}
		if tw.Err() == nil || tw.Err().Error() != "disk full" {
			t.Errorf("Err %v, want disk full", tw.Err())
		}
		if err := tw.Close(); err == nil || err.Error() != "disk full" {
			t.Errorf("Close %v, want disk full", err)
		}
	})
}

// A nil Writer records nothing, and does not panic.
func TestNilWriter(t *testing.T) {
	var tw *tracefile.Writer
	tw.Event(sched.Event{Kind: sched.EventStart, Task: "t", Owner: "o", ID: 1})
	tw.Frame(sched.FrameStats{Frame: 1})
	tw.Warning(sched.Warning{Task: "t", Owner: "o"})
	tw.Error(sched.TaskError{Task: "t", Owner: "o", Err: errors.New("x")})
	if tw.Err() != nil || tw.Close() != nil {
		t.Errorf("Err %v, Close %v; want nil", tw.Err(), tw.Close())
	}
}
