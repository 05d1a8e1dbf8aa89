package monitor

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// TestChart: a column shows the longest frame that overlaps it, so a long
// frame is as wide as the time it took; the scale is two frame periods, in
// rows of half a period here, with the period dotted.
func TestChart(t *testing.T) {
	p := DefaultFramePeriod
	frames := []FrameTime{{0, p}, {4 * p, 8 * p}} // the second spans the second and third columns
	rows := chart(frames, 12*p, 4*p, 3, 4, p)
	want := []string{"33.3ms│ ██", "16.7ms│┈██", "      │███", "     0│███"}
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

// TestLiveFits: the view of two runs with many owners fits the window,
// from a small one, where it folds owners into one line, up.
func TestLiveFits(t *testing.T) {
	snap := Snapshot{Status: "1.0s"}
	for i, name := range []string{"naive", "framesched"} {
		r := RunSnapshot{Name: name, About: "a run", Period: DefaultFramePeriod, Budget: time.Duration(i) * 4 * time.Millisecond, At: 2 * time.Second}
		for k := range 12 {
			r.Owners = append(r.Owners, "Owner"+string(rune('A'+k)))
			r.CPU = append(r.CPU, float64(k)/30)
		}
		for at := time.Duration(0); at < r.At; at += DefaultFramePeriod {
			r.Frames = append(r.Frames, FrameTime{at, DefaultFramePeriod - time.Millisecond})
		}
		snap.Runs = append(snap.Runs, r)
		for k := range 30 {
			snap.Notes = append(snap.Notes, SnapshotNote{name, Note{At: time.Duration(k) * time.Millisecond, Kind: NoteKind(k % 3), Owner: "OwnerA", Text: strings.Repeat("long text ", 20)}})
		}
	}
	v := NewLive(Page{Title: "test"})
	v.Update(snap)
	for _, size := range []struct{ w, h int }{{80, 24}, {80, 16}, {100, 30}, {160, 50}} {
		view := v.Render(size.w, size.h)
		lines := strings.Split(view, "\n")
		if len(lines) > size.h {
			t.Errorf("%dx%d: %d lines", size.w, size.h, len(lines))
		}
		for i, l := range lines {
			if w := lipgloss.Width(l); w > size.w {
				t.Errorf("%dx%d: line %d is %d cells wide", size.w, size.h, i, w)
			}
		}
		for _, want := range []string{"naive", "framesched", "16.7ms", "now", "OwnerA", "of 4.0ms", "no budget"} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: view lacks %q:\n%s", size.w, size.h, want, view)
			}
		}
		if folded := strings.Contains(view, "more "); folded != (size.h < 30) {
			t.Errorf("%dx%d: owners folded %v:\n%s", size.w, size.h, folded, view)
		}
	}
	_, cmd := v.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q: no command, want tea.Quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q: command gives %T, want tea.QuitMsg", cmd())
	}
}
