package runner

import (
	"strings"
	"testing"
)

// TestErrorDetail: an ERROR line is followed by lines indented by a tab:
// the task and where it was created (the Task.Create call, not where its
// function is defined), then the Lua traceback; for code that is no task's,
// the traceback only, or what the code is. The first line is unchanged.
func TestErrorDetail(t *testing.T) {
	const src = `local function body(self)
	self:Wait(blTasks.Wait.Frame())
	error("boom")
end
local function make() return blTasks.Task.Create(body) end
make():Start()
blTasks.OnFinished(function() error("handler fails") end)
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`
	want := "2\tERROR [test] test.lua:3: boom\n" +
		"\ttask test.lua:1, created at test.lua:5\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'error'\n" +
		"\t\ttest.lua:3: in main chunk\n" +
		"\t\t[G]: ?\n" +
		"2\tERROR [test] test.lua:7: handler fails\n" +
		"\tin OnFinished handler\n" +
		"\tstack traceback:\n" +
		"\t\t[G]: in function 'error'\n" +
		"\t\ttest.lua:7: in main chunk\n" +
		"\t\t[G]: ?\n" +
		"3\tEND\tdone\n"
	checkOutput(t, virtual(t, src), want)
}

// TestFailOnError: with --fail-on-error a run that printed an ERROR line
// exits with status 3, one that did not with 0; without it, 0.
func TestFailOnError(t *testing.T) {
	const failing = `blTasks.Task.Create(function() error("x") end):Start() Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`
	const clean = `Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`
	for _, tc := range []struct {
		flags []string
		src   string
		code  int
	}{
		{[]string{"--virtual", "--fail-on-error"}, failing, exitErrors},
		{[]string{"--virtual", "--fail-on-error"}, clean, exitEnded},
		{[]string{"--virtual"}, failing, exitEnded},
		{[]string{"--virtual", "--fail-on-error"}, `error("at load")`, exitLoadFailed},
	} {
		res := runScripts(t, tc.flags, "test.lua", tc.src)
		if res.code != tc.code {
			t.Errorf("%q, %s: exit status %d, want %d; output:\n%s", tc.flags, tc.src, res.code, tc.code, res.stdout)
		}
	}
}

// TestUnfinished: a run that max or idle stopped says how many tasks were
// unfinished, by addon in name order and state; done says nothing, nor does
// a run with every task finished.
func TestUnfinished(t *testing.T) {
	const bags = `
local T, W = blTasks.Task, blTasks.Wait
for i = 1, 2 do T.Create(function(self) self:Wait(W.Timespan(1000)) end):Start() end
T.Create(function(self) while true do Sim.Work(0.001) self:Breath() end end):Start()
T.Create(function() end) -- never started
`
	const chat = `
local t = blTasks.Task.Create(function(self) while true do self:Wait(blTasks.Wait.Frame()) end end):Start()
t:Suspend()
`
	res := runScripts(t, []string{"--virtual", "--max-frames", "3"}, "Chat.lua", chat, "Bags.lua", bags)
	checkOutput(t, res.stdout, "3\tEND\tmax\n\t5 tasks unfinished: Bags 1 pending, Bags 1 active, Bags 2 waiting, Chat 1 suspended\n")
	res = runScripts(t, []string{"--virtual", "--idle-frames", "2"}, "Chat.lua", chat)
	checkOutput(t, res.stdout, "2\tEND\tidle\n\t1 task unfinished: Chat 1 suspended\n")
	const finishes = `blTasks.Task.Create(function() end):Start()`
	checkOutput(t, virtual(t, finishes, "--max-frames", "3"), "3\tEND\tmax\n")
	checkOutput(t, virtual(t, chat+"Sim.Done()"), "0\tEND\tdone\n")
}

// TestDefaults: --budget and --frame-time default to the demo's 4 ms at 60
// frames per second (16.667 ms on the virtual clock), with --host rift to
// RIFT's 50 ms and 100 ms; flags given win.
func TestDefaults(t *testing.T) {
	const src = `
local n = 0
blTasks.Task.Create(function(self)
	while true do Sim.Work(0.001) n = n + 1 self:BreathShort() end
end):Start()
Sim.OnFrame(function(f)
	if f == 2 then print(n, Sim.Now()) Sim.Done() end
end)`
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, "4\t0.016667\n"},
		{[]string{"--host", "rift"}, "50\t0.1\n"},
		{[]string{"--host", "rift", "--budget", "10ms"}, "10\t0.1\n"},
		{[]string{"--frame-time", "30ms"}, "4\t0.03\n"},
	} {
		got := virtual(t, src, tc.flags...)
		if first, _, _ := strings.Cut(got, "\n"); first+"\n" != tc.want {
			t.Errorf("%q: got %q, want it to begin with %q", tc.flags, got, tc.want)
		}
	}
}

// TestErrorMessageLines: an error message of several lines goes on as
// continuation lines, so that none of its lines reads as a line of the
// runner's.
func TestErrorMessageLines(t *testing.T) {
	const src = `error("first\n2\tEND\tdone\nthird", 0)`
	res := runScripts(t, []string{"--virtual"}, "test.lua", src)
	checkOutput(t, res.stdout, "0\tERROR [test] first\n\t2\tEND\tdone\n\tthird\n"+
		"\tstack traceback:\n\t\t[G]: in function 'error'\n\t\ttest.lua:1: in main chunk\n\t\t[G]: ?\n")
}
