// Package monitor records what a scheduler does, frame by frame, and shows
// it: each frame's time and the owners' part of it, each owner's CPU, the
// tasks by state, warnings, errors and forwarded prints, and the worst
// frames with the slice that ran longest in each. It renders a recording,
// or several side by side, as a self-contained HTML report with SVG charts
// (WriteReport) and as a live terminal view (Live, a Bubble Tea model).
//
// A host attaches a monitor to its scheduler and calls it around each
// frame:
//
//	m := monitor.New(monitor.Config{Name: "game", Budget: 4 * time.Millisecond})
//	s := sched.New(m.Options()...) // the trace hook, warning and error handlers
//	m.Attach(s)
//	for running {
//		m.BeginFrame()
//		st := s.RunFrameBudget(4 * time.Millisecond)
//		render() // the host's own work counts in the frame's time
//		m.EndFrame(st)
//	}
//	err := m.WriteReport(f)
//
// A host with hooks of its own calls Trace, Warning and Error from them
// instead of passing Options, and forwards script output with Print. To
// compare runs, pass several monitors to WriteReport or TakeSnapshot.
//
// Charts draw every value as a step or a bar that lasts as long as the frame
// or span it stands for, never as a line from one frame to the next; runs
// compared share their scales. The monitor costs the host a few microseconds a
// frame of 20 slices (BENCHMARKS.md, BenchmarkMonitor) and keeps the latest
// frames and notes only (Config.KeepFrames, KeepNotes); its totals and worst
// frames cover the whole run.
//
// Like the scheduler, a Monitor is single-goroutine.
package monitor
