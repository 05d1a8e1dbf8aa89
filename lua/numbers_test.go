package lua_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
)

// Seconds too many for a time.Duration saturate: the wait lasts (for any
// practical purpose) forever, where the conversion used to wrap to a
// negative duration that was met at once. A timestamp in the far past is
// met at once, as any past timestamp is.
func TestWaitTimeOverflow(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			for _, c in ipairs({
				{"Timespan(9.3e9)", Wait.Timespan(9.3e9)},
				{"Timespan(1e300)", Wait.Timespan(1e300)},
				{"Timespan(math.huge)", Wait.Timespan(math.huge)},
				{"Timestamp(math.huge)", Wait.Timestamp(math.huge)},
				{"Timestamp(1e300)", Wait.Timestamp(1e300)},
				{"Timestamp(-math.huge)", Wait.Timestamp(-math.huge)},
				{"Timespan(1)", Wait.Timespan(1)},
			}) do
				Task.Create(function(self) self:Wait(c[2]) print(c[1], "met") end):Start()
			end`)
		e.frames(1)
		e.clk.Add(time.Hour)
		e.frames(2)
		checkLines(t, e.out, []string{"Timestamp(-math.huge)\tmet", "Timespan(1)\tmet"})
		e.checkNoErrors()
	})
}

// math.random follows Lua 5.1 with bounds a Lua number holds exactly, and
// says what is wrong with the others; no Go panic text reaches the script.
func TestMathRandom(t *testing.T) {
	runCases(t, []luaCase{{
		name: "bounds",
		src: `
			local function in_range(lo, hi, ...)
				for i = 1, 20 do
					local v = math.random(...)
					if v < lo or v > hi or v ~= math.floor(v) then return "out of range: " .. v end
				end
				return "ok"
			end
			print(in_range(1, 3, 3))
			print(in_range(1, 1, 1))
			print(in_range(-2, 2, -2, 2))
			print(in_range(-2^53, 2^53, -2^53, 2^53))
			print(in_range(1, 2^53, 2^53))
			print(in_range(5, 5, 5.9, 5.2)) -- truncated, as Lua 5.1 does
			local lo, hi = 0, 0
			for i = 1, 200 do
				local v = math.random(-2^53, 2^53)
				if v < 0 then lo = lo + 1 else hi = hi + 1 end
			end
			print("both halves", lo > 50 and hi > 50)
			print(try(math.random, 0))
			print(try(math.random, 3, 2))
			print(try(math.random, 2^63))
			print(try(math.random, -2^62, 2^62))
			print(try(math.random, -2^63, 2^63))
			print(try(math.random, math.huge))
			print(try(math.random, 0/0))
			print(try(math.random, 1, 2, 3))
			print(try(math.random, "x"))
			local r = math.random()
			print(r >= 0 and r < 1)`,
		want: []string{
			"ok", "ok", "ok", "ok", "ok", "ok",
			"both halves\ttrue",
			"math.random: interval is empty",
			"math.random: interval is empty",
			"math.random: bad argument #1 (integer between -2^53 and 2^53 expected)",
			"math.random: bad argument #1 (integer between -2^53 and 2^53 expected)",
			"math.random: bad argument #1 (integer between -2^53 and 2^53 expected)",
			"math.random: bad argument #1 (integer between -2^53 and 2^53 expected)",
			"math.random: bad argument #1 (integer between -2^53 and 2^53 expected)",
			"math.random: wrong number of arguments",
			"math.random: bad argument #1 (number expected, got string)",
			"true",
		},
	}})
}

// collectgarbage in a loop costs an untrusted addon's frame next to
// nothing: Go's collector runs at most once per collectEvery frames for it.
func TestCollectGarbageCheap(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e.run(a, `
			Task.Create(function(self)
				while true do
					for i = 1, 50 do collectgarbage() collectgarbage("count") collectgarbage("step") end
					work(0.002)
					self:Breath()
				end
			end):Start()`)
		e.frames(120)
		runtime.ReadMemStats(&after)
		// 120 frames: 2 or 3 collections of A's, and any of the runtime's own
		if n := after.NumForcedGC - before.NumForcedGC; n > 3 {
			t.Errorf("%d forced collections in 120 frames, want at most 3", n)
		}
		e.checkNoErrors()
	})
}
