package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReport: --report writes the monitor's report of the run, with the
// script's print and error in its log and its task's CPU.
func TestReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	virtual(t, `
		print("hello")
		blTasks.Task.Create(function(self)
			Sim.Work(0.030)
			self:Breath()
			error("boom")
		end):Start()
		Sim.OnFrame(function(n) if n == 3 then Sim.Done() end end)
	`, "--report", path)
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", ">hello</td>", ">test.lua:6: boom</td>", "<td>test</td><td class=\"n\">30.0ms</td>"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestReportNotWritable: a --report file that cannot be created is an
// error before anything runs.
func TestReportNotWritable(t *testing.T) {
	res := runScripts(t, []string{"--virtual", "--report", filepath.Join(t.TempDir(), "no", "such", "dir.html")},
		"test.lua", `print("ran")`)
	if res.code != 2 || !strings.Contains(res.stderr, "--report: open ") || res.stdout != "" {
		t.Errorf("exit status %d, stderr %q, stdout %q; want 2, the error, no output", res.code, res.stderr, res.stdout)
	}
}
