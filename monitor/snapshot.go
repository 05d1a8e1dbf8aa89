package monitor

import (
	"cmp"
	"slices"
	"time"
)

// liveSpan is how far back a snapshot keeps frames for the live view's
// charts.
const liveSpan = 20 * time.Second

// liveNotes is how many of the latest notes a snapshot keeps.
const liveNotes = 40

// Snapshot is what the live view shows of the runs at a moment. Take it on
// the frame goroutine (TakeSnapshot) and send it to the view (a Bubble Tea
// program running Live): it shares nothing with the monitors.
type Snapshot struct {
	Status string // a line on where the runs are, such as "3.0s of 20.0s simulated"
	Runs   []RunSnapshot
	Notes  []SnapshotNote // the latest notes of all runs, in time order
}

// RunSnapshot is one run in a Snapshot.
type RunSnapshot struct {
	Name, About    string
	Period, Budget time.Duration
	At             time.Duration // the end of its last frame
	Total          Summary
	// Frames are its frames' starts and times over the last 20 seconds.
	Frames []FrameTime
	// Owners, CPU and Part are over the last second: each owner's share of
	// it (0 to 1), and the longest owners' part of a frame.
	Owners []string
	CPU    []float64
	Part   time.Duration
}

// FrameTime is when a frame began and how long it took.
type FrameTime struct{ At, Took time.Duration }

// SnapshotNote is a note and the run it is from.
type SnapshotNote struct {
	Run string
	Note
}

// TakeSnapshot takes a snapshot of the runs for the live view.
func TakeSnapshot(status string, runs ...*Monitor) Snapshot {
	snap := Snapshot{Status: status}
	for _, m := range runs {
		r := RunSnapshot{Name: m.Name(), About: m.cfg.About, Period: m.cfg.FramePeriod, Budget: m.cfg.Budget,
			Total: m.Total(), Owners: slices.Clone(m.owners), CPU: make([]float64, len(m.owners))}
		fs := m.Frames()
		if len(fs) > 0 {
			last := fs[len(fs)-1]
			r.At = last.At + last.Took
		}
		for _, f := range m.FramesSince(r.At - liveSpan) {
			r.Frames = append(r.Frames, FrameTime{f.At, f.Took})
		}
		for _, f := range m.FramesSince(r.At - time.Second) {
			for i, d := range f.CPU {
				r.CPU[i] += d.Seconds()
			}
			r.Part = max(r.Part, f.Tasks)
		}
		notes := m.Notes()
		for _, n := range notes[max(0, len(notes)-liveNotes):] {
			snap.Notes = append(snap.Notes, SnapshotNote{m.Name(), n})
		}
		snap.Runs = append(snap.Runs, r)
	}
	slices.SortStableFunc(snap.Notes, func(a, b SnapshotNote) int { return cmp.Compare(a.At, b.At) })
	snap.Notes = snap.Notes[max(0, len(snap.Notes)-liveNotes):]
	return snap
}
