package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportNotWritable: a --report file that cannot be created is an
// error before the showcase runs.
func TestReportNotWritable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	path := filepath.Join(t.TempDir(), "no", "such", "dir.html")
	code := showcaseMain([]string{"--seconds", "1", "--report", path}, false, strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.HasPrefix(stderr.String(), "demo: --report: open ") || stdout.Len() != 0 {
		t.Errorf("exit status %d, stderr %q, stdout %q; want 2, the error, nothing run", code, stderr.String(), stdout.String())
	}
}

// TestReportWritten: --report writes the page after the run's summary.
func TestReportWritten(t *testing.T) {
	var stdout, stderr bytes.Buffer
	path := filepath.Join(t.TempDir(), "report.html")
	code := showcaseMain([]string{"--seconds", "0.5", "--report", path}, false, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || stderr.Len() != 0 || !strings.Contains(stdout.String(), "summary of 0.5s simulated:") ||
		!strings.HasSuffix(stdout.String(), "report: "+path+"\n") {
		t.Fatalf("exit status %d, stderr %q, stdout:\n%s", code, stderr.String(), stdout.String())
	}
	page, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(page), "<h1>framesched showcase</h1>") {
		t.Errorf("report: %v, %.200q", err, page)
	}
}
