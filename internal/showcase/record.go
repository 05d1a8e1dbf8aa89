package showcase

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// noteKind says what a note reports.
type noteKind uint8

const (
	notePrint   noteKind = iota // a line an addon printed
	noteWarning                 // the watchdog's warning about a slice that did not breathe
	noteError                   // a task's error, or an event handler's
)

func (k noteKind) String() string {
	return [...]string{"print", "WARN", "ERROR"}[k]
}

// note is a line of the run's log, attributed to an addon.
type note struct {
	at    time.Duration
	frame uint64
	kind  noteKind
	owner string
	task  string
	text  string
}

// taskCounts are the unfinished tasks by state at the end of a frame.
type taskCounts struct{ pending, active, waiting, suspended int }

func (n taskCounts) alive() int { return n.pending + n.active + n.waiting + n.suspended }

// frameRec is what one frame did.
type frameRec struct {
	n       uint64
	at      time.Duration // when it began, since the run began
	took    time.Duration // all of it: the addons' tasks and the host's own work
	tasks   time.Duration // the scheduler's part (FrameStats.Used)
	longest time.Duration // the frame's longest slice, and whose it was
	owner   string
	task    string
	cpu     []time.Duration // per addon (in addons order)
	counts  taskCounts
}

// recording is everything a run did, frame by frame.
type recording struct {
	frames []frameRec
	notes  []note
	cur    frameRec
}

func newRecording() *recording { return &recording{} }

func (r *recording) beginFrame(n uint64, at time.Duration) {
	r.cur = frameRec{n: n, at: at, cpu: make([]time.Duration, len(addons))}
}

// slice charges a slice to its addon and to the frame.
func (r *recording) slice(owner, task string, took time.Duration) {
	if i := addonIndex(owner); i >= 0 {
		r.cur.cpu[i] += took
	}
	if took > r.cur.longest {
		r.cur.longest, r.cur.owner, r.cur.task = took, owner, task
	}
}

func (r *recording) endFrame(took, tasks time.Duration, n taskCounts) {
	r.cur.took, r.cur.tasks, r.cur.counts = took, tasks, n
	r.frames = append(r.frames, r.cur)
}

func (r *recording) note(at time.Duration, frame uint64, kind noteKind, owner, task, text string) {
	r.notes = append(r.notes, note{at: at, frame: frame, kind: kind, owner: owner, task: task, text: text})
}

// message is an error's message on one line, without a Lua traceback.
func message(err error) string {
	msg := err.Error()
	if le, ok := errors.AsType[*lua.LuaError](err); ok {
		msg = le.Message
	} else if ae, ok := errors.AsType[*glua.ApiError](err); ok {
		msg = ae.Object.String()
	}
	msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
	return msg
}

// runStats sum a recording up.
type runStats struct {
	simulated time.Duration
	frames    int
	over      int           // frames longer than framePeriod
	lost      time.Duration // what those frames took beyond framePeriod
	worst     frameRec
	cpu       []time.Duration // per addon
	warnings  []int           // per addon
	errors    []int           // per addon
}

func (r *recording) stats(simulated time.Duration) runStats {
	st := runStats{simulated: simulated, frames: len(r.frames), cpu: make([]time.Duration, len(addons)),
		warnings: make([]int, len(addons)), errors: make([]int, len(addons))}
	for _, f := range r.frames {
		if f.took > framePeriod {
			st.over++
			st.lost += f.took - framePeriod
		}
		if f.took > st.worst.took {
			st.worst = f
		}
		for i, d := range f.cpu {
			st.cpu[i] += d
		}
	}
	for _, n := range r.notes {
		i := addonIndex(n.owner)
		switch {
		case i < 0:
		case n.kind == noteWarning:
			st.warnings[i]++
		case n.kind == noteError:
			st.errors[i]++
		}
	}
	return st
}

// dur renders a duration in milliseconds with one decimal, or from a
// second on in seconds with two.
func dur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// firstNotes are the first warning and the first error of an addon.
func (r *recording) firstNotes(owner string) []note {
	var out []note
	var seen [noteError + 1]bool
	for _, n := range r.notes {
		if n.owner == owner && n.kind != notePrint && !seen[n.kind] {
			seen[n.kind] = true
			out = append(out, n)
		}
	}
	return out
}

// window is the part of a recording from a moment of simulated time on.
type window struct {
	frames []frameRec
	notes  []note
}

func (r *recording) since(at time.Duration) window {
	i := sort.Search(len(r.frames), func(i int) bool { return r.frames[i].at >= at })
	j := sort.Search(len(r.notes), func(j int) bool { return r.notes[j].at >= at })
	return window{frames: r.frames[i:], notes: r.notes[j:]}
}

// over is how many of the frames went over framePeriod.
func (w window) over() int {
	n := 0
	for _, f := range w.frames {
		if f.took > framePeriod {
			n++
		}
	}
	return n
}

func (w window) worst() frameRec {
	var worst frameRec
	for _, f := range w.frames {
		if f.took > worst.took {
			worst = f
		}
	}
	return worst
}

// alive is how many tasks had not finished at the end of the last frame.
func (w window) alive() int {
	if len(w.frames) == 0 {
		return 0
	}
	return w.frames[len(w.frames)-1].counts.alive()
}

// problems counts the warnings and errors by addon, such as
// "Auctioneer: 1 warning, 1 error; QuestLog: 1 error".
func (w window) problems() string {
	var parts []string
	for _, a := range addons {
		var warnings, errs int
		for _, n := range w.notes {
			if n.owner == a.name {
				switch n.kind {
				case noteWarning:
					warnings++
				case noteError:
					errs++
				}
			}
		}
		if t := tally(warnings, errs); t != "" {
			parts = append(parts, a.name+": "+t)
		}
	}
	return strings.Join(parts, "; ")
}

// tally says how many warnings and errors there were, such as
// "1 warning, 2 errors", or "" for none.
func tally(warnings, errs int) string {
	var parts []string
	if warnings > 0 {
		parts = append(parts, plural(warnings, "warning"))
	}
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
