package budget

import (
	"fmt"
	"time"
)

// Level is how long the chunk of work after a Breath checkpoint is expected
// to be. The longer the chunk, the less of the frame may already be spent for
// it to start, as in blTasks.
type Level uint8

const (
	// Short chunks may start while any of the frame's budget is left.
	Short Level = iota
	// Medium chunks may start while less than 40% of the budget is spent.
	Medium
	// Long chunks may start while less than 20% of the budget is spent.
	Long
)

// Levels lists every level, from the most to the least permissive.
var Levels = [...]Level{Short, Medium, Long}

func (l Level) String() string {
	switch l {
	case Short:
		return "short"
	case Medium:
		return "medium"
	case Long:
		return "long"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// Threshold is the part of limit that may be spent before a chunk at level l
// starts: all of it for Short, 40% for Medium, 20% for Long.
func (l Level) Threshold(limit time.Duration) time.Duration {
	switch l {
	case Medium:
		return limit * 2 / 5
	case Long:
		return limit / 5
	}
	return limit
}

// Frame is one frame's budget: the time the host gives the scheduler
// (Limit) and what has been used of it (Spent). The zero Frame has no budget
// and admits nothing.
type Frame struct {
	Limit time.Duration
	Spent time.Duration
}

// Remaining is the budget left, never negative.
func (f Frame) Remaining() time.Duration {
	return max(f.Limit-f.Spent, 0)
}

// Overrun is how far Spent went past Limit, or 0.
func (f Frame) Overrun() time.Duration {
	return max(f.Spent-f.Limit, 0)
}

// Admits reports whether a chunk at level l, expected to take about est
// (0 when unknown), may start now: less than the level's threshold is spent,
// and the chunk is expected to end within the budget.
func (f Frame) Admits(l Level, est time.Duration) bool {
	return f.Spent < l.Threshold(f.Limit) && f.Spent+est <= f.Limit
}

// Fits reports whether a chunk expected to take d may start now: some budget
// is left and the chunk is expected to end within it.
func (f Frame) Fits(d time.Duration) bool {
	return f.Spent < f.Limit && f.Spent+d <= f.Limit
}
