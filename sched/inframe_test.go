package sched_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// Code that runs while a frame runs (here a host's OnFinished handler,
// outside the finishing task: Outside) sees
// InFrame, cannot join (its frames would run inside the frame) and cannot
// run a frame; between frames it can.
func TestInFrame(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*time.Millisecond)
		long := w.spawn("A", "long", func(self *sched.Self) (any, error) {
			return "done", self.Wait(w.s.Frames(3))
		})
		var inFrame bool
		var joinErr error
		var panicked any
		w.s.OnFinished(func(ev sched.FinishEvent) {
			if ev.Task.Name() != "short" {
				return
			}
			w.s.Outside(func() {
				inFrame = w.s.InFrame()
				_, joinErr = w.s.Join(context.Background(), 0, long)
				defer func() { panicked = recover() }()
				w.s.RunFrame()
			})
		})
		w.spawn("A", "short", ret(1))
		if w.s.InFrame() {
			t.Error("InFrame between frames")
		}
		w.frames(1)
		if !inFrame || !errors.Is(joinErr, sched.ErrInFrame) || panicked == nil {
			t.Errorf("in a handler: InFrame %v, Join error %v, RunFrame panic %v; want true, ErrInFrame, a panic", inFrame, joinErr, panicked)
		}
		if f := w.s.Frame(); f != 1 {
			t.Errorf("frame %d after one frame, want 1: a nested frame ran", f)
		}
		res, err := w.s.Join(context.Background(), 10, long)
		if err != nil || res[0] != "done" {
			t.Errorf("Join between frames: %v, %v", res, err)
		}
	})
}
