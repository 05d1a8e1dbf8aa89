package sched

import (
	"fmt"
	"slices"
)

// Escalation: an owner whose slices or predicates keep running for the
// watchdog's threshold or longer (overruns) is warned, then throttled, then
// suspended, and last has its offending tasks killed. Everything counts
// frames, never time, so a run on a mock clock escalates the same way every
// time.

// EscalationStep is where an owner stands in escalation, from the mildest.
type EscalationStep uint8

const (
	// NoEscalation: no overrun since the owner was last cleared.
	NoEscalation EscalationStep = iota
	// Warned: it overran; nothing is held back yet.
	Warned
	// Throttled: its budget share is cut (see EscalationPolicy.ThrottleShare).
	Throttled
	// Probation: back from a suspension, still throttled; an overrun that
	// brings its count to KillAt kills the task that overran.
	Probation
	// Suspended: none of its tasks runs and none of its predicates is
	// polled until the suspension ends. This is the owner's state, not the
	// tasks': Task.Resume does not end it.
	Suspended
)

func (e EscalationStep) String() string {
	switch e {
	case NoEscalation:
		return "none"
	case Warned:
		return "warned"
	case Throttled:
		return "throttled"
	case Probation:
		return "on probation"
	case Suspended:
		return "suspended"
	}
	return fmt.Sprintf("EscalationStep(%d)", uint8(e))
}

// EscalationPolicy says when an owner that keeps overrunning is held back.
// An overrun is a slice of one of the owner's tasks, or a poll of the
// predicates one of its tasks waits for, that ran for the watchdog's
// threshold or longer (WithWatchdog): the moments SlowSlice and
// SlowPredicate warnings are raised. Without a watchdog threshold there are
// no overruns, and escalation does nothing. Owners count the overruns of the
// last Window frames:
//
//   - the first overrun warns the owner (Warned): that overrun's own
//     SlowSlice or SlowPredicate warning says so, with Step Warned;
//   - at ThrottleAt overruns its budget share is cut (Throttled);
//   - at SuspendAt overruns it is suspended for Suspension frames;
//     afterwards it runs again, still throttled, on Probation;
//   - on Probation, each overrun that brings the count to KillAt or more
//     kills the task that overran (unless it finished in that slice): the
//     task finishes with an error matching ErrOverrun, which goes to the
//     error handler like any task failure. With suspension turned off,
//     KillAt applies from the first step.
//
// A Window of frames without overrun (counted from the last overrun or step
// change) steps the owner down one step: Probation to Throttled, Throttled
// to Warned (once its debt is repaid, restoring the share it had), Warned
// to NoEscalation. Each later step, up or down, and each kill is a
// Warning (Escalated, Relaxed, Killed) for the warning handler, sent once
// the step is in force. Tasks of HostOwner are never escalated.
//
// The zero value is the default policy, which every owner has unless
// WithEscalation or SetEscalation says otherwise: a zero field (a
// non-positive Window or Suspension) takes the default given on it; a
// negative threshold turns its step off.
type EscalationPolicy struct {
	Off        bool // no escalation at all
	Window     int  // frames overruns are counted over, and a quiet window's length; default 600
	ThrottleAt int  // overruns in the window that throttle the owner; default 3
	SuspendAt  int  // overruns in the window that suspend it; default 6
	KillAt     int  // overruns in the window that kill a task of an owner on probation; default 10
	Suspension int  // frames a suspension lasts; default 300
	// ThrottleShare is the share of each frame's budget a throttled owner
	// may use, or half its own share (SetBudgetShare) when that is smaller;
	// default 0.1. A share not between 0 and 1 (exclusive) takes the
	// default.
	ThrottleShare float64
}

// defaultEscalation is the policy the zero EscalationPolicy stands for.
var defaultEscalation = EscalationPolicy{Window: 600, ThrottleAt: 3, SuspendAt: 6, KillAt: 10, Suspension: 300, ThrottleShare: 0.1}

// normalized is p with its defaults filled in; a threshold turned off is -1.
func (p EscalationPolicy) normalized() EscalationPolicy {
	d := defaultEscalation
	pick := func(v, def int) int {
		switch {
		case v < 0:
			return -1
		case v == 0:
			return def
		}
		return v
	}
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.Suspension <= 0 {
		p.Suspension = d.Suspension
	}
	p.ThrottleAt = pick(p.ThrottleAt, d.ThrottleAt)
	p.SuspendAt = pick(p.SuspendAt, d.SuspendAt)
	p.KillAt = pick(p.KillAt, d.KillAt)
	if !(p.ThrottleShare > 0 && p.ThrottleShare < 1) {
		p.ThrottleShare = d.ThrottleShare
	}
	return p
}

// reached reports whether n overruns reach threshold at, which may be off.
func reached(n, at int) bool { return at > 0 && n >= at }

// WithEscalation sets the escalation policy of every owner not given its own
// with SetEscalation. Without it, owners have the default policy, which acts
// whenever WithWatchdog sets a threshold; EscalationPolicy{Off: true} turns
// escalation off.
func WithEscalation(p EscalationPolicy) Option {
	return func(s *Scheduler) { s.escalation = p.normalized() }
}

// SetEscalation sets owner's escalation policy. An owner already escalated
// keeps its step under the new thresholds (and a throttled one gets the
// new throttled share at once), except that a policy with Off pardons it
// (see Pardon).
func (s *Scheduler) SetEscalation(owner string, p EscalationPolicy) {
	o := s.owner(owner)
	o.esc.policy = p.normalized()
	if p.Off {
		s.Pardon(owner)
		return
	}
	s.reshare(o) // the throttled share may have changed
	o.regate()
}

// Pardon clears owner's escalation: it forgets its overruns, ends its
// throttling (restoring the share set with SetBudgetShare) and its
// suspension, and puts it back at NoEscalation, without a Warning. The host
// may call it at any time, also from its warning handler.
func (s *Scheduler) Pardon(owner string) {
	o := s.owners[owner]
	if o == nil || o.esc.step == NoEscalation {
		return
	}
	o.esc.overruns = o.esc.overruns[:0]
	s.setStep(o, NoEscalation)
}

// escalation is an owner's escalation state.
type escalation struct {
	policy   EscalationPolicy // normalized
	step     EscalationStep
	overruns []uint64 // the frames of its overruns in the window, oldest first, at most the largest threshold
	since    uint64   // the frame quiet windows count from: its last overrun or step change
	until    uint64   // Suspended: the frame it runs again
	listed   bool     // in the scheduler's escalated list
}

// record counts an overrun in frame f and returns the overruns in the window.
func (e *escalation) record(f uint64) int {
	w := uint64(e.policy.Window)
	keep := max(e.policy.ThrottleAt, e.policy.SuspendAt, e.policy.KillAt, 1)
	i := 0
	for i < len(e.overruns) && (f-e.overruns[i] >= w || len(e.overruns)-i >= keep) {
		i++
	}
	e.overruns = append(e.overruns[:0], e.overruns[i:]...)
	e.overruns = append(e.overruns, f)
	e.since = f
	return len(e.overruns)
}

// cuts reports whether the owner's share is cut at its step.
func (e *escalation) cuts() bool { return e.step >= Throttled && e.policy.ThrottleAt > 0 }

// overrun counts an overrun of t's owner: t's slice or predicate ran for
// the watchdog's threshold or longer. It returns the overruns in the
// owner's window, or 0 when the owner is not escalated (its policy is Off,
// it is suspended, it is the host). An owner at NoEscalation is Warned from
// here: the overrun's own warning (SlowSlice, SlowPredicate) tells the host,
// and escalate, called after it, takes the further steps.
func (s *Scheduler) overrun(t *task) int {
	o := t.own
	e := &o.esc
	if e.policy.Off || e.step == Suspended || o.name == HostOwner {
		return 0
	}
	n := e.record(s.frame)
	if e.step == NoEscalation {
		if !e.listed {
			e.listed = true
			s.escalated = append(s.escalated, o)
		}
		s.setStep(o, Warned)
	}
	return n
}

// escalate takes the steps that the n-th overrun in its window (see
// overrun) calls for against t's owner, outside any slice. Each step is in
// force before its warning goes out; a warning handler that pardons the
// owner (also at the overrun's own warning) ends the escalation there.
func (s *Scheduler) escalate(t *task, n int) {
	o := t.own
	e := &o.esc
	p := &e.policy
	if e.step == NoEscalation {
		return // pardoned
	}
	if e.step < Throttled && reached(n, p.ThrottleAt) && !s.stepUp(t, Throttled, n) {
		return
	}
	switch {
	case e.step < Probation && reached(n, p.SuspendAt):
		e.until = s.frame + uint64(p.Suspension) + 1
		s.stepUp(t, Suspended, n)
	case reached(n, p.KillAt) && (e.step == Probation || p.SuspendAt < 0) && t.state != Finished:
		err := fmt.Errorf("%w: killed after %s of owner %s in %d frames", ErrOverrun, overruns(n), o.name, p.Window)
		s.warn(s.escalationWarning(Killed, t, o, n))
		if t.state != Finished { // the warning handler may have stopped it
			s.stopTask(t, err)
		}
	}
}

// stepUp moves t's owner up to step, tells the warning handler, and reports
// whether the owner is still at step afterwards.
func (s *Scheduler) stepUp(t *task, step EscalationStep, n int) bool {
	s.setStep(t.own, step)
	s.warn(s.escalationWarning(Escalated, t, t.own, n))
	return t.own.esc.step == step
}

// setStep puts o at step, from this frame, with what the step holds back.
func (s *Scheduler) setStep(o *owner, step EscalationStep) {
	o.esc.step, o.esc.since = step, s.frame
	s.reshare(o)
	o.regate()
}

// reshare puts in force the share o may use at its step. An owner that was
// not capped starts with no time left in this frame; a capped one keeps its
// balance, and its debt.
func (s *Scheduler) reshare(o *owner) {
	share := o.ownShare
	if o.esc.cuts() {
		share = o.esc.policy.ThrottleShare
		if o.ownShare > 0 {
			share = min(share, o.ownShare/2)
		}
	}
	if share == o.share {
		return
	}
	if o.share > 0 {
		o.credit(s.frame, s.limit)
	} else {
		o.balance, o.balanceFrame = 0, s.frame
	}
	o.share = share
}

// review runs at the start of each frame while some owner is escalated: it
// ends the suspensions that are over and steps down the owners that went a
// window without overrun, then forgets the owners back at NoEscalation.
func (s *Scheduler) review() {
	for _, o := range s.escalated {
		e := &o.esc
		switch {
		case e.step == NoEscalation:
		case e.step == Suspended:
			if s.frame >= e.until {
				s.setStep(o, Probation)
				s.warn(s.escalationWarning(Relaxed, nil, o, 0))
			}
		case s.frame-e.since >= uint64(e.policy.Window):
			if e.step == Throttled && o.share > 0 && o.credit(s.frame, s.limit) < 0 {
				break // its debt first
			}
			s.setStep(o, e.step-1)
			s.warn(s.escalationWarning(Relaxed, nil, o, 0))
		}
	}
	s.escalated = slices.DeleteFunc(s.escalated, func(o *owner) bool {
		if o.esc.step != NoEscalation {
			return false
		}
		o.esc.listed = false
		return true
	})
}

// escalationWarning is the Warning of kind k about owner o, at its step now,
// caused by t (nil for a step down) with n overruns in the window.
func (s *Scheduler) escalationWarning(k WarningKind, t *task, o *owner, n int) Warning {
	p := &o.esc.policy
	w := Warning{Kind: k, Frame: s.frame, Owner: o.name, Step: o.esc.step, Overruns: n,
		Window: p.Window, Suspension: p.Suspension, Share: o.share}
	if t != nil {
		w.Task, w.Created, w.Self = t.name, t.created(), &t.self
	}
	return w
}

// escalationMessage is Warning.Message for the escalation kinds.
func (w Warning) escalationMessage() string {
	who := "owner " + w.Owner
	counted := fmt.Sprintf("after %s in %d frames", overruns(w.Overruns), w.Window)
	quiet := fmt.Sprintf("no overrun in %d frames", w.Window)
	switch {
	case w.Kind == Killed:
		return fmt.Sprintf("killed after %s of %s in %d frames", overruns(w.Overruns), who, w.Window)
	case w.Kind == Escalated && w.Step == Throttled:
		return fmt.Sprintf("%s throttled to %s of the budget %s", who, percent(w.Share), counted)
	case w.Kind == Escalated && w.Step == Suspended:
		return fmt.Sprintf("%s suspended for %d frames %s", who, w.Suspension, counted)
	case w.Kind == Relaxed && w.Step == Probation:
		return fmt.Sprintf("%s runs again after %d frames suspended, on probation", who, w.Suspension)
	case w.Kind == Relaxed && w.Step == Throttled:
		return fmt.Sprintf("%s off probation: %s; still throttled to %s of the budget", who, quiet, percent(w.Share))
	case w.Kind == Relaxed && w.Step == Warned && w.Share > 0:
		return fmt.Sprintf("%s no longer throttled: %s, no debt; back to %s of the budget", who, quiet, percent(w.Share))
	case w.Kind == Relaxed && w.Step == Warned:
		return fmt.Sprintf("%s no longer throttled: %s, no debt", who, quiet)
	case w.Kind == Relaxed && w.Step == NoEscalation:
		return fmt.Sprintf("%s cleared: %s", who, quiet)
	}
	return fmt.Sprintf("%s escalation step %v", who, w.Step)
}

func overruns(n int) string {
	if n == 1 {
		return "1 overrun"
	}
	return fmt.Sprintf("%d overruns", n)
}

func percent(share float64) string { return fmt.Sprintf("%.3g%%", share*100) }
