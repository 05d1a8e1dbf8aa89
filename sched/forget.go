package sched

import "fmt"

// ForgetOwner drops the accounting of owner (CPU, errors, task limit,
// budget share, impersonation), for a host that has removed it for good:
// an addon unloaded whose name will not come back. Otherwise the scheduler
// keeps every owner it ever saw, about 0.8 KiB each, so a host that makes
// addons under ever new names grows without bound. A later task of that
// name starts a fresh account, with the default task limit. It fails while
// owner has unfinished tasks or its code runs (RunAs); forgetting an owner
// the scheduler does not know does nothing.
func (s *Scheduler) ForgetOwner(owner string) error {
	o := s.owners[owner]
	switch {
	case o == nil:
		return nil
	case o.live > 0:
		return fmt.Errorf("ForgetOwner %s: %d unfinished tasks", owner, o.live)
	case s.acting == o:
		return fmt.Errorf("ForgetOwner %s: its code is running", owner)
	}
	delete(s.owners, owner)
	return nil
}
