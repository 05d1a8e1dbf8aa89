-- Tasks that wait for each other: a producer starts three workers (its
-- children), waits for all of them with Wait.Children() and collects their
-- results with Result(); a consumer waits for the producer, or for a
-- timeout, whichever comes first (+ combines conditions with Or, * with And).
--
--   go run ./cmd/demo run --virtual --budget 10ms --frame-time 16ms examples/workers.lua
--
-- The transcript is examples/workers.txt.

local Task, Wait = blTasks.Task, blTasks.Wait

local function worker(from, to)
	return Task.Create(function(self)
		local sum = 0
		for i = from, to do
			sum = sum + i
			if i % 100 == 0 then
				Sim.Work(0.001) -- 1 ms per hundred numbers
				self:BreathShort() -- go on while the frame has budget left
			end
		end
		print(string.format("worker %d-%d done in frame %d", from, to, Sim.Frame()))
		return sum
	end)
end

local producer = Task.Create(function(self)
	local workers = {}
	for w = 1, 3 do
		workers[w] = worker((w - 1) * 1000 + 1, w * 1000):Start() -- started inside a task: a child
	end
	print("producer has " .. #self:Children() .. " children")
	self:Wait(Wait.Children())
	local total = 0
	for _, w in ipairs(workers) do
		total = total + w:Result() -- finished: returns at once
	end
	return total
end)

local consumer = Task.Create(function(self)
	self:Wait(Wait.Task(producer) + Wait.Timespan(5))
	print("producer finished: " .. tostring(producer:Finished()) .. ", at " .. Sim.Now() .. " s")
	print("total", producer:Result())
	Sim.Done()
end)

producer:Start()
consumer:Start()

Sim.OnFrame(function(frame)
	if frame == 2 then
		print("consumer waits for: " .. consumer:Why())
	end
end)
