package sched_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// The watchdog warns after every slice that ran for its threshold or
// longer, naming the frame, task, owner and length, and asks the task's
// traceback function where it stands while it is parked.
func TestWatchdogWarns(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var got []string
		w := newWorld(t, 10*time.Millisecond, noEscalation, sched.WithWatchdog(5*time.Millisecond, func(wn sched.Warning) {
			got = append(got, fmt.Sprintf("f%d %s/%s %v %q", wn.Frame, wn.Owner, wn.Task, wn.Took, wn.Traceback))
		}))
		step := 0
		w.spawn("A", "slow", func(t *sched.Self) (any, error) {
			t.SetTraceback(func() string { return fmt.Sprintf("at step %d", step) })
			for _, d := range []time.Duration{4999 * time.Microsecond, 5 * time.Millisecond, 7 * time.Millisecond} {
				step++
				w.work(d)
				t.BreathFor(time.Hour) // never fits: ends the slice
			}
			w.work(6 * time.Millisecond) // the last slice finishes the task
			return nil, nil
		})
		w.frames(5)
		want := []string{
			`f2 A/slow 5ms "at step 2"`,
			`f3 A/slow 7ms "at step 3"`,
			`f4 A/slow 6ms ""`,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("warnings\n%q\nwant\n%q", got, want)
		}
	})
}
