package tracefile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/framesched/framesched/sched"
)

// Perfetto, like Linux, takes thread ids (tid) as unique across processes
// and a process's main thread as the one whose tid is the process id (pid),
// and names threads by tid alone. So each task's track is the thread whose
// tid is the task's ID, and the processes (the frames and each owner) have
// ids far above any task's, each with its main thread as its own track.
const (
	framesPID   = 1 << 30 // the frames' process and track (in int32: Perfetto reads ids as uint32, tools as int32)
	firstOwnPID = framesPID + 1
)

// Writer writes a trace file from what a scheduler reports. Like the
// scheduler, it is single-goroutine: call its methods from the frame
// goroutine (the scheduler's hooks are called there). Errors of the
// underlying writer never panic: the first one stops the writing, and Err
// and Close return it. A nil *Writer records nothing, so a host may call it
// whether tracing is on or not.
type Writer struct {
	bw      *bufio.Writer
	enc     *json.Encoder
	err     error
	written int  // events written, for the commas
	closed  bool // Close was called

	owners map[string]int     // process id per owner
	tasks  map[uint64]*taskTr // the unfinished tasks, by ID
	ended  []uint64           // finished tasks whose last slice may still come (see settle)
}

// taskTr is what the Writer keeps of an unfinished task: where its track
// is, and the gap that its last slice (or its start) opened.
type taskTr struct {
	pid      int
	gapFrom  time.Duration
	gapName  string // "waiting", "parked medium", "ready"...
	gapWhy   string // the condition of a wait
	finished time.Duration
	done     bool // finished: its gap closes at finished, or at its last slice's start
}

// event is one trace event, as the format names its fields.
type event struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat,omitempty"`
	Ph    string         `json:"ph"`
	Ts    int64          `json:"ts"`            // microseconds
	Dur   *int64         `json:"dur,omitempty"` // complete events (X)
	PID   int            `json:"pid"`
	TID   uint64         `json:"tid"`
	Scope string         `json:"s,omitempty"` // instant events (i): "t" for thread, "p" for process
	Args  map[string]any `json:"args,omitempty"`
}

// New returns a Writer that writes the trace to w, starting with the file's
// opening. Close ends it; the Writer never closes w.
func New(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	t := &Writer{bw: bw, enc: json.NewEncoder(bw), owners: map[string]int{}, tasks: map[uint64]*taskTr{}}
	t.enc.SetEscapeHTML(false)
	t.write(`{"displayTimeUnit":"ms","traceEvents":[` + "\n")
	t.meta(framesPID, framesPID, "process_name", "frames")
	t.meta(framesPID, framesPID, "process_sort_index", 0)
	t.meta(framesPID, framesPID, "thread_name", "frames")
	return t
}

// Event records a scheduling event; pass it to sched.WithTrace. A slice
// becomes a span on its task's track named after the task; the time until
// the task's next slice (or its end), if any passed, a span named after how
// the slice ended ("waiting", with the condition, "parked medium",
// "yielded", "suspended") or, before its first slice, "ready" or "waiting".
// Suspensions, resumptions and ends are marked on the owner's track.
func (t *Writer) Event(e sched.Event) {
	if t == nil || t.closed {
		return
	}
	if e.Kind == sched.EventSlice {
		t.settle(e.ID)
	}
	tk := t.task(e)
	switch e.Kind {
	case sched.EventStart:
		tk.gapFrom, tk.gapName, tk.gapWhy = e.At, "ready", e.Why
		if e.Why != "" {
			tk.gapName = "waiting"
		}
	case sched.EventSlice:
		start := e.At - e.Took
		t.closeGap(e.ID, tk, start)
		args := map[string]any{"owner": e.Owner, "task": e.Task, "id": e.ID, "frame": e.Frame, "outcome": e.Outcome}
		if e.Why != "" {
			args["waits for"] = e.Why
		}
		t.span(e.Task, "slice", tk.pid, e.ID, start, e.Took, args)
		if tk.done {
			delete(t.tasks, e.ID)
			return
		}
		tk.gapFrom, tk.gapName, tk.gapWhy = e.At, e.Outcome, e.Why
	case sched.EventFinish:
		tk.done, tk.finished = true, e.At
		t.ended = append(t.ended, e.ID)
		how, args := "finished", map[string]any{"task": e.Task, "id": e.ID}
		if e.Err != nil {
			how, args["error"] = "failed", e.Err.Error()
			if errors.As(e.Err, new(*sched.StopError)) {
				how = "stopped"
			}
		}
		t.instant(how+": "+e.Task, "end", tk.pid, e.At, args)
	case sched.EventSuspend, sched.EventResume:
		name := "suspended: "
		if e.Kind == sched.EventResume {
			name = "resumed: "
		}
		t.instant(name+e.Task, "suspend", tk.pid, e.At, map[string]any{"task": e.Task, "id": e.ID})
	}
}

// Frame records a frame; pass it what RunFrame returns. Each frame is a span
// on the frames' track, named "frame" or, past its budget, "overrun frame",
// and its budget and the time it used are two counters ("frame budget ms",
// "frame used ms") drawn as graphs above it.
func (t *Writer) Frame(st sched.FrameStats) {
	if t == nil || t.closed {
		return
	}
	t.settle(0)
	name := "frame"
	if st.Overrun > 0 {
		name = "overrun frame"
	}
	t.span(name, "frame", framesPID, framesPID, st.Start, st.Used, map[string]any{
		"frame": st.Frame, "budget": st.Budget.String(), "used": st.Used.String(), "overrun": st.Overrun.String(),
		"slices": st.Resumed, "parked": st.Parked, "finished": st.Finished, "errors": st.Errors, "completions": st.Completions})
	t.emit(event{Name: "frame", Ph: "C", Ts: micros(st.Start), PID: framesPID, TID: framesPID,
		Args: map[string]any{"budget ms": millis(st.Budget), "used ms": millis(st.Used)}})
}

// Warning records a warning on its owner's track; pass it to
// sched.WithWarningHandler or sched.WithWatchdog (or call it from the
// host's own handler).
func (t *Writer) Warning(w sched.Warning) {
	if t == nil || t.closed {
		return
	}
	args := map[string]any{"task": w.Task, "frame": w.Frame, "message": w.Message()}
	if w.Self != nil {
		args["id"] = w.Self.ID()
	}
	if w.Traceback != "" {
		args["traceback"] = w.Traceback
	}
	t.instant("warning: "+w.Task, "warning", t.owner(w.Owner), w.At, args)
}

// Error records an error on its owner's track; pass it to
// sched.WithErrorHandler (or call it from the host's own handler).
func (t *Writer) Error(e sched.TaskError) {
	if t == nil || t.closed {
		return
	}
	t.instant("error: "+e.Task, "error", t.owner(e.Owner), e.At,
		map[string]any{"task": e.Task, "frame": e.Frame, "error": fmt.Sprint(e.Err)})
}

// Err is the first error of the underlying writer, if any.
func (t *Writer) Err() error {
	if t == nil {
		return nil
	}
	return t.err
}

// Close ends the trace file and flushes it, and returns the first error of
// the underlying writer. Later calls of any method do nothing.
func (t *Writer) Close() error {
	if t == nil {
		return nil
	}
	if t.closed {
		return t.err
	}
	t.settle(0)
	t.closed = true
	t.write("]}\n")
	if t.err == nil {
		t.err = t.bw.Flush()
	}
	return t.err
}

// settle closes the gaps of finished tasks other than id, which is
// running: they had no slice after their end, so their gap ended with them.
// (The running task's last slice comes after its end, and closes its gap.)
func (t *Writer) settle(id uint64) {
	kept := t.ended[:0]
	for _, e := range t.ended {
		if e == id {
			kept = append(kept, e)
			continue
		}
		if tk := t.tasks[e]; tk != nil {
			t.closeGap(e, tk, tk.finished)
			delete(t.tasks, e)
		}
	}
	clear(t.ended[len(kept):])
	t.ended = kept
}

// task is the track of e's task, made (and named) on its first event.
func (t *Writer) task(e sched.Event) *taskTr {
	tk := t.tasks[e.ID]
	if tk == nil {
		tk = &taskTr{pid: t.owner(e.Owner), gapFrom: -1}
		t.tasks[e.ID] = tk
		t.meta(tk.pid, e.ID, "thread_name", e.Task)
		t.meta(tk.pid, e.ID, "thread_sort_index", e.ID)
	}
	return tk
}

// owner is the process id of owner's tracks, named on first use.
func (t *Writer) owner(name string) int {
	pid, ok := t.owners[name]
	if !ok {
		pid = firstOwnPID + len(t.owners)
		t.owners[name] = pid
		t.meta(pid, uint64(pid), "process_name", name)
		t.meta(pid, uint64(pid), "process_sort_index", len(t.owners))
		t.meta(pid, uint64(pid), "thread_name", name)
	}
	return pid
}

// closeGap writes the gap of a task, if one is open and not empty, up to
// end.
func (t *Writer) closeGap(id uint64, tk *taskTr, end time.Duration) {
	if tk.gapFrom < 0 || end <= tk.gapFrom {
		tk.gapFrom = -1
		return
	}
	var args map[string]any
	if tk.gapWhy != "" {
		args = map[string]any{"waits for": tk.gapWhy}
	}
	t.span(tk.gapName, "between slices", tk.pid, id, tk.gapFrom, end-tk.gapFrom, args)
	tk.gapFrom = -1
}

func (t *Writer) span(name, cat string, pid int, tid uint64, from, d time.Duration, args map[string]any) {
	dur := micros(from+d) - micros(from) // so that a span ending where the next begins still does
	t.emit(event{Name: name, Cat: cat, Ph: "X", Ts: micros(from), Dur: &dur, PID: pid, TID: tid, Args: args})
}

func (t *Writer) instant(name, cat string, pid int, at time.Duration, args map[string]any) {
	t.emit(event{Name: name, Cat: cat, Ph: "i", Ts: micros(at), PID: pid, TID: uint64(pid), Scope: "t", Args: args})
}

func (t *Writer) meta(pid int, tid uint64, name string, v any) {
	key := "name"
	if name == "process_sort_index" || name == "thread_sort_index" {
		key = "sort_index"
	}
	t.emit(event{Name: name, Ph: "M", PID: pid, TID: tid, Args: map[string]any{key: v}})
}

func (t *Writer) emit(e event) {
	if t.err != nil {
		return
	}
	if t.written > 0 {
		t.write(",")
	}
	t.written++
	if err := t.enc.Encode(e); err != nil && t.err == nil {
		t.err = err
	}
}

func (t *Writer) write(s string) {
	if t.err == nil {
		_, t.err = t.bw.WriteString(s)
	}
}

// micros is d in whole microseconds, the format's unit. Whole: readers
// convert fractions to nanoseconds each their own way, with rounding errors
// that can make a span overlap the next one on its track.
func micros(d time.Duration) int64 { return int64(d.Round(time.Microsecond) / time.Microsecond) }

func millis(d time.Duration) float64 { return float64(d) / 1e6 }
