package runner

import (
	"regexp"
	"strings"
	"testing"
)

// TestMemoryFlag: --memory sets each addon's memory limit. The task that
// goes over fails with an ERROR line; the addon keeps most of its limit in
// a global, so it is stopped, with another ERROR line, and its other task
// and its Sim.OnFrame hook with it (a hook of a stopped addon is not called
// again: each frame would print the stop again).
func TestMemoryFlag(t *testing.T) {
	const src = `
kept = {}
blTasks.Task.Create(function(self)
	for i = 1, 1e7 do kept[i] = string.rep("x", 1000) .. i if i % 100 == 0 then self:Breath() end end
end):Start()
blTasks.Task.Create(function(self)
	for f = 1, 50 do self:Wait(blTasks.Wait.Frame()) end
	print("never")
end):Start()
Sim.OnFrame(function(f) if f == 2 then print("hook", f) end end)
`
	out := virtual(t, src, "--memory", "2")
	out = regexp.MustCompile(`(uses|keeps) [0-9]+ KiB`).ReplaceAllString(out, "$1 N KiB")
	want := strings.Join([]string{
		"1\tERROR [test] memory: addon test uses N KiB, over its limit of 2048 KiB",
		"\ttask test.lua:3, created at test.lua:3",
		"1\tERROR [test] addon stopped: memory: addon test keeps N KiB of its 2048 KiB limit once the code that went over has ended",
		"\tin addon",
		"301\tEND\tidle",
	}, "\n") + "\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// TestStoppedAddonHandlers: the RIFT preset calls no event handler of a
// stopped addon; the other addon's go on.
func TestStoppedAddonHandlers(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift", "--memory", "2"}, "Hog.lua", `
kept = {}
Command.Event.Attach(Event.System.Update.Begin, function() print("hog", Inspect.Time.Frame()) end, "tick")
blTasks.Task.Create(function(self)
	self:Wait(blTasks.Wait.Frame())
	for i = 1, 1e7 do kept[i] = string.rep("x", 1000) .. i if i % 100 == 0 then self:Breath() end end
end):Start()
`, "Calm.lua", `
Command.Event.Attach(Event.System.Update.Begin, function()
	local f = Inspect.Time.Frame()
	if f % 2 == 0 then print("calm", f) end
	if f == 4 then Sim.Done() end
end, "tick")
`)
	out := regexp.MustCompile(`(uses|keeps) [0-9]+ KiB`).ReplaceAllString(res.stdout, "$1 N KiB")
	want := strings.Join([]string{
		"hog\t1",
		"2\tERROR [Hog] memory: addon Hog uses N KiB, over its limit of 2048 KiB",
		"\ttask Hog.lua:4, created at Hog.lua:4",
		"2\tERROR [Hog] addon stopped: memory: addon Hog keeps N KiB of its 2048 KiB limit once the code that went over has ended",
		"\tin addon",
		"calm\t2",
		"calm\t4",
		"4\tEND\tdone",
	}, "\n") + "\n"
	if res.code != 0 || out != want {
		t.Errorf("exit status %d, got:\n%s\nwant:\n%s", res.code, out, want)
	}
}
