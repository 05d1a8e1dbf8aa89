package showcase

import (
	"bytes"
	"strings"
	"testing"
)

// TestReport: the showcase's report (the monitor's page, whose form
// package monitor tests) compares both runs, lists the addons and names
// the tasks that made the worst frames long.
func TestReport(t *testing.T) {
	sc, _ := shared()
	var buf bytes.Buffer
	if err := sc.Report(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if n := strings.Count(page, "<svg"); n != 6 {
		t.Errorf("report has %d charts, want 6", n)
	}
	for _, want := range []string{
		"<h1>framesched showcase</h1>",
		"<th>naive</th><th>framesched</th>",
		"<td>Auctioneer</td><td>Lua: scans auctions, never breathes</td>",
		"<td>Auctioneer</td><td><code>auctioneer.lua:12</code></td>",
		"<td>Codex</td><td><code>parse</code></td>",
		"watchdog: a slice ran past 50ms without breathing",
		"budget of framesched, 4.0ms",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
