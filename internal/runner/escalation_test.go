package runner

import "testing"

// With --warn-after, an addon whose task keeps overrunning is escalated
// (the scheduler's default policy): each step is a WARN line, the task's
// overruns name the task, and the step that ends its suspension, which is
// the addon's alone, names none.
func TestEscalationLines(t *testing.T) {
	const src = `
blTasks.Task.Create(function(self)
	for i = 1, 6 do
		Sim.Work(0.025) -- past --warn-after
		self:Wait(blTasks.Wait.Frame())
	end
	print("hog done", Sim.Frame())
end):Start()
Sim.OnFrame(function(f) if f == 400 then Sim.Done() end end)
`
	// Throttled to 1ms a frame from frame 3, the task runs once its 24ms
	// debt is repaid; the sixth overrun suspends the addon for 300 frames.
	got := virtual(t, src, "--budget", "10ms", "--warn-after", "20ms", "--idle-frames", "0")
	want := "1\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"2\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"3\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"3\tWARN [test] test.lua:2: owner test throttled to 10% of the budget after 3 overruns in 600 frames\n" +
		"4\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"29\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"54\tWARN [test] test.lua:2: slice ran 25ms without breathing\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'Wait'\n" +
		"\t\ttest.lua:5: in function <test.lua:2>\n" +
		"54\tWARN [test] test.lua:2: owner test suspended for 300 frames after 6 overruns in 600 frames\n" +
		"355\tWARN [test] owner test runs again after 300 frames suspended, on probation\n" +
		"hog done\t355\n" +
		"400\tEND\tdone\n"
	checkOutput(t, got, want)
}
