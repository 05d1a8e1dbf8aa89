package sched_test

import (
	"errors"
	"testing"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// A condition beyond waitcond's limits is refused, wherever it is
// installed, with an error matching waitcond.ErrTooLarge.
func TestWaitRefusesTooLarge(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		big := w.s.NextFrame()
		for range waitcond.MaxSize {
			big = waitcond.Or(big, w.s.NextFrame())
		}
		var waitErr error
		self := w.start("A", "self", func(t *sched.Self) (any, error) {
			waitErr = t.Wait(big)
			return "went on", nil
		})
		other := w.start("A", "other", func(t *sched.Self) (any, error) {
			t.Wait(w.s.Frames(3))
			return nil, nil
		})
		pending := w.create("A", "pending", ret(nil))
		w.s.RunFrame()
		if res, _ := self.Result(); res != "went on" || !errors.Is(waitErr, waitcond.ErrTooLarge) {
			t.Errorf("Self.Wait: got %v and the task %v, want ErrTooLarge and the task going on", waitErr, res)
		}
		if err := other.Wait(big); !errors.Is(err, waitcond.ErrTooLarge) {
			t.Errorf("Task.Wait: got %v, want ErrTooLarge", err)
		}
		if err := pending.StartWhen(big); !errors.Is(err, waitcond.ErrTooLarge) || pending.State() != sched.Pending {
			t.Errorf("StartWhen: got %v and state %v, want ErrTooLarge and pending", err, pending.State())
		}
	})
}
