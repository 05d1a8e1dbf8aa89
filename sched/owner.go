package sched

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/framesched/framesched/budget"
)

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

// control refuses fn on t when t has finished or when the code calling it
// belongs to another owner. The host's own code (outside any task and any
// RunAs) may control every task.
func (s *Scheduler) control(fn string, t *task) error {
	if o := s.actingOwner(); o != nil && o != t.own {
		return fmt.Errorf("%s %s: refused to code of owner %s: %w", fn, t, o.name, ErrForeign)
	}
	if t.state == Finished {
		return fmt.Errorf("%s %s: %w", fn, t, ErrFinished)
	}
	return nil
}

// actingOwner is the owner of the code running now: the running task's, or
// the one RunAs was given, or nil for the host.
func (s *Scheduler) actingOwner() *owner {
	if s.current != nil {
		return s.current.own
	}
	return s.acting
}

// RunAs runs f as code of owner outside any task: tasks it creates belong to
// owner, and it may control only owner's tasks. Hosts use it to run an
// addon's code (loading a script, an event handler) under the addon's name.
func (s *Scheduler) RunAs(owner string, f func()) {
	prev := s.acting
	s.acting = s.owner(owner)
	defer func() { s.acting = prev }()
	f()
}

// SetTaskLimit caps the number of live (unfinished) tasks of owner; 0 removes
// the cap. WithTaskLimit sets the cap of owners not given one.
func (s *Scheduler) SetTaskLimit(owner string, n int) { s.owner(owner).limit = n }

// WithTaskLimit caps the live tasks of every owner not given its own limit
// with SetTaskLimit.
func WithTaskLimit(n int) Option { return func(s *Scheduler) { s.taskLimit = n } }
