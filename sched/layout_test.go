package sched

import (
	"testing"
	"unsafe"
)

// TestWakeFieldsLayout checks that the fields waking a task reads (check,
// disarm) lie in the task's first four cache lines: with 100,000 tasks
// woken in one frame, each further line was another cache miss per task
// (BENCHMARKS.md, issue 14).
func TestWakeFieldsLayout(t *testing.T) {
	var tk task
	fields := map[string]uintptr{
		"state":     unsafe.Offsetof(tk.state) + unsafe.Sizeof(tk.state),
		"suspended": unsafe.Offsetof(tk.suspended) + unsafe.Sizeof(tk.suspended),
		"queued":    unsafe.Offsetof(tk.queued) + unsafe.Sizeof(tk.queued),
		"level":     unsafe.Offsetof(tk.level) + unsafe.Sizeof(tk.level),
		"estimate":  unsafe.Offsetof(tk.estimate) + unsafe.Sizeof(tk.estimate),
		"nextWaits": unsafe.Offsetof(tk.nextWaits) + unsafe.Sizeof(tk.nextWaits),
		"cond":      unsafe.Offsetof(tk.cond) + unsafe.Sizeof(tk.cond),
		"alarms":    unsafe.Offsetof(tk.alarms) + unsafe.Sizeof(tk.alarms),
		"links":     unsafe.Offsetof(tk.links) + unsafe.Sizeof(tk.links),
		"unwatch":   unsafe.Offsetof(tk.unwatch) + unsafe.Sizeof(tk.unwatch),
		"polled":    unsafe.Offsetof(tk.polled) + unsafe.Sizeof(tk.polled),
	}
	for name, end := range fields {
		if end > 4*64 {
			t.Errorf("task.%s ends at byte %d, past the first four cache lines", name, end)
		}
	}
}
