package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framesched/framesched/internal/tracecheck"
)

// traceExample runs examples/errors.lua as it documents, with --trace, and
// returns the trace file; the output must be the transcript's.
func traceExample(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(examplesDir, "errors.lua")
	file := filepath.Join(t.TempDir(), "errors.trace.json")
	args := append([]string{"--trace", file}, exampleArgs(t, path)...)
	var stdout, stderr bytes.Buffer
	if code := Run(args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("Run(%q) = %d, stderr %q", args, code, stderr.String())
	}
	if want, err := os.ReadFile(strings.TrimSuffix(path, ".lua") + ".txt"); err != nil || stdout.String() != string(want) {
		t.Errorf("with --trace, the output differs from the transcript (%v):\n%s", err, stdout.String())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestTraceFile(t *testing.T) {
	data := traceExample(t)
	f, err := tracecheck.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	frames, ok := f.Thread("frames", "frames")
	if !ok {
		t.Fatal("no frames track")
	}
	n := 0
	for _, e := range f.On(frames) {
		if e.Ph == "X" {
			n++
		}
	}
	if n != 5 { // the transcript ends with "5	END	done"
		t.Errorf("%d frames in the trace, want 5", n)
	}
	own, ok := f.Thread("errors", "errors")
	if !ok {
		t.Fatal("no track of the addon errors")
	}
	var marks []string
	for _, e := range f.On(own) {
		marks = append(marks, e.Name)
	}
	for _, want := range []string{"failed: errors.lua:22", "error: errors.lua:22", "warning: errors.lua:50", "stopped: errors.lua:50"} {
		if !strings.Contains(strings.Join(marks, "\n"), want) {
			t.Errorf("the addon's track has %q, want %q", marks, want)
		}
	}
	// The failing task waited for the next frame, from its first slice to
	// its second.
	failing, ok := f.Thread("errors", "errors.lua:22")
	if !ok {
		t.Fatal("no track of the task errors.lua:22")
	}
	var seq []string
	for _, e := range f.On(failing) {
		seq = append(seq, fmt.Sprint(e.Name, " ", e.Args["outcome"], " ", e.Args["waits for"]))
	}
	if got, want := strings.Join(seq, ", "), "errors.lua:22 waiting Frame 2, waiting <nil> Frame 2, errors.lua:22 finished <nil>"; got != want {
		t.Errorf("errors.lua:22's track: %s\nwant %s", got, want)
	}
}

// On the virtual clock, the trace is the same on every run.
func TestTraceFileDeterministic(t *testing.T) {
	if a, b := traceExample(t), traceExample(t); !bytes.Equal(a, b) {
		t.Errorf("two runs wrote different traces:\n%s\n---\n%s", a, b)
	}
}

// A trace file that cannot be created stops the run before it starts.
func TestTraceFileBadPath(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--trace", filepath.Join(t.TempDir(), "no", "such", "dir.json")},
		"test.lua", `print("ran")`)
	if res.code != exitBadFlags || res.stdout != "" || !strings.Contains(res.stderr, "--trace") {
		t.Errorf("exit status %d, stdout %q, stderr %q; want %d, nothing run, an error about --trace", res.code, res.stdout, res.stderr, exitBadFlags)
	}
}
