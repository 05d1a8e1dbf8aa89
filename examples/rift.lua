-- blTasks code as written for RIFT, on the runner's RIFT preset: a task
-- waits until the player is at a mailbox (Wait.Interaction) and opens one
-- mail whenever the global command queue has a free slot (Wait.Queue), and a
-- handler attached to Event.blTasks.Task.Finished reports the end. The
-- script plays the game's part with Sim.SetInteraction, Sim.SetQueue and
-- Sim.SetWatchdog (below 0.05 s of headroom no task runs in that frame).
--
--   go run ./cmd/demo run --virtual --host rift examples/rift.lua
--
-- The transcript is examples/rift.txt.

local addonID = Inspect.Addon.Current()
local Task, Wait = blTasks.Task, blTasks.Wait

local function OnTaskFinished(handle, task)
	print(string.format("%.1f s: task %s %s", Inspect.Time.Frame(), task:Name(), task:Status()))
end
Command.Event.Attach(Event.blTasks.Task.Finished, OnTaskFinished, addonID .. ".OnTaskFinished")

local mails = { "Welcome", "Auction won", "Guild news" }

local reader = Task.Create(function(self)
	self:Wait(Wait.Interaction("mail"))
	print(string.format("%.1f s: at the mailbox", Inspect.Time.Frame()))
	for _, subject in ipairs(mails) do
		self:Wait(Wait.Interaction("mail") * Wait.Queue("global"))
		print(string.format("%.1f s: open %q", Inspect.Time.Frame(), subject))
		Sim.SetQueue("global", 0) -- the game: opening a mail fills the queue
	end
	return #mails
end):Start()

-- The game's part, frame by frame (one frame every 0.1 s).
local game = {
	[3] = function() Sim.SetInteraction("mail", true) end, -- the player opens the mailbox
	[5] = function() Sim.SetQueue("global", 1) end, -- the queue has a free slot again
	[6] = function() Sim.SetQueue("global", 1); Sim.SetWatchdog(0.02) end, -- busy frames: no task runs
	[8] = function() Sim.SetWatchdog(0.1) end,
	[9] = function() Sim.Done() end,
}
Sim.OnFrame(function(frame)
	if game[frame] then
		game[frame]()
		print(string.format("%.1f s: frame %d, queue %s, watchdog %.2f s", Inspect.Time.Frame(), frame,
			tostring(Inspect.Queue.Status("global")), Inspect.System.Watchdog()))
	end
end)

-- Names RIFT does not know are errors, as in blTasks.
local ok, err = pcall(Wait.Interaction, "dungeon")
print(Sim.Msg(err))
