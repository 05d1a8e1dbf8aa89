package showcase

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/framesched/framesched/monitor"
)

// TestLiveView renders the showcase's live view of the shared run at the
// smallest terminal it supports and at a large one.
func TestLiveView(t *testing.T) {
	sc, _ := shared()
	for _, size := range []struct{ width, height int }{{80, 24}, {160, 50}} {
		v := monitor.NewLive(sc.page())
		v.Update(sc.snapshot())
		view := v.Render(size.width, size.height)
		lines := strings.Split(view, "\n")
		if len(lines) > size.height {
			t.Errorf("%dx%d: the view has %d lines, want at most %d:\n%s", size.width, size.height, len(lines), size.height, view)
		}
		for i, l := range lines {
			if w := lipgloss.Width(l); w > size.width {
				t.Errorf("%dx%d: line %d is %d cells wide:\n%s", size.width, size.height, i, w, l)
			}
		}
		for _, want := range []string{"3.0s of 3.0s simulated", "naive", "framesched", "Auctioneer", "QuestLog", "┈", "█", "now"} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: view lacks %q:\n%s", size.width, size.height, want, view)
			}
		}
	}
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
