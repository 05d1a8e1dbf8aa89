// Package tests is the Lua conformance suite: scenario scripts under
// testdata/*.lua, each run headless by the runner on the virtual clock,
// with its output compared to the golden transcript testdata/<name>.txt.
//
// A script's first line names the runner's flags:
//
//	-- flags: --budget 10ms --frame-time 16ms
//
// and a line "-- also: addons/other.lua" adds another script to the run
// (as its own addon, named after its file), after the main one.
//
// The Lua watchdog's kill guard runs on the virtual clock
// (runner.RunVirtualGuard): a script kills a loop by working in it
// (Sim.Work) past the guard's 5 s, with no real waiting.
//
//	go test ./tests/ -rewrite
//
// regenerates the transcripts; review them by hand before committing.
package tests

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framesched/framesched/internal/runner"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden transcripts (testdata/*.txt)")

// scenarioArgs reads a script's flags (its first line, "-- flags: ...")
// and companion scripts ("-- also: path" lines, relative to testdata), and
// returns the runner's arguments.
func scenarioArgs(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(src), "\n")
	args := []string{"--virtual"}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(first), "-- flags:"); ok {
		args = append(args, strings.Fields(rest)...)
	}
	args = append(args, path)
	for line := range strings.Lines(string(src)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- also:"); ok {
			args = append(args, filepath.Join(filepath.Dir(path), strings.TrimSpace(rest)))
		}
	}
	return args
}

func run(t *testing.T, args []string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := runner.RunVirtualGuard(args, &out, &errOut); code != 0 || errOut.Len() > 0 {
		t.Fatalf("Run(%q) = %d, stderr %q\nstdout:\n%s", args, code, errOut.String(), out.String())
	}
	return out.String()
}

func scenarios(t *testing.T) []string {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.lua"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios in testdata: %v", err)
	}
	return paths
}

// TestConformance runs each scenario and compares its output with its
// transcript; each also runs a second time, which must give the same
// output byte for byte.
func TestConformance(t *testing.T) {
	for _, path := range scenarios(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".lua")
		t.Run(name, func(t *testing.T) {
			args := scenarioArgs(t, path)
			got := run(t, args)
			if again := run(t, args); again != got {
				t.Errorf("%s: two runs differ:\n%s\n---\n%s", path, got, again)
			}
			transcript := strings.TrimSuffix(path, ".lua") + ".txt"
			if *rewrite {
				if err := os.WriteFile(transcript, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(transcript)
			if err != nil {
				t.Fatalf("%v (go test ./tests/ -rewrite writes it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: output differs from %s\ngot:\n%s\nwant:\n%s", path, transcript, got, want)
			}
		})
	}
}
