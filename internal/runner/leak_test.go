package runner

import (
	"runtime"
	"testing"
	"time"
)

// TestNoLeak: a run that ends with tasks parked, waiting and running
// leaves no goroutine behind.
func TestNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	virtual(t, `
local Task, Wait = blTasks.Task, blTasks.Wait
for i = 1, 20 do
	Task.Create(function(self) while true do Sim.Work(0.01) self:Breath() end end):Start()
	Task.Create(function(self) self:Wait(Wait.Timespan(100)) end):Start()
end
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before the run, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
