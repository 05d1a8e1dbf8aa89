package runner

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the examples' transcripts (examples/*.txt)")

// The repository's root and its examples folder, from this package's.
const (
	repoRoot    = "../.."
	examplesDir = repoRoot + "/examples"
)

// exampleArgs reads the command line an example documents at its top, a
// comment line "--   go run ./cmd/demo run [flags] examples/NAME.lua", and
// returns its arguments with the script's path made relative to here.
func exampleArgs(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "go run ./cmd/demo run "
	for line := range strings.Lines(string(src)) {
		line = strings.TrimSpace(strings.TrimPrefix(line, "--"))
		if !strings.HasPrefix(line, cmd) {
			continue
		}
		args := strings.Fields(strings.TrimPrefix(line, cmd))
		for i, a := range args {
			if strings.HasSuffix(a, ".lua") {
				args[i] = filepath.Join(repoRoot, a)
			}
		}
		return args
	}
	t.Fatalf("%s: no %q line at the top", path, cmd)
	return nil
}

// TestExamples runs each example with the flags it documents and compares
// the output with its transcript. go test -run Examples -rewrite rewrites
// the transcripts.
func TestExamples(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.lua"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples in %s: %v", examplesDir, err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".lua")
		t.Run(name, func(t *testing.T) {
			args := exampleArgs(t, path)
			if !strings.Contains(strings.Join(args, " "), "--virtual") {
				t.Fatalf("%s does not run with --virtual: its transcript would not be stable", path)
			}
			var stdout, stderr bytes.Buffer
			if code := Run(args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
				t.Fatalf("Run(%q) = %d, stderr %q", args, code, stderr.String())
			}
			transcript := strings.TrimSuffix(path, ".lua") + ".txt"
			if *rewrite {
				if err := os.WriteFile(transcript, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(transcript)
			if err != nil {
				t.Fatalf("%v (go test ./internal/runner -run Examples -rewrite writes it)", err)
			}
			if got := stdout.String(); got != string(want) {
				t.Errorf("%s: output differs from %s\ngot:\n%s\nwant:\n%s", path, transcript, got, want)
			}
		})
	}
}

// TestExamplesDeterministic runs each example twice: the outputs must be
// the same byte for byte.
func TestExamplesDeterministic(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(examplesDir, "*.lua"))
	for _, path := range paths {
		args := exampleArgs(t, path)
		var first, second, stderr bytes.Buffer
		Run(args, &first, &stderr)
		Run(args, &second, &stderr)
		if first.String() != second.String() {
			t.Errorf("%s: two runs differ:\n%s\n---\n%s", path, first.String(), second.String())
		}
	}
}
