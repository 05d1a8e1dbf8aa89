-- flags: --budget 10ms --frame-time 16ms --idle-frames 60 --seed 7
-- Determinism: math.random from the seeded source, os.time and os.clock
-- from the scheduler's clock, pairs order, and many tasks doing random
-- amounts of work with Breath. The suite runs every script twice and
-- requires the same transcript; this one stresses it.
local Task, Wait = blTasks.Task, blTasks.Wait

print(string.format("f%d os.time %s, os.clock %.3f, random %d %d %d", Sim.Frame(), tostring(os.time()), os.clock(),
	math.random(1000), math.random(1000), math.random(1000)))
local t = {}
for i = 1, 8 do t["k" .. math.random(100)] = i end
local keys = {}
for k, v in pairs(t) do keys[#keys + 1] = k .. "=" .. v end
print("pairs order: " .. table.concat(keys, " "))

local log = {}
local tasks = {}
for i = 1, 6 do
	tasks[i] = Task.Create(function(self)
		for step = 1, 4 do
			Sim.Work(math.random(1, 4) / 1000)
			log[#log + 1] = string.format("%d.%d@f%d", i, step, Sim.Frame())
			local r = math.random(3)
			if r == 1 then self:BreathShort() elseif r == 2 then self:Breath() else self:BreathLong() end
		end
		return i
	end):Start()
end

Task.Create(function(self)
	self:Wait(Wait.And(Wait.Task(tasks[1]), Wait.Task(tasks[2]), Wait.Task(tasks[3]),
		Wait.Task(tasks[4]), Wait.Task(tasks[5]), Wait.Task(tasks[6])))
	for i = 1, #log, 8 do print(table.concat(log, " ", i, math.min(i + 7, #log))) end
	print(string.format("f%d all done; os.time %s, os.clock %.3f", Sim.Frame(), tostring(os.time()), os.clock()))
	Sim.Done()
end):Start()
