package runner

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// stallScript does a little work in every frame and, in frame 3, a 30 ms
// stall, printing what it sees of the clock; the worst frame is the stall's.
const stallScript = `
blTasks.Task.Create(function(self)
	for f = 1, 5 do
		local t0 = Sim.Now()
		Sim.Work(0.0005)
		if f == 3 then Sim.Work(0.03) end
		print(Sim.Frame(), Sim.Ms(), Sim.Now() - t0, os.clock(), {})
		self:Wait(blTasks.Wait.Frame())
	end
	Sim.Done()
end):Start()`

var worstLine = regexp.MustCompile(`\tworst frame (\d+): (.+)\n$`)

// TestRecordReplay records a real-clock run with a 30 ms stall, then
// replays it: the replay prints the same, byte for byte, the worst frame
// and its length included.
func TestRecordReplay(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "stall.lua")
	if err := os.WriteFile(script, []byte(stallScript), 0o644); err != nil {
		t.Fatal(err)
	}
	recording := filepath.Join(dir, "stall.rec")
	flags := []string{"--frame-time", "5ms", "--worst-frame"}
	recorded := runArgs(append(append([]string{"--record", recording}, flags...), script))
	if recorded.code != 0 || recorded.stderr != "" {
		t.Fatalf("record: exit status %d, stderr %q", recorded.code, recorded.stderr)
	}
	m := worstLine.FindStringSubmatch(recorded.stdout)
	if m == nil {
		t.Fatalf("record: no worst frame line:\n%s", recorded.stdout)
	}
	if took, err := time.ParseDuration(m[2]); err != nil || took < 30*time.Millisecond {
		t.Errorf("record: worst frame %s took %s, want 30ms or more", m[1], m[2])
	}
	if !strings.Contains(recorded.stdout, "table: 0x1\n") {
		t.Errorf("record: addresses are not numbered:\n%s", recorded.stdout)
	}
	replayed := runArgs(append(append([]string{"--replay", recording}, flags...), script))
	if replayed.code != 0 || replayed.stderr != "" {
		t.Fatalf("replay: exit status %d, stderr %q", replayed.code, replayed.stderr)
	}
	if replayed.stdout != recorded.stdout {
		t.Errorf("the replay printed:\n%s\nthe recorded run:\n%s", replayed.stdout, recorded.stdout)
	}
}

// TestReplayRefuses: a replay of other scripts or flags than those
// recorded, or one that diverges (here the scripts read a file that
// changed since), exits with status 4 and says why; a missing recording
// with status 1. A replay that diverges prints no line after it caught it.
func TestReplayRefuses(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "test.lua")
	data := filepath.Join(dir, "data.txt")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(data, "short")
	write(script, `blTasks.Task.Create(function(self)
	print("read", Sim.Frame())
	if blTasks.Async.readFile("data.txt") == "long" then Sim.Now() end
	print("after", Sim.Frame())
	Sim.Done()
end):Start()`)
	recording := filepath.Join(dir, "test.rec")
	if res := runArgs([]string{"--record", recording, script}); res.code != 0 || res.stderr != "" {
		t.Fatalf("record: exit status %d, stderr %q", res.code, res.stderr)
	}
	if res := runArgs([]string{"--replay", recording, script}); res.code != 0 || res.stderr != "" {
		t.Fatalf("replay: exit status %d, stderr %q", res.code, res.stderr)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		setup func()
		code  int
		want  string
	}{
		{"other flags", []string{"--replay", recording, "--seed", "3", script}, nil, exitReplay,
			`not the run recorded: it has "--seed=3" where the recording has "--seed=0"`},
		{"diverged", []string{"--replay", recording, script}, func() { write(data, "long") }, exitReplay,
			"the run diverged from the recording: the run reads the clock more often than the recorded one"},
		{"other script", []string{"--replay", recording, script}, func() { write(script, "Sim.Done()") }, exitReplay,
			`not the run recorded: it has "test.lua sha256:`},
		{"no recording", []string{"--replay", filepath.Join(dir, "none.rec"), script}, nil, exitLoadFailed,
			"--replay: open "},
		{"not a recording", []string{"--replay", script, script}, nil, exitLoadFailed,
			"not a framesched-replay 1 recording"},
	} {
		if tc.setup != nil {
			tc.setup()
		}
		res := runArgs(tc.args)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%s: exit status %d, stderr %q; want %d and %q", tc.name, res.code, res.stderr, tc.code, tc.want)
		}
		// What the replay printed until it caught the divergence (here
		// when the recording ran out, at the end of frame 2), and no END.
		if want := map[string]string{"diverged": "read\t1\nafter\t2\n"}[tc.name]; res.stdout != want {
			t.Errorf("%s: stdout %q, want %q", tc.name, res.stdout, want)
		}
	}
}
