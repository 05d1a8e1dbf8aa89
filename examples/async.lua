-- Worker functions and joins. blTasks.Async.Define gives the addon a
-- function that runs on a Lua state of its own, a worker (the same sandbox,
-- but none of the addon's globals and no blTasks API), called with copies
-- of its arguments and giving copies of its results; blTasks.Task.Join
-- waits for several tasks at once.
--
--   go run ./cmd/demo run --virtual --budget 10ms --frame-time 16ms examples/async.lua
--
-- Outside any task (here the main chunk and a Sim.OnFrame hook),
-- Async.Call runs the function at once on the calling goroutine, blocking
-- the frame, as LÖVR's async functions do outside a task. Inside a task it
-- parks the task until a worker goroutine has run it; this example does not
-- show that form, since the frame the task resumes in depends on how fast
-- that goroutine is (until the scheduler's worker pool lands, whose
-- completions arrive at a frame's start). The transcript is
-- examples/async.txt.

local Task, Async = blTasks.Task, blTasks.Async

-- The chunk runs once in each worker state; the function it returns is
-- what Async.Call calls.
Async.Define("stats", [[
	local function sorted(list)
		local copy = {}
		for i, v in ipairs(list) do copy[i] = v end
		table.sort(copy)
		return copy
	end
	return function(prices)
		local s = sorted(prices)
		local sum = 0
		for _, p in ipairs(s) do sum = sum + p end
		return {min = s[1], max = s[#s], median = s[math.ceil(#s / 2)], mean = sum / #s}
	end
]])

local prices = {}
for i = 1, 101 do prices[i] = (i * 37) % 101 + 1 end
local st = Async.Call("stats", prices)
print(string.format("load: min %d, median %d, max %d, mean %.1f", st.min, st.median, st.max, st.mean))

-- Only plain values cross: a function is refused, naming where it is.
local ok, err = pcall(Async.Call, "stats", {1, 2, {on = print}})
print("refused: " .. Sim.Msg(err))

-- A worker's error comes back with the worker's traceback after its first
-- line.
Async.Define("parse", [[return function(line)
	local name, price = line:match("^(%w+)=(%d+)$")
	if not name then error("bad line: " .. line, 0) end
	print("parsed " .. name) -- printed as the addon's, when the results arrive
	return name, tonumber(price)
end]])
Sim.OnFrame(function(frame)
	if frame == 2 then
		print("frame 2:", Async.Call("parse", "sword=120"))
		local ok, err = pcall(Async.Call, "parse", "shield")
		print((Sim.Msg(err):gsub("\n.*", "")))
	end
end)

-- Task.Join: three scanners, spread over frames, waited for at once. It
-- gives the first result of each task but the last, and all of the last's.
local function scanner(from, to)
	return Task.Create(function(self)
		local found = 0
		for i = from, to do
			if prices[(i % #prices) + 1] > 90 then found = found + 1 end
			if i % 50 == 0 then
				Sim.Work(0.002)
				self:Breath()
			end
		end
		return found, from .. "-" .. to
	end)
end
Task.Create(function(self)
	local a, b, c, range = Task.Join(scanner(1, 300), scanner(301, 600), scanner(601, 900))
	print(string.format("frame %d: joined %d %d %d (the last scanned %s)", Sim.Frame(), a, b, c, range))
	Sim.Done()
end):Start()
