-- blTasks code as written for RIFT, on the runner's RIFT preset
-- (RIFT_HOST.md): a task waits until the player is at a
-- mailbox (Wait.Interaction) and opens one mail whenever the global command
-- queue has a free slot (Wait.Queue), and a handler attached to
-- Event.blTasks.Task.Finished reports the end. The script plays the game's
-- part with Sim.SetInteraction, Sim.SetQueue and Sim.SetWatchdog (at 0.05 s
-- or less no task runs in that frame). Each frame runs the Sim.OnFrame
-- hooks, then Event.System.Update.Begin (the scheduler's frame first, then
-- this script's handler), then Event.System.Update.End.
--
--   go run ./cmd/demo run --virtual --host rift examples/rift.lua
--
-- The transcript is examples/rift.txt.

local addonID = Inspect.Addon.Current()
local Task, Wait = blTasks.Task, blTasks.Wait

local function log(fmt, ...)
	print(string.format("frame %d, %.1f s: " .. fmt, Inspect.Time.Frame(), Inspect.Time.Real(), ...))
end

log("%s loads for %s", addonID, Inspect.Unit.Detail("player").name)

local function OnTaskFinished(handle, task)
	log("task %s %s, as %s", task:Name(), task:Status(), Inspect.Addon.Current())
end
Command.Event.Attach(Event.blTasks.Task.Finished, OnTaskFinished, addonID .. ".OnTaskFinished")

-- Runs after the scheduler's frame in every frame: the queue as the tasks
-- left it.
local lastQueue
Command.Event.Attach(Event.System.Update.Begin, function()
	local queue = Inspect.Queue.Status("global")
	if queue ~= lastQueue then
		log("after the tasks: global queue free %s", tostring(queue))
		lastQueue = queue
	end
end, addonID .. ".AfterTasks")

local mails = { "Welcome", "Auction won", "Guild news" }

local reader = Task.Create(function(self)
	self:Wait(Wait.Interaction("mail"))
	log("at the mailbox, as %s", Inspect.Addon.Current())
	for _, subject in ipairs(mails) do
		self:Wait(Wait.Interaction("mail") * Wait.Queue("global"))
		log("open %q", subject)
		Sim.SetQueue("global", 0) -- the game: opening a mail fills the queue
	end
	return #mails
end):Start()

-- The game's part, frame by frame (one frame every 0.1 s).
local game = {
	[3] = function() Sim.SetInteraction("mail", true) end, -- the player opens the mailbox
	[5] = function() Sim.SetQueue("global", 1) end, -- the queue has a free slot again
	[6] = function() Sim.SetQueue("global", 1); Sim.SetWatchdog(0.05) end, -- busy frames: no task runs
	[8] = function() Sim.SetWatchdog(nil) end, -- back to 100
	[9] = function() Sim.Done() end,
}
Sim.OnFrame(function(frame)
	if game[frame] then
		game[frame]()
		log("game: mail %s, watchdog %.2f", tostring(Inspect.Interaction("mail")), Inspect.System.Watchdog())
	end
end)

-- Utility.Dispatch runs a function as an addon; its error is that addon's
-- ERROR line, and the script goes on.
Utility.Dispatch(function() error("a broken callback") end, "Broken", "example")

-- Names RIFT does not know are errors, as in blTasks.
local ok, err = pcall(Wait.Interaction, "dungeon")
print(Sim.Msg(err))
