-- flags: --budget 10ms --frame-time 16ms --idle-frames 5
-- Breath levels spread work over frames. Each item costs 1 ms of simulated
-- work; the budget is 10 ms. BreathShort goes on until the whole budget is
-- used, Breath only while less than 40% is used, BreathLong only while
-- less than 20% is used. Then two tasks breathing together take turns
-- round-robin in start order.
local Task, Wait = blTasks.Task, blTasks.Wait

local function job(level, items)
	return function(self)
		local frame, count = Sim.Frame(), 0
		for i = 1, items do
			Sim.Work(0.001)
			count = count + 1
			local used = Sim.Ms()
			self[level](self)
			if Sim.Frame() ~= frame or i == items then
				print(string.format("%-11s frame %d: %d items, %d ms used when it parked", level, frame, count, used))
				frame, count = Sim.Frame(), 0
			end
		end
		return level
	end
end

Task.Create(function(self)
	for _, level in ipairs({"BreathShort", "Breath", "BreathLong"}) do
		local t = Task.Create(job(level, 12))
		self:Wait(Wait.Task(t:Start()))
		self:Wait(Wait.Frame())
	end

	-- Round-robin: A and B each do 3 ms per slice and BreathShort; each gets
	-- a turn before either gets a second one.
	local order = {}
	local function rr(name)
		return function(self)
			for i = 1, 4 do
				Sim.Work(0.003)
				order[#order + 1] = string.format("%s%d@f%d", name, i, Sim.Frame())
				self:BreathShort()
			end
		end
	end
	local a = Task.Create(rr("A")):Start()
	local b = Task.Create(rr("B")):Start()
	self:Wait(Wait.Task(a) * Wait.Task(b))
	print("round-robin: " .. table.concat(order, " "))

	-- A task that never breathes runs its whole loop in one slice, past the
	-- budget; the next frame starts late.
	local hog = Task.Create(function(self)
		for i = 1, 5 do Sim.Work(0.005) end
		print(string.format("hog ran 25 ms in frame %d without breathing", Sim.Frame()))
	end):Start()
	self:Wait(Wait.Task(hog))
	local st = hog:Stats()
	print(string.format("hog stats: %d slice(s), cpu %.3f s, longest %.3f s", st.slices, st.cpu, st.longest))
	Sim.Done()
end):Start()
