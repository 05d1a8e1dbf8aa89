// Package labelprobe reads the pprof labels of the calling goroutine, for
// tests: Go has no call that returns them, but the goroutine profile shows
// each goroutine's.
package labelprobe

import (
	"bytes"
	"runtime/pprof"
	"strings"
)

// Labels is the pprof labels of the calling goroutine as the goroutine
// profile prints them, sorted by key: {"owner":"Bags", "task":"index"};
// "" when it has none.
func Labels() string {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		panic(err) // writing to a bytes.Buffer does not fail
	}
	// One record per stack (and labels), records apart by a blank line;
	// the caller's is the one with this function on its stack.
	for rec := range strings.SplitSeq(b.String(), "\n\n") {
		if !strings.Contains(rec, "labelprobe.Labels") {
			continue
		}
		for line := range strings.Lines(rec) {
			if l, ok := strings.CutPrefix(line, "# labels: "); ok {
				return strings.TrimSpace(l)
			}
		}
		return ""
	}
	panic("labelprobe: the calling goroutine is not in the goroutine profile")
}
