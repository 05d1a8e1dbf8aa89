package sched

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/framesched/framesched/budget"
)

// FrameStats is what one frame did.
type FrameStats struct {
	Frame    uint64
	Budget   time.Duration // the frame's budget
	Used     time.Duration // time from the frame's start to its last slice's end
	Overrun  time.Duration // how far Used went past Budget
	Resumed  int           // slices run
	Parked   int           // Breath checkpoints that parked a task until a later frame
	Finished int           // tasks that finished
	Errors   int           // tasks that finished with an error other than a stop
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	EventStart   EventKind = iota // a task was started
	EventSlice                    // a task ran a slice; Took and Outcome say how long and how it ended
	EventFinish                   // a task finished; Err says how
	EventSuspend                  // a task was suspended
	EventResume                   // a suspended task was resumed
)

// Event is one scheduling event, for the trace hook.
type Event struct {
	Frame   uint64
	Kind    EventKind
	Task    string
	Owner   string
	Took    time.Duration // EventSlice
	Outcome string        // EventSlice: finished, waiting, suspended, parked <level>, yielded
	Err     error         // EventFinish
}

// String is a one-line, deterministic rendering of e.
func (e Event) String() string {
	head := fmt.Sprintf("%d [%s] %s:", e.Frame, e.Owner, e.Task)
	switch e.Kind {
	case EventStart:
		return head + " start"
	case EventSlice:
		return fmt.Sprintf("%s ran %v, %s", head, e.Took, e.Outcome)
	case EventFinish:
		if e.Err != nil {
			return fmt.Sprintf("%s finish: %v", head, e.Err)
		}
		return head + " finish"
	case EventSuspend:
		return head + " suspend"
	case EventResume:
		return head + " resume"
	}
	return fmt.Sprintf("%s event %d", head, e.Kind)
}

// owner is the accounting of one owner (addon).
type owner struct {
	name   string
	limit  int // cap on live tasks, 0 for none
	usage  budget.Usage
	live   int
	errors int
}

func (s *Scheduler) owner(name string) *owner {
	o := s.owners[name]
	if o == nil {
		o = &owner{name: name, limit: s.taskLimit}
		s.owners[name] = o
	}
	return o
}

// OwnerStats is an owner's accounting.
type OwnerStats struct {
	Name   string
	CPU    time.Duration // all time its tasks ran
	Share  float64       // its share of recent frame budgets, with falloff (1 = a whole budget every frame)
	Live   int           // its tasks that have not finished
	Errors int           // its tasks that finished with an error other than a stop
}

// Owners is the accounting of every owner that ever had a task, by name.
func (s *Scheduler) Owners() []OwnerStats {
	out := make([]OwnerStats, 0, len(s.owners))
	for _, o := range s.owners {
		out = append(out, OwnerStats{Name: o.name, CPU: o.usage.Total, Share: o.usage.Share(s.frame), Live: o.live, Errors: o.errors})
	}
	slices.SortFunc(out, func(a, b OwnerStats) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
