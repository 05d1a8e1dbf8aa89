package budget

import (
	"testing"
	"time"
)

const (
	ns = time.Nanosecond
	ms = time.Millisecond
)

func TestLevelString(t *testing.T) {
	tests := []struct {
		l    Level
		want string
	}{
		{Short, "short"},
		{Medium, "medium"},
		{Long, "long"},
		{Level(3), "Level(3)"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("Level(%d).String() = %q, want %q", uint8(tt.l), got, tt.want)
		}
	}
}

func TestLevelThreshold(t *testing.T) {
	tests := []struct {
		l     Level
		limit time.Duration
		want  time.Duration
	}{
		{Short, 10 * ms, 10 * ms},
		{Medium, 10 * ms, 4 * ms},
		{Long, 10 * ms, 2 * ms},
		{Short, 50 * ms, 50 * ms},
		{Medium, 50 * ms, 20 * ms},
		{Long, 50 * ms, 10 * ms},
		{Short, 0, 0},
		{Medium, 0, 0},
		{Long, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.l.Threshold(tt.limit); got != tt.want {
			t.Errorf("%v.Threshold(%v): got %v, want %v", tt.l, tt.limit, got, tt.want)
		}
	}
}

func TestFrameAdmits(t *testing.T) {
	tests := []struct {
		f    Frame
		l    Level
		est  time.Duration
		want bool
	}{
		// Short: threshold is the whole 10ms limit.
		{Frame{10 * ms, 0}, Short, 0, true},
		{Frame{10 * ms, 10*ms - ns}, Short, 0, true},
		{Frame{10 * ms, 10 * ms}, Short, 0, false},
		{Frame{10 * ms, 10*ms + ns}, Short, 0, false},
		{Frame{10 * ms, 10*ms - ns}, Short, ns, true},
		{Frame{10 * ms, 10*ms - ns}, Short, 2 * ns, false},
		{Frame{10 * ms, ms}, Short, 9 * ms, true},
		{Frame{10 * ms, ms}, Short, 9*ms + ns, false},

		// Medium: threshold is 4ms of 10ms.
		{Frame{10 * ms, 0}, Medium, 0, true},
		{Frame{10 * ms, 4*ms - ns}, Medium, 0, true},
		{Frame{10 * ms, 4 * ms}, Medium, 0, false},
		{Frame{10 * ms, 4*ms + ns}, Medium, 0, false},
		{Frame{10 * ms, 4*ms - ns}, Medium, 6*ms + ns, true},
		{Frame{10 * ms, 4*ms - ns}, Medium, 6*ms + 2*ns, false},
		{Frame{10 * ms, ms}, Medium, 9 * ms, true},
		{Frame{10 * ms, ms}, Medium, 9*ms + ns, false},

		// Long: threshold is 2ms of 10ms.
		{Frame{10 * ms, 0}, Long, 0, true},
		{Frame{10 * ms, 2*ms - ns}, Long, 0, true},
		{Frame{10 * ms, 2 * ms}, Long, 0, false},
		{Frame{10 * ms, 2*ms + ns}, Long, 0, false},
		{Frame{10 * ms, 2*ms - ns}, Long, 8*ms + ns, true},
		{Frame{10 * ms, 2*ms - ns}, Long, 8*ms + 2*ns, false},
		{Frame{10 * ms, ms}, Long, 9 * ms, true},
		{Frame{10 * ms, ms}, Long, 9*ms + ns, false},

		// A 50ms budget scales the thresholds.
		{Frame{50 * ms, 20*ms - ns}, Medium, 0, true},
		{Frame{50 * ms, 20 * ms}, Medium, 0, false},
		{Frame{50 * ms, 10*ms - ns}, Long, 0, true},
		{Frame{50 * ms, 10 * ms}, Long, 0, false},

		// Past the limit nothing is admitted.
		{Frame{10 * ms, 15 * ms}, Short, 0, false},
		{Frame{10 * ms, 15 * ms}, Long, 0, false},
	}
	for _, tt := range tests {
		if got := tt.f.Admits(tt.l, tt.est); got != tt.want {
			t.Errorf("%+v.Admits(%v, %v): got %v, want %v", tt.f, tt.l, tt.est, got, tt.want)
		}
	}
}

func TestFrameFits(t *testing.T) {
	tests := []struct {
		f    Frame
		d    time.Duration
		want bool
	}{
		{Frame{10 * ms, 0}, 0, true},
		{Frame{10 * ms, 0}, 10 * ms, true},
		{Frame{10 * ms, 0}, 10*ms + ns, false},
		{Frame{10 * ms, 10*ms - ns}, 0, true},
		{Frame{10 * ms, 10*ms - ns}, ns, true},
		{Frame{10 * ms, 10*ms - ns}, 2 * ns, false},
		{Frame{10 * ms, 10 * ms}, 0, false},
		{Frame{10 * ms, 10*ms + ns}, 0, false},
		{Frame{50 * ms, 30 * ms}, 20 * ms, true},
		{Frame{50 * ms, 30 * ms}, 20*ms + ns, false},
	}
	for _, tt := range tests {
		if got := tt.f.Fits(tt.d); got != tt.want {
			t.Errorf("%+v.Fits(%v): got %v, want %v", tt.f, tt.d, got, tt.want)
		}
	}
}

func TestZeroFrame(t *testing.T) {
	var f Frame
	for _, l := range Levels {
		if f.Admits(l, 0) {
			t.Errorf("zero Frame.Admits(%v, 0): got true, want false", l)
		}
	}
	if f.Fits(0) {
		t.Errorf("zero Frame.Fits(0): got true, want false")
	}
	if got := f.Remaining(); got != 0 {
		t.Errorf("zero Frame.Remaining(): got %v, want 0", got)
	}
	if got := f.Overrun(); got != 0 {
		t.Errorf("zero Frame.Overrun(): got %v, want 0", got)
	}
}

func TestFrameRemainingOverrun(t *testing.T) {
	tests := []struct {
		f             Frame
		wantRemaining time.Duration
		wantOverrun   time.Duration
	}{
		{Frame{10 * ms, 0}, 10 * ms, 0},
		{Frame{10 * ms, 3 * ms}, 7 * ms, 0},
		{Frame{10 * ms, 10*ms - ns}, ns, 0},
		{Frame{10 * ms, 10 * ms}, 0, 0},
		{Frame{10 * ms, 10*ms + ns}, 0, ns},
		{Frame{10 * ms, 12 * ms}, 0, 2 * ms},
		{Frame{0, 5 * ms}, 0, 5 * ms},
	}
	for _, tt := range tests {
		if got := tt.f.Remaining(); got != tt.wantRemaining {
			t.Errorf("%+v.Remaining(): got %v, want %v", tt.f, got, tt.wantRemaining)
		}
		if got := tt.f.Overrun(); got != tt.wantOverrun {
			t.Errorf("%+v.Overrun(): got %v, want %v", tt.f, got, tt.wantOverrun)
		}
	}
}
