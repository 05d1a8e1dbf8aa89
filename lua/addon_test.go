package lua_test

import (
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
)

// Several addons share one scheduler; each task runs as its owner.

func TestAddonsInterleave(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{Trusted: true})
		src := `
			Task.Create(function(self)
				for i = 1, 3 do
					print(i, frame())
					self:Wait(Wait.Frame())
				end
			end):Start()`
		e.run(a, src)
		e.run(b, src)
		e.run(a, `
			Task.Create(function(self)
				for i = 1, 4 do
					work(0.002)
					print("chunk", i, frame())
					self:Breath()
				end
			end):Start()`)
		e.frames(4)
		// Each frame is round-robin: a task parked by Breath in one frame
		// runs first in the next, before the tasks woken from their waits.
		checkLines(t, e.who, []string{
			"A: 1\t1",
			"B: 1\t1",
			"A: chunk\t1\t1",
			"A: chunk\t2\t1",
			"A: chunk\t3\t2",
			"A: 2\t2",
			"B: 2\t2",
			"A: chunk\t4\t2",
			"A: 3\t3",
			"B: 3\t3",
		})
		e.checkNoErrors()
		var owners []string
		for _, o := range e.s.Owners() {
			owners = append(owners, o.Name)
		}
		if got := strings.Join(owners, " "); got != "A B" {
			t.Errorf("owners %q, want %q", got, "A B")
		}
		if cpu := e.s.Owners()[0].CPU; cpu != 8*time.Millisecond {
			t.Errorf("A's CPU %v, want 8ms", cpu)
		}
	})
}

func TestErrorsAttributed(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("Bags", lua.AddonOptions{})
		e.run(a, `Task.Create(function(self) self:Wait(Wait.Frame()) print("A fine") end):Start()`)
		e.run(b, `
			local function index(bag)
				return bag.slots + 1
			end
			Task.Create(function(self)
				self:Wait(Wait.Frame())
				index(nil)
			end):Start()
			Task.Create(function(self)
				error("custom failure")
			end):Start()`)
		e.frames(3)
		checkLines(t, e.who, []string{"A: A fine"})
		if len(e.errs) != 2 {
			t.Fatalf("%d task errors, want 2: %v", len(e.errs), e.errLines())
		}
		for i, want := range []struct {
			frame            uint64
			task, msg, trace string
		}{
			{1, "Bags:9", "Bags:10: custom failure", "Bags:10:"},
			{2, "Bags:5", "Bags:3: attempt to index a non-table object(nil) with key 'slots'", "Bags:3: in function 'index'"},
		} {
			te := e.errs[i]
			if te.Owner != "Bags" || te.Task != want.task || te.Frame != want.frame {
				t.Errorf("error %d: owner %q task %q frame %d, want Bags %q %d", i, te.Owner, te.Task, te.Frame, want.task, want.frame)
			}
			le := luaErr(te.Err)
			if le == nil {
				t.Errorf("error %d: %T, want *lua.LuaError", i, te.Err)
				continue
			}
			if le.Message != want.msg {
				t.Errorf("error %d: message %q, want %q", i, le.Message, want.msg)
			}
			if !strings.Contains(le.Traceback, want.trace) {
				t.Errorf("error %d: traceback %q, want it to contain %q", i, le.Traceback, want.trace)
			}
			if te.Error() != "[Bags] "+want.task+": "+want.msg {
				t.Errorf("error %d: %q", i, te.Error())
			}
		}
		for _, o := range e.s.Owners() {
			if want := map[string]int{"A": 0, "Bags": 2}[o.Name]; o.Errors != want {
				t.Errorf("owner %s: %d errors, want %d", o.Name, o.Errors, want)
			}
		}
	})
}

// A script that fails while loading returns its error to the host, and the
// addon goes on.
func TestLoadErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		if err := a.DoString("broken", "x = = 1"); err == nil {
			t.Error("DoString of a syntax error: no error")
		}
		err := a.DoString("failing", "error('at load')")
		if err == nil || !strings.Contains(err.Error(), "failing:1: at load") {
			t.Errorf("DoString of a failing script: %v", err)
		}
		e.run(a, `print("still works")`)
		checkLines(t, e.out, []string{"still works"})
	})
}

func TestSandbox(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "globals",
			src: `
				local names = {}
				for k in pairs(_G) do names[#names + 1] = k end
				table.sort(names)
				print(table.concat(names, " "))
				local osn = {}
				for k in pairs(os) do osn[#osn + 1] = k end
				table.sort(osn)
				print(table.concat(osn, " "))`,
			want: []string{
				// Task, Wait, try, work and frame are the tests' own.
				"Task Wait _G _GOPHER_LUA_VERSION _VERSION assert blTasks collectgarbage coroutine error frame getmetatable ipairs math module newproxy next onAnyFinished os package pairs pcall print rawequal rawget rawset require select setmetatable string table tonumber tostring try type unpack work xpcall",
				"clock difftime time",
			},
		},
		{
			name: "no files, no loading of code",
			src: `
				print(io, dofile, loadfile, load, loadstring, os.execute, os.getenv, os.exit, debug)
				for _, m in ipairs({"io", "os", "debug", "channel"}) do
					print(m, (try(require, m):match("^[^\n]*")))
				end`,
			want: []string{
				"nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil",
				"io\tmodule io not found:",
				"os\tmodule os not found:",
				"debug\tmodule debug not found:",
				"channel\tmodule channel not found:",
			},
		},
	})
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{AllowLoad: true})
		e.run(a, `print(type(load), type(loadstring), loadstring("return 1 + 1")())`)
		checkLines(t, e.out, []string{"function\tfunction\t2"})
	})
}

func TestClockFollowsScheduler(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		e.clk.Add(1000 * time.Second) // os.time reads the mock's Unix time
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			print(os.time(), os.clock())
			Task.Create(function(self)
				work(2.5)
				print(os.time(), os.clock(), os.difftime(os.time(), 1000))
				self:Wait(Wait.Timespan(10))
				print(os.time(), os.clock())
			end):Start()`)
		e.frames(700)
		checkLines(t, e.out, []string{
			"1000\t0",
			"1002\t2.5\t2",
			"1012\t12.5",
		})
	})
}

func TestRandomSeeded(t *testing.T) {
	draw := func(t *testing.T, seed uint64) []string {
		var out []string
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{Seed: seed})
			for _, name := range []string{"A", "B"} {
				a := e.addon(name, lua.AddonOptions{})
				e.run(a, `
					math.randomseed(12345) -- the host seeds; this does nothing
					local t = {}
					for i = 1, 5 do t[i] = math.random(1, 1000) end
					local f = math.random()
					print(table.concat(t, " "), f >= 0 and f < 1, math.random(3) <= 3)
					print(try(math.random, 0), try(math.random, 5, 1))`)
			}
			out = e.who
		})
		return out
	}
	first, again, other := draw(t, 42), draw(t, 42), draw(t, 43)
	checkLines(t, again, first)
	if strings.Join(first, "\n") == strings.Join(other, "\n") {
		t.Errorf("seeds 42 and 43 drew the same numbers: %q", first)
	}
	if strings.TrimPrefix(first[0], "A: ") == strings.TrimPrefix(first[2], "B: ") {
		t.Errorf("addons A and B drew the same numbers: %q", first)
	}
	if first[1] != "A: math.random: interval is empty\tmath.random: interval is empty" {
		t.Errorf("got %q", first[1])
	}
}

// Config.Print gets the addon's name; the default writes to stdout.
func TestPrintAttributed(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		b := e.addon("B", lua.AddonOptions{})
		e.run(a, `print("one", 2, nil, true, setmetatable({}, {__tostring = function() return "obj" end}))`)
		e.run(b, `Task.Create(function() print() print("in task") end):Start()`)
		e.frames(1)
		checkLines(t, e.who, []string{"A: one\t2\tnil\ttrue\tobj", "B: ", "B: in task"})
	})
}

func TestNewAddonErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		e.addon("A", lua.AddonOptions{})
		if _, err := e.h.NewAddon("A", lua.AddonOptions{}); err == nil {
			t.Error("a second addon A: no error")
		}
		if _, err := e.h.NewAddon("", lua.AddonOptions{}); err == nil {
			t.Error("an addon without a name: no error")
		}
	})
}

// AddonOptions.BudgetShare caps the addon's share of each frame: a greedy
// addon at a quarter leaves the rest of the frame to the others.
func TestAddonBudgetShare(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		greedy := e.addon("Greedy", lua.AddonOptions{BudgetShare: 0.25})
		fair := e.addon("Fair", lua.AddonOptions{})
		src := `
			Task.Create(function(self)
				while true do work(0.0005) self:BreathShort() end
			end):Start()`
		e.run(greedy, src)
		e.run(fair, src)
		e.frames(20)
		e.checkNoErrors()
		owners := e.s.Owners() // Fair, Greedy
		if owners[1].BudgetShare != 0.25 {
			t.Errorf("Greedy's BudgetShare %v, want 0.25", owners[1].BudgetShare)
		}
		// 20 frames of 10ms: Greedy at most a quarter, Fair the rest.
		if g := owners[1].CPU; g > 50*time.Millisecond || g < 30*time.Millisecond {
			t.Errorf("Greedy's CPU over 20 frames %v, want 30-50ms (a quarter of 200ms at most)", g)
		}
		if f := owners[0].CPU; f < 140*time.Millisecond {
			t.Errorf("Fair's CPU over 20 frames %v, want at least 140ms", f)
		}
	})
}

// os.time of a date table is the time in UTC, the same on every machine;
// bad tables are refused with clear errors.
func TestOSTimeTable(t *testing.T) {
	bubble(t, func(t *testing.T) { testOSTimeTable(t) })
}

func testOSTimeTable(t *testing.T) {
	out, _ := script(t, `
		print(os.time({year = 2024, month = 1, day = 2}) - os.time({year = 2024, month = 1, day = 1}))
		print(os.time({year = 2024, month = 3, day = 1, hour = 0, min = 0, sec = 5}))
		print(try(os.time, "now"))
		print(try(os.time, {year = 2024, month = 1}))
		print(try(os.time, {year = 2024, month = 1, day = 1.5}))
		print(try(os.time, {year = 2024, month = "x", day = 1}))`, 0)
	checkLines(t, out, []string{
		"86400",
		"1709251205",
		"os.time: bad argument #1 (table expected, got string)",
		"os.time: field 'day' missing in date table",
		"os.time: field 'day' is not a whole number",
		"os.time: field 'month' is not a number",
	})
}
