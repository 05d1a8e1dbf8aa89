-- flags: --budget 10ms --frame-time 16ms --idle-frames 5
-- also: addons/isolation_peer.lua
-- What one addon's code can do to the running task and to another addon
-- (issue 11). A predicate is the addon's code, not the task's: it cannot
-- park or stop the task, even when it is polled inside the task's slice.
-- An untrusted addon has no getfenv or setfenv, its OnFinished handlers see
-- its own tasks only, and seconds past what a duration holds wait forever.
local Task, Wait = blTasks.Task, blTasks.Wait

local function try(f, ...)
	local ok, err = pcall(f, ...)
	if ok then return "ok" end
	return Sim.Msg(err)
end

print("getfenv", type(getfenv), "setfenv", type(setfenv))

blTasks.OnFinished(function(t, how)
	print(string.format("f%d [isolation] finished: %s (owner %s) %s", Sim.Frame(), t:Name(), t:Owner(), how))
end)

local x = Task.Create(function(self) self:Wait(Wait.Frames(2)) return "x" end):Start()
Task.Create(function(self)
	local polls = 0
	self:Wait(Wait.Predicate(function()
		polls = polls + 1
		if polls == 1 then -- inside the task's slice, as the wait is installed
			print("predicate: Current", Task.Current())
			print("predicate: Result", try(x.Result, x))
			print("predicate: Stop", try(self.Stop, self))
			print("predicate: Suspend", try(self.Suspend, self))
			print("predicate: Breath", try(self.Breath, self))
			print("predicate: Breath in a coroutine", try(coroutine.wrap(function() self:Breath() end)))
		end
		return x:Finished()
	end))
	print(string.format("f%d waiter goes on: %s", Sim.Frame(), x:Result()))
end):Start()

Task.Create(function(self)
	self:Wait(Wait.Timespan(math.huge) + Wait.Timestamp(math.huge) + Wait.Timespan(9.3e9))
	print("not reached: the far future came")
end):Start()

print("math.random(2^63)", try(math.random, 2^63))
print("math.random(-2^62, 2^62)", try(math.random, -2^62, 2^62))
print("math.random(3, 2)", try(math.random, 3, 2))
