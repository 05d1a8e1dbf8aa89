package sched_test

import (
	"testing"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

func TestCounts(t *testing.T) {
	s := sched.New()
	defer s.Close()
	body := func(self *sched.Self) (any, error) { return nil, self.Wait(waitcond.Frames(s.Frame(), 1)) }
	if _, err := s.Create("A", "pending", body); err != nil {
		t.Fatal(err)
	}
	active, _ := s.Go("A", "active", body)
	waiting, _ := s.Create("A", "waiting", body)
	if err := waiting.StartWhen(waitcond.Frames(0, 10)); err != nil {
		t.Fatal(err)
	}
	suspended, _ := s.Go("B", "suspended", body)
	if err := suspended.Suspend(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Counts(), (sched.TaskCounts{Pending: 1, Active: 1, Waiting: 1, Suspended: 1}); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	s.RunFrame() // active runs and waits for the next frame
	s.RunFrame() // and finishes
	if got, want := s.Counts(), (sched.TaskCounts{Pending: 1, Waiting: 1, Suspended: 1}); got != want || got.Alive() != 3 || !active.Finished() {
		t.Errorf("after two frames: counts %+v (alive %d), want %+v (3); active finished: %v", got, got.Alive(), want, active.Finished())
	}
	if n := testing.AllocsPerRun(10, func() { s.Counts() }); n != 0 {
		t.Errorf("Counts allocates %v times", n)
	}
}
