-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Every wait condition: Frame, Frames(n), Timespan, Timestamp, Task,
-- Children, And/Or (also as * and +), Signal, Predicate, Start(cond), and
-- Why explaining what a waiting task waits for. Frames are 16 ms apart.
local Task, Wait = blTasks.Task, blTasks.Wait

local function say(fmt, ...) print(string.format("f%d %6.3fs " .. fmt, Sim.Frame(), Sim.Now(), ...)) end

local sig = blTasks.Signal("door")
local gate = false
local waiters = {}

local function waiter(name, make)
	local t = Task.Create(function(self)
		local c = make(self)
		say("%-22s waits for %s", name, tostring(c))
		self:Wait(c)
		say("%-22s woke", name)
	end)
	waiters[#waiters + 1] = {name, t}
	return t:Start()
end

local slow = Task.Create(function(self) self:Wait(Wait.Frames(5)); return "slow" end):Start()

waiter("Frame", function() return Wait.Frame() end)
waiter("Frames(3)", function() return Wait.Frames(3) end)
waiter("Frames(0)", function() return Wait.Frames(0) end)
waiter("Timespan(0.05)", function() return Wait.Timespan(0.05) end)
waiter("Timestamp(now+0.1)", function() return Wait.Timestamp(Sim.Now() + 0.1) end)
waiter("Task(slow)", function() return Wait.Task(slow) end)
print(string.format("f%d Task(nil) is an error: %s", Sim.Frame(), Sim.Msg(select(2, pcall(Wait.Task, nil)))))
waiter("Children", function(self)
	Task.Create(function(c) c:Wait(Wait.Frames(2)) end):Start()
	Task.Create(function(c) c:Wait(Wait.Frames(4)) end):Start()
	return Wait.Children()
end)
waiter("Children (none)", function() return Wait.Children() end)
waiter("Signal", function() return Wait.Signal(sig) end)
waiter("sig:Cond()", function() return sig:Cond() end)
waiter("Predicate", function() return Wait.Predicate(function() return gate end, "gate") end)
waiter("Or: Frames(8)+Signal", function() return Wait.Frames(8) + Wait.Signal(sig) end)
waiter("And: Frames(2)*Task", function() return Wait.Frames(2) * Wait.Task(slow) end)
waiter("Wait.Or(3 kinds)", function() return Wait.Or(Wait.Frames(9), Wait.Timespan(10), Wait.Task(slow)) end)
waiter("Wait.And(nested)", function()
	return Wait.And(Wait.Frames(1), Wait.Or(Wait.Signal(sig), Wait.Predicate(function() return gate end, "gate2")))
end)

-- A task started with an initial condition does not run before it is met.
local late = Task.Create(function(self) say("started with Frames(2): first line runs") end)
late:Start(Wait.Frames(2))
say("late started with a condition: %s", late:Status())

Sim.OnFrame(function(frame)
	if frame == 3 then
		for _, w in ipairs(waiters) do
			if not w[2]:Finished() then print(string.format("   Why %-22s %s", w[1], tostring(w[2]:Why()))) end
		end
	elseif frame == 6 then
		say("firing the signal")
		sig:Fire()
	elseif frame == 8 then
		say("opening the gate")
		gate = true
	elseif frame == 10 then
		local left = 0
		for _, w in ipairs(waiters) do if not w[2]:Finished() then left = left + 1 end end
		say("waiters left: %d", left)
		Sim.Done()
	end
end)
