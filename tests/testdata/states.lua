-- flags: --budget 10ms --frame-time 16ms --idle-frames 5
-- Task states (pending, active, waiting, suspended, finished), chaining,
-- the self argument, Task.Current, and the three ways to finish.
local Task, Wait = blTasks.Task, blTasks.Wait

local function say(fmt, ...) print(string.format("f%d " .. fmt, Sim.Frame(), ...)) end

blTasks.OnFinished(function(task, how, err)
	say("finished event: %s %s%s", task:Name(), how, err and (" (" .. Sim.Msg(err) .. ")") or "")
end)

say("outside a task, Task.Current() is %s", tostring(Task.Current()))

-- Creating never runs code.
local ran = false
local t = Task.Create(function(self, ...)
	ran = true
	say("t runs, self is the handle: %s, Current is self: %s, extra args: %d",
		tostring(self == Task.Current()), tostring(Task.Current() == self), select("#", ...))
	say("t status inside: %s", self:Status())
	self:Wait(Wait.Frame())
	say("t after Wait(Frame)")
	return "r1", 2, true
end)
say("created: status %s, ran %s, finished %s", t:Status(), tostring(ran), tostring(t:Finished()))

-- Start returns the handle: calls chain.
local same = t:Start()
say("Start returned the handle: %s; status %s, ran %s", tostring(same == t), t:Status(), tostring(ran))

-- Suspended is a flag on a waiting task; a wait met while suspended still
-- has to be met on resume (Frames is monotonic: it stays met).
local s = Task.Create(function(self)
	say("s starts, waits Frames(2)")
	self:Wait(Wait.Frames(2))
	say("s woke after Frames(2)")
	return "s done"
end):Start()
-- A predicate that is met while the task is suspended but no longer when
-- it is resumed: the task keeps waiting.
local flag = false
local p = Task.Create(function(self)
	self:Wait(Wait.Predicate(function() return flag end, "flag"))
	say("p woke: flag is %s", tostring(flag))
end):Start()

-- A task that errors, one stopped from outside, one that stops itself.
local e = Task.Create(function(self)
	self:Wait(Wait.Frame())
	error("boom")
end):Start()
local stopped = Task.Create(function(self)
	while true do
		self:Wait(Wait.Frame())
		say("stopped-task ran a line")
	end
end):Start()
local selfstop = Task.Create(function(self)
	say("selfstop stopping itself")
	self:Stop("had enough")
	say("selfstop: THIS LINE MUST NOT RUN")
end):Start()
local defstop = Task.Create(function(self) self:Wait(Wait.Frames(100)) end):Start()

Sim.OnFrame(function(frame)
	say("hook: t %s, s %s, e %s, stopped %s", t:Status(), s:Status(), e:Status(), stopped:Status())
	if frame == 2 then
		local r = s:Suspend()
		p:Suspend()
		say("s suspended (returned handle: %s): status %s, Why: %s", tostring(r == s), s:Status(), tostring(s:Why()))
		flag = true
		say("flag set while p is suspended")
		local r = stopped:Stop("enough of that")
		say("Stop returned the handle: %s; status %s, error %s", tostring(r == stopped), stopped:Status(), stopped:Error())
		defstop:Stop()
		say("default stop reason: %s", defstop:Error())
	elseif frame == 4 then
		flag = false
		say("flag cleared; resuming s and p")
		say("Resume returned the handle: %s", tostring(s:Resume() == s))
		p:Resume()
		say("s status %s, p status %s", s:Status(), p:Status())
	elseif frame == 5 then
		say("p still waiting: %s, Why: %s", p:Status(), tostring(p:Why()))
		flag = true
	elseif frame == 6 then
		say("t results: %s", table.concat({tostring(select(1, t:Result())), tostring(select(2, t:Result())), tostring(select(3, t:Result()))}, ","))
		say("t error: %s", tostring(t:Error()))
		say("e error: %s; e:Result() raises: %s", Sim.Msg(e:Error()), Sim.Msg(select(2, pcall(e.Result, e))))
		say("selfstop: %s, %s", selfstop:Status(), selfstop:Error())
		say("s: %s, result %s", s:Status(), tostring(s:Result()))
		say("tostring(t) = %s", Sim.Msg(tostring(t)))
		Sim.Done()
	end
end)
