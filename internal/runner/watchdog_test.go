package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Under the runner every piece of addon code is under the watchdog: a loop
// that never ends in the main chunk, a Sim.OnFrame hook, an OnFinished
// handler, a predicate, a RIFT event handler or a pattern that backtracks
// for hours is ended within twice the kill threshold, with an ERROR line.
// The threshold is real time (virtual time stands still in such a loop):
// 100 ms here; each run has 20 s of real time before the test gives up.

const testKillAfter = 100 * time.Millisecond

// guarded runs the scripts with --virtual and flags, with the watchdog at
// testKillAfter, failing the test when the run takes 20 s.
func guarded(t *testing.T, flags []string, src string) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"--virtual"}, flags...), path)
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := runGuarded(args, &stdout, &stderr, guard{after: testKillAfter})
		done <- result{code, stdout.String(), stderr.String()}
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(20 * time.Second):
		t.Fatalf("the run still runs after 20 s")
		return result{}
	}
}

const killed = "watchdog: a slice ran past 100ms without breathing"

func TestWatchdogEndsHangs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []string
		src   string
		code  int
		want  string
	}{
		{"main chunk", nil, `print("loading") while true do end`, 1,
			"loading\n0\tERROR [test] " + killed + "\n"},
		{"Sim.OnFrame hook", nil, `
			Sim.OnFrame(function(f) print("hook", f) if f == 2 then while true do end end end)
			Sim.OnFrame(function(f) if f == 4 then Sim.Done() end end)`, 0,
			"hook\t1\nhook\t2\n2\tERROR [test] " + killed + " (Sim.OnFrame hook removed)\n4\tEND\tdone\n"},
		{"OnFinished handler", nil, `
			blTasks.OnFinished(function(task, how) print("finished", how) while true do end end)
			blTasks.Task.Create(function() end):Start()
			Sim.OnFrame(function(f) if f == 3 then Sim.Done() end end)`, 0,
			"finished\treturned\n1\tERROR [test] " + killed + "\n3\tEND\tdone\n"},
		{"predicate", nil, `
			local calls = 0
			blTasks.Task.Create(function(self)
				self:Wait(blTasks.Wait.Predicate(function()
					calls = calls + 1
					if calls == 2 then while true do end end
					return calls == 3
				end, "p"))
				print("waited", Sim.Frame())
				Sim.Done()
			end):Start()`, 0,
			"2\tERROR [test] " + killed + "\nwaited\t3\n3\tEND\tdone\n"},
		{"pattern in a task", nil, `
			blTasks.Task.Create(function()
				print(string.find(string.rep("a", 40), string.rep("a-", 12) .. "b"))
			end):Start()
			Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`, 0,
			"1\tERROR [test] " + killed + "\n2\tEND\tdone\n"},
		{"RIFT event handler", []string{"--host", "rift"}, `
			Command.Event.Attach(Event.System.Update.End, function() while true do end end, "spin")
			Command.Event.Attach(Event.System.Update.Begin, function() if Inspect.Time.Frame() == 2 then Sim.Done() end end, "done")`, 0,
			"1\tERROR [Scenario] " + killed + "\n2\tERROR [Scenario] " + killed + "\n2\tEND\tdone\n"},
		{"__tostring of an error", []string{"--host", "rift"}, `
			blTasks.Task.Create(function()
				error(setmetatable({}, {__tostring = function() while true do end end}))
			end):Start()
			Sim.OnFrame(function(f) if f == 2 then Sim.Done() end end)`, 0,
			"1\tERROR [Scenario] table: <addr>\n2\tEND\tdone\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			res := guarded(t, tc.flags, tc.src)
			if res.code != tc.code || res.stderr != "" {
				t.Errorf("exit status %d, stderr %q; want %d", res.code, res.stderr, tc.code)
			}
			checkOutput(t, errorHeads(res.stdout), tc.want)
			kills := strings.Count(res.stdout, "watchdog:") + strings.Count(tc.name, "__tostring")
			if took := time.Since(t0); took > time.Duration(2*kills)*testKillAfter+2*time.Second {
				t.Errorf("the run took %v for %d kills at %v", took, kills, testKillAfter)
			}
		})
	}
}
