package showcase

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/framesched/framesched/monitor"
)

// testSeconds is the simulated play of the tests' runs: every kind of event
// happens by then.
const testSeconds = 3

// plainRun runs a showcase of testSeconds in plain mode and returns it and
// its output. The caller closes it.
func plainRun(t *testing.T) (*Showcase, string) {
	t.Helper()
	sc, err := New(Options{Seconds: testSeconds, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := sc.Plain(&out); err != nil {
		sc.Close()
		t.Fatal(err)
	}
	return sc, out.String()
}

// shared is one plain run that the tests reading its results share.
var shared = sync.OnceValues(func() (*Showcase, string) {
	sc, err := New(Options{Seconds: testSeconds, Seed: 1})
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	if err := sc.Plain(&out); err != nil {
		panic(err)
	}
	sc.Close()
	return sc, out.String()
})

func TestPlainRunsToTheEnd(t *testing.T) {
	_, out := shared()
	for _, want := range []string{
		"framesched showcase: 3.0s of a game at 60 fps",
		"\n    1s ", "\n    2s ", "\n    3s ",
		"summary of 3.0s simulated:",
		"addon CPU", "warnings and errors by addon",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\n    4s ") {
		t.Errorf("output goes past 3s:\n%s", out)
	}
	m := regexp.MustCompile(`long frames \(over 16\.7ms\)\s+(\d+) \(.*?\)\s+(\d+) \(`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no over-budget line in the summary:\n%s", out)
	}
	naive, framed := atoi(t, m[1]), atoi(t, m[2])
	if naive == 0 || framed >= naive {
		t.Errorf("frames over budget: naive %d, framesched %d; want framesched fewer than naive (not 0)", naive, framed)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeterministic(t *testing.T) {
	_, first := shared()
	sc, second := plainRun(t)
	defer sc.Close()
	if first != second {
		t.Errorf("two runs differ:\n--- first\n%s\n--- second\n%s", first, second)
	}
}

// TestWatchdogAndErrorsAttributed checks that the greedy addon's watchdog
// warning and kill, and the failing addon's error, are attributed to them
// and to nobody else, in the notes and in the summary.
func TestWatchdogAndErrorsAttributed(t *testing.T) {
	sc, out := shared()
	type key struct {
		kind        monitor.NoteKind
		owner, task string
		text        string
	}
	want := map[string][]key{
		"naive": {
			{monitor.Error, "QuestLog", "questlog.lua:27", "questlog.lua:30: bad argument #1 to ipairs (table expected, got nil)"},
		},
		"framesched": {
			{monitor.Warning, "Codex", "parse", ""}, // its text depends on the scheduler's learning: see below
			{monitor.Error, "QuestLog", "questlog.lua:27", "questlog.lua:30: bad argument #1 to ipairs (table expected, got nil)"},
			{monitor.Error, "Auctioneer", "auctioneer.lua:12", "watchdog: a slice ran past 50ms without breathing"},
			{monitor.Warning, "Auctioneer", "auctioneer.lua:12", "slice ran 50.0ms without breathing"},
		},
	}
	for _, w := range sc.runs {
		var got []key
		for _, n := range w.mon.Notes() {
			if n.Kind != monitor.Print {
				got = append(got, key{n.Kind, n.Owner, n.Task, n.Text})
			}
		}
		if len(got) != len(want[w.name]) {
			t.Errorf("%s: warnings and errors\n%v\nwant\n%v", w.name, got, want[w.name])
			continue
		}
		for i := range got {
			if want[w.name][i].text == "" && codexWarning.MatchString(got[i].text) {
				got[i].text = ""
			}
			if got[i] != want[w.name][i] {
				t.Errorf("%s: warning or error %d is %v, want %v", w.name, i, got[i], want[w.name][i])
			}
		}
	}
	summary := out[strings.Index(out, "warnings and errors by addon"):]
	for _, want := range []string{
		"Codex                          -                    1 warning\n",
		"Auctioneer                     -                    1 warning, 1 error\n",
		"ERROR   watchdog: a slice ran past 50ms without breathing (task auctioneer.lua:12)\n",
		"QuestLog                       1 error              1 error\n",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// codexWarning is the watchdog's warning about the slice in which Codex
// decodes its icon line (12.8ms) and, before it, as many lines as the
// scheduler let it.
var codexWarning = regexp.MustCompile(`^slice ran 1[2-6]\.\dms without breathing$`)

func TestBadSeconds(t *testing.T) {
	for _, s := range []float64{-1, 3601} {
		if _, err := New(Options{Seconds: s}); err == nil {
			t.Errorf("New with %v seconds: no error", s)
		}
	}
}

// TestQuestLogTagsItsLog: QuestLog's QUEST_UPDATE handler tags the log with
// blTasks.Async.sha256, a host async function run on the pool, blocking
// there (outside any task), so the note is the same in both runs.
func TestQuestLogTagsItsLog(t *testing.T) {
	sc, _ := shared()
	for _, w := range sc.runs {
		var got []string
		for _, n := range w.mon.Notes() {
			if n.Kind == monitor.Print && n.Owner == "QuestLog" {
				got = append(got, n.Text)
			}
		}
		if len(got) != 1 || got[0] != "log 7de8032e: 90 quests" { // sha256("quest log of 90")
			t.Errorf("%s: QuestLog printed %q", w.name, got)
		}
	}
}
