-- flags: --budget 10ms --frame-time 16ms --idle-frames 30
-- Breath, Wait, Result and Stop work anywhere inside a task: pcall,
-- xpcall, metamethods, iterators, table.sort comparators, Go functions that
-- call back into Lua (string.gsub), and Lua coroutines inside the task.
-- Each case parks with Sim.Work(0.009) + Breath() (the frame is over 40%
-- used) or with Wait(Wait.Frame()), and prints the frame before and after.
local Task, Wait = blTasks.Task, blTasks.Wait

local function park(self)
	Sim.Work(0.009)
	self:Breath()
end

local function case(name, fn)
	return Task.Create(function(self)
		local before = Sim.Frame()
		local res = fn(self)
		print(string.format("%-22s frame %d -> %d: %s", name, before, Sim.Frame(), tostring(res)))
	end)
end

local cases = {
	case("pcall", function(self)
		local ok, v = pcall(function() park(self); return "inside" end)
		return tostring(ok) .. " " .. v
	end),
	case("pcall + error", function(self)
		local ok, err = pcall(function() park(self); error("after park") end)
		return tostring(ok) .. " " .. Sim.Msg(err)
	end),
	case("xpcall + handler", function(self)
		local ok, v = xpcall(function() park(self); error("oops") end,
			function(e) self:Wait(Wait.Frame()); return "handled in f" .. Sim.Frame() .. ": " .. Sim.Msg(e) end)
		return tostring(ok) .. " " .. v
	end),
	case("__index metamethod", function(self)
		local t = setmetatable({}, {__index = function(_, k) park(self); return k .. "!" end})
		return t.key
	end),
	case("__add metamethod", function(self)
		local mt = {__add = function(a, b) self:Wait(Wait.Frame()); return a.v + b.v end}
		local x, y = setmetatable({v = 2}, mt), setmetatable({v = 3}, mt)
		return x + y
	end),
	case("__lt in table.sort", function(self)
		local mt = {__lt = function(a, b) park(self); return a.v < b.v end}
		local t = {}
		for _, v in ipairs({3, 1, 2}) do t[#t + 1] = setmetatable({v = v}, mt) end
		table.sort(t)
		return t[1].v .. t[2].v .. t[3].v
	end),
	case("table.sort comparator", function(self)
		local t = {5, 2, 4, 1, 3}
		table.sort(t, function(a, b) self:Wait(Wait.Frame()); return a < b end)
		return table.concat(t, ",")
	end),
	case("iterator", function(self)
		local function gen(n)
			local i = 0
			return function()
				i = i + 1
				if i > n then return nil end
				self:Wait(Wait.Frame())
				return i
			end
		end
		local seen = {}
		for i in gen(3) do seen[#seen + 1] = i .. "@f" .. Sim.Frame() end
		return table.concat(seen, " ")
	end),
	case("string.gsub callback", function(self)
		return (string.gsub("a b c", "%a", function(c) self:Wait(Wait.Frame()); return c:upper() end))
	end),
	case("Result inside pcall", function(self)
		local other = Task.Create(function(s) s:Wait(Wait.Frames(2)); return "other's result" end)
		local ok, v = pcall(other.Result, other)
		return tostring(ok) .. " " .. v
	end),
	case("coroutine.wrap", function(self)
		local gen = coroutine.wrap(function()
			for i = 1, 3 do
				self:Wait(Wait.Frame()) -- park inside a coroutine inside the task
				coroutine.yield(i .. "@f" .. Sim.Frame())
			end
		end)
		return gen() .. " " .. gen() .. " " .. gen()
	end),
	case("coroutine status", function(self)
		local co = coroutine.create(function(a)
			local b = coroutine.yield(a + 1)
			park(self)
			return b * 2
		end)
		local _, x = coroutine.resume(co, 1)
		local s1 = coroutine.status(co)
		local _, y = coroutine.resume(co, 10)
		return string.format("%d %s %d %s", x, s1, y, coroutine.status(co))
	end),
}
for _, c in ipairs(cases) do c:Start() end

-- Stop reaches a task whose code wraps every call in pcall, even parked
-- inside a pcall: the stop is not caught, no further line runs.
local stubborn = Task.Create(function(self)
	while true do
		local ok, err = pcall(function() self:Wait(Wait.Frame()) end)
		print("stubborn: pcall returned " .. tostring(ok) .. " (THIS MUST NOT PRINT AFTER THE STOP)")
	end
end):Start()
-- A task stopping itself from inside pcall does not return from Stop.
local selfstop = Task.Create(function(self)
	self:Wait(Wait.Frame())
	local ok = pcall(function() self:Stop("stopped from inside pcall") end)
	print("selfstop: pcall returned " .. tostring(ok) .. " (MUST NOT PRINT)")
end):Start()

Sim.OnFrame(function(frame)
	if frame == 2 then
		stubborn:Stop("stubborn stopped")
		print("stubborn: " .. stubborn:Status() .. ", " .. stubborn:Error())
	elseif frame == 20 then
		print("selfstop: " .. selfstop:Status() .. ", " .. selfstop:Error())
		local all = true
		for _, c in ipairs(cases) do all = all and c:Finished() end
		print("all cases finished: " .. tostring(all))
		Sim.Done()
	end
end)
