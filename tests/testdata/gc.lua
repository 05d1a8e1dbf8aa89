-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- A task whose every handle was dropped is stopped ("handle collected") by
-- collectgarbage("collect"); an abandoned one is not, nor one whose handle
-- sits in a table. The task's own self argument and Task.Current() do not
-- keep it alive.
local Task, Wait = blTasks.Task, blTasks.Wait

local lastRan = {}
blTasks.OnFinished(function(task, how, err)
	print(string.format("f%d finished: %s %s%s", Sim.Frame(), task:Name(), how, err and (" (" .. Sim.Msg(err) .. ")") or ""))
end)

local function looper(name)
	return function(self)
		local me = Task.Current() -- a reference to itself, held on its own stack
		while true do
			lastRan[name] = Sim.Frame()
			self:Wait(Wait.Frame())
		end
	end
end
-- One function per line: tasks are named after their function's line.
local dropped = function(self) looper("dropped")(self) end
local abandonedBody = function(self) looper("abandoned")(self) end
local inTableBody = function(self) looper("in table")(self) end
local inLocalBody = function(self) looper("in local")(self) end
-- (these four pending handles are dropped too: the first collection stops them)
print(string.format("lines: dropped %s, abandoned %s, in table %s, in local %s",
	Task.Create(dropped):Name(), Task.Create(abandonedBody):Name(), Task.Create(inTableBody):Name(), Task.Create(inLocalBody):Name()))

Task.Create(dropped):Start()                    -- handle dropped at once
Task.Create(abandonedBody):Start():Abandon()    -- abandoned, handle dropped
local store = {tasks = {Task.Create(inTableBody):Start()}}
local kept = Task.Create(inLocalBody):Start()

Sim.OnFrame(function(frame)
	if frame == 3 then
		print("f3 collectgarbage")
		collectgarbage("collect")
	elseif frame == 5 then
		print("f5 dropping the table's reference; collectgarbage")
		store.tasks[1] = nil
		collectgarbage("collect")
	elseif frame == 7 then
		print(string.format("f7 last ran: dropped f%d, abandoned f%d, in table f%d, in local f%d",
			lastRan.dropped, lastRan.abandoned, lastRan["in table"], lastRan["in local"]))
		print("f7 kept: " .. kept:Status())
		kept:Stop("done")
		Sim.Done()
	end
end)
