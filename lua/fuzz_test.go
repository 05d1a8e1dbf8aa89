package lua_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// FuzzAPI turns bytes into a Lua program of blTasks calls with arguments of
// every type, each call in pcall, run by a few tasks and by the addon's code
// between frames. Whatever the program does: no Go panic (none is recovered
// here; a Go panic that gopher-lua turns into a Lua error is looked for in
// the output), the scheduler's invariants hold, Close leaves no task and no
// goroutine (the synctest bubble), and running it twice prints the same
// lines and trace.
func FuzzAPI(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
		[]byte("blTasks fuzz: create, start, wait, stop"),
		{2, 3, 0, 9, 1, 9, 3, 10, 0, 14, 14, 15, 1, 8, 2, 4, 5, 6, 7},
		{1, 0, 0, 8, 1, 0, 10, 5, 3, 1, 0, 10, 11, 12, 13, 1, 2, 3, 4, 2, 16, 200, 100, 50},
		{0, 2, 5, 0, 7, 3, 1, 9, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15},
		{3, 7, 13, 13, 13, 2, 2, 2, 3, 3, 3, 6, 6, 6, 10, 10, 10, 11, 11, 11, 17, 17, 17, 4, 4, 4},
		{1, 3, 2, 6, 18, 0, 5, 20, 7, 21, 1, 2, 22, 0, 17, 19, 9, 22, 1, 3, 18, 1, 21, 3, 0, 1, 20, 4, 2, 22, 2, 8, 1},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := genProgram(data)
		first := runProgram(t, p)
		again := runProgram(t, p)
		if first != again {
			t.Fatalf("two runs differ\nprogram:\n%s\nfirst:\n%s\nagain:\n%s", p, first, again)
		}
	})
}

// fuzzParkInCallbacks lets F[5], used as a predicate or a finished-event
// handler, try to park the running task from there (see
// TestParkInAddonCallback). Turn it off to look for other bugs while that
// one is open.
var fuzzParkInCallbacks = true

// program is a generated Lua program: a setup chunk, task bodies started by
// it, chunks run between frames, and how many frames to run.
type program struct {
	trusted bool
	setup   string
	between []string
	frames  int
}

func (p program) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- trusted %v, %d frames\n%s", p.trusted, p.frames, p.setup)
	for i, s := range p.between {
		fmt.Fprintf(&b, "\n-- after frame %d\n%s", i+1, s)
	}
	return b.String()
}

// fuzzPrelude is the vocabulary's fixed part: pools of handles (H),
// conditions (C) and functions (F), a signal, the handle methods (TM) to
// call on any value, and show, which prints values without addresses.
const fuzzPrelude = `
	S = blTasks.Signal("s")
	F = {
		function() end,
		function(s) if type(s) == "userdata" then pcall(TM.Breath, s) end return true end,
		function() work(0.002) return "r", 2 end,
		function(s) if type(s) == "userdata" then pcall(TM.Wait, s, Wait.Frames(2)) end return false end,
		function() local c = Task.Current() if c then pcall(TM.Wait, c, Wait.Frame()) end return false end,
		function(...) TY = {pcall(coroutine.yield, ...)} return #TY % 2 == 0 end,
	}
	-- a stop reason whose tostring fails
	BAD = setmetatable({}, {__tostring = function() error("bad tostring") end})
	if not PARK_IN_CALLBACKS then
		F[5] = F[1]
		F[2] = function(s)
			if type(s) == "userdata" and s:Status() ~= "finished" then pcall(TM.Breath, s) end
			return true
		end
		F[4] = function(s)
			if type(s) == "userdata" and s:Status() ~= "finished" then pcall(TM.Wait, s, Wait.Frames(2)) end
			return false
		end
	end
	H = {
		Task.Create(F[1]),
		Task.Create(function(self) self:Wait(Wait.Frames(3)) return "h2" end):Start(),
		Task.Create(F[3]):Start(),
		Task.Create(F[4]),
	}
	C = {Wait.Frame(), Wait.Frames(2), Wait.Task(H[2]), Wait.Signal(S)}
	TM = getmetatable(H[1]).__index
	local function safe(v)
		local ty = type(v)
		if ty == "nil" or ty == "boolean" or ty == "number" or ty == "string" then return tostring(v) end
		if ty == "userdata" then -- tasks and conditions say what they are; a signal does not
			local str = tostring(v)
			if not str:find("^userdata:") then return str end
		end
		return ty
	end
	function show(...)
		local out = {}
		for i = 1, select("#", ...) do out[i] = safe((select(i, ...))) end
		return table.concat(out, " ")
	end
	function run(label, f)
		local r = {pcall(f)}
		if r[1] then
			print(label, "ok", show(unpack(r, 2)))
		else
			print(label, (string.gsub(tostring(r[2]), "^[%w_]+:%d+: ", "")))
		end
	end
`

// gen reads the input a byte at a time; past its end it reads zeros.
type gen struct {
	data []byte
	i    int
	b    strings.Builder
	n    int // statements written, for labels
}

func (g *gen) next() int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1])
}

func (g *gen) done() bool { return g.i >= len(g.data) }

// val is a Lua expression of any type; in a task, self is its view.
func (g *gen) val(inTask bool) string {
	switch g.next() % 20 {
	case 0:
		return "nil"
	case 1:
		return "0"
	case 2:
		return "-1"
	case 3:
		return "1.5"
	case 4:
		return "2"
	case 5:
		return `"x"`
	case 6:
		return "{}"
	case 7:
		return fmt.Sprintf("F[%d]", g.next()%6+1)
	case 8, 9:
		return g.handle()
	case 10, 11:
		return fmt.Sprintf("C[%d]", g.next()%4+1)
	case 12:
		return "S"
	case 13:
		return "true"
	case 14:
		return "(0/0)"
	case 15:
		if inTask {
			return "self"
		}
		return "nil"
	case 16:
		return "Task.Current()"
	case 17:
		return "BAD"
	case 18:
		return "TH" // a task's own thread, kept by a task (see stmt)
	default:
		return "1e12"
	}
}

func (g *gen) handle() string { return fmt.Sprintf("H[%d]", g.next()%7+1) }

// recv is the receiver of a method: mostly a handle, sometimes anything.
func (g *gen) recv(inTask bool) string {
	if g.next()%4 == 0 {
		return g.val(inTask)
	}
	if inTask && g.next()%3 == 0 {
		return "self"
	}
	return g.handle()
}

var waitKinds = []string{"And", "Or", "Task", "Children", "Frame", "Frames", "Timespan", "Timestamp", "Signal", "Predicate", "Nope"}

var methods = []string{"Start", "Stop", "Wait", "Suspend", "Resume", "Abandon", "Breath", "BreathShort", "BreathLong",
	"Finished", "Result", "Status", "Error", "Owner", "Name", "Parent", "Children", "Stats", "Why", "Scope"}

// stmt writes one statement, in run(), so its outcome is printed.
func (g *gen) stmt(inTask bool) {
	var s string
	v := func() string { return g.val(inTask) }
	switch g.next() % 23 {
	case 0, 1:
		k := g.next()%4 + 1
		s = fmt.Sprintf("H[%d] = Task.Create(%s, %s) return H[%d]", k, v(), v(), k)
	case 2:
		k := g.next()%4 + 1
		s = fmt.Sprintf("H[%d] = Task.Create(F[%d]):Start(%s) return H[%d]", k, g.next()%5+1, v(), k)
	case 3, 4, 5, 6:
		m := methods[g.next()%len(methods)]
		s = fmt.Sprintf("return TM.%s(%s, %s)", m, g.recv(inTask), v())
	case 7, 8:
		k := waitKinds[g.next()%len(waitKinds)]
		s = fmt.Sprintf("C[%d] = Wait.%s(%s, %s) return C[%d]", g.next()%4+1, k, v(), v(), g.next()%4+1)
	case 9:
		s = fmt.Sprintf("return %s + %s", v(), v())
	case 10:
		s = fmt.Sprintf("return %s * %s", v(), v())
	case 11:
		s = "S:Fire()"
	case 12:
		s = fmt.Sprintf("return blTasks.OnFinished(%s) and nil", v())
	case 13, 14:
		s = "work(0.003)"
	case 15:
		if inTask {
			s = fmt.Sprintf("self:Wait(C[%d] or Wait.Frame())", g.next()%4+1)
		} else {
			s = "return frame()"
		}
	case 16:
		if inTask {
			s = "self:Breath()"
		} else {
			s = fmt.Sprintf("return Task.Current(), %s", v())
		}
	case 18, 19: // at a task's level: the task yields; elsewhere: an error
		if inTask && g.next()%2 == 0 {
			s = fmt.Sprintf("TH = coroutine.running() return coroutine.yield(%s)", v())
		} else {
			s = fmt.Sprintf("return coroutine.yield(%s)", v())
		}
	case 20: // another task's thread, or its own
		s = fmt.Sprintf("return coroutine.status(TH), coroutine.resume(TH, %s)", v())
	case 21: // Wait from outside the task (or by the task itself)
		s = fmt.Sprintf("return %s:Wait(C[%d] or Wait.Frame())", g.handle(), g.next()%4+1)
	case 22:
		switch g.next() % 3 {
		case 0:
			s = fmt.Sprintf("return (%s):Stop(%s)", g.recv(inTask), v())
		case 1:
			s = fmt.Sprintf("return (%s):Breathe()", g.recv(inTask)) // a typo
		default:
			s = fmt.Sprintf("return (%s):Abandon():Suspend()", g.recv(inTask))
		}
	default:
		s = fmt.Sprintf("return %s, %s", v(), v())
	}
	g.n++
	fmt.Fprintf(&g.b, "run(%d, function() %s end)\n", g.n, s)
}

func genProgram(data []byte) program {
	g := &gen{data: data}
	p := program{trusted: g.next()%4 == 3, frames: 2 + g.next()%4}
	tasks := 1 + g.next()%3
	for range tasks {
		g.b.WriteString("H[#H + 1] = Task.Create(function(self)\n")
		for range 1 + g.next()%8 {
			g.stmt(true)
		}
		g.b.WriteString("return \"end\"\nend):Start()\n")
	}
	for range g.next() % 4 {
		g.stmt(false)
	}
	p.setup = g.b.String()
	for range p.frames {
		g.b.Reset()
		for range g.next() % 3 {
			g.stmt(false)
		}
		p.between = append(p.between, g.b.String())
	}
	return p
}

// runProgram runs p in a bubble and returns everything it printed and
// traced. It checks the invariants as it goes.
func runProgram(t *testing.T, p program) string {
	var res string
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: 40 * time.Millisecond, Seed: 1},
			sched.WithTaskLimit(64),
			sched.WithWatchdog(20*time.Millisecond, func(sched.Warning) {}))
		a := e.addon("A", lua.AddonOptions{Trusted: p.trusted})
		exec := func(what, src string) {
			if err := a.DoString("A", src); err != nil {
				t.Fatalf("%s: %v\nprogram:\n%s", what, err, p)
			}
		}
		a.State().SetGlobal("PARK_IN_CALLBACKS", glua.LBool(fuzzParkInCallbacks))
		exec("prelude", fuzzPrelude)
		exec("setup", p.setup)
		for _, src := range p.between {
			e.s.RunFrame()
			e.clk.Add(frameGap)
			exec("between frames", src)
			checkInvariants(t, e, p)
		}
		checkInvariants(t, e, p)
		exec("status", `
			local ok = {pending = true, active = true, waiting = true, finished = true, suspended = true}
			for i, h in pairs(H) do
				if type(h) == "userdata" and not ok[TM.Status(h)] then error("H[" .. i .. "] status " .. TM.Status(h)) end
			end`)
		if err := e.s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if n := len(e.s.Snapshot()); n != 0 {
			t.Errorf("%d tasks left after Close\nprogram:\n%s", n, p)
		}
		exec("after Close", `
			for i, h in pairs(H) do
				if type(h) == "userdata" and TM.Status(h) ~= "finished" then error("H[" .. i .. "] " .. TM.Status(h) .. " after Close") end
			end`)
		e.done = true
		e.h.Close()
		all := append(append(append([]string{}, e.out...), e.errLines()...), e.trace...)
		for _, line := range all {
			for _, bad := range []string{"runtime error", "sched: ", "panic", "goroutine "} {
				if strings.Contains(line, bad) {
					t.Errorf("a Go panic or internal error surfaced: %q\nprogram:\n%s", line, p)
				}
			}
		}
		res = strings.Join(all, "\n")
	})
	return res
}

// checkInvariants checks the scheduler's view of every live task.
func checkInvariants(t *testing.T, e *env, p program) {
	t.Helper()
	live := map[uint64]bool{}
	snap := e.s.Snapshot()
	for _, ti := range snap {
		live[ti.ID] = true
	}
	n := 0
	for h := range e.s.Tasks() {
		n++
		switch st := h.State(); st {
		case sched.Pending, sched.Active, sched.Waiting:
			if h.Suspended() && st == sched.Pending {
				t.Errorf("task %s pending and suspended\nprogram:\n%s", h, p)
			}
		default:
			t.Errorf("live task %s in state %v\nprogram:\n%s", h, st, p)
		}
		if !live[h.ID()] {
			t.Errorf("task %s missing from the snapshot\nprogram:\n%s", h, p)
		}
	}
	if n != len(snap) {
		t.Errorf("%d live tasks, snapshot has %d\nprogram:\n%s", n, len(snap), p)
	}
	for _, ti := range snap {
		if ti.Parent != 0 && !live[ti.Parent] {
			t.Errorf("task %d's parent %d is not alive\nprogram:\n%s", ti.ID, ti.Parent, p)
		}
		if (ti.State == sched.Waiting) != (ti.Why != "") {
			t.Errorf("task %d %v with Why %q\nprogram:\n%s", ti.ID, ti.State, ti.Why, p)
		}
	}
}
