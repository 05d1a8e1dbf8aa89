package monitor

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/framesched/framesched/sched"
)

// DefaultFramePeriod is a frame at 60 frames per second.
const DefaultFramePeriod = time.Second / 60

// Config configures a Monitor.
type Config struct {
	// Name names the recording in reports and the live view, such as
	// "framesched" or "naive"; "run" when empty.
	Name string
	// About says in a line how this run is set up ("addons get 4ms a
	// frame"); reports and the live view show it under Name.
	About string
	// FramePeriod is the host's frame: a frame that takes longer is a long
	// frame. DefaultFramePeriod when 0.
	FramePeriod time.Duration
	// Budget is the owners' time per frame the host gives the scheduler
	// (RunFrameBudget's limit), drawn on the charts; 0 for none.
	Budget time.Duration
	// KeepFrames is how many of the latest frames the monitor keeps for
	// charts and windows (Frames, Summary with a start); 36,000 (ten
	// minutes at 60 fps) when 0. Totals, the worst frames and the counts
	// of warnings and errors cover the whole run whatever it is.
	KeepFrames int
	// KeepNotes is how many of the latest notes the monitor keeps; 10,000
	// when 0.
	KeepNotes int
}

// NoteKind says what a Note reports.
type NoteKind uint8

const (
	Print   NoteKind = iota // a line the host forwarded, such as a Lua print (Monitor.Print)
	Warning                 // a scheduler Warning (Monitor.Warning)
	Error                   // a task's error, or a hook's (Monitor.Error)
)

func (k NoteKind) String() string {
	return [...]string{"print", "WARN", "ERROR"}[k]
}

// Note is a line of the run's log, attributed to an owner and a task.
type Note struct {
	At    time.Duration // since the monitor was attached
	Frame uint64
	Kind  NoteKind
	Owner string
	Task  string // "" when no task ran
	Text  string // one line
}

// Frame is what one frame did.
type Frame struct {
	N  uint64        // the scheduler's frame number
	At time.Duration // when it began, since the monitor was attached
	// Took is the whole frame: from BeginFrame to EndFrame, the host's own
	// work included.
	Took time.Duration
	// Tasks is the scheduler's part of the frame, the time it ran the
	// owners' tasks (FrameStats.Used).
	Tasks time.Duration
	// Longest is the frame's longest slice, and Owner and Task whose it
	// was; 0 when no task ran.
	Longest     time.Duration
	Owner, Task string
	// CPU is each owner's time in the frame, by the owner's index in
	// Monitor.Owners; an owner first seen later has no entry.
	CPU    []time.Duration
	Counts sched.TaskCounts // at the frame's end
}

// CPUOf is owner i's time in the frame (by Monitor.Owners index; 0 for
// -1).
func (f *Frame) CPUOf(i int) time.Duration { return at(f.CPU, i) }

// worstKept is how many of the worst frames a monitor keeps.
const worstKept = 10

// Monitor records what a scheduler does, frame by frame: each frame's time,
// the owners' part and each owner's CPU, the longest slice, the tasks by
// state, and the warnings, errors and forwarded prints. It renders the
// recording as an HTML report (WriteReport) and, with others, as a live
// terminal view (Live).
//
// Like the scheduler it is single-goroutine: call its methods on the frame
// goroutine (its hooks are called there). The zero value is not usable; use
// New.
type Monitor struct {
	cfg   Config
	s     *sched.Scheduler
	epoch time.Time // the clock's reading at Attach

	owners []string       // in the order first seen
	index  map[string]int // owner → index in owners

	frames []Frame // the latest frames, at most 2*KeepFrames (see EndFrame)
	notes  []Note
	cur    Frame
	begun  bool // BeginFrame was called for cur
	total  Summary
	worst  []Frame         // the worstKept longest frames, longest first
	cpuBuf []time.Duration // cur's CPU, reused: EndFrame keeps a copy
}

// New returns a monitor that has recorded nothing. Pass Options to sched.New
// (or call Trace, Warning and Error from the scheduler's hooks), then Attach
// the scheduler.
func New(cfg Config) *Monitor {
	if cfg.Name == "" {
		cfg.Name = "run"
	}
	if cfg.FramePeriod <= 0 {
		cfg.FramePeriod = DefaultFramePeriod
	}
	if cfg.KeepFrames <= 0 {
		cfg.KeepFrames = 36000
	}
	if cfg.KeepNotes <= 0 {
		cfg.KeepNotes = 10000
	}
	return &Monitor{cfg: cfg, index: map[string]int{}}
}

// Options are the scheduler options that feed the monitor: the trace hook,
// the warning handler and the error handler. A host that has its own calls
// Trace, Warning and Error from them instead. Options after these in
// sched.New replace them.
func (m *Monitor) Options() []sched.Option {
	return []sched.Option{sched.WithTrace(m.Trace), sched.WithWarningHandler(m.Warning), sched.WithErrorHandler(m.Error)}
}

// Attach sets the scheduler the monitor reads the clock and the tasks of;
// times are measured from now on. Call it once, before the first frame.
func (m *Monitor) Attach(s *sched.Scheduler) {
	m.s, m.epoch = s, s.Now()
}

// Config is the monitor's configuration, defaults filled in.
func (m *Monitor) Config() Config { return m.cfg }

// Name is the recording's name (Config.Name).
func (m *Monitor) Name() string { return m.cfg.Name }

// Owners are the owners seen so far, in the order first seen.
func (m *Monitor) Owners() []string { return m.owners }

// Owner is the index of the named owner in Owners, -1 if it was never
// seen.
func (m *Monitor) Owner(name string) int {
	if i, ok := m.index[name]; ok {
		return i
	}
	return -1
}

// Frames are the latest frames recorded, oldest first (at most
// Config.KeepFrames of them). The slice is the monitor's: do not change it.
func (m *Monitor) Frames() []Frame { return m.frames[max(0, len(m.frames)-m.cfg.KeepFrames):] }

// Notes are the latest notes, oldest first (at most Config.KeepNotes).
func (m *Monitor) Notes() []Note { return m.notes[max(0, len(m.notes)-m.cfg.KeepNotes):] }

// Worst are the longest frames of the whole run, longest first (at most
// ten), ties in frame order.
func (m *Monitor) Worst() []Frame { return m.worst }

// now is the time since Attach.
func (m *Monitor) now() time.Duration { return m.s.Now().Sub(m.epoch) }

func (m *Monitor) ownerIndex(owner string) int {
	i, ok := m.index[owner]
	if !ok {
		i = len(m.owners)
		m.owners = append(m.owners, owner)
		m.index[owner] = i
		m.total.CPU = append(m.total.CPU, 0)
		m.total.Warnings = append(m.total.Warnings, 0)
		m.total.Errors = append(m.total.Errors, 0)
	}
	return i
}

// BeginFrame marks the start of the host's frame, before its own work and
// RunFrame. Without it, a frame is taken to begin when RunFrame did, and
// Frame.Took is the scheduler's part.
func (m *Monitor) BeginFrame() {
	m.cur = Frame{N: m.s.Frame() + 1, At: m.now(), CPU: m.cpuBuf[:0]} // RunFrame will count it
	m.begun = true
}

// Trace records a scheduling event: a slice is charged to its owner and to
// the frame. It is the hook Options installs with sched.WithTrace.
func (m *Monitor) Trace(e sched.Event) {
	if e.Kind != sched.EventSlice {
		return
	}
	i := m.ownerIndex(e.Owner)
	for len(m.cur.CPU) <= i {
		m.cur.CPU = append(m.cur.CPU, 0)
	}
	m.cur.CPU[i] += e.Took
	if e.Took > m.cur.Longest {
		m.cur.Longest, m.cur.Owner, m.cur.Task = e.Took, e.Owner, e.Task
	}
}

// EndFrame ends the frame whose RunFrame returned st, after the host's own
// work: it counts the tasks by state and records the frame.
func (m *Monitor) EndFrame(st sched.FrameStats) {
	now := m.now()
	if !m.begun {
		m.cur.At = now - st.Used
	}
	f := m.cur
	f.N, f.Took, f.Tasks, f.Counts = st.Frame, now-f.At, st.Used, m.s.Counts()
	f.CPU = slices.Clone(f.CPU)
	m.cpuBuf = m.cur.CPU[:0]
	m.cur, m.begun = Frame{CPU: m.cpuBuf}, false

	m.total.add(&f, m.cfg.FramePeriod)
	m.keepWorst(f)
	// The oldest frames are dropped in batches, so that keeping the latest
	// KeepFrames costs a copy every KeepFrames frames, not one a frame.
	if len(m.frames) == 2*m.cfg.KeepFrames {
		m.frames = append(m.frames[:0], m.frames[m.cfg.KeepFrames:]...)
	}
	m.frames = append(m.frames, f)
}

func (m *Monitor) keepWorst(f Frame) {
	if len(m.worst) == worstKept && f.Took <= m.worst[worstKept-1].Took {
		return
	}
	i, _ := slices.BinarySearchFunc(m.worst, f.Took, func(w Frame, took time.Duration) int {
		return cmp.Compare(took, w.Took) // longest first; an equal one goes after
	})
	for i < len(m.worst) && m.worst[i].Took == f.Took {
		i++
	}
	m.worst = slices.Insert(m.worst, i, f)
	m.worst = m.worst[:min(len(m.worst), worstKept)]
}

// Warning records a scheduler warning. It is the handler Options installs
// with sched.WithWarningHandler; pass it to sched.WithWatchdog as well.
func (m *Monitor) Warning(w sched.Warning) {
	msg := w.Message()
	if w.Kind == sched.SlowSlice {
		msg = "slice ran " + Millis(w.Took) + " without breathing"
	}
	m.note(w.Frame, Warning, w.Owner, w.Task, msg)
}

// Error records a task's error, its message's first line. It is the handler
// Options installs with sched.WithErrorHandler.
func (m *Monitor) Error(e sched.TaskError) {
	msg, _, _ := strings.Cut(strings.TrimSpace(e.Err.Error()), "\n")
	m.note(e.Frame, Error, e.Owner, e.Task, msg)
}

// Print records a line the host forwards, such as a Lua addon's print,
// attributed to owner and task ("" for none), in the frame begun
// (BeginFrame) or else the scheduler's last.
func (m *Monitor) Print(owner, task, line string) {
	frame := m.s.Frame()
	if m.begun {
		frame = m.cur.N
	}
	m.note(frame, Print, owner, task, line)
}

func (m *Monitor) note(frame uint64, kind NoteKind, owner, task, text string) {
	i := m.ownerIndex(owner)
	switch kind {
	case Warning:
		m.total.Warnings[i]++
	case Error:
		m.total.Errors[i]++
	}
	if len(m.notes) == 2*m.cfg.KeepNotes {
		m.notes = append(m.notes[:0], m.notes[m.cfg.KeepNotes:]...)
	}
	m.notes = append(m.notes, Note{At: m.now(), Frame: frame, Kind: kind, Owner: owner, Task: task, Text: text})
}
