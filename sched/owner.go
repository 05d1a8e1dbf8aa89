package sched

import (
	"cmp"
	"context"
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

	impersonates bool // SetImpersonation

	// The budget share: ownShare is what SetBudgetShare set, share the one
	// in force (less while escalation throttles the owner); 0 for none.
	// balance is the time its tasks may still use, as of frame
	// balanceFrame; below zero, a debt.
	ownShare     float64
	share        float64
	balance      time.Duration
	balanceFrame uint64

	// gated is set while the owner is held back: it has a share, or it is
	// suspended. The hot paths test only it (see ownerAdmits).
	gated bool
	esc   escalation

	// The pprof labels of its code (see labels.go): its own, which the
	// pool's workers read, and its tasks', by task name.
	labels     context.Context
	taskLabels map[string]context.Context
}

func (s *Scheduler) owner(name string) *owner {
	o := s.owners[name]
	if o == nil {
		o = &owner{name: name, limit: s.taskLimit, esc: escalation{policy: s.escalation}, labels: ownerLabels(name)}
		s.owners[name] = o
	}
	return o
}

// OwnerStats is an owner's accounting.
type OwnerStats struct {
	Name        string
	CPU         time.Duration  // all time its tasks ran
	Share       float64        // its share of recent frame budgets, with falloff (1 = a whole budget every frame)
	BudgetShare float64        // the share it may use (SetBudgetShare, less while throttled), 0 for no cap
	Live        int            // its tasks that have not finished
	Errors      int            // its tasks that finished with an error other than a stop
	Escalation  EscalationStep // where it stands in escalation (see EscalationPolicy)
}

// Owners is the accounting of every owner that ever had a task or submitted
// pool work, by name.
func (s *Scheduler) Owners() []OwnerStats {
	out := make([]OwnerStats, 0, len(s.owners))
	for _, o := range s.owners {
		out = append(out, OwnerStats{Name: o.name, CPU: o.usage.Total, Share: o.usage.Share(s.frame), BudgetShare: o.share, Live: o.live, Errors: o.errors, Escalation: o.esc.step})
	}
	slices.SortFunc(out, func(a, b OwnerStats) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// control refuses fn on t when t has finished or when the code calling it
// belongs to another owner that may not impersonate. The host's own code
// (outside any task and any RunAs) may control every task.
func (s *Scheduler) control(fn string, t *task) error {
	if o := s.actingOwner(); o != nil && o != t.own && !o.impersonates {
		return fmt.Errorf("%s %s: refused to code of owner %s: %w", fn, t, o.name, ErrForeign)
	}
	if t.state == Finished {
		return fmt.Errorf("%s %s: %w", fn, t, ErrFinished)
	}
	return nil
}

// actingOwner is the owner of the code running now: the one RunAs was
// given, while RunAs's code runs (also inside a task's slice: see
// taskCode), else the running task's, else nil for the host.
func (s *Scheduler) actingOwner() *owner {
	if t := s.taskCode(); t != nil {
		return t.own
	}
	return s.acting
}

// Acting is the owner of the code running now: the running task's owner,
// or the owner given to the innermost RunAs, or "" for the host's own code.
func (s *Scheduler) Acting() string {
	if o := s.actingOwner(); o != nil {
		return o.name
	}
	return ""
}

// RunAs runs f as code of owner outside any task: tasks it creates belong to
// owner, and it may control only owner's tasks. Hosts use it to run an
// addon's code (loading a script, an event handler) under the addon's name.
// Called inside a task's slice (a predicate, a host callback), f is still not
// the task's code: it acts as owner, and tasks it starts are orphans.
func (s *Scheduler) RunAs(owner string, f func()) {
	prev, prevIn := s.acting, s.actingIn
	s.acting, s.actingIn = s.owner(owner), s.current
	defer func() { s.acting, s.actingIn = prev, prevIn }()
	f()
}

// SetImpersonation lets code of owner control every owner's tasks (on) or
// only its own (off, the default), for hosts that let an addon act for
// others, as RIFT let addons create tasks in another addon's name.
func (s *Scheduler) SetImpersonation(owner string, on bool) { s.owner(owner).impersonates = on }

// SetTaskLimit caps the number of live (unfinished) tasks of owner; 0 removes
// the cap. WithTaskLimit sets the cap of owners not given one.
func (s *Scheduler) SetTaskLimit(owner string, n int) { s.owner(owner).limit = n }

// WithTaskLimit caps the live tasks of every owner not given its own limit
// with SetTaskLimit.
func WithTaskLimit(n int) Option { return func(s *Scheduler) { s.taskLimit = n } }

// SetBudgetShare caps the time owner's tasks use to share of each frame's
// budget (0.25: a quarter), on average over frames: each frame grants the
// owner share × budget, unused time does not pile up beyond one frame's
// grant, and what a slice runs past it (a task that did not breathe in time)
// is a debt that the next frames' grants pay off before its tasks run again.
// A task of an owner without time left parks at its next Breath until a
// later frame, as when the frame itself is spent; a task whose chunk is
// larger than the grant runs when the owner's time is whole again. A share
// that is not between 0 and 1 (exclusive) removes the cap. It takes effect
// from the next frame. While escalation throttles the owner, a smaller
// share is in force (see EscalationPolicy.ThrottleShare) until it steps
// down.
func (s *Scheduler) SetBudgetShare(owner string, share float64) {
	o := s.owner(owner)
	if !(share > 0 && share < 1) {
		share = 0
	}
	o.ownShare = share
	s.reshare(o)
	o.balance, o.balanceFrame = 0, s.frame
	o.regate()
}

// regate sets o.gated after a change of its share or escalation step.
func (o *owner) regate() { o.gated = o.share > 0 || o.esc.step == Suspended }

// grant is what owner o may use of each frame of budget limit.
func (o *owner) grant(limit time.Duration) time.Duration {
	return time.Duration(o.share * float64(limit))
}

// credit is the time o's tasks may still use in frame f of budget limit,
// after the grants of the frames since o's balance was last brought up to
// date.
func (o *owner) credit(f uint64, limit time.Duration) time.Duration {
	if gap := f - o.balanceFrame; gap > 0 {
		per := o.grant(limit)
		if per > 0 && o.balance < per {
			short := uint64((per - o.balance + per - 1) / per) // grants that make it whole
			o.balance += per * time.Duration(min(gap, short))
		}
		o.balance, o.balanceFrame = min(o.balance, per), f
	}
	return o.balance
}

// ownerAdmits reports whether t's owner, with used of the current slice
// spent, is not suspended and has time left for t's next chunk (see
// SetBudgetShare). An owner whose time is whole admits any chunk, so that a
// chunk larger than its grant still runs. Owners not held back cost the hot
// paths one inlined test.
func (t *task) ownerAdmits(used time.Duration) bool {
	return !t.own.gated || t.ownerHasTime(used)
}

func (t *task) ownerHasTime(used time.Duration) bool {
	o := t.own
	if o.esc.step == Suspended {
		return false
	}
	if o.share == 0 {
		return true
	}
	left := o.credit(t.s.frame, t.s.limit) - used
	if used == 0 && left >= o.grant(t.s.limit) {
		return true
	}
	need := t.estimate
	if need <= 0 {
		need = t.acct.Chunk()
	}
	return left > 0 && left >= need
}

// charge charges o with took of frame f of budget limit, spent outside its
// tasks' slices (polling their predicates, applying their pool work): its
// CPU, and its budget share's balance.
func (o *owner) charge(f uint64, took, limit time.Duration) {
	o.usage.Add(f, took, limit)
	if o.share > 0 {
		o.credit(f, limit)
		o.balance -= took
	}
}

// pollable reports whether the predicates of o's tasks may be polled now:
// o is not suspended, and not in debt.
func (o *owner) pollable(f uint64, limit time.Duration) bool {
	return o.esc.step != Suspended && (o.share == 0 || o.credit(f, limit) > 0)
}
