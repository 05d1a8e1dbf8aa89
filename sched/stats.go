package sched

import (
	"time"
)

// FrameStats is what one frame did.
type FrameStats struct {
	Frame    uint64
	Start    time.Duration // when it began, as time since the scheduler was made, on its clock
	Budget   time.Duration // the frame's budget
	Used     time.Duration // time from the frame's start to its last slice's end
	Overrun  time.Duration // how far Used went past Budget
	Resumed  int           // slices run
	Parked   int           // Breath checkpoints that parked a task until a later frame
	Finished int           // tasks that finished
	Errors   int           // tasks that finished with an error other than a stop
	// Completions is how much finished pool work the frame applied at its
	// start (see Pool).
	Completions int
}

// TaskInfo is a snapshot of one task, for debugging and display.
type TaskInfo struct {
	ID        uint64 // creation order, unique within the scheduler
	Name      string
	Owner     string
	State     State
	Suspended bool
	Abandoned bool
	Parent    uint64 // 0 for an orphan
	Depth     int    // 0 for an orphan
	CPU       time.Duration
	Why       string // what a waiting task waits for
}

// TaskCounts are unfinished tasks by state. A suspended task counts as
// suspended whatever its state.
type TaskCounts struct{ Pending, Active, Waiting, Suspended int }

// Alive is how many tasks the counts count.
func (n TaskCounts) Alive() int { return n.Pending + n.Active + n.Waiting + n.Suspended }

// Counts counts the unfinished tasks by state. Unlike Tasks and Snapshot it
// makes no handle and allocates nothing, so a host can call it every frame.
func (s *Scheduler) Counts() TaskCounts {
	var n TaskCounts
	for t := s.liveHead; t != nil; t = t.nextLive {
		switch {
		case t.suspended:
			n.Suspended++
		case t.state == Pending:
			n.Pending++
		case t.state == Waiting:
			n.Waiting++
		default:
			n.Active++
		}
	}
	return n
}

// Snapshot describes every unfinished task, in tree order: each orphan in
// creation order followed by its descendants, depth first.
func (s *Scheduler) Snapshot() []TaskInfo {
	var out []TaskInfo
	for t := s.liveHead; t != nil; t = t.nextLive {
		if t.node.Parent() != nil {
			continue
		}
		out = append(out, t.info())
		for d := range t.node.Descendants() {
			out = append(out, d.Value.info())
		}
	}
	return out
}

func (t *task) info() TaskInfo {
	i := TaskInfo{ID: t.seq, Name: t.name, Owner: t.own.name, State: t.state, Suspended: t.suspended,
		Abandoned: t.abandoned, Depth: t.node.Depth(), CPU: t.acct.Total}
	if p := t.node.Parent(); p != nil {
		i.Parent = p.Value.seq
	}
	if t.state == Waiting {
		i.Why = t.cond.Explain(liveEnv{t})
	}
	return i
}
