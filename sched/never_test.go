package sched_test

import (
	"math"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// Frames, Timespan and Timestamp that lie beyond what the frame counter or
// the clock can reach saturate: the wait is never met (it used to be met at
// once, or, for a frame past 2^63, to hang RunFrame re-arming an alarm whose
// key wrapped).
func TestHugeWaitsNeverEnd(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		w.clk.Add(1000 * time.Hour)
		w.s.RunFrame()
		conds := []struct {
			name string
			cond func() *waitcond.Cond
		}{
			{"Frames(MaxUint64)", func() *waitcond.Cond { return w.s.Frames(math.MaxUint64) }},
			{"Frames(1<<63)", func() *waitcond.Cond { return w.s.Frames(1 << 63) }},
			{"Timespan(MaxInt64)", func() *waitcond.Cond { return w.s.Timespan(math.MaxInt64) }},
			{"Timestamp(year 1e9)", func() *waitcond.Cond { return w.s.Timestamp(time.Unix(1<<62, 0)) }},
			{"Or(Timespan(MaxInt64), Frames(MaxUint64))", func() *waitcond.Cond {
				return waitcond.Or(w.s.Timespan(math.MaxInt64), w.s.Frames(math.MaxUint64))
			}},
		}
		var hs []*sched.Task
		for _, c := range conds {
			hs = append(hs, w.start("A", c.name, func(s *sched.Self) (any, error) {
				return nil, s.Wait(c.cond())
			}))
		}
		for range 3 {
			w.s.RunFrame()
			w.clk.Add(100000 * time.Hour)
		}
		for _, h := range hs {
			if h.State() != sched.Waiting {
				t.Errorf("%s: state %v, want still waiting", h.Name(), h.State())
			}
		}
	})
}
