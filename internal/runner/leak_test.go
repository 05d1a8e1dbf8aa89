package runner

import (
	"runtime"
	"strings"
	"testing"
)

// TestNoLeak: a run that ends with tasks parked, waiting and running
// leaves no goroutine behind.
func TestNoLeak(t *testing.T) {
	before := taskGoroutines()
	virtual(t, `
local Task, Wait = blTasks.Task, blTasks.Wait
for i = 1, 20 do
	Task.Create(function(self) while true do Sim.Work(0.01) self:Breath() end end):Start()
	Task.Create(function(self) self:Wait(Wait.Timespan(100)) end):Start()
end
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`)
	if after := taskGoroutines(); len(after) > len(before) {
		t.Errorf("%d goroutines running task bodies before the run, %d after:\n%s",
			len(before), len(after), strings.Join(after, "\n\n"))
	}
}

// taskGoroutines is the stacks of the goroutines that run task bodies (the
// scheduler's workers), in the whole process. Counting every goroutine
// (runtime.NumGoroutine) would count the runtime's own, such as the one
// running cleanups, which come and go.
func taskGoroutines() []string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for n == len(buf) {
		buf = make([]byte, 2*len(buf))
		n = runtime.Stack(buf, true)
	}
	var ours []string
	for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "sched.(*worker).run(") {
			ours = append(ours, g)
		}
	}
	return ours
}
