package runner

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestSimClock(t *testing.T) {
	const src = `
print("load", Sim.Frame(), Sim.Now(), Sim.Ms())
Sim.OnFrame(function(f)
	print("frame", f, Sim.Frame(), Sim.Now(), Sim.Ms())
	if f == 2 then Sim.Work(0.25) end -- a frame longer than --frame-time
	if f == 4 then Sim.Done() end
end)
blTasks.Task.Create(function(self)
	while true do
		Sim.Work(0.0025)
		print("task", Sim.Frame(), Sim.Now(), Sim.Ms())
		self:Wait(blTasks.Wait.Frame())
	end
end):Start()
`
	// Frame 3 starts at once after frame 2's 250 ms; frame 4 100 ms later.
	want := "load\t0\t0\t0\n" +
		"frame\t1\t1\t0\t0\n" + "task\t1\t0.0025\t2\n" +
		"frame\t2\t2\t0.1\t0\n" + "task\t2\t0.3525\t252\n" +
		"frame\t3\t3\t0.3525\t0\n" + "task\t3\t0.355\t2\n" +
		"frame\t4\t4\t0.4525\t0\n" + "task\t4\t0.455\t2\n" +
		"4\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--frame-time", "100ms"), want)
}

func TestSimWorkIsCharged(t *testing.T) {
	const src = `
local job = blTasks.Task.Create(function(self)
	Sim.Work(0.003)
	self:Wait(blTasks.Wait.Frame())
	Sim.Work(0.002)
end):Start()
Sim.OnFrame(function(f)
	if f == 3 then
		local st = job:Stats()
		print(st.cpu, st.slices)
		Sim.Done()
	end
end)
print(pcall(Sim.Work, -1))
print(pcall(Sim.Work, "x"))
print(pcall(Sim.Work, 0/0))
`
	want := "false\ttest.lua:14: Sim.Work: bad argument #1 (seconds, 0 or more, expected)\n" +
		"false\ttest.lua:15: Sim.Work: bad argument #1 (number expected, got string)\n" +
		"false\ttest.lua:16: Sim.Work: bad argument #1 (seconds, 0 or more, expected)\n" +
		"0.005\t2\n3\tEND\tdone\n"
	checkOutput(t, virtual(t, src), want)
}

// TestSimOnFrame: hooks run at the start of each frame, before tasks, in
// registration order across addons, each as its addon.
func TestSimOnFrame(t *testing.T) {
	res := runScripts(t, []string{"--virtual"},
		"Bags.lua", `
Sim.OnFrame(function(f)
	print(Sim.Addon(), "hook", f)
	if f == 1 then
		blTasks.Task.Create(function(self) print(Sim.Addon(), "task of", self:Owner()) end):Start()
	end
	if f == 2 then error("bad hook") end
end)
print(pcall(Sim.OnFrame, 42))`,
		"Map.lua", `
Sim.OnFrame(function(f)
	print(Sim.Addon(), "hook", f)
	if f == 2 then Sim.Done() end
end)`)
	want := "false\tBags.lua:9: Sim.OnFrame: bad argument #1 (function expected, got number)\n" +
		"Bags\thook\t1\nMap\thook\t1\nBags\ttask of\tBags\n" +
		"Bags\thook\t2\n2\tERROR [Bags] Bags.lua:7: bad hook\nMap\thook\t2\n" +
		"2\tEND\tdone\n"
	checkOutput(t, errorHeads(res.stdout), want)
}

func TestSimMsg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"boom.lua:3: boom", "<pos>: boom"},
		{"a/b/boom.lua:3: x.lua:12: inner", "<pos>: <pos>: inner"},
		{"table: 0xc000123abc", "table: <addr>"},
		{`Task "x.lua:4" (owner A)`, `Task "x.lua:4" (owner A)`}, // a task's name is no position
		{"no position", "no position"},
		// The Lua pattern [%w_%-%./]*%.lua:%d+: and 0x%x+, exactly.
		{".lua:1: empty name", "<pos>: empty name"},
		{"@/a-b/c_d.lua:3: x", "@<pos>: x"},
		{"(x.lua:3: y)", "(<pos>: y)"},
		{"~x.lua:3: y", "~<pos>: y"},
		{"x.lua:3:4: y", "x.lua:3:4: y"},
		{"x.lua:3:y", "x.lua:3:y"},
		{`[string "x"]:1: y`, `[string "x"]:1: y`},
		{"0XFF 0x 0xg 0xAbC9", "0XFF 0x 0xg <addr>"},
	} {
		if got := stableMessage(tc.in); got != tc.want {
			t.Errorf("stableMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	const src = `
local ok, err = pcall(error, "boom")
print(Sim.Msg(select(2, pcall(function() error("boom") end))))
print(Sim.Msg(function() end), Sim.Msg(nil), Sim.Msg(12))
Sim.Done()`
	checkOutput(t, virtual(t, src), "<pos>: boom\nfunction: <addr>\tnil\t12\n0\tEND\tdone\n")
}

func TestPrintAndErrors(t *testing.T) {
	const src = `
print(1, nil, true, 2.5, "x", setmetatable({}, {__tostring = function() return "T" end}))
print()
blTasks.Task.Create(function(self)
	self:Wait(blTasks.Wait.Frames(2))
	error({})
end):Start()
blTasks.Task.Create(function(self) error("plain", 0) end):Start()
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`
	want := "1\tnil\ttrue\t2.5\tx\tT\n\n" +
		"1\tERROR [test] plain\n" +
		"\ttask test.lua:8, created at test.lua:8\n" +
		"\tstack traceback:\n\t\t[G]: in function 'error'\n\t\ttest.lua:8: in main chunk\n\t\t[G]: ?\n" +
		"3\tERROR [test] table: 0x"
	got := virtual(t, src)
	if len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("output:\n%s\nwant it to begin with:\n%s", got, want)
	}
}

// TestCollectGarbage: with --virtual, collectgarbage("collect") stops the
// tasks whose handles were dropped (pending ones, scoped ones that have
// begun) before it returns; inside a task, at the end of the frame.
func TestCollectGarbage(t *testing.T) {
	const src = `
local Task, Wait = blTasks.Task, blTasks.Wait
blTasks.OnFinished(function(task, how, err) print("finished", Sim.Frame(), task:Name(), how, err) end)
local function loop(self) while true do self:Wait(Wait.Frame()) end end
Task.Create(loop):Scope():Start()
collectgarbage("count") -- other options do not stop tasks
print("count done")
Task.Create(loop) -- never started
collectgarbage() -- stops it, not the one started above, which has not run yet
print("collected while loading")
Task.Create(loop):Scope():Start()
Task.Create(function(self)
	self:Wait(Wait.Frame())
	collectgarbage("collect")
	print("collect asked in a task", Sim.Frame())
	self:Wait(Wait.Frame())
end):Scope():Start()
Task.Create(loop):Start() -- holds its self: runs on
Sim.OnFrame(function(f) if f == 4 then Sim.Done() end end)`
	want := "count done\n" +
		"0\tWARN [test] test.lua:4: stopped: handle collected (created at test.lua:8)\n" +
		"finished\t0\ttest.lua:4\tstopped\thandle collected\n" +
		"collected while loading\n" +
		"collect asked in a task\t2\n" +
		"2\tWARN [test] test.lua:4: stopped: handle collected (created at test.lua:5)\n" +
		"finished\t2\ttest.lua:4\tstopped\thandle collected\n" +
		"2\tWARN [test] test.lua:4: stopped: handle collected (created at test.lua:11)\n" +
		"finished\t2\ttest.lua:4\tstopped\thandle collected\n" +
		"2\tWARN [test] test.lua:12: stopped: handle collected (created at test.lua:12)\n" +
		"finished\t2\ttest.lua:12\tstopped\thandle collected\n" +
		"4\tEND\tdone\n"
	checkOutput(t, virtual(t, src), want)
}

// TestStopsOnlyAtCollect: in a --virtual run, Go's collector running on its
// own (here very often) stops no task; collectgarbage does, so every run
// prints the same.
func TestStopsOnlyAtCollect(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	const src = `
blTasks.OnFinished(function(task, how, err) print("finished", Sim.Frame(), how, err) end)
Sim.OnFrame(function(f)
	local junk = {}
	for i = 1, 2000 do junk[i] = {i} end -- garbage, for Go's collector to run
	if f <= 3 then
		blTasks.Task.Create(function(self) while true do self:Wait(blTasks.Wait.Frame()) end end):Scope():Start()
	end
	if f == 20 then collectgarbage() Sim.Done() end
end)`
	want := strings.Repeat("20\tWARN [test] test.lua:7: stopped: handle collected (created at test.lua:7)\n"+
		"finished\t20\tstopped\thandle collected\n", 3) + "20\tEND\tdone\n"
	for range 3 {
		checkOutput(t, virtual(t, src), want)
	}
}
