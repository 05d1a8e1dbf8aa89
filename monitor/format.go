package monitor

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Millis renders a duration in milliseconds with one decimal ("12.8ms"),
// or from a second on in seconds with two ("1.25s"), as the monitor's
// pages do.
func Millis(d time.Duration) string {
	if d >= time.Second || d <= -time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// Seconds renders a moment or a span of a run in seconds with one decimal
// ("3.0s").
func Seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// Tally says how many warnings and errors there were, such as "1 warning,
// 2 errors", or "" for none.
func Tally(warnings, errs int) string {
	var parts []string
	if warnings > 0 {
		parts = append(parts, plural(warnings, "warning"))
	}
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fps is the frame rate of a frame period, such as "60" or "62.5".
func fps(period time.Duration) string {
	r := float64(time.Second) / float64(period)
	if math.Abs(r-math.Round(r)) < 0.01 {
		return fmt.Sprint(math.Round(r))
	}
	return fmt.Sprintf("%.1f", r)
}
