package sched_test

import (
	"context"
	"testing"
	"time"

	"github.com/framesched/framesched/internal/labelprobe"
	"github.com/framesched/framesched/sched"
)

// Task code runs with its owner's and its own name as pprof labels: in
// every slice, in goroutines it starts, on a worker that ran another
// owner's task before; the pool's work runs with its owner's.
func TestProfilerLabels(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, time.Hour)
		got := map[string]string{}
		frames := func(n int) { // each after the pool's work has returned
			for range n {
				w.s.Pool().WaitIdle(context.Background())
				w.s.RunFrame()
			}
		}
		probe := func(key string) { got[key] = labelprobe.Labels() }
		w.spawn("Bags", "index", func(self *sched.Self) (any, error) {
			probe("Bags first slice")
			self.Wait(w.s.NextFrame())
			probe("Bags after a park")
			done := make(chan string)
			go func() { done <- labelprobe.Labels() }()
			got["Bags goroutine"] = <-done
			sched.Async(self, func(context.Context) (int, error) {
				probe("Bags async")
				return 0, nil
			})
			return nil, nil
		})
		w.spawn("Map", "render tiles", func(self *sched.Self) (any, error) {
			probe("Map")
			return nil, nil
		})
		frames(1)
		// Map's task has finished: its worker is idle, and runs the next.
		w.spawn("Chat", "log", func(self *sched.Self) (any, error) {
			probe("Chat on a reused worker")
			return nil, nil
		})
		frames(4)
		f := w.s.Pool().Submit("Chat", "compress", func(context.Context) (any, error) {
			probe("Chat submitted")
			return nil, nil
		})
		frames(2)
		if !f.Done() {
			t.Fatal("submitted work not done")
		}
		_, err := w.s.Do(context.Background(), func(context.Context) (any, error) {
			probe("host Do")
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		const bags = `{"owner":"Bags", "task":"index"}`
		want := map[string]string{
			"Bags first slice":        bags,
			"Bags after a park":       bags,
			"Bags goroutine":          bags,
			"Bags async":              `{"owner":"Bags"}`,
			"Map":                     `{"owner":"Map", "task":"render tiles"}`,
			"Chat on a reused worker": `{"owner":"Chat", "task":"log"}`,
			"Chat submitted":          `{"owner":"Chat"}`,
			"host Do":                 "",
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s: labels %q (probed: %v), want %q", k, g, ok, v)
			}
		}
	})
}
