-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Result: on a finished task it returns every result or raises the task's
-- error (the same value); inside a task on an unfinished target it starts a
-- pending one, waits for it and returns; outside a task on an unfinished
-- target it is an error. Results stay readable after finishing.
local Task, Wait = blTasks.Task, blTasks.Wait

local function say(fmt, ...) print(string.format("f%d " .. fmt, Sim.Frame(), ...)) end

local multi = Task.Create(function(self) return 1, nil, "three", {n = 4} end):Start()
local errval = 42 -- a non-string error value (a table would print its address in the ERROR line)
local failsNumber = Task.Create(function(self) error(errval) end):Start()
local failsString = Task.Create(function(self) self:Wait(Wait.Frame()); error("late failure") end):Start()
local slow = Task.Create(function(self) self:Wait(Wait.Frames(3)); return "slow done" end):Start()
local pending = Task.Create(function(self)
	say("pending task runs: started by Result")
	self:Wait(Wait.Frame())
	return "was pending"
end)

Task.Create(function(self)
	say("Result of pending: status before %s", pending:Status())
	say("-> %s", pending:Result())
	say("Result of slow (unfinished) -> %s", slow:Result())
	local a, b, c, d = multi:Result()
	say("multi: %d values: %s %s %s n=%d", select("#", multi:Result()), tostring(a), tostring(b), c, d.n)
	local ok, err = pcall(failsNumber.Result, failsNumber)
	say("failsNumber: ok=%s, same error value: %s, type %s", tostring(ok), tostring(err == errval), type(err))
	ok, err = pcall(failsString.Result, failsString)
	say("failsString: ok=%s, %s", tostring(ok), Sim.Msg(err))
	return "driver done"
end):Start()

Sim.OnFrame(function(frame)
	if frame == 1 then
		local ok, err = pcall(slow.Result, slow)
		say("outside, unfinished: %s", Sim.Msg(err))
	elseif frame == 6 then
		say("outside, finished: slow -> %s; again -> %s", slow:Result(), slow:Result())
		say("Error() of failsString: %s; of slow: %s", Sim.Msg(failsString:Error()), tostring(slow:Error()))
		Sim.Done()
	end
end)
