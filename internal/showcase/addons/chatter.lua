-- Chatter filters chat: every message gets a tiny task of its own that
-- splits it into words, waits a few frames (a throttle), then formats it.
-- Many tasks, each a few microseconds of work.
local Task, Wait = blTasks.Task, blTasks.Wait

local WORD = 3e-6    -- simulated CPU per word split...
local FORMAT = 12e-6 -- ...and formatted

local live, nextId = {}, 0 -- the messages under way, by number

Sim.On("CHAT_MSG", function(channel, text)
  nextId = nextId + 1
  local id = nextId
  live[id] = Task.Create(function(self)
    local words = {}
    for word in string.gmatch(text, "%S+") do
      words[#words + 1] = word
      Sim.Work(WORD)
    end
    self:Wait(Wait.Frames(math.random(2, 40)))
    Sim.Work(FORMAT * #words)
    live[id] = nil
    return string.format("[%d] %s", channel, table.concat(words, " "))
  end):Start()
end)
