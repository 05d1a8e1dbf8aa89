-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Parent/child: set when a task is started, from the running task; a task
-- started outside any task is an orphan. When a task finishes for any
-- reason, its unfinished children are stopped ("parent finished"),
-- recursively, in a deterministic order. Abandon orphans a task and
-- exempts it; it runs until it finishes or is stopped by hand.
local Task, Wait = blTasks.Task, blTasks.Wait

local function say(fmt, ...) print(string.format("f%d " .. fmt, Sim.Frame(), ...)) end
local function name(t) return t and t:Name() or "nil" end

blTasks.OnFinished(function(task, how, err)
	say("  finished: %s %s%s", task:Name(), how, err and (" (" .. Sim.Msg(err) .. ")") or "")
end)

-- Each task function sits on a line of its own: tasks are named after it.
local function forever(self) while true do self:Wait(Wait.Frame()) end end
local grandchild = function(self) forever(self) end
local c2body = function(self) forever(self) end
local c3body = function(self) forever(self) end
local orphanbody = function(self) forever(self) end
local failchild = function(self) forever(self) end
local longbody = function(self) forever(self) end

local root, created, abandoned
root = Task.Create(function(self)
	-- created here, started here: a child of root
	local c1 = Task.Create(function(c)
		local g = Task.Create(grandchild):Start() -- child of c1
		c:Wait(Wait.Frames(100))
	end):Start()
	local c2 = Task.Create(c2body):Start()
	local c3 = Task.Create(c3body):Start()
	abandoned = Task.Create(function(a)
		for i = 1, 4 do a:Wait(Wait.Frame()) end
		say("abandoned child ran to its end")
	end):Start()
	abandoned:Abandon()
	created = Task.Create(orphanbody)
	self:Wait(Wait.Frame())
	local kids = {}
	for _, k in ipairs(self:Children()) do kids[#kids + 1] = name(k) end
	say("root's children: %s", table.concat(kids, ", "))
	say("c1's children: %d; parent of c1's child: %s", #c1:Children(), name(c1:Children()[1]:Parent()))
	say("abandoned: parent %s", name(abandoned:Parent()))
	self:Wait(Wait.Frame())
	say("root returns")
	return "root"
end)
say("root's parent before start: %s", name(root:Parent()))
root:Start()
say("root's parent (started outside): %s", name(root:Parent()))

-- A parent stopped by hand stops its children too; an error does the same.
local failing = Task.Create(function(self)
	Task.Create(failchild):Start()
	self:Wait(Wait.Frame())
	error("parent failed")
end):Start()

Sim.OnFrame(function(frame)
	if frame == 2 then
		created:Start()
		say("created started outside: parent %s", name(created:Parent()))
	elseif frame == 5 then
		say("abandoned: %s", abandoned:Status())
		local long = Task.Create(longbody):Start():Abandon()
		long:Stop("stopped by hand")
		say("abandoned task stopped by hand: %s, %s", long:Status(), long:Error())
	elseif frame == 7 then
		say("created: %s (an orphan, not stopped with root)", created:Status())
		created:Stop()
		Sim.Done()
	end
end)
