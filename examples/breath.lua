-- A long job spread over frames with Breath.
--
--   go run ./cmd/demo run --virtual --budget 10ms --frame-time 16ms examples/breath.lua
--
-- Each item costs 1.5 ms of simulated work (Sim.Work). After each item the
-- task calls Breath(): it goes on while less than 40% of the frame's budget
-- is used, and parks until the next frame otherwise. BreathShort() would go
-- on while any budget is left, BreathLong() only while less than 20% is
-- used. The transcript is examples/breath.txt.

local Task = blTasks.Task

local items = {}
for i = 1, 20 do
	items[i] = "item" .. i
end

local indexer = Task.Create(function(self)
	local index, frame, first = {}, Sim.Frame(), 1
	for i, name in ipairs(items) do
		Sim.Work(0.0015) -- 1.5 ms of work on this item
		index[name] = i
		local used = Sim.Ms()
		self:Breath() -- go on, or park until the next frame
		if Sim.Frame() ~= frame or i == #items then
			print(string.format("frame %d: items %d-%d, %d of 10 ms used", frame, first, i, used))
			frame, first = Sim.Frame(), i + 1
		end
	end
	return #items, Sim.Frame()
end):Start()

-- Result() inside a task waits for the other task to finish.
Task.Create(function(self)
	local count, frame = indexer:Result()
	print(string.format("indexed %d items by frame %d", count, frame))
	Sim.Done()
end):Start()
