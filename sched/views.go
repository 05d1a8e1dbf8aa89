package sched

// taskCode is the task whose own code is running: the running task, except
// while code that RunAs began inside its slice runs (a predicate polled
// when a wait is installed or when a task finishes, a host callback): that
// is the code of RunAs's owner, outside any task, so it acts as that owner
// and the tasks it starts are orphans, as outside a slice. A RunAs whose
// code parked (hosts must not let it) applies to no other task.
func (s *Scheduler) taskCode() *task {
	if s.acting != nil && s.actingIn == s.current {
		return nil
	}
	return s.current
}
