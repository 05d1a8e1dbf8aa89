-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- also: addons/rival.lua
-- Two addons on one scheduler, each its own sandboxed Lua state (this
-- script and addons/rival.lua, named after their files): their tasks
-- interleave frame by frame, and each error is attributed to the addon
-- whose task raised it. An addon cannot create a task for another owner,
-- and the two do not share globals.
local Task, Wait = blTasks.Task, blTasks.Wait

shared_global = "set by two_addons"

Task.Create(function(self)
	for i = 1, 3 do
		print(string.format("f%d [%s] main tick %d (owner %s)", Sim.Frame(), Sim.Addon(), i, self:Owner()))
		self:Wait(Wait.Frame())
	end
	error("main addon's task failed")
end):Start()

Task.Create(function(self)
	self:Wait(Wait.Frames(2))
	local ok, err = pcall(Task.Create, function() end, "rival")
	print(string.format("f%d [%s] create for rival: %s", Sim.Frame(), Sim.Addon(), Sim.Msg(err)))
end):Start()

Sim.OnFrame(function(frame)
	if frame == 6 then Sim.Done() end
end)
