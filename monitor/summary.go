package monitor

import (
	"slices"
	"sort"
	"time"

	"github.com/framesched/framesched/sched"
)

// Summary sums up a run, or a stretch of it.
type Summary struct {
	Frames int
	// Long is how many frames took longer than the frame period, and Lost
	// what they took beyond it: the time lost to long frames, by which the
	// picture fell behind a steady frame rate.
	Long   int
	Lost   time.Duration
	Worst  Frame            // the longest frame (the first of equals); N is 0 when there was none
	Counts sched.TaskCounts // the tasks by state at the end of the last frame
	// CPU, Warnings and Errors are per owner, by Monitor.Owners index;
	// owners first seen later have no entry.
	CPU              []time.Duration
	Warnings, Errors []int
}

// CPUOf, WarningsOf and ErrorsOf are owner i's figures (by Monitor.Owners
// index; Monitor.Owner finds it), 0 for an owner the summary has none of.
func (s Summary) CPUOf(i int) time.Duration { return at(s.CPU, i) }
func (s Summary) WarningsOf(i int) int      { return at(s.Warnings, i) }
func (s Summary) ErrorsOf(i int) int        { return at(s.Errors, i) }

func at[T any](xs []T, i int) T {
	if i >= 0 && i < len(xs) {
		return xs[i]
	}
	var zero T
	return zero
}

// add counts f in s.
func (s *Summary) add(f *Frame, period time.Duration) {
	s.Frames++
	if f.Took > period {
		s.Long++
		s.Lost += f.Took - period
	}
	if f.Took > s.Worst.Took {
		s.Worst = *f
	}
	s.Counts = f.Counts
	for len(s.CPU) < len(f.CPU) {
		s.CPU = append(s.CPU, 0)
	}
	for i, d := range f.CPU {
		s.CPU[i] += d
	}
}

// Total sums up the whole run.
func (m *Monitor) Total() Summary {
	s := m.total
	s.CPU, s.Warnings, s.Errors = slices.Clone(s.CPU), slices.Clone(s.Warnings), slices.Clone(s.Errors)
	return s
}

// Since sums up the kept frames that began at or after at, and the notes
// made from at on.
func (m *Monitor) Since(at time.Duration) Summary {
	s := Summary{Warnings: make([]int, len(m.owners)), Errors: make([]int, len(m.owners))}
	fs := m.FramesSince(at)
	for i := range fs {
		s.add(&fs[i], m.cfg.FramePeriod)
	}
	notes := m.Notes()
	for _, n := range notes[sort.Search(len(notes), func(j int) bool { return notes[j].At >= at }):] {
		switch n.Kind {
		case Warning:
			s.Warnings[m.index[n.Owner]]++
		case Error:
			s.Errors[m.index[n.Owner]]++
		}
	}
	return s
}

// FramesSince are the kept frames that began at or after at, oldest
// first. The slice is the monitor's: do not change it.
func (m *Monitor) FramesSince(at time.Duration) []Frame {
	fs := m.Frames()
	return fs[sort.Search(len(fs), func(i int) bool { return fs[i].At >= at }):]
}
