-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- The Lua watchdog: a slice that runs without breathing past the kill
-- threshold is interrupted and the task finishes with a watchdog error,
-- reported for its addon; pcall around the loop does not catch the kill,
-- and the other tasks go on. The threshold is 5 s: real time in the
-- runner, virtual time here (the suite runs the guard on the virtual
-- clock), which the loop moves by working with Sim.Work, so the kill comes
-- at the same point of every run, at once. The performance warning, before
-- the kill, is in watchdog_warn.lua.
local Task, Wait = blTasks.Task, blTasks.Wait

blTasks.OnFinished(function(task, how, err)
	print(string.format("f%d finished: %s %s%s", Sim.Frame(), task:Name(), how, err and (" (" .. Sim.Msg(err) .. ")") or ""))
end)

local spinner = Task.Create(function(self)
	self:Wait(Wait.Frames(2))
	local ok = pcall(function()
		while true do Sim.Work(0.001) end -- works, never breathes
	end)
	print("spinner: pcall returned " .. tostring(ok) .. " (MUST NOT PRINT)")
end):Start()

local other = Task.Create(function(self)
	for i = 1, 5 do
		print(string.format("f%d other task ticks", Sim.Frame()))
		self:Wait(Wait.Frame())
	end
end):Start()

Sim.OnFrame(function(frame)
	if frame == 8 then
		print("spinner: " .. spinner:Status() .. ", error: " .. Sim.Msg(spinner:Error()))
		print("other: " .. other:Status())
		Sim.Done()
	end
end)
