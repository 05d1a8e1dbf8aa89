package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// The tests of RIFT_HOST.md's contract, one per part of it.

// TestRiftFrameLoop: a frame runs the hooks, then Event.System.Update.Begin
// (the scheduler's frame first, then the script's handlers in attach
// order, each given the event's table), then Event.System.Update.End; a
// failing handler is an ERROR line of its addon and the others still run.
func TestRiftFrameLoop(t *testing.T) {
	const src = `
local Begin, End = Event.System.Update.Begin, Event.System.Update.End
Command.Event.Attach(End, function(h) print(Sim.Frame(), "End", Inspect.Addon.Current(), h == End) end, "end")
Command.Event.Attach(Begin, function(h) print(Sim.Frame(), "Begin 1", Inspect.Addon.Current(), h == Begin) end, "b1")
Command.Event.Attach(Begin, function() error("begin fails") end, "b2")
Command.Event.Attach(Begin, function() print(Sim.Frame(), "Begin 3", Sim.Ms()) end, "b3")
Sim.OnFrame(function(f)
	print(f, "hook", Inspect.Addon.Current())
	if f == 2 then Sim.Done() end
end)
blTasks.Task.Create(function(self)
	while true do
		Sim.Work(0.002)
		print(Sim.Frame(), "task", Inspect.Addon.Current())
		self:Wait(blTasks.Wait.Frame())
	end
end):Start()`
	frame := func(f int) string {
		return fmt.Sprintf("%[1]d\thook\tScenario\n%[1]d\ttask\tScenario\n%[1]d\tBegin 1\tScenario\ttrue\n"+
			"%[1]d\tERROR [Scenario] <pos>: begin fails\n%[1]d\tBegin 3\t2\n%[1]d\tEnd\tScenario\ttrue\n", f)
	}
	checkOutput(t, errorHeads(virtual(t, src, "--host", "rift")), frame(1)+frame(2)+"2\tEND\tdone\n")
}

// TestRiftDetachScheduler: the scheduler's frame is a handler like any
// other: detached, no task runs.
func TestRiftDetachScheduler(t *testing.T) {
	const src = `
blTasks.Task.Create(function(self)
	while true do print("task", Sim.Frame()); self:Wait(blTasks.Wait.Frame()) end
end):Start()
Sim.OnFrame(function(f)
	if f == 2 then Command.Event.Detach(Event.System.Update.Begin, nil, "blTasks.Update") end
	if f == 4 then Sim.Done() end
end)`
	checkOutput(t, virtual(t, src, "--host", "rift"), "task\t1\n4\tEND\tdone\n")
}

// TestRiftAddonCurrent: Inspect.Addon.Current() is the loading addon, the
// addon given to Utility.Dispatch (also when the dispatched function
// parks its task), the hook's addon, the handler's attaching addon, and
// inside a task its owner, which for a task created in a Dispatch is the
// dispatched addon (blTasks' default owner is Inspect.Addon.Current()).
func TestRiftAddonCurrent(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift"},
		"A.lua", `
print("load", Inspect.Addon.Current())
Utility.Dispatch(function() print("dispatch", Inspect.Addon.Current()) end, "Other", "at load")
print("after dispatch", Inspect.Addon.Current())
local ping = Utility.Event.Create("A", "Ping")
Sim.OnFrame(function(f)
	print(f, "hook", Inspect.Addon.Current())
	if f == 1 then
		Utility.Dispatch(function()
			blTasks.Task.Create(function(self)
				print("task", Inspect.Addon.Current())
				Utility.Dispatch(function()
					print("task dispatch", Inspect.Addon.Current())
					self:Wait(blTasks.Wait.Frame())
					print("task dispatch resumed", Sim.Frame(), Inspect.Addon.Current())
				end, "Other", "in a task")
				print("task after dispatch", Inspect.Addon.Current())
				ping("from the task")
				print("task after ping", Inspect.Addon.Current())
			end):Start()
		end, "Starter", "starts a task")
	end
	if f == 3 then Sim.Done() end
end)`,
		"B.lua", `
Command.Event.Attach(Event.A.Ping, function(h, msg)
	print("B's handler", Inspect.Addon.Current(), msg, h == Event.A.Ping)
end, "ping")
Sim.OnFrame(function(f) print(f, "B hook", Inspect.Addon.Current()) end)`)
	want := "load\tA\ndispatch\tOther\nafter dispatch\tA\n" +
		"1\thook\tA\n1\tB hook\tB\ntask\tStarter\ntask dispatch\tOther\n" + // made in Starter's Dispatch: Starter's task
		"2\thook\tA\n2\tB hook\tB\ntask dispatch resumed\t2\tOther\ntask after dispatch\tStarter\n" +
		"B's handler\tB\tfrom the task\ttrue\ntask after ping\tStarter\n" +
		"3\thook\tA\n3\tB hook\tB\n3\tEND\tdone\n"
	checkOutput(t, res.stdout, want)
}

// TestRiftAddonCurrentIsTaskOwner: inside a task, Inspect.Addon.Current()
// is the task's owner, even when that is not the addon whose Lua state
// asks.
func TestRiftAddonCurrentIsTaskOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.lua")
	if err := os.WriteFile(path, []byte("current = Inspect.Addon.Current"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseFlags([]string{"--virtual", "--host", "rift", path}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r, err := newRun(cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	if !r.load() {
		t.Fatalf("load: %s", out.String())
	}
	L := r.rift.addons[0].State()
	current := func() string {
		if err := L.CallByParam(glua.P{Fn: L.GetGlobal("current"), NRet: 1, Protect: true}); err != nil {
			t.Fatal(err)
		}
		defer L.Pop(1)
		return L.Get(-1).String()
	}
	var got string
	h, err := r.s.Create("Bags", "probe", func(*sched.Self) (any, error) {
		got = current()
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	r.s.RunFrame()
	if got != "Bags" {
		t.Errorf("Inspect.Addon.Current() inside a task of Bags = %q, want Bags", got)
	}
	if got := current(); got != "Scenario" {
		t.Errorf("Inspect.Addon.Current() outside = %q, want Scenario", got)
	}
}

// TestRiftDispatch: Utility.Dispatch runs fn as the addon it names; an
// error is that addon's ERROR line, through Sim.Msg, and is not raised
// again; a task stopped inside it goes no further.
func TestRiftDispatch(t *testing.T) {
	const src = `
Utility.Dispatch(function() error("boom") end, "Other", "failing")
print("goes on")
Utility.Dispatch(function() error({}) end, "Other")
Utility.Dispatch(function()
	error(setmetatable({}, {__tostring = function() return "custom.lua:7: custom 0xbeef" end}))
end, "Third", "x")
for _, f in ipairs({
	function() Utility.Dispatch() end,
	function() Utility.Dispatch(print) end,
	function() Utility.Dispatch(print, "") end,
	function() Utility.Dispatch(print, "A", 3) end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end
local stopped = blTasks.Task.Create(function(self)
	Utility.Dispatch(function() self:Stop("enough") end, "Other")
	print("not reached")
end):Start()
Sim.OnFrame(function(f)
	if f == 2 then print(stopped:Status(), stopped:Error()); Sim.Done() end
end)`
	want := "0\tERROR [Other] <pos>: boom\n" +
		"goes on\n" +
		"0\tERROR [Other] table: <addr>\n" +
		"0\tERROR [Third] <pos>: custom <addr>\n" +
		"<pos>: Utility.Dispatch: bad argument #1 (function expected, got no value)\n" +
		"<pos>: Utility.Dispatch: bad argument #2 (string expected, got no value)\n" +
		"<pos>: Utility.Dispatch: bad argument #2 (an addon's name expected, got an empty string)\n" +
		"<pos>: Utility.Dispatch: bad argument #3 (string expected, got number)\n" +
		"finished\tenough\n" +
		"2\tEND\tdone\n"
	checkOutput(t, errorHeads(virtual(t, src, "--host", "rift")), want)
}

// TestRiftEventCreate: Utility.Event.Create makes Event.<addon>.<name> in
// every addon; its function fires the handlers at once, in attach order
// across addons, each as handler(event, ...) as its addon; a failing
// handler is its addon's ERROR line and the others still run.
func TestRiftEventCreate(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift"},
		"A.lua", `
local fire = Utility.Event.Create("A", "Task.Finished")
print(type(fire), type(Event.A.Task.Finished))
local function log(name)
	return function(h, ...) print(name, Inspect.Addon.Current(), h == Event.A.Task.Finished, ...) end
end
Command.Event.Attach(Event.A.Task.Finished, log("A1"), "a1")
Sim.OnFrame(function(f)
	if f == 1 then
		Command.Event.Attach(Event.A.Task.Finished, log("A3"), "a3")
		fire(1, "two")
		print("fired")
	end
	if f == 2 then Sim.Done() end
end)
for _, f in ipairs({
	function() Utility.Event.Create("A", "Task.Finished") end,
	function() Utility.Event.Create("A", "Task") end,
	function() Utility.Event.Create("System", "Update.Begin") end,
	function() Utility.Event.Create(nil, "x") end,
	function() Utility.Event.Create("A", "") end,
	function() Utility.Event.Create("A", "x..y") end,
	function() Utility.Event.Create("A", 5) end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end`,
		"B.lua", `
Command.Event.Attach(Event.A.Task.Finished, function() error("B fails") end, "b1")
Command.Event.Attach(Event.A.Task.Finished, function(h, ...)
	print("B2", Inspect.Addon.Current(), h == Event.A.Task.Finished, ...)
end, "b2")`)
	want := "function\ttable\n" +
		"<pos>: Utility.Event.Create: Event.A.Task.Finished exists\n" +
		"<pos>: Utility.Event.Create: Event.A.Task.Finished exists\n" +
		"<pos>: Utility.Event.Create: Event.System.Update.Begin exists\n" +
		"<pos>: Utility.Event.Create: bad argument #1 (string expected, got nil)\n" +
		`<pos>: Utility.Event.Create: bad argument #2 (an event's name expected, such as "Task.Finished")` + "\n" +
		`<pos>: Utility.Event.Create: bad argument #2 (an event's name expected, such as "Task.Finished")` + "\n" +
		"<pos>: Utility.Event.Create: bad argument #2 (string expected, got number)\n" +
		"A1\tA\ttrue\t1\ttwo\n" +
		"1\tERROR [B] <pos>: B fails\n" +
		"B2\tB\ttrue\t1\ttwo\n" +
		"A3\tA\ttrue\t1\ttwo\n" +
		"fired\n" +
		"2\tEND\tdone\n"
	checkOutput(t, errorHeads(res.stdout), want)
}

// TestRiftFinishedEvent: Event.blTasks.Task.Finished fires with the
// task's handle, its handlers in attach order across addons.
func TestRiftFinishedEvent(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift"},
		"A.lua", `
local finished = Event.blTasks.Task.Finished
local job = blTasks.Task.Create(function(self) self:Wait(blTasks.Wait.Frames(1)) return 42 end)
Command.Event.Attach(finished, function(h, task)
	print("A1", h == finished, task == job, task:Result())
end, "a1")
Sim.OnFrame(function(f)
	if f == 1 then
		Command.Event.Attach(finished, function(h, task) print("A2", task == job) end, "a2")
		job:Start()
	end
	if f == 3 then Sim.Done() end
end)`,
		"B.lua", `
Command.Event.Attach(Event.blTasks.Task.Finished, function(h, task)
	print("B1", h == Event.blTasks.Task.Finished, task:Owner(), task:Status())
end, "b1")`)
	want := "A1\ttrue\ttrue\t42\nB1\ttrue\tA\tfinished\nA2\ttrue\n3\tEND\tdone\n"
	checkOutput(t, res.stdout, want)
}

// TestRiftDetach: Command.Event.Detach detaches the first attached handler
// that matches, nil matching anything (also the event), owner being the
// attaching addon; a handler detached while the event fires is not called.
func TestRiftDetach(t *testing.T) {
	const src = `
local Begin, End = Event.System.Update.Begin, Event.System.Update.End
local function log(name) return function() print(Sim.Frame(), name) end end
Command.Event.Attach(Begin, log("begin x"), "x")
Command.Event.Attach(End, log("end x"), "x")
Command.Event.Attach(Begin, function()
	if Sim.Frame() == 1 then Command.Event.Detach(End, nil, "y") end
end, "detacher")
Command.Event.Attach(End, log("end y"), "y")
Sim.OnFrame(function(f)
	if f == 2 then Command.Event.Detach(nil, nil, "x") end
	if f == 3 then Command.Event.Detach(nil, nil, "x", nil, "Other") end
	if f == 4 then Command.Event.Detach(nil, nil, "x", nil, "Scenario") end
	if f == 5 then Sim.Done() end
end)
for _, f in ipairs({
	function() Command.Event.Detach(End, 5) end,
	function() Command.Event.Detach(End, nil, {}) end,
	function() Command.Event.Detach(End, nil, nil, "high") end,
	function() Command.Event.Detach(End, nil, nil, nil, 7) end,
	function() Command.Event.Detach({}) end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end`
	want := "<pos>: Command.Event.Detach: bad argument #2 (function expected, got number)\n" +
		"<pos>: Command.Event.Detach: bad argument #3 (string expected, got table)\n" +
		"<pos>: Command.Event.Detach: bad argument #4 (number expected, got string)\n" +
		"<pos>: Command.Event.Detach: bad argument #5 (string expected, got number)\n" +
		"<pos>: Command.Event.Detach: bad argument #1 (not an event of this host)\n" +
		"1\tbegin x\n1\tend x\n" +
		"2\tend x\n" +
		"3\tend x\n" +
		"5\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

// TestRiftErrorLines: with the RIFT preset every ERROR line's message is
// Sim.Msg of the error: a task's, a hook's, a loading script's.
func TestRiftErrorLines(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift"},
		"A.lua", `
local E = setmetatable({}, {__tostring = function() return "E at x.lua:1: 0x1f" end})
blTasks.Task.Create(function() error(E) end):Start()
blTasks.Task.Create(function() error({}) end):Start()
blTasks.Task.Create(function() error("A.lua:9: nested") end):Start()
Sim.OnFrame(function(f)
	if f == 1 then error("hook fails") end
	Sim.Done()
end)`)
	want := "1\tERROR [Scenario] <pos>: hook fails\n" +
		"1\tERROR [Scenario] E at <pos>: <addr>\n" +
		"1\tERROR [Scenario] table: <addr>\n" +
		"1\tERROR [Scenario] <pos>: <pos>: nested\n" +
		"2\tEND\tdone\n"
	checkOutput(t, errorHeads(res.stdout), want)
	res = runScripts(t, []string{"--virtual", "--host", "rift"}, "bad.lua", "error('at load')")
	if want := "0\tERROR [Scenario] <pos>: at load\n"; errorHeads(res.stdout) != want || res.code != exitLoadFailed {
		t.Errorf("load error: exit %d, output %q, want %d and %q", res.code, res.stdout, exitLoadFailed, want)
	}
}

// TestRiftVirtualTime: the clock counts whole microseconds, Sim.Work
// rounds to them, Inspect.Time.Real() is one division, os.time() starts at
// 1700000000 and Wait.Timestamp agrees with it.
func TestRiftVirtualTime(t *testing.T) {
	const src = `
print(os.time(), Inspect.Time.Real(), Sim.Now(), Inspect.Time.Frame())
Sim.Work(1.003969)
print(os.time(), Inspect.Time.Real() == 1003969 / 1e6)
Sim.Work(0.0000015)
print(Inspect.Time.Real() == 1.003971)
Sim.Work(0.0000014)
print(Inspect.Time.Real() == 1.003972, Sim.Now() == 1.003972)
print(os.time({year = 2024, month = 1, day = 2}) - os.time({year = 2024, month = 1, day = 1}))
print(os.time({year = 2024, month = 3, day = 1, hour = 0}))
for _, f in ipairs({
	function() os.time("now") end,
	function() os.time({year = 2024, month = 1}) end,
	function() os.time({year = 2024, month = 1, day = 1.5}) end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end
local due = os.time() + 1
blTasks.Task.Create(function(self)
	self:Wait(blTasks.Wait.Timestamp(due))
	print("due in frame", Sim.Frame(), Inspect.Time.Frame(), os.time(), Inspect.Time.Real() == 2.003972)
	Sim.Done()
end):Start()`
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	want := "1700000000\t0\t0\t0\n" +
		"1700000001\ttrue\n" +
		"true\n" +
		"true\ttrue\n" +
		"86400\n" +
		fmt.Sprint(march) + "\n" +
		"<pos>: os.time: bad argument #1 (table expected, got string)\n" +
		"<pos>: os.time: field 'day' missing in date table\n" +
		"<pos>: os.time: field 'day' is not a whole number\n" +
		"due in frame\t11\t11\t1700000002\ttrue\n" +
		"11\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

// TestVirtualFrameTime: on the virtual clock, which counts microseconds,
// --frame-time is rounded to whole microseconds.
func TestVirtualFrameTime(t *testing.T) {
	const src = `Sim.OnFrame(function(f) print(f, Sim.Now()) if f == 3 then Sim.Done() end end)`
	checkOutput(t, virtual(t, src, "--frame-time", "1500ns"), "1\t0\n2\t2e-06\n3\t4e-06\n3\tEND\tdone\n")
}
