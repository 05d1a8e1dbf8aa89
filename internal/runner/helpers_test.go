package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one Run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runScripts writes each script (name, source, name, source...) to a
// temporary folder and runs them with flags.
func runScripts(t *testing.T, flags []string, scripts ...string) result {
	t.Helper()
	dir := t.TempDir()
	args := append([]string(nil), flags...)
	for i := 0; i+1 < len(scripts); i += 2 {
		path := filepath.Join(dir, scripts[i])
		if err := os.WriteFile(path, []byte(scripts[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	return runArgs(args)
}

func runArgs(args []string) result {
	var stdout, stderr bytes.Buffer
	code := Run(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// virtual runs one script named test.lua with --virtual and flags, and
// wants it to end with exit status 0 and nothing on stderr.
func virtual(t *testing.T, src string, flags ...string) string {
	t.Helper()
	res := runScripts(t, append([]string{"--virtual"}, flags...), "test.lua", src)
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("exit status %d, stderr %q, stdout:\n%s", res.code, res.stderr, res.stdout)
	}
	return res.stdout
}

func checkOutput(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// errorHeads is out without the lines indented by a tab that follow its
// ERROR lines (the task, where it was created, the traceback; see
// TestErrorDetail): what RIFT_HOST.md's line-for-line comparison with the
// real blTasks, which prints one line per error, looks at, and what tests
// about something else than the detail of errors compare.
func errorHeads(out string) string {
	var b strings.Builder
	inError := false
	for l := range strings.Lines(out) {
		switch {
		case strings.HasPrefix(l, "\t") && inError:
			continue
		case strings.Contains(l, "\tERROR ["):
			inError = true
		default:
			inError = false
		}
		b.WriteString(l)
	}
	return b.String()
}
