-- The second addon of isolation.lua: its handler sees its own tasks only.
local Task, Wait = blTasks.Task, blTasks.Wait

blTasks.OnFinished(function(t, how)
	print(string.format("f%d [peer] finished: %s (owner %s) %s", Sim.Frame(), t:Name(), t:Owner(), how))
end)
Task.Create(function(self) self:Wait(Wait.Frame()) end):Start()
