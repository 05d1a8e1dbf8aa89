-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Handles and collection. A task has one handle: the value Create returned,
-- its function's self, Task.Current() and the task the finished event
-- carries are the same userdata (rawequal; it works as a table key). A
-- started task whose function holds its self runs until it ends, held
-- elsewhere or not, as in blTasks. collectgarbage("collect") stops
-- ("handle collected", with a WARN line naming where the task was created)
-- a task that nothing holds: one never started, one whose function holds no
-- handle of itself, one made with Scope once no code but its own holds it;
-- never an abandoned one, nor one whose handle sits in a table.
local Task, Wait = blTasks.Task, blTasks.Wait

local lastRan = {}
blTasks.OnFinished(function(task, how, err)
	print(string.format("f%d finished: %s %s%s", Sim.Frame(), task:Name(), how, err and (" (" .. Sim.Msg(err) .. ")") or ""))
end)

local function looper(name)
	return function(self)
		while true do
			lastRan[name] = Sim.Frame()
			self:Wait(Wait.Frame())
		end
	end
end
-- One function per line: tasks are named after their function's line.
local pending = function(self) looper("pending")(self) end
local holdsSelf = function(self) looper("holds self")(self) end
local selfless = function() blocker:Result() end
local scoped = function(self) looper("scoped")(self) end
local abandoned = function(self) looper("abandoned")(self) end
local inTable = function(self) looper("in table")(self) end
print("lines: pending 27, holds self 28, selfless 29, scoped 30, abandoned 31, in table 32")

-- One handle: Create's value, self, Current() and the finished event's task.
local h
h = Task.Create(function(self)
	print("f" .. Sim.Frame() .. " self is Create's value: " .. tostring(rawequal(self, h))
		.. ", Current() too: " .. tostring(rawequal(Task.Current(), h)))
	self:Wait(Wait.Frame())
end)
local names = {[h] = "identity"}
blTasks.OnFinished(function(task) if names[task] then print("f" .. Sim.Frame() .. " finished: " .. names[task]) end end)
h:Start()

blocker = Task.Create(looper("blocker")):Start()
Task.Create(pending)                        -- never started
Task.Create(holdsSelf):Start()              -- handle dropped: it runs on
Task.Create(selfless):Start()               -- holds no handle of itself
Task.Create(scoped):Scope():Start()         -- its view of itself does not count
Task.Create(abandoned):Scope():Start():Abandon()
local store = {tasks = {Task.Create(inTable):Scope():Start()}}

Sim.OnFrame(function(frame)
	if frame == 3 then
		print("f3 collectgarbage")
		collectgarbage("collect")
	elseif frame == 5 then
		print("f5 dropping the table's reference; collectgarbage")
		store.tasks[1] = nil
		collectgarbage("collect")
	elseif frame == 7 then
		print(string.format("f7 last ran: holds self f%d, scoped f%d, abandoned f%d, in table f%d",
			lastRan["holds self"], lastRan.scoped, lastRan.abandoned, lastRan["in table"]))
		blocker:Stop("done")
		Sim.Done()
	end
end)
