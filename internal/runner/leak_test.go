package runner

import (
	"strings"
	"testing"

	"github.com/framesched/framesched/internal/leak"
)

// TestNoLeak: a run that ends with tasks parked, waiting and running
// leaves no goroutine behind.
func TestNoLeak(t *testing.T) {
	before := leak.TaskGoroutines()
	virtual(t, `
local Task, Wait = blTasks.Task, blTasks.Wait
for i = 1, 20 do
	Task.Create(function(self) while true do Sim.Work(0.01) self:Breath() end end):Start()
	Task.Create(function(self) self:Wait(Wait.Timespan(100)) end):Start()
end
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`)
	if after := leak.TaskGoroutines(); len(after) > len(before) {
		t.Errorf("%d goroutines running task bodies before the run, %d after:\n%s",
			len(before), len(after), strings.Join(after, "\n\n"))
	}
}
