-- What happens to errors and to tasks nobody holds.
--
--   go run ./cmd/demo run --virtual examples/errors.lua
--
-- A task that raises an error finishes with it: the host reports it (the
-- ERROR line, attributed to this addon) and Result() raises it again. A
-- wait that would close a cycle of tasks waiting on each other is refused.
-- A started task runs until it ends; one made with Scope is stopped when
-- the garbage collector finds that no code but its own holds its handle;
-- collectgarbage("collect") makes it happen now (on the runner's virtual
-- clock, before collectgarbage returns). An abandoned task is never
-- stopped that way. The transcript is
-- examples/errors.txt.

local Task, Wait = blTasks.Task, blTasks.Wait

blTasks.OnFinished(function(task, how, err)
	print(string.format("frame %d: %s %s%s", Sim.Frame(), task:Name(), how, err and (": " .. Sim.Msg(err)) or ""))
end)

-- 1. An error inside a task.
local failing = Task.Create(function(self)
	self:Wait(Wait.Frame())
	local inventory = nil
	return inventory.bags -- attempt to index a nil value
end):Start()

Task.Create(function(self)
	local ok, err = pcall(failing.Result, failing) -- waits, then raises the task's error
	print("Result raised: " .. Sim.Msg(err))
end):Start()

-- 2. Two tasks waiting for each other: the second wait is refused.
local a, b
a = Task.Create(function(self) self:Wait(Wait.Task(b)) end)
b = Task.Create(function(self)
	local ok, err = pcall(self.Wait, self, Wait.Task(a))
	print("Wait refused: " .. Sim.Msg(err))
end)
a:Start()
b:Start()

-- 3. Tasks and their handles. A task whose function holds its self runs
-- until it ends whether anyone else holds its handle or not, as in blTasks.
-- A task made with Scope stops ("handle collected", with a WARN line naming
-- where it was created) once no code but its own holds its handle, unless
-- it was abandoned.
local lastRan = {}
local function loop(name)
	return function(self)
		while true do
			lastRan[name] = Sim.Frame()
			self:Wait(Wait.Frame())
		end
	end
end
Task.Create(loop("unheld")):Start() -- the handle is dropped at once: it runs on
Task.Create(loop("scoped")):Scope():Start() -- dropped at once: collected
local kept = Task.Create(loop("kept")):Scope():Start()
Task.Create(loop("abandoned")):Scope():Start():Abandon()

Sim.OnFrame(function(frame)
	if frame == 3 then
		print("collectgarbage")
		collectgarbage("collect")
	elseif frame == 5 then
		kept:Stop("not needed any more")
		print("kept: " .. kept:Status() .. ", " .. kept:Error())
		print(string.format("last ran: unheld in frame %d, scoped in %d, kept in %d, abandoned in %d",
			lastRan.unheld, lastRan.scoped, lastRan.kept, lastRan.abandoned))
		Sim.Done()
	end
end)
