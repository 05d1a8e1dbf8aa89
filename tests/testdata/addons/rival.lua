-- The second addon of two_addons.lua: named "rival" after this file.
local Task, Wait = blTasks.Task, blTasks.Wait

print(string.format("f%d [%s] loading; shared_global is %s", Sim.Frame(), Sim.Addon(), tostring(shared_global)))

Task.Create(function(self)
	for i = 1, 4 do
		print(string.format("f%d [%s] rival tick %d (owner %s)", Sim.Frame(), Sim.Addon(), i, self:Owner()))
		self:Wait(Wait.Frame())
	end
	local t = nil
	return t.field -- an error of the rival addon
end):Start()

-- An error in the rival's frame hook is the rival's too.
Sim.OnFrame(function(frame)
	if frame == 2 then error("rival hook error") end
end)
