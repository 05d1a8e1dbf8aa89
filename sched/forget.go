package sched

import (
	"fmt"
	"slices"
)

// ForgetOwner drops the accounting of the owner name (CPU, errors, task limit,
// budget share, impersonation), for a host that has removed it for good:
// an addon unloaded whose name will not come back. Otherwise the scheduler
// keeps every owner it ever saw, about 0.8 KiB each, so a host that makes
// addons under ever new names grows without bound. A later task of that
// name starts a fresh account, with the default task limit. It fails while
// owner has unfinished tasks or its code runs (RunAs); forgetting an owner
// the scheduler does not know does nothing.
func (s *Scheduler) ForgetOwner(name string) error {
	o := s.owners[name]
	switch {
	case o == nil:
		return nil
	case o.live > 0:
		return fmt.Errorf("ForgetOwner %s: %d unfinished tasks", name, o.live)
	case s.acting == o:
		return fmt.Errorf("ForgetOwner %s: its code is running", name)
	}
	delete(s.owners, name)
	if o.esc.listed { // nor is it escalated any more
		s.escalated = slices.DeleteFunc(s.escalated, func(e *owner) bool { return e == o })
	}
	return nil
}
