// Package tracefile writes what a scheduler did as a trace file in the Trace
// Event Format (JSON) that https://ui.perfetto.dev and chrome://tracing open:
// a timeline with a track of frames (and graphs of each frame's budget and
// used time) and, per owner (addon), a track per task showing its slices and
// what it did between them (parked at a Breath, waiting, and for what), with
// the owner's warnings, errors and task ends marked on the owner's own
// track.
//
// The host feeds a Writer from the scheduler's hooks and frames:
//
//	f, err := os.Create("run.trace.json")
//	...
//	tw := tracefile.New(f)
//	s := sched.New(sched.WithTrace(tw.Event),
//		sched.WithErrorHandler(tw.Error), sched.WithWarningHandler(tw.Warning))
//	for running {
//		tw.Frame(s.RunFrame())
//	}
//	s.Close()
//	err = tw.Close() // ends the JSON; then close f
//
// Times come from the scheduler's clock (the At and Start fields of what it
// reports), so a run on a virtual or mock clock writes the same file every
// time. The Writer streams: each event is written as it comes, and it keeps
// only a little state per unfinished task, so a long run takes no more
// memory than a short one.
package tracefile
