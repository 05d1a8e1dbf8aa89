package runner

import (
	"strings"
	"testing"
)

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{nil, "no script given"},
		{[]string{"--bogus", "a.lua"}, "flag provided but not defined: -bogus"},
		{[]string{"--budget", "fast", "a.lua"}, `invalid value "fast" for flag -budget`},
		{[]string{"--budget", "-1ms", "a.lua"}, "--budget -1ms: negative"},
		{[]string{"--frame-time", "-1ms", "a.lua"}, "--frame-time -1ms: negative"},
		{[]string{"--max-frames", "0", "a.lua"}, "--max-frames 0: at least 1 expected"},
		{[]string{"--idle-frames", "-1", "a.lua"}, "--idle-frames -1: negative"},
		{[]string{"--seed", "-3", "a.lua"}, `invalid value "-3" for flag -seed`},
		{[]string{"--addon", "x", "a.lua", "b.lua"}, "--addon x: only with one script, got 2"},
		{[]string{"--host", "wow", "a.lua"}, "--host wow: unknown preset"},
		{[]string{"a.lua", "--virtual"}, "--virtual: flags go before the scripts"},
		{[]string{"a.lua", "dir/a.lua"}, `a.lua and dir/a.lua: both would be addon "a"`},
		{[]string{"--record", "r", "--virtual", "a.lua"}, "--record: only on the real clock"},
		{[]string{"--record", "r", "--replay", "r", "a.lua"}, "--record: only on the real clock"},
		{[]string{"--replay", "r", "--virtual", "a.lua"}, "--replay: runs on the recorded clock, without --virtual"},
	} {
		res := runArgs(tc.args)
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) || res.stdout != "" {
			t.Errorf("Run(%q) = %d, stderr %q, stdout %q; want 2 and %q on stderr", tc.args, res.code, res.stderr, res.stdout, tc.want)
		}
		if !strings.Contains(res.stderr, "usage: demo run") {
			t.Errorf("Run(%q): no usage line on stderr: %q", tc.args, res.stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	res := runArgs([]string{"-h"})
	if res.code != 0 || !strings.Contains(res.stderr, "-idle-frames") || res.stdout != "" {
		t.Errorf("Run(-h) = %d, stderr %q, stdout %q", res.code, res.stderr, res.stdout)
	}
}

func TestFlags(t *testing.T) {
	const src = `
Sim.OnFrame(function(f)
	print(Sim.Addon(), f, Sim.Now())
	if f == 3 then Sim.Done() end
end)
Task = blTasks.Task.Create(function(self)
	while true do
		Sim.Work(0.004)
		print("slice", Sim.Frame(), Sim.Ms())
		self:BreathShort()
	end
end):Start()
`
	got := virtual(t, src, "--budget", "10ms", "--frame-time", "30ms", "--addon", "Bags")
	// BreathShort parks once the next 4 ms chunk would not fit in 10 ms.
	want := "Bags\t1\t0\nslice\t1\t4\nslice\t1\t8\n" +
		"Bags\t2\t0.03\nslice\t2\t4\nslice\t2\t8\n" +
		"Bags\t3\t0.06\nslice\t3\t4\nslice\t3\t8\n3\tEND\tdone\n"
	checkOutput(t, got, want)
}

func TestSeed(t *testing.T) {
	const src = `print(math.random(1000000), math.random(1000000)) Sim.Done()`
	seven := virtual(t, src, "--seed", "7")
	if again := virtual(t, src, "--seed", "7"); again != seven {
		t.Errorf("seed 7 twice: %q and %q", seven, again)
	}
	if eight := virtual(t, src, "--seed", "8"); eight == seven {
		t.Errorf("seeds 7 and 8 both give %q", seven)
	}
}

func TestLoadFailure(t *testing.T) {
	res := runScripts(t, []string{"--virtual"},
		"good.lua", `print("good loads")`,
		"syntax.lua", "local x = = 1\n",
		"raise.lua", "print('before')\nerror('boom')\n",
	)
	want := "good loads\n" +
		"0\tERROR [syntax] syntax.lua line:1(column:11) near '=':   syntax error\n" +
		"before\n" +
		"0\tERROR [raise] raise.lua:2: boom\n" +
		"\tstack traceback:\n\t\t[G]: in function 'error'\n\t\traise.lua:2: in main chunk\n\t\t[G]: ?\n"
	if res.code != 1 || res.stderr != "" {
		t.Errorf("exit status %d, stderr %q; want 1 and nothing", res.code, res.stderr)
	}
	checkOutput(t, res.stdout, want)

	res = runArgs([]string{"--virtual", "no/such/file.lua"})
	checkOutput(t, res.stdout, "0\tERROR [file] open no/such/file.lua: no such file or directory\n")
	if res.code != 1 {
		t.Errorf("missing file: exit status %d, want 1", res.code)
	}
}

func TestEndings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []string
		src   string
		want  string
	}{
		{"idle by default", nil, ``, "300\tEND\tidle\n"},
		{"idle counts from the last line", []string{"--idle-frames", "5"},
			`Sim.OnFrame(function(f) if f == 3 then print("three") end end)`,
			"three\n8\tEND\tidle\n"},
		{"idle 0 never ends", []string{"--idle-frames", "0", "--max-frames", "700"}, ``, "700\tEND\tmax\n"},
		{"an error line is output", []string{"--idle-frames", "2"},
			`Sim.OnFrame(function(f) if f == 2 then error("oops") end end)`,
			"2\tERROR [test] test.lua:1: oops\n" +
				"\tstack traceback:\n\t\t[G]: in function 'error'\n\t\ttest.lua:1: in main chunk\n\t\t[G]: ?\n" +
				"4\tEND\tidle\n"},
		{"max", []string{"--max-frames", "3"}, `Sim.OnFrame(print)`, "1\n2\n3\n3\tEND\tmax\n"},
		{"done wins over max", []string{"--max-frames", "2"},
			`Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`, "2\tEND\tdone\n"},
		{"done while loading", nil, `Sim.Done() Sim.OnFrame(print)`, "0\tEND\tdone\n"},
		{"done from a task", nil, `blTasks.Task.Create(function(self)
			self:Wait(blTasks.Wait.Frames(4)) Sim.Done() end):Start()`, "5\tEND\tdone\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOutput(t, virtual(t, tc.src, tc.flags...), tc.want)
		})
	}
}

// TestRealClock runs a few frames on the real clock: Sim.Work spins, and
// frames start --frame-time apart.
func TestRealClock(t *testing.T) {
	res := runScripts(t, []string{"--frame-time", "5ms", "--budget", "20ms"}, "real.lua", `
local frames = {}
Sim.OnFrame(function(f) frames[f] = Sim.Now() end)
blTasks.Task.Create(function(self)
	local t0 = Sim.Now()
	Sim.Work(0.003)
	print("worked", Sim.Now() - t0 >= 0.003)
	self:Wait(blTasks.Wait.Frames(2))
	print("frames apart", frames[3] - frames[1] >= 0.01)
	Sim.Done()
end):Start()
`)
	checkOutput(t, res.stdout, "worked\ttrue\nframes apart\ttrue\n3\tEND\tdone\n")
	if res.code != 0 {
		t.Errorf("exit status %d", res.code)
	}
}

// A --virtual run prints memory addresses (tostring of tables, functions,
// errors that are tables) numbered in order of first appearance, so its
// output is the same on every run; the same object keeps its number.
func TestVirtualAddresses(t *testing.T) {
	const src = `
		local a, b = {}, function() end
		print(tostring(a), tostring(b), tostring(a))
		print("plain: 0x not an address")
		Task = blTasks.Task
		Task.Create(function() error(a) end):Start()
		Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`
	got := errorHeads(virtual(t, src))
	want := "table: 0x1\tfunction: 0x2\ttable: 0x1\n" +
		"plain: 0x not an address\n" +
		"1\tERROR [test] table: 0x1\n" +
		"2\tEND\tdone\n"
	checkOutput(t, got, want)
}
