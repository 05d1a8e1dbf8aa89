-- flags: --budget 10ms --frame-time 16ms --warn-after 20ms --idle-frames 5
-- The watchdog's performance warning: a slice that runs past the warn
-- threshold (--warn-after) without breathing is reported for its owner,
-- with the Lua stack of the Breath or Wait that ended it (through nested
-- functions, and from inside a coroutine). The task goes on; the third such
-- slice throttles the addon (escalation). Slices under the threshold: nothing.
local Task, Wait = blTasks.Task, blTasks.Wait

local function parse(self, n)
	Sim.Work(0.025) -- one chunk of 25ms: past the threshold
	self:Breath()
	return n
end

local function load(self)
	for i = 1, 2 do parse(self, i) end
end

Task.Create(function(self)
	load(self)
	print(string.format("f%d loader: done", Sim.Frame()))
end):Start()

Task.Create(function(self)
	for i = 1, 3 do
		Sim.Work(0.005) -- well under the threshold
		self:Wait(Wait.Frame())
	end
	local co = coroutine.wrap(function()
		Sim.Work(0.03)
		self:BreathLong() -- parks the task from inside a coroutine
	end)
	co()
	print(string.format("f%d polite: done", Sim.Frame()))
end):Start()
