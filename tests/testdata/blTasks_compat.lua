-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Behaviours addon code written for blTasks relies on (issue 10):
-- coroutine.yield at a task's own level, Wait from outside the task,
-- Abandon's errors, Stop reasons of any type, error values kept as they
-- are (blTasks' own reasons verbatim), Wait.Task(nil), and typos in method
-- names. Each part prints its lines with a tag.
local Task, Wait = blTasks.Task, blTasks.Wait

local function say(tag, fmt, ...) print(string.format("f%d %-7s " .. fmt, Sim.Frame(), tag, ...)) end
local function all(...) -- every value, through tostring
	local out = {}
	for i = 1, select("#", ...) do out[i] = tostring((select(i, ...))) end
	return table.concat(out, " ")
end
local function try(f, ...)
	local ok, err = pcall(f, ...)
	if ok then return "ok" end
	return Sim.Msg(tostring(err))
end

-- yield: coroutine.yield() in the task's own body gives the rest of the
-- turn to the other tasks; the task comes back later in the frame while
-- the budget allows, else in the next frame. Inside a coroutine the task
-- made, yield keeps its meaning.
-- (yielderThread is a global: in gopher-lua an error caught by pcall
-- detaches the upvalues of the function that called pcall, yuin/gopher-lua#448.)
local yielder = Task.Create(function(self)
	local co = coroutine.running()
	yielderThread = co
	say("yield", "running: %s, status %s, resume it: %s", type(co), coroutine.status(co), all(coroutine.resume(co)))
	for i = 1, 3 do
		Sim.Work(0.002)
		say("yield", "yielder %d at %d ms, yields", i, Sim.Ms())
		local n = select("#", coroutine.yield("ignored", i))
		say("yield", "yielder back at %d ms, yield returned %d values", Sim.Ms(), n)
	end
	Sim.Work(0.004)
	local ok = pcall(coroutine.yield) -- inside pcall too
	say("yield", "yielder after a yield in pcall: %s", tostring(ok))
	local inner = coroutine.create(function(a)
		say("yield", "inner status of the task's thread: %s", coroutine.status(co))
		local b = coroutine.yield(a + 1)
		return b * 2
	end)
	local _, x = coroutine.resume(inner, 1)
	local _, y = coroutine.resume(inner, 10)
	say("yield", "inner coroutine: %d %d %s", x, y, coroutine.status(inner))
	return "yielder done"
end):Start()
Task.Create(function(self)
	for i = 1, 3 do
		Sim.Work(0.002)
		say("yield", "other %d at %d ms", i, Sim.Ms())
		self:BreathShort()
	end
end):Start()
say("yield", "in the main chunk: %s", try(coroutine.yield))

-- Wait from outside: the task waits from its next turn, and then goes on
-- where it was. The main chunk tells worker, which has not run yet, to
-- wait three frames; then boss, another task, tells it to wait two more
-- frames while it waits for its own Wait.Frame().
local worker = Task.Create(function(self)
	for i = 1, 4 do
		say("wait", "worker step %d", i)
		self:Wait(Wait.Frame())
	end
	return "worker done"
end):Start()
local pendingOne = Task.Create(function() end)
local boss = Task.Create(function(self)
	self:Wait(Wait.Frames(2))
	worker:Wait(Wait.Frames(2)) -- another task of the same addon
	say("wait", "boss told worker to wait: worker is %s", worker:Status())
end):Start()

-- Abandon.
local abandoned = Task.Create(function(self) self:Wait(Wait.Frames(3)) end):Start()
abandoned:Abandon()
say("abandon", "Suspend: %s", try(abandoned.Suspend, abandoned))
say("abandon", "Abandon again: %s", try(abandoned.Abandon, abandoned))
say("abandon", "still %s", abandoned:Status())

-- Stop reasons of every type, and the error values Result, Error and
-- OnFinished give.
local errTable = {code = 7}
local events = {} -- by task ID
blTasks.OnFinished(function(task, how, err)
	events[task:ID()] = err
end)
local function sleeper() return Task.Create(function(self) self:Wait(Wait.Frames(100)) end):Start() end
local badString = setmetatable({}, {__tostring = function() error("tostring fails") end})
local stops = {
	{"no reason", nil}, {"string", "by hand"}, {"number", 12}, {"table", {}}, {"boolean", true},
	{"function", print}, {"bad __tostring", badString}, {"empty string", ""},
}
for _, s in ipairs(stops) do
	local t = sleeper()
	local stopped = try(t.Stop, t, s[2])
	local ok, err = pcall(t.Result, t)
	say("stop", "%-15s Stop: %s; Result raises %s %q, Error() same: %s, event same: %s", s[1], stopped, type(err), tostring(err),
		tostring(rawequal(t:Error(), err)), tostring(rawequal(events[t:ID()], err)))
end
local parent = Task.Create(function(self)
	child = Task.Create(function(c) c:Wait(Wait.Frames(100)) end):Start()
	return "parent done"
end):Start()
local failsTable = Task.Create(function() error(errTable) end):Start()
local failsString = Task.Create(function() error("plain", 0) end):Start()
local unfinished = sleeper()
local ok, err = pcall(unfinished.Result, unfinished)
say("result", "outside, unfinished: %q, equal: %s", err, tostring(err == "The task hasn't finished yet."))

-- Wait.Task(nil) is an error: it hides typos such as Wait.Task(lodaer).
say("task", "Wait.Task(nil): %s", try(Wait.Task, nil))
say("task", "Wait.Task(): %s", try(Wait.Task))

-- Typos in method names.
local h = Task.Create(function() end)
say("typo", "%s", try(function() h:Breathe() end))
say("typo", "%s", try(function() h:stop() end))
say("typo", "%s", try(function() h:Frobnicate() end))
say("typo", "%s", try(function() return h[1] end))
say("typo", "%s", try(function() return Wait.Frame():Wait() end))
say("typo", "%s", try(function() blTasks.Signal("s"):Fier() end))

Sim.OnFrame(function(frame)
	if frame == 1 then
		worker:Wait(Wait.Frames(3))
		say("wait", "main told worker to wait: %s; pending: %s", worker:Status(), try(pendingOne.Wait, pendingOne, Wait.Frame()))
		cycleB = Task.Create(function(self) self:Wait(Wait.Frames(100)) end)
		cycleA = Task.Create(function(self) self:Wait(Wait.Task(cycleB)) end):Start()
		cycleB:Start()
	elseif frame == 2 then
		-- a deadlock closed from outside is refused: cycleA waits for cycleB
		say("wait", "cycle: %s; cycleB %s", try(cycleB.Wait, cycleB, Wait.Task(cycleA)), cycleB:Why())
		say("wait", "own task: %s", try(cycleB.Wait, cycleB, Wait.Task(cycleB)))
		say("yield", "main: status of yielder's thread %s, resume it: %s", coroutine.status(yielderThread),
			all(coroutine.resume(yielderThread)))
		say("result", "child: %q, equal: %s", child:Error(), tostring(child:Error() == "Parent finished."))
		local _, e = pcall(failsTable.Result, failsTable)
		say("result", "table error kept: %s, Error() %s, event %s", tostring(rawequal(e, errTable)),
			tostring(rawequal(failsTable:Error(), errTable)), tostring(rawequal(events[failsTable:ID()], errTable)))
		_, e = pcall(failsString.Result, failsString)
		say("result", "string error: %q", e)
		local stopped = sleeper()
		stopped:Stop()
		_, e = pcall(stopped.Result, stopped)
		say("result", "Stop(): %s", tostring(e == "Task stopped."))
	elseif frame == 9 then
		say("wait", "worker: %s; yielder %s, its thread %s, resume it: %s", worker:Status(), yielder:Result(), coroutine.status(yielderThread),
			all(coroutine.resume(yielderThread)))
		Sim.Done()
	end
end)
