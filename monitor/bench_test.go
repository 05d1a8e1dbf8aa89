package monitor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// benchHost is a scheduler on the real clock with 20 tasks of 5 owners
// that each run a slice every frame, and 100 that wait for good, the
// monitor attached or not.
func benchHost(b *testing.B, m *monitor.Monitor) (frame func(), close func()) {
	var opts []sched.Option
	if m != nil {
		opts = m.Options()
	}
	return benchHostM(b, m, opts...)
}

func benchHostM(b *testing.B, m *monitor.Monitor, opts ...sched.Option) (frame func(), close func()) {
	s := sched.New(opts...)
	if m != nil {
		m.Attach(s)
	}
	for i := range 20 {
		s.Go(fmt.Sprint("owner", i%5), "tick", func(t *sched.Self) (any, error) {
			for {
				if err := t.Wait(waitcond.Frames(s.Frame(), 1)); err != nil {
					return nil, err
				}
			}
		})
	}
	for range 100 {
		task, _ := s.Create("idle", "wait", func(*sched.Self) (any, error) { return nil, nil })
		if err := task.StartWhen(waitcond.Frames(0, waitcond.Never)); err != nil {
			b.Fatal(err)
		}
	}
	frame = func() { s.RunFrame() }
	if m != nil {
		frame = func() {
			m.BeginFrame()
			m.EndFrame(s.RunFrame())
		}
	}
	return frame, func() { s.Close() }
}

// BenchmarkMonitor is a frame of the benchHost with the monitor attached
// (recording, hooks and all) against the same frame without it, run in
// turns in the same loop: ns/frame-bare is the in-run baseline, and
// ns/frame-monitor and overhead-ns/frame what the monitor costs a frame
// (ns/op and B/op are both frames together). The monitor keeps every frame
// the loop runs, up to 36,000, so the garbage collector's work on them
// counts too.
func BenchmarkMonitor(b *testing.B) {
	bare, closeBare := benchHost(b, nil)
	defer closeBare()
	watched, closeWatched := benchHost(b, monitor.New(monitor.Config{}))
	defer closeWatched()
	var tBare, tWatched time.Duration
	timed := func(f func(), sum *time.Duration) {
		t0 := time.Now()
		f()
		*sum += time.Since(t0)
	}
	b.ReportAllocs()
	odd := false
	for b.Loop() {
		if odd = !odd; odd { // each goes first every other time
			timed(bare, &tBare)
			timed(watched, &tWatched)
		} else {
			timed(watched, &tWatched)
			timed(bare, &tBare)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(tBare)/n, "ns/frame-bare")
	b.ReportMetric(float64(tWatched)/n, "ns/frame-monitor")
	b.ReportMetric(float64(tWatched-tBare)/n, "overhead-ns/frame")
	b.ReportMetric(float64(tWatched)/float64(tBare), "x-bare")
}
