package showcase

import (
	"bytes"
	"io"
	"testing"

	"github.com/framesched/framesched/internal/tracecheck"
	"github.com/framesched/framesched/tracefile"
)

// Options.Trace records the framesched run, and only it, in a well-formed
// trace with a process per addon.
func TestTrace(t *testing.T) {
	var buf bytes.Buffer
	tw := tracefile.New(&buf)
	sc, err := New(Options{Seconds: 2, Seed: 1, Trace: tw})
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Plain(io.Discard); err != nil {
		t.Fatal(err)
	}
	sc.Close()
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := tracecheck.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	frames, ok := f.Thread("frames", "frames")
	if !ok {
		t.Fatal("no frames track")
	}
	n := 0
	for _, e := range f.On(frames) {
		if e.Ph != "X" {
			continue
		}
		n++
		if e.Args["budget"] != "4ms" {
			t.Fatalf("a frame of budget %v: only the framesched run's (4ms) should be traced", e.Args["budget"])
		}
	}
	if n < 100 {
		t.Errorf("%d frames traced, want the 2 simulated seconds' (about 120)", n)
	}
	for _, name := range []string{"Bags", "Codex", "Chatter", "QuestLog"} { // those with tasks in the first 2s
		if _, ok := f.Thread(name, name); !ok {
			t.Errorf("no track of addon %s; processes %v", name, f.Processes)
		}
	}
}
