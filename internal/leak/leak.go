// Package leak finds the goroutines that run task bodies and pool work, for
// tests that check that a scheduler leaves none behind.
package leak

import (
	"runtime"
	"strings"
)

// TaskGoroutines is the stacks of the goroutines that run task bodies (the
// scheduler's workers), in the whole process. It looks for them by name
// because runtime.NumGoroutine counts the runtime's own goroutines too,
// such as the one running cleanups, which come and go. A worker's
// coroutine function is the literal in sched.newWorker.
func TaskGoroutines() []string { return goroutines("framesched/sched.newWorker.func1(") }

// PoolGoroutines is the stacks of the goroutines of schedulers' pools (see
// sched.Pool), in the whole process.
func PoolGoroutines() []string { return goroutines("framesched/sched.(*Pool).serve(") }

// goroutines is the stacks of the goroutines with fn in their stack.
func goroutines(fn string) []string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for n == len(buf) {
		buf = make([]byte, 2*len(buf))
		n = runtime.Stack(buf, true)
	}
	var ours []string
	for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
		if strings.Contains(g, fn) {
			ours = append(ours, g)
		}
	}
	return ours
}
