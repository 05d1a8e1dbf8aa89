package showcase

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestLiveModel(t *testing.T) {
	sc, _ := shared()
	var sent [2]int
	m := &liveModel{width: 100}
	if _, cmd := m.Update(sc.snapshot(&sent)); cmd != nil {
		t.Errorf("a snapshot returned a command")
	}
	view := m.View().Content
	for _, want := range []string{"3.0s of 3.0s simulated", "naive", "framesched", "Auctioneer", "┈", "█",
		"watchdog: a slice ran past 50ms"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if len(m.log) != logLines {
		t.Errorf("view keeps %d log lines, want %d", len(m.log), logLines)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q: no command, want tea.Quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q: command gives %T, want tea.QuitMsg", cmd())
	}
}

func TestChart(t *testing.T) {
	// A frame of the budget exactly, then one twice as long: the chart is
	// six rows of 5.6ms, with the budget between the third and the fourth.
	rows := strings.Split(strings.TrimSuffix(chart([]time.Duration{framePeriod, 2 * framePeriod}, 4), "\n"), "\n")
	want := []string{"   █", "   █", "┈┈┈█", "  ██", "  ██", "  ██"}
	if len(rows) != len(want) {
		t.Fatalf("chart has %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if got := stripANSI(rows[i]); got != want[i] {
			t.Errorf("row %d is %q, want %q", i, got, want[i])
		}
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestLiveRunsToTheEnd runs the live view without a terminal: it ends by
// itself and writes the summary.
func TestLiveRunsToTheEnd(t *testing.T) {
	defer func(d time.Duration) { liveTick = d }(liveTick)
	liveTick = time.Millisecond
	sc, err := New(Options{Seconds: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var out bytes.Buffer
	if err := sc.Live(strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "summary of 0.5s simulated:") {
		t.Errorf("no summary at the end:\n%s", out.String())
	}
}
