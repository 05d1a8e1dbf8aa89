package budget

import (
	"math"
	"testing"
	"time"
)

const eps = 1e-9

func TestUsageZero(t *testing.T) {
	var u Usage
	for _, frame := range []uint64{0, 1, 60, 1000} {
		if got := u.Share(frame); got != 0 {
			t.Errorf("zero Usage.Share(%d): got %v, want 0", frame, got)
		}
	}
	if u.Total != 0 {
		t.Errorf("zero Usage.Total: got %v, want 0", u.Total)
	}
}

func TestUsageFullBudgetConverges(t *testing.T) {
	var u Usage
	for f := uint64(1); f <= 1000; f++ {
		u.Add(f, 10*ms, 10*ms)
	}
	if got := u.Share(1000); got <= 0.99 || got > 1+eps {
		t.Errorf("Share after 1000 full frames: got %v, want in (0.99, 1]", got)
	}
}

func TestUsageHalfLife(t *testing.T) {
	tests := []struct {
		halfLife int // as set on Usage
		h        int // effective half-life
		idle     int // frames since the owner stopped
	}{
		{10, 10, 0},
		{10, 10, 5},
		{10, 10, 10},
		{10, 10, 20},
		{10, 10, 37},
		{0, DefaultHalfLife, 30},
		{0, DefaultHalfLife, DefaultHalfLife},
		{0, DefaultHalfLife, 2 * DefaultHalfLife},
		{-1, DefaultHalfLife, DefaultHalfLife},
	}
	for _, tt := range tests {
		u := Usage{HalfLife: tt.halfLife}
		const last = 500
		for f := uint64(1); f <= last; f++ {
			u.Add(f, 4*ms, 10*ms)
		}
		start := u.Share(last)
		got := u.Share(last + uint64(tt.idle))
		want := start * math.Exp2(-float64(tt.idle)/float64(tt.h))
		if math.Abs(got-want) > eps {
			t.Errorf("HalfLife %d, %d idle frames from %v: got %v, want %v", tt.halfLife, tt.idle, start, got, want)
		}
	}
}

func TestUsageTotal(t *testing.T) {
	var u Usage
	tests := []struct {
		frame       uint64
		used, limit time.Duration
		want        time.Duration
	}{
		{1, 3 * ms, 10 * ms, 3 * ms},
		{1, 2 * ms, 10 * ms, 5 * ms},
		{2, 0, 10 * ms, 5 * ms},
		{7, 4 * ms, 10 * ms, 9 * ms},
		{8, ms, 0, 10 * ms}, // no budget: counted in Total only
		{5, ms, 10 * ms, 11 * ms},
	}
	for _, tt := range tests {
		u.Add(tt.frame, tt.used, tt.limit)
		if u.Total != tt.want {
			t.Errorf("Add(%d, %v, %v): Total: got %v, want %v", tt.frame, tt.used, tt.limit, u.Total, tt.want)
		}
	}
}

func TestUsageZeroLimit(t *testing.T) {
	var u Usage
	u.Add(1, 5*ms, 0)
	if got := u.Share(1); got != 0 {
		t.Errorf("Share after Add with zero limit: got %v, want 0", got)
	}
}

func TestUsageSkippedFrames(t *testing.T) {
	tests := []struct {
		halfLife int
		used     time.Duration
		at       uint64
	}{
		{0, 10 * ms, 61},
		{0, 3 * ms, 2},
		{0, 3 * ms, 200},
		{7, 5 * ms, 61},
		{1, 10 * ms, 10},
	}
	for _, tt := range tests {
		skip := Usage{HalfLife: tt.halfLife}
		skip.Add(1, tt.used, 10*ms)

		each := Usage{HalfLife: tt.halfLife}
		each.Add(1, tt.used, 10*ms)
		for f := uint64(2); f <= tt.at; f++ {
			each.Add(f, 0, 10*ms)
		}

		got, want := skip.Share(tt.at), each.Share(tt.at)
		if math.Abs(got-want) > eps {
			t.Errorf("HalfLife %d, %v at frame 1, Share(%d): got %v, want %v (charged 0 each frame)", tt.halfLife, tt.used, tt.at, got, want)
		}
	}
}

func TestUsageOlderFrame(t *testing.T) {
	var late, direct Usage
	late.Add(3, 2*ms, 10*ms)
	late.Add(5, 2*ms, 10*ms)
	late.Add(4, 3*ms, 10*ms) // older than frame 5: counts toward frame 5

	direct.Add(3, 2*ms, 10*ms)
	direct.Add(5, 5*ms, 10*ms)

	for _, frame := range []uint64{5, 6, 70} {
		got, want := late.Share(frame), direct.Share(frame)
		if math.Abs(got-want) > eps {
			t.Errorf("Share(%d): got %v, want %v", frame, got, want)
		}
	}
	if late.Total != direct.Total {
		t.Errorf("Total: got %v, want %v", late.Total, direct.Total)
	}
}

func TestUsageShareDoesNotAdvance(t *testing.T) {
	var u Usage
	u.Add(1, 10*ms, 10*ms)
	before := u.Share(1)
	u.Share(100)
	if got := u.Share(1); got != before {
		t.Errorf("Share(1) after Share(100): got %v, want %v", got, before)
	}
}
