-- Auctioneer scans every auction listing when the auction house opens, in
-- one loop that never breathes. Run naively, the frame stalls until the
-- whole scan is done; under framesched the watchdog warns about the slice
-- and, past its threshold, interrupts the task.
local Task = blTasks.Task

local PAGE = 0.5e-3 -- simulated CPU per page of 50 listings

local scan

Sim.On("AUCTION_HOUSE_SHOW", function(listings)
  scan = Task.Create(function()
    local cheapest = {}
    for page = 1, math.ceil(listings / 50) do
      local item, price = page % 97, page * 7919 % 10000
      if not cheapest[item] or price < cheapest[item] then
        cheapest[item] = price
      end
      Sim.Work(PAGE) -- and no Breath
    end
    print(string.format("scanned %d listings", listings))
  end):Start()
end)
