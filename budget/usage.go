package budget

import (
	"math"
	"time"
)

// DefaultHalfLife is the falloff of Usage when HalfLife is zero: a frame's
// weight halves after 60 frames, about a second at 60 frames per second.
const DefaultHalfLife = 60

// Usage is an owner's share of recent frame budgets with exponential
// falloff, like RIFT's per-addon CPU figure: 1.0 means the owner used a
// whole budget every recent frame. The zero Usage has used nothing and falls
// off with DefaultHalfLife.
type Usage struct {
	HalfLife int           // frames for a frame's weight to halve; 0 means DefaultHalfLife
	Total    time.Duration // all time ever charged

	frame uint64  // the frame cur belongs to
	cur   float64 // share of the budget used in frame
	avg   float64 // falloff average over the frames before frame
	dh    int     // the half-life d was computed for
	d     float64 // per-frame decay factor for dh
}

// Add charges used, out of a frame budget of limit, to the given frame.
// Frames must not go backwards; a charge for an older frame counts as one
// for the newest frame seen.
func (u *Usage) Add(frame uint64, used, limit time.Duration) {
	u.advance(frame)
	u.Total += used
	if limit > 0 {
		u.cur += float64(used) / float64(limit)
	}
}

// Share is the falloff average including the given frame, as if that frame
// had ended now.
func (u *Usage) Share(frame uint64) float64 {
	v := *u
	v.advance(frame)
	d := v.decay()
	return v.avg*d + v.cur*(1-d)
}

func (u *Usage) decay() float64 {
	h := u.HalfLife
	if h <= 0 {
		h = DefaultHalfLife
	}
	if h != u.dh {
		u.dh, u.d = h, math.Exp2(-1/float64(h))
	}
	return u.d
}

// advance folds every frame before frame into the average.
func (u *Usage) advance(frame uint64) {
	if frame <= u.frame {
		return
	}
	d := u.decay()
	u.avg = u.avg*d + u.cur*(1-d)
	if gap := frame - u.frame - 1; gap > 0 {
		u.avg *= math.Pow(d, float64(gap))
	}
	u.frame, u.cur = frame, 0
}
