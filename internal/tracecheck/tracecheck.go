package tracecheck

import (
	"encoding/json"
	"fmt"
	"io"
)

// Event is one event of a trace file, with the fields the checks read.
type Event struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat"`
	Ph    string         `json:"ph"`
	Ts    *float64       `json:"ts"`
	Dur   *float64       `json:"dur"`
	PID   *int           `json:"pid"`
	TID   *uint64        `json:"tid"`
	Scope string         `json:"s"`
	Args  map[string]any `json:"args"`
}

// Track is where an event is drawn: a process and a thread.
type Track struct {
	PID int
	TID uint64
}

// Track is e's track.
func (e Event) Track() Track { return Track{*e.PID, *e.TID} }

// File is a decoded trace file.
type File struct {
	Events []Event
	// Names are the tracks' names, from the metadata events: the thread's
	// name, and the process's under TID 0 when the thread has none.
	Processes map[int]string
	Threads   map[Track]string

	pidOf map[uint64]int // the process of each thread id
	pids  map[int]bool   // the process ids
}

// ids checks that tr's thread id is used in one process only, and is no
// other process's id.
func (f *File) ids(tr Track) error {
	if pid, ok := f.pidOf[tr.TID]; ok && pid != tr.PID {
		return fmt.Errorf("tid %d in processes %d and %d", tr.TID, pid, tr.PID)
	}
	f.pidOf[tr.TID] = tr.PID
	f.pids[tr.PID] = true
	for pid := range f.pids {
		if uint64(pid) == tr.TID && pid != tr.PID {
			return fmt.Errorf("tid %d of process %d is the id of another process", tr.TID, tr.PID)
		}
		if p, ok := f.pidOf[uint64(pid)]; ok && p != pid {
			return fmt.Errorf("tid %d of process %d is the id of another process", pid, p)
		}
	}
	return nil
}

// Read decodes a trace file and checks it: well-formed JSON in the object
// form ({"traceEvents": [...]}), every event with a name, a known phase, a
// pid and a tid, and a ts unless it is metadata; a dur not below zero on
// complete events (X); a scope on instant events (i); numbers in the args of
// counter events (C); every B matched by an E on the same track, in order;
// on each track, timestamps that never go back in file order, and spans
// that nest or follow each other, never overlap; a name for every process
// and thread that has events; and thread ids unique across processes, none
// the id of another process (Perfetto takes them as Linux does: a tid names
// one thread, and the thread whose tid is a pid is that process's main
// thread).
func Read(r io.Reader) (*File, error) {
	var doc struct {
		TraceEvents     []Event `json:"traceEvents"`
		DisplayTimeUnit string  `json:"displayTimeUnit"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON trace: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the trace's object")
	}
	if doc.TraceEvents == nil {
		return nil, fmt.Errorf("no traceEvents array")
	}
	f := &File{Events: doc.TraceEvents, Processes: map[int]string{}, Threads: map[Track]string{}, pidOf: map[uint64]int{}, pids: map[int]bool{}}
	open := map[Track][]Event{}   // B events waiting for their E
	last := map[Track]float64{}   // the last timestamp seen on the track
	ends := map[Track][]float64{} // the ends of the enclosing spans, innermost last
	used := map[Track]int{}       // the index of an event on the track, for the names check
	for i, e := range f.Events {
		if err := fields(e); err != nil {
			return nil, fmt.Errorf("event %d (%+v): %w", i, e, err)
		}
		tr := e.Track()
		if err := f.ids(tr); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if e.Ph == "M" {
			if err := f.meta(e); err != nil {
				return nil, fmt.Errorf("event %d: %w", i, err)
			}
			continue
		}
		ts := *e.Ts
		if prev, ok := last[tr]; ok && ts < prev {
			return nil, fmt.Errorf("event %d %q: ts %v before %v on track %v", i, e.Name, ts, prev, tr)
		}
		last[tr] = ts
		if _, ok := used[tr]; !ok {
			used[tr] = i
		}
		switch e.Ph {
		case "B":
			open[tr] = append(open[tr], e)
		case "E":
			st := open[tr]
			if len(st) == 0 {
				return nil, fmt.Errorf("event %d: E on track %v without a B", i, tr)
			}
			if b := st[len(st)-1]; e.Name != "" && e.Name != b.Name {
				return nil, fmt.Errorf("event %d: E %q closes B %q on track %v", i, e.Name, b.Name, tr)
			}
			open[tr] = st[:len(st)-1]
		case "X":
			// Spans that ended before this one starts are closed; one that
			// is still open must contain this one whole.
			st := ends[tr]
			for len(st) > 0 && st[len(st)-1] <= ts {
				st = st[:len(st)-1]
			}
			end := ts + *e.Dur
			if len(st) > 0 && end > st[len(st)-1] {
				return nil, fmt.Errorf("event %d %q [%v, %v] overlaps the span ending at %v on track %v", i, e.Name, ts, end, st[len(st)-1], tr)
			}
			ends[tr] = append(st, end)
		}
	}
	for tr, st := range open {
		if len(st) > 0 {
			return nil, fmt.Errorf("B %q on track %v never ended", st[len(st)-1].Name, tr)
		}
	}
	for tr, i := range used {
		if f.Threads[tr] == "" || f.Processes[tr.PID] == "" {
			return nil, fmt.Errorf("event %d: track %v has no name (process %q, thread %q)", i, tr, f.Processes[tr.PID], f.Threads[tr])
		}
	}
	return f, nil
}

func fields(e Event) error {
	switch {
	case e.Name == "" && e.Ph != "E":
		return fmt.Errorf("no name")
	case e.PID == nil || e.TID == nil:
		return fmt.Errorf("no pid or tid")
	case e.Ph == "M":
		return nil
	case e.Ts == nil:
		return fmt.Errorf("no ts")
	}
	switch e.Ph {
	case "B", "E":
	case "X":
		if e.Dur == nil || *e.Dur < 0 {
			return fmt.Errorf("complete event without a dur of 0 or more")
		}
	case "i":
		if e.Scope != "t" && e.Scope != "p" && e.Scope != "g" {
			return fmt.Errorf("instant event with scope %q", e.Scope)
		}
	case "C":
		if len(e.Args) == 0 {
			return fmt.Errorf("counter event without values")
		}
		for k, v := range e.Args {
			if _, ok := v.(float64); !ok {
				return fmt.Errorf("counter %q of value %v, not a number", k, v)
			}
		}
	default:
		return fmt.Errorf("phase %q", e.Ph)
	}
	return nil
}

// meta records the name a metadata event gives.
func (f *File) meta(e Event) error {
	switch e.Name {
	case "process_name", "thread_name":
		name, ok := e.Args["name"].(string)
		if !ok || name == "" {
			return fmt.Errorf("%s without a name: %v", e.Name, e.Args)
		}
		if e.Name == "process_name" {
			f.Processes[*e.PID] = name
		} else {
			f.Threads[e.Track()] = name
		}
	case "process_sort_index", "thread_sort_index":
		if _, ok := e.Args["sort_index"].(float64); !ok {
			return fmt.Errorf("%s without a sort_index: %v", e.Name, e.Args)
		}
	default:
		return fmt.Errorf("unknown metadata %q", e.Name)
	}
	return nil
}

// On is the events of the track, in file order, without metadata.
func (f *File) On(tr Track) []Event {
	var out []Event
	for _, e := range f.Events {
		if e.Ph != "M" && e.Track() == tr {
			out = append(out, e)
		}
	}
	return out
}

// Thread is the track of the thread named thread in the process named
// process, and whether there is one.
func (f *File) Thread(process, thread string) (Track, bool) {
	for tr, name := range f.Threads {
		if name == thread && f.Processes[tr.PID] == process {
			return tr, true
		}
	}
	return Track{}, false
}
