-- QuestLog rebuilds the quest tracker when quests change. One quest in the
-- log comes without its objectives, and the task fails on it: the error is
-- reported to the host, attributed to QuestLog, and everything else goes on.
local Task = blTasks.Task

local QUEST = 150e-6 -- simulated CPU per quest

local function questLog(count)
  local log = {}
  for i = 1, count do
    local quest = { id = i, title = "Quest " .. i, objectives = {} }
    for k = 1, i % 4 + 1 do
      quest.objectives[k] = { done = (i + k) % 3 == 0 }
    end
    log[i] = quest
  end
  log[math.floor(count * 2 / 3)].objectives = nil -- the server's mistake
  return log
end

local tracker

Sim.On("QUEST_UPDATE", function(count)
  -- the log's version tag, hashed on a pool worker: outside any task the call blocks
  local tag = blTasks.Async.sha256("quest log of " .. count):sub(1, 8)
  print("log " .. tag .. ": " .. count .. " quests")
  tracker = Task.Create(function(self)
    local done = 0
    for _, quest in ipairs(questLog(count)) do
      for _, objective in ipairs(quest.objectives) do
        if objective.done then
          done = done + 1
        end
      end
      Sim.Work(QUEST)
      self:Breath()
    end
    print(string.format("%d objectives done (log %s)", done, tag))
  end):Start()
end)
