package sched

import (
	"math"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/waitcond"
)

// A wait that is never met costs nothing per frame: it arms no alarm.
func TestNeverArmsNoAlarm(t *testing.T) {
	s := New(WithClock(clock.NewMock()))
	defer s.Close()
	for _, c := range []*waitcond.Cond{
		s.Frames(math.MaxUint64),
		s.Frames(1 << 63),
		s.Timespan(math.MaxInt64),
		s.Timestamp(time.Unix(1<<62, 0)),
	} {
		h, err := s.Create("A", c.String(), func(*Self) (any, error) { return nil, nil })
		if err != nil {
			t.Fatal(err)
		}
		if err := h.StartWhen(c); err != nil {
			t.Fatal(err)
		}
		if n := s.frames.len() + s.timers.len(); n != 0 {
			t.Errorf("%s: %d alarms armed, want none", c, n)
		}
		h.Stop("")
	}
}
