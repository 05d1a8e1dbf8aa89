-- Bags keeps an index of the inventory by kind, each kind sorted by name,
-- and rebuilds it whenever the bags change: a long job that breathes after
-- every item, so it spreads over frames instead of stalling one. Each item is
-- one small chunk of about the same cost, which is what Breath's learning
-- likes best. A change while it runs stops it and starts over.
local Task = blTasks.Task

local ITEM = 12e-6 -- simulated CPU per item indexed, in seconds

local kinds = { "armor", "weapon", "reagent", "quest", "junk", "food", "gem", "recipe" }
local job -- the index under way: holding the handle keeps it running

-- insertSorted puts name into the sorted list, after a binary search.
local function insertSorted(list, name)
  local lo, hi = 1, #list
  while lo <= hi do
    local mid = math.floor((lo + hi) / 2)
    if list[mid] < name then
      lo = mid + 1
    else
      hi = mid - 1
    end
  end
  table.insert(list, lo, name)
end

local function index(self, count)
  local byKind = {}
  for _, kind in ipairs(kinds) do
    byKind[kind] = {}
  end
  for i = 1, count do
    local kind = kinds[i * 7 % #kinds + 1]
    insertSorted(byKind[kind], string.format("%s %05d", kind, i * 7919 % 100000))
    Sim.Work(ITEM)
    self:Breath()
  end
  return byKind
end

Sim.On("BAG_UPDATE", function(count)
  if job and not job:Finished() then
    job:Stop("bags changed again")
  end
  local asked = Sim.Frame()
  job = Task.Create(function(self)
    index(self, count)
    local frames = Sim.Frame() - asked + 1
    print(string.format("indexed %d items in %d frame%s", count, frames, frames == 1 and "" or "s"))
  end):Start()
end)
