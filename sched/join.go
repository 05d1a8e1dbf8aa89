package sched

import (
	"context"
	"fmt"

	"github.com/framesched/framesched/waitcond"
)

// Result is the result of h for the running task: at once when h has
// finished; otherwise h is started if pending, and the task waits for it
// (deadlock-checked). It returns h's result or error.
func (t *Self) Result(h *Task) (any, error) {
	res, err := t.Join(h)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// Join waits, in the running task, until every task in hs has finished,
// starting the pending ones, and returns their results in argument order,
// or the first error among them in argument order. A task joining itself
// fails with ErrOwnResult; a join that would close a cycle of waiting tasks
// fails with a *DeadlockError.
func (t *Self) Join(hs ...*Task) ([]any, error) {
	conds := make([]*waitcond.Cond, 0, len(hs))
	for _, h := range hs {
		if h.t == t.t {
			return nil, fmt.Errorf("Result %s: %w", t.t, ErrOwnResult)
		}
		if h.t.state == Pending {
			if err := h.Start(); err != nil {
				return nil, err
			}
		}
		if h.t.state != Finished {
			conds = append(conds, waitcond.Task(h))
		}
	}
	if len(conds) > 0 {
		if err := t.Wait(waitcond.And(conds...)); err != nil {
			return nil, err
		}
	}
	return results(hs)
}

// Join runs frames, from the host, until every task in hs has finished,
// starting the pending ones, and returns their results in argument order or
// the first error among them. It gives up when ctx is done (returning
// ctx.Err()) or after maxFrames frames when maxFrames > 0 (returning
// ErrNotFinished); the tasks go on. It must not be called from task code
// (use Self.Join there) nor while a frame runs (ErrInFrame).
func (s *Scheduler) Join(ctx context.Context, maxFrames int, hs ...*Task) ([]any, error) {
	if s.current != nil {
		return nil, fmt.Errorf("Join: %w (use Self.Join)", ErrInTask)
	}
	if s.inFrame {
		return nil, fmt.Errorf("Join: %w", ErrInFrame)
	}
	for _, h := range hs {
		if h.t.state == Pending {
			if err := h.Start(); err != nil {
				return nil, err
			}
		}
	}
	for frames := 0; !allFinished(hs); frames++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.closed {
			return nil, fmt.Errorf("Join: %w", ErrClosed)
		}
		if maxFrames > 0 && frames == maxFrames {
			return nil, fmt.Errorf("Join: %d frames: %w", maxFrames, ErrNotFinished)
		}
		s.RunFrame()
	}
	return results(hs)
}

// Await is Self.Result with the result converted to T; a result of another
// type is an error.
func Await[T any](t *Self, h *Task) (T, error) {
	var zero T
	res, err := t.Result(h)
	if err != nil {
		return zero, err
	}
	v, ok := res.(T)
	if !ok && res != nil {
		return zero, fmt.Errorf("Await %s: result is %T, not %T", h, res, zero)
	}
	return v, nil
}

func allFinished(hs []*Task) bool {
	for _, h := range hs {
		if h.t.state != Finished {
			return false
		}
	}
	return true
}

func results(hs []*Task) ([]any, error) {
	out := make([]any, len(hs))
	for i, h := range hs {
		if h.t.err != nil {
			return nil, h.t.err
		}
		out[i] = h.t.result
	}
	return out, nil
}
