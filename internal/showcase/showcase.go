package showcase

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/tracefile"
)

// DefaultSeconds is how much simulated play a showcase runs by default.
const DefaultSeconds = 20

// Options configure a showcase.
type Options struct {
	Seconds float64 // simulated seconds of play: DefaultSeconds when 0
	Seed    uint64  // seeds the game's events, the host's work and math.random
	// Trace, when not nil, records the framesched run (the caller closes it
	// after Close).
	Trace *tracefile.Writer
}

// Showcase is the same game run twice, naively and under framesched, on
// virtual clocks, in lockstep. It is single-goroutine.
type Showcase struct {
	total time.Duration // simulated time to run
	at    time.Duration // simulated time both runs have reached
	runs  [2]*world     // naive, framesched
}

// New loads the addons into both runs; nothing runs yet.
func New(opts Options) (*Showcase, error) {
	if opts.Seconds == 0 {
		opts.Seconds = DefaultSeconds
	}
	if !(opts.Seconds > 0 && opts.Seconds <= 3600) {
		return nil, errors.New("showcase: seconds must be more than 0 and at most 3600")
	}
	sc := &Showcase{total: time.Duration(opts.Seconds * float64(time.Second))}
	events, data := schedule(sc.total, opts.Seed), itemDatabase()
	for i := range sc.runs {
		w, err := newWorld(i == 1, events, data, opts.Seed, opts.Trace)
		if err != nil {
			sc.Close()
			return nil, err
		}
		sc.runs[i] = w
	}
	return sc, nil
}

// Close stops every task of both runs.
func (sc *Showcase) Close() {
	for _, w := range sc.runs {
		if w != nil {
			w.close()
		}
	}
}

// step runs both runs on by d of simulated time, or to the end, and reports
// whether there is more to run.
func (sc *Showcase) step(d time.Duration) bool {
	sc.at = min(sc.at+d, sc.total)
	for _, w := range sc.runs {
		w.advance(sc.at)
	}
	return sc.at < sc.total
}

// Plain runs the showcase to the end, writing a line per second of
// simulated time and then the summary: the output for a pipe or a log.
func (sc *Showcase) Plain(out io.Writer) error {
	ew := &errWriter{w: out}
	sc.intro(ew)
	fmt.Fprintf(ew, "\n        %-26s  %s\n", "--------- naive ---------", "------------- framesched -------------")
	fmt.Fprintf(ew, "%6s  %6s %5s %10s    %6s %5s %10s %6s  %s\n",
		"time", "frames", "long", "worst", "frames", "long", "worst", "tasks", "warnings and errors")
	for more := true; more; {
		from := sc.at
		more = sc.step(time.Second)
		naive, framed := sc.runs[0].mon.Since(from), sc.runs[1].mon.Since(from)
		line := fmt.Sprintf("%5.0fs  %6d %5d %10s    %6d %5d %10s %6d  %s", math.Ceil(sc.at.Seconds()),
			naive.Frames, naive.Long, dur(naive.Worst.Took),
			framed.Frames, framed.Long, dur(framed.Worst.Took), framed.Counts.Alive(), sc.runs[1].problems(framed))
		fmt.Fprintln(ew, strings.TrimRight(line, " "))
	}
	fmt.Fprintln(ew)
	sc.Summary(ew)
	return ew.err
}

// intro says what is about to run.
func (sc *Showcase) intro(out io.Writer) {
	fmt.Fprintf(out, "framesched showcase: %s of a game at %d fps (a frame every %s), run twice on a simulated clock\n",
		seconds(sc.total), fps, dur(framePeriod))
	fmt.Fprintf(out, "  naive       every job runs to completion in the frame that asked for it\n")
	fmt.Fprintf(out, "  framesched  addons get %s a frame; the watchdog warns at %s and stops Lua at %s\n",
		dur(budget), dur(warnAfter), dur(killAfter))
	fmt.Fprintln(out, "addons:")
	for _, a := range addons {
		fmt.Fprintf(out, "  %-11s %-4s %s\n", a.name, a.lang, a.job)
	}
}

// Summary writes how the two runs compare so far.
func (sc *Showcase) Summary(out io.Writer) {
	if sc.at < sc.total {
		fmt.Fprintf(out, "summary, stopped after %s of %s simulated:\n", seconds(sc.at), seconds(sc.total))
	} else {
		fmt.Fprintf(out, "summary of %s simulated:\n", seconds(sc.at))
	}
	row := func(r comparison) { fmt.Fprintf(out, "  %-32s %-20s %s\n", r.What, r.Naive, r.Framed) }
	cmp := sc.compare()
	row(comparison{"", "naive", "framesched"})
	for _, r := range cmp.frames {
		row(r)
	}
	fmt.Fprintln(out, "  addon CPU")
	for _, r := range cmp.cpu {
		r.What = "  " + r.What
		row(r)
	}
	fmt.Fprintln(out, "  warnings and errors by addon")
	for _, p := range cmp.problems {
		p.What = "  " + p.What
		row(p.comparison)
		for _, n := range p.first {
			fmt.Fprintf(out, "      %-7s %s (task %s)\n", n.Kind, n.Text, n.Task)
		}
	}
	if cmp.problems == nil {
		fmt.Fprintln(out, "    none")
	}
}

// comparison is a line of the summary: a figure in both runs.
// Its fields are exported for the report's template.
type comparison struct{ What, Naive, Framed string }

// addonProblems are an addon's warnings and errors in both runs, with the
// first warning and error under framesched.
type addonProblems struct {
	comparison
	first []monitor.Note
}

// summary is how the two runs compare.
type summary struct {
	frames   []comparison
	cpu      []comparison    // per addon
	problems []addonProblems // per addon that had any
}

func (sc *Showcase) compare() summary {
	naive, framed := sc.runs[0].mon.Total(), sc.runs[1].mon.Total()
	sum := summary{frames: []comparison{
		{"frames", fmt.Sprint(naive.Frames), fmt.Sprint(framed.Frames)},
		{"long frames (over " + dur(framePeriod) + ")", monitor.LongFrames(naive), monitor.LongFrames(framed)},
		{"worst frame", monitor.WorstFrame(naive), monitor.WorstFrame(framed)},
		{"time lost to long frames", dur(naive.Lost), dur(framed.Lost)},
	}}
	for _, a := range addons {
		i, j := sc.runs[0].mon.Owner(a.name), sc.runs[1].mon.Owner(a.name)
		sum.cpu = append(sum.cpu, comparison{a.name + " (" + a.lang + ")", dur(naive.CPUOf(i)), dur(framed.CPUOf(j))})
		if naive.WarningsOf(i)+naive.ErrorsOf(i)+framed.WarningsOf(j)+framed.ErrorsOf(j) > 0 {
			sum.problems = append(sum.problems, addonProblems{
				comparison: comparison{a.name, problems(naive, i), problems(framed, j)},
				first:      sc.runs[1].firstNotes(a.name),
			})
		}
	}
	return sum
}

func problems(s monitor.Summary, i int) string {
	return cmp.Or(monitor.Tally(s.WarningsOf(i), s.ErrorsOf(i)), "-")
}

// dur and seconds render durations as the monitor's pages do.
var dur, seconds = monitor.Millis, monitor.Seconds

// errWriter keeps the first write error, so that printing code need not.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	_, e.err = e.w.Write(p)
	return len(p), nil
}
