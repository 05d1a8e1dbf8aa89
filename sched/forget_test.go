package sched_test

import (
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

func TestForgetOwner(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond, sched.WithTaskLimit(5))
		w.s.SetTaskLimit("A", 1)
		w.spawn("A", "job", func(s *sched.Self) (any, error) {
			w.work(3 * time.Millisecond)
			s.Wait(w.s.NextFrame())
			return nil, nil
		})
		if err := w.s.ForgetOwner("A"); err == nil || err.Error() != "ForgetOwner A: 1 unfinished tasks" {
			t.Errorf("ForgetOwner of an owner with a task: %v", err)
		}
		w.s.RunAs("A", func() {
			if err := w.s.ForgetOwner("A"); err == nil || err.Error() != "ForgetOwner A: 1 unfinished tasks" {
				t.Errorf("ForgetOwner from the owner's code: %v", err)
			}
		})
		w.frames(2)
		w.s.RunAs("A", func() {
			if err := w.s.ForgetOwner("A"); err == nil || err.Error() != "ForgetOwner A: its code is running" {
				t.Errorf("ForgetOwner from the owner's code: %v", err)
			}
		})
		if got := w.s.Owners(); len(got) != 1 || got[0].CPU != 3*time.Millisecond {
			t.Fatalf("Owners before ForgetOwner: %+v", got)
		}
		if err := w.s.ForgetOwner("A"); err != nil {
			t.Fatal(err)
		}
		if err := w.s.ForgetOwner("nobody"); err != nil {
			t.Errorf("ForgetOwner of an unknown owner: %v", err)
		}
		if got := w.s.Owners(); len(got) != 0 {
			t.Errorf("Owners after ForgetOwner: %+v", got)
		}
		// A new task of that name starts a fresh account with the default limit.
		for i := range 5 {
			if _, err := w.s.Go("A", "again", func(*sched.Self) (any, error) { return nil, nil }); err != nil {
				t.Fatalf("task %d: %v", i+1, err)
			}
		}
		w.frames(1)
		if got := w.s.Owners(); len(got) != 1 || got[0].CPU != 0 || got[0].Live != 0 {
			t.Errorf("Owners after new tasks: %+v", got)
		}
	})
}

// TestForgetEscalatedOwner: a forgotten owner's escalation ends with it: no
// event about it comes later.
func TestForgetEscalatedOwner(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var warns []sched.Warning
		w := newWorld(t, 10*time.Millisecond, sched.WithWatchdog(11*time.Millisecond, func(wn sched.Warning) { warns = append(warns, wn) }))
		w.spawn("A", "slow", func(s *sched.Self) (any, error) {
			for range 3 {
				w.work(12 * time.Millisecond)
				s.Wait(w.s.NextFrame())
			}
			return nil, nil
		})
		w.frames(4)
		if got := w.s.Owners(); len(got) != 1 || got[0].Escalation == sched.NoEscalation {
			t.Fatalf("owner A after three overruns: %+v, want it escalated", got)
		}
		if err := w.s.ForgetOwner("A"); err != nil {
			t.Fatal(err)
		}
		if len(warns) == 0 {
			t.Fatal("no warning about the overruns")
		}
		before := len(warns)
		w.frames(1300) // two quiet windows
		for _, wn := range warns[before:] {
			t.Errorf("warning about a forgotten owner: %s", wn.Message())
		}
	})
}
