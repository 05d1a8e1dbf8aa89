package runner

import "testing"

func TestRiftOnlyWithPreset(t *testing.T) {
	const src = `
print(Inspect, Command, Event, Sim.SetWatchdog, Sim.SetQueue, Sim.SetInteraction)
print(select(2, pcall(function() return blTasks.Wait.Interaction end)))
Sim.Done()`
	checkOutput(t, virtual(t, src), "nil\tnil\tnil\tnil\tnil\tnil\n"+
		"test.lua:3: Wait.Interaction: no such condition\n0\tEND\tdone\n")
}

func TestRiftInspect(t *testing.T) {
	const src = `
print(Inspect.Addon.Current(), Inspect.Time.Real(), Inspect.Time.Frame(), Inspect.System.Watchdog())
Sim.OnFrame(function(f)
	Sim.Work(0.03)
	print(f, Inspect.Time.Real(), Inspect.Time.Frame(), Inspect.System.Watchdog())
	if f == 2 then Sim.SetWatchdog(0.2) end
	if f == 3 then Sim.Done() end
end)
local function keys(t)
	local ks = {}
	for k, v in pairs(t) do ks[#ks + 1] = k .. "=" .. tostring(v) end
	table.sort(ks)
	return table.concat(ks, " ")
end
print(keys(Inspect.Interaction()), Inspect.Interaction("trade"))
print(keys(Inspect.Queue.Status()), Inspect.Queue.Status("chat"), Inspect.Queue.Status("global", 2))
Sim.SetInteraction("mail", true)
Sim.SetQueue("global", 3)
Sim.SetQueue("chat", 0)
print(Inspect.Interaction("mail"), Inspect.Queue.Status("global", 3), Inspect.Queue.Status("global", 4))
print(keys(Inspect.Queue.Status()))
print(keys(Inspect.Unit.Detail("player")), Inspect.Unit.Detail("target"))
for _, f in ipairs({
	function() Inspect.Interaction("dungeon") end,
	function() Inspect.Queue.Status("raid") end,
	function() Inspect.Queue.Status("global", 0) end,
	function() Sim.SetQueue("global", -1) end,
	function() Sim.SetQueue("global", 1.5) end,
	function() Sim.SetInteraction("dungeon", true) end,
	function() Sim.SetWatchdog(-1) end,
	function() Sim.SetWatchdog("x") end,
	function() Inspect.Unit.Detail() end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end`
	want := "Scenario\t0\t0\t100\n" +
		"auction=false bank=false guildbank=false mail=false trade=false\tfalse\n" +
		"auctionfullscan=true chat=true global=true\ttrue\tfalse\n" +
		"true\ttrue\tfalse\n" +
		"auctionfullscan=true chat=false global=true\n" +
		"name=Tester\tnil\n" +
		`<pos>: Inspect.Interaction: no such interaction "dungeon"` + "\n" +
		`<pos>: Inspect.Queue.Status: no such queue "raid"` + "\n" +
		"<pos>: Inspect.Queue.Status: bad argument #2 (a whole number, 1 or more, expected)\n" +
		"<pos>: Sim.SetQueue: bad argument #2 (a whole number, 0 or more, expected)\n" +
		"<pos>: Sim.SetQueue: bad argument #2 (a whole number, 0 or more, expected)\n" +
		`<pos>: Sim.SetInteraction: no such interaction "dungeon"` + "\n" +
		"<pos>: Sim.SetWatchdog: bad argument #1 (seconds, 0 or more, expected)\n" +
		"<pos>: Sim.SetWatchdog: bad argument #1 (number expected, got string)\n" +
		"<pos>: Inspect.Unit.Detail: bad argument #1 (string expected, got no value)\n" +
		"1\t0.03\t1\t100\n" +
		"2\t0.13\t2\t100\n" +
		"3\t0.23\t3\t0.2\n" +
		"3\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

// TestRiftWatchdog: Inspect.System.Watchdog() is what Sim.SetWatchdog set
// until it is set again, however long the frame runs; tasks run only in a
// frame where it is above 0.05.
func TestRiftWatchdog(t *testing.T) {
	const src = `
blTasks.Task.Create(function(self)
	while true do
		print("task runs in frame", Sim.Frame(), Inspect.System.Watchdog())
		self:Wait(blTasks.Wait.Frame())
	end
end):Start()
Sim.OnFrame(function(f)
	if f == 2 then Sim.SetWatchdog(0.049) end
	if f == 4 then Sim.SetWatchdog(0.05) end
	if f == 5 then Sim.SetWatchdog(0.0501) end
	if f == 6 then Sim.SetWatchdog(0.06); Sim.Work(0.05) end -- does not fall
	if f == 7 then Sim.SetWatchdog(nil) end
	if f == 8 then Sim.SetWatchdog(0) end
	if f == 9 then Sim.Done() end
end)`
	want := "task runs in frame\t1\t100\n" +
		"task runs in frame\t5\t0.0501\n" +
		"task runs in frame\t6\t0.06\n" +
		"task runs in frame\t7\t100\n" +
		"9\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

// TestRiftWatchdogSetByTask: a task that sets the watchdog to 0.05 or below
// ends the frame: no other task runs in it.
func TestRiftWatchdogSetByTask(t *testing.T) {
	const src = `
for i = 1, 3 do
	blTasks.Task.Create(function(self)
		while true do
			print("task", i, "runs in frame", Sim.Frame())
			if i == 2 and Sim.Frame() == 2 then Sim.SetWatchdog(0.05) end
			self:Wait(blTasks.Wait.Frame())
		end
	end):Start()
end
Sim.OnFrame(function(f)
	if f == 3 then print("frame 3: no task runs") end
	if f == 4 then Sim.SetWatchdog(nil) Sim.Done() end
end)`
	want := "task\t1\truns in frame\t1\ntask\t2\truns in frame\t1\ntask\t3\truns in frame\t1\n" +
		"task\t1\truns in frame\t2\ntask\t2\truns in frame\t2\n" + // task 3 does not run: the frame ended
		"frame 3: no task runs\n" +
		"task\t3\truns in frame\t4\n" + // first: not reached in its frame
		"task\t1\truns in frame\t4\ntask\t2\truns in frame\t4\n" +
		"4\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

// TestRiftConditions: Wait.Interaction and Wait.Queue are level
// conditions, met while the game state says so.
func TestRiftConditions(t *testing.T) {
	const src = `
local Task, Wait = blTasks.Task, blTasks.Wait
Task.Create(function(self)
	for i = 1, 2 do
		self:Wait(Wait.Interaction("bank"))
		print("bank open in frame", Sim.Frame())
		self:Wait(Wait.Frame())
	end
end):Start()
local queued = Task.Create(function(self)
	self:Wait(Wait.Queue("auctionfullscan", 2) + Wait.Queue("global"))
	print("a queue has room in frame", Sim.Frame())
end):Start()
local game = {
	[1] = function() Sim.SetQueue("global", 0) end,
	[2] = function() Sim.SetInteraction("bank", true); Sim.SetQueue("auctionfullscan", 1) end,
	[3] = function() Sim.SetInteraction("bank", false) end,
	[4] = function() print(queued:Why()) end,
	[5] = function() Sim.SetInteraction("bank", true); Sim.SetQueue("auctionfullscan", 2) end,
	[6] = Sim.Done,
}
Sim.OnFrame(function(f) game[f]() end)
for _, f in ipairs({
	function() Wait.Interaction("dungeon") end,
	function() Wait.Interaction() end,
	function() Wait.Queue("raid") end,
	function() Wait.Queue("global", 0) end,
	function() Wait.Queue("global", "big") end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end`
	want := `<pos>: Wait.Interaction: no such interaction "dungeon"` + "\n" +
		"<pos>: Wait.Interaction: bad argument #1 (string expected, got no value)\n" +
		`<pos>: Wait.Queue: no such queue "raid"` + "\n" +
		"<pos>: Wait.Queue: bad argument #2 (a whole number, 1 or more, expected)\n" +
		"<pos>: Wait.Queue: bad argument #2 (number expected, got string)\n" +
		"bank open in frame\t2\n" +
		`Or(Predicate "Queue auctionfullscan 2" [false], Predicate "Queue global 1" [false])` + "\n" +
		"a queue has room in frame\t5\n" +
		"bank open in frame\t5\n" +
		"6\tEND\tdone\n"
	checkOutput(t, virtual(t, src, "--host", "rift"), want)
}

func TestRiftEvents(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--host", "rift"},
		"A.lua", `
local finished = Event.blTasks.Task.Finished
local function log(label)
	return function(h, task) print(Inspect.Addon.Current(), label, h == finished, task:Name(), task:Status()) end
end
Command.Event.Attach(finished, log("low"), "low", -1)
Command.Event.Attach(finished, log("plain"), "plain")
Command.Event.Attach(finished, log("high"), "high", 5)
Command.Event.Attach(finished, function() error("handler fails") end, "failing")
Command.Event.Attach(finished, log("plain again"), "plain")
Sim.OnFrame(function(f)
	if f == 2 then
		Command.Event.Detach(finished, nil, "plain")   -- the first match only
		Command.Event.Detach(finished, nil, "failing", nil, "B") -- not B's
	elseif f == 3 then
		Command.Event.Detach(nil, nil, "failing")
		Command.Event.Detach(finished, nil, nil, 5)
	end
end)
for _, f in ipairs({
	function() Command.Event.Attach(nil, print, "x") end,
	function() Command.Event.Attach({}, print, "x") end,
	function() Command.Event.Attach(finished, nil, "x") end,
	function() Command.Event.Attach(finished, print) end,
}) do
	print(Sim.Msg(select(2, pcall(f))))
end`,
		"B.lua", `
local Task, Wait = blTasks.Task, blTasks.Wait
for i = 1, 3 do
	Task.Create(function(self) self:Wait(Wait.Frames(i - 1)) end):Start() -- finishes in frame i
end
Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`)
	want := "<pos>: Command.Event.Attach: bad argument #1 (event expected, got nil)\n" +
		"<pos>: Command.Event.Attach: bad argument #1 (not an event of this host)\n" +
		"<pos>: Command.Event.Attach: bad argument #2 (function expected, got nil)\n" +
		"<pos>: Command.Event.Attach: bad argument #3 (string expected, got no value)\n" +
		"A\thigh\ttrue\tB.lua:4\tfinished\n" +
		"A\tplain\ttrue\tB.lua:4\tfinished\n" +
		"1\tERROR [A] <pos>: handler fails\n" +
		"A\tplain again\ttrue\tB.lua:4\tfinished\n" +
		"A\tlow\ttrue\tB.lua:4\tfinished\n" +
		"A\thigh\ttrue\tB.lua:4\tfinished\n" +
		"2\tERROR [A] <pos>: handler fails\n" +
		"A\tplain again\ttrue\tB.lua:4\tfinished\n" +
		"A\tlow\ttrue\tB.lua:4\tfinished\n" +
		"A\tplain again\ttrue\tB.lua:4\tfinished\n" +
		"A\tlow\ttrue\tB.lua:4\tfinished\n" +
		"3\tEND\tdone\n"
	checkOutput(t, errorHeads(res.stdout), want)
}

// The RIFT preset lets an addon create tasks in another addon's name and
// control them, as RIFT did; the task's code sees that addon as current.
func TestRiftImpersonation(t *testing.T) {
	const src = `
local h = blTasks.Task.Create(function(self)
	print(Inspect.Addon.Current(), self:Owner())
	self:Wait(blTasks.Wait.Frames(10))
end, "Other"):Start()
Sim.OnFrame(function(f)
	if f == 2 then h:Stop("by Scenario") print(h:Status(), h:Error()) Sim.Done() end
end)`
	checkOutput(t, virtual(t, src, "--host", "rift"), "Other\tOther\nfinished\tby Scenario\n2\tEND\tdone\n")
}
