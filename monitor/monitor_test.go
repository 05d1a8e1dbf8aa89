package monitor_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

const ms = time.Millisecond

// hostWork is what the test host does in each frame besides RunFrame.
const hostWork = 5 * ms

// record runs four frames of a small game, on a mock clock in a synctest
// bubble (the mock clock sleeps a real millisecond per Add outside one),
// and returns the monitor that recorded them:
//   - frame 1: A's task "long" works 30ms without breathing (a watchdog
//     warning) and finishes;
//   - frames 2 to 4: B's task "short" works 1ms a frame, waiting for the
//     next frame in between; in frame 2, D's task "fail" fails;
//   - all along, C's task "idle" waits for frame 100.
//
// Before frame 2's RunFrame the host forwards a print of B's.
func record(t *testing.T, f func(*monitor.Monitor)) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewMock()
		m := monitor.New(monitor.Config{Name: "test", Budget: 4 * ms})
		s := sched.New(append([]sched.Option{sched.WithClock(clk), sched.WithBudget(4 * ms)}, append(m.Options(),
			sched.WithWatchdog(10*ms, m.Warning))...)...)
		defer s.Close()
		m.Attach(s)

		idle, _ := s.Create("C", "idle", func(*sched.Self) (any, error) { return nil, nil })
		if err := idle.StartWhen(waitcond.Frames(0, 100)); err != nil {
			t.Fatal(err)
		}
		s.Go("A", "long", func(*sched.Self) (any, error) {
			clk.Add(30 * ms)
			return nil, nil
		})
		frame := func(before func()) {
			m.BeginFrame()
			if before != nil {
				before()
			}
			st := s.RunFrame()
			clk.Add(hostWork)
			m.EndFrame(st)
		}
		frame(nil)
		s.Go("B", "short", func(self *sched.Self) (any, error) {
			for range 3 {
				clk.Add(ms)
				if err := self.Wait(waitcond.Frames(s.Frame(), 1)); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		s.Go("D", "fail", func(*sched.Self) (any, error) { return nil, errors.New("boom\nat line 2") })
		frame(func() { m.Print("B", "short", "hello") })
		frame(nil)
		frame(nil)
		f(m)
	})
}

func TestRecording(t *testing.T) {
	record(t, func(m *monitor.Monitor) {
		fs := m.Frames()
		if len(fs) != 4 {
			t.Fatalf("%d frames recorded, want 4", len(fs))
		}
		for i, want := range []struct {
			n           uint64
			at, took    time.Duration
			tasks       time.Duration
			counts      sched.TaskCounts
			longest     time.Duration
			owner, task string
		}{
			{1, 0, 35 * ms, 30 * ms, sched.TaskCounts{Waiting: 1}, 30 * ms, "A", "long"},
			{2, 35 * ms, 6 * ms, 1 * ms, sched.TaskCounts{Waiting: 2}, 1 * ms, "B", "short"},
			{3, 41 * ms, 6 * ms, 1 * ms, sched.TaskCounts{Waiting: 2}, 1 * ms, "B", "short"},
			{4, 47 * ms, 6 * ms, 1 * ms, sched.TaskCounts{Waiting: 2}, 1 * ms, "B", "short"}, // B waits once more before it returns
		} {
			f := fs[i]
			if f.N != want.n || f.At != want.at || f.Took != want.took || f.Tasks != want.tasks || f.Counts != want.counts ||
				f.Longest != want.longest || f.Owner != want.owner || f.Task != want.task {
				t.Errorf("frame %d: got %+v, want %+v", i+1, f, want)
			}
		}

		sum := m.Total()
		if sum.Frames != 4 || sum.Long != 1 || sum.Lost != 35*ms-monitor.DefaultFramePeriod {
			t.Errorf("total: %d frames, %d long, %v lost; want 4, 1, %v", sum.Frames, sum.Long, sum.Lost, 35*ms-monitor.DefaultFramePeriod)
		}
		if sum.Worst.N != 1 {
			t.Errorf("worst frame is %d, want 1", sum.Worst.N)
		}
		for _, c := range []struct {
			owner          string
			cpu            time.Duration
			warnings, errs int
		}{{"A", 30 * ms, 1, 0}, {"B", 3 * ms, 0, 0}, {"C", 0, 0, 0}, {"D", 0, 0, 1}} {
			i := m.Owner(c.owner)
			if got := sum.CPUOf(i); got != c.cpu {
				t.Errorf("%s: CPU %v, want %v", c.owner, got, c.cpu)
			}
			if w, e := sum.WarningsOf(i), sum.ErrorsOf(i); w != c.warnings || e != c.errs {
				t.Errorf("%s: %d warnings, %d errors; want %d, %d", c.owner, w, e, c.warnings, c.errs)
			}
		}

		worst := m.Worst()
		if len(worst) != 4 || worst[0].N != 1 || worst[1].N != 2 || worst[3].N != 4 {
			t.Errorf("worst frames: %v, want frames 1, 2, 3, 4 (the longest first, ties in order)", frameNumbers(worst))
		}

		want := []monitor.Note{
			{At: 30 * ms, Frame: 1, Kind: monitor.Warning, Owner: "A", Task: "long", Text: "slice ran 30.0ms without breathing"},
			{At: 35 * ms, Frame: 2, Kind: monitor.Print, Owner: "B", Task: "short", Text: "hello"},
			{At: 36 * ms, Frame: 2, Kind: monitor.Error, Owner: "D", Task: "fail", Text: "boom"},
		}
		notes := m.Notes()
		if len(notes) != len(want) {
			t.Fatalf("notes:\n%+v\nwant\n%+v", notes, want)
		}
		for i := range want {
			if notes[i] != want[i] {
				t.Errorf("note %d: %+v, want %+v", i, notes[i], want[i])
			}
		}

		// A window: frames 3 and 4, and no note.
		since := m.Since(41 * ms)
		if since.Frames != 2 || since.Long != 0 || since.CPUOf(m.Owner("B")) != 2*ms || since.WarningsOf(m.Owner("A")) != 0 {
			t.Errorf("since 41ms: %+v", since)
		}
	})
}

func frameNumbers(fs []monitor.Frame) []uint64 {
	var ns []uint64
	for _, f := range fs {
		ns = append(ns, f.N)
	}
	return ns
}

// TestKeepFrames: a monitor keeps the latest frames, and its totals and
// worst frames still cover the whole run.
func TestKeepFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewMock()
		m := monitor.New(monitor.Config{KeepFrames: 3})
		s := sched.New(append(m.Options(), sched.WithClock(clk))...)
		defer s.Close()
		m.Attach(s)
		for i := range 10 {
			m.BeginFrame()
			st := s.RunFrame()
			clk.Add(time.Duration(20-i) * ms) // the first frame is the longest
			m.EndFrame(st)
		}
		if fs := m.Frames(); len(fs) != 3 || fs[0].N != 8 || fs[2].N != 10 {
			t.Errorf("kept frames %v, want 8, 9, 10", frameNumbers(fs))
		}
		if sum := m.Total(); sum.Frames != 10 || sum.Long != 4 || sum.Worst.N != 1 {
			t.Errorf("total: %d frames, %d long, worst %d; want 10, 4, 1", sum.Frames, sum.Long, sum.Worst.N)
		}
		if w := m.Worst(); len(w) != 10 || w[0].N != 1 || w[9].N != 10 {
			t.Errorf("worst frames %v, want 1 to 10", frameNumbers(w))
		}
	})
}

// TestEndFrameAlone: without BeginFrame, a frame is the scheduler's part.
func TestEndFrameAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewMock()
		m := monitor.New(monitor.Config{})
		s := sched.New(append(m.Options(), sched.WithClock(clk))...)
		defer s.Close()
		m.Attach(s)
		s.Go("A", "work", func(*sched.Self) (any, error) { clk.Add(3 * ms); return nil, nil })
		clk.Add(10 * ms) // before the frame: not part of it
		m.EndFrame(s.RunFrame())
		f := m.Frames()[0]
		if f.At != 10*ms || f.Took != 3*ms || f.Tasks != 3*ms {
			t.Errorf("frame at %v took %v (tasks %v), want at 10ms, 3ms (3ms)", f.At, f.Took, f.Tasks)
		}
	})
}
