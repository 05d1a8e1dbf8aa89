package replay

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// magic is the first line of a recording: the format and its version.
const magic = "framesched-replay 1\n"

// Entry codes of the body, besides readings (even).
const (
	codeMark = 1
	codeEnd  = 3
)

// header is the recording's second line.
type header struct {
	Start int64    `json:"start"` // Unix nanoseconds
	Run   []string `json:"run"`
}

// Recorder is a clock.Clock reading the real clock and writing each reading
// to a recording. Its methods are safe for any goroutine; the order of the
// readings is the order in which they took its lock.
type Recorder struct {
	clock.Clock // the real clock: timers, not recorded

	mu       sync.Mutex
	w        *bufio.Writer
	last     time.Time
	readings uint64
	marks    uint64
	err      error // the first write error
	buf      []byte
}

// NewRecorder writes a recording's header to w, with run, the lines that
// identify the run (a Player's Check compares them), and returns a Recorder
// whose readings go to w. Close ends the recording.
func NewRecorder(w io.Writer, real clock.Clock, run []string) (*Recorder, error) {
	start := real.Now().Round(0)
	r := &Recorder{Clock: real, w: bufio.NewWriter(w), last: start}
	h, err := json.Marshal(header{Start: start.UnixNano(), Run: run})
	if err != nil {
		return nil, err
	}
	r.w.WriteString(magic)
	r.w.Write(h)
	if err := r.w.WriteByte('\n'); err != nil {
		return nil, err
	}
	return r, nil
}

// Now reads the real clock, without its monotonic reading (so that a replay,
// which has only the recorded wall times, computes the same durations), and
// records the reading.
func (r *Recorder) Now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.Clock.Now().Round(0)
	d := t.Sub(r.last)
	r.last = t
	r.readings++
	r.put(zigzag(int64(d)) << 1)
	return t
}

// Since is Now().Sub(t): one reading.
func (r *Recorder) Since(t time.Time) time.Duration { return r.Now().Sub(t) }

// Until is t.Sub(Now()): one reading.
func (r *Recorder) Until(t time.Time) time.Duration { return t.Sub(r.Now()) }

// Mark records a point where a replay's readings must line up, and
// flushes the recording, so that a run that dies keeps what it recorded up
// to its last mark.
func (r *Recorder) Mark() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.marks++
	r.put(codeMark)
	if err := r.w.Flush(); err != nil && r.err == nil {
		r.err = err
	}
}

// Close writes the end of the recording and flushes it; it reports the
// first error writing it met. It does not close the writer. The Recorder
// must not be read after Close.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.put(codeEnd)
	r.put(r.readings)
	r.put(r.marks)
	if err := r.w.Flush(); r.err == nil {
		r.err = err
	}
	return r.err
}

func (r *Recorder) put(u uint64) {
	r.buf = binary.AppendUvarint(r.buf[:0], u)
	if _, err := r.w.Write(r.buf); err != nil && r.err == nil {
		r.err = err
	}
}

// Recording is a recording read back.
type Recording struct {
	Run      []string    // the lines identifying the run
	Start    time.Time   // what the readings count from
	Readings []time.Time // in order
	Marks    []int       // at each mark, the readings before it
	Complete bool        // the recording has its end: the run that made it ended
}

// ErrFormat is the error of Read for what is not a recording it can read.
var ErrFormat = errors.New("replay: not a framesched-replay 1 recording")

// Read reads a recording. A body cut short (no end) is read up to its last
// whole entry, with Complete false.
func Read(r io.Reader) (*Recording, error) {
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	if err != nil || line != magic {
		return nil, ErrFormat
	}
	line, err = br.ReadString('\n')
	var h header
	if err != nil || json.Unmarshal([]byte(line), &h) != nil {
		return nil, fmt.Errorf("%w: bad header", ErrFormat)
	}
	rec := &Recording{Run: h.Run, Start: time.Unix(0, h.Start)}
	t := rec.Start
	for {
		u, err := binary.ReadUvarint(br)
		switch {
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return rec, nil
		case err != nil:
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		case u&1 == 0:
			t = t.Add(time.Duration(unzigzag(u >> 1)))
			rec.Readings = append(rec.Readings, t)
		case u == codeMark:
			rec.Marks = append(rec.Marks, len(rec.Readings))
		case u == codeEnd:
			n, err1 := binary.ReadUvarint(br)
			m, err2 := binary.ReadUvarint(br)
			if err1 != nil || err2 != nil || n != uint64(len(rec.Readings)) || m != uint64(len(rec.Marks)) {
				return nil, fmt.Errorf("%w: its end does not count what it holds", ErrFormat)
			}
			if _, err := br.ReadByte(); err != io.EOF {
				return nil, fmt.Errorf("%w: bytes after its end", ErrFormat)
			}
			rec.Complete = true
			return rec, nil
		default:
			return nil, fmt.Errorf("%w: unknown entry %d", ErrFormat, u)
		}
	}
}

// ErrOtherRun is wrapped by the error of Check for another run than the
// one recorded.
var ErrOtherRun = errors.New("replay: not the run recorded")

// Check reports, as an error wrapping ErrOtherRun, how run differs from
// the run recorded: the first line that differs.
func (rec *Recording) Check(run []string) error {
	for i := range max(len(run), len(rec.Run)) {
		var got, want string
		if i < len(run) {
			got = run[i]
		}
		if i < len(rec.Run) {
			want = rec.Run[i]
		}
		if got != want {
			return fmt.Errorf("%w: it has %q where the recording has %q", ErrOtherRun, got, want)
		}
	}
	return nil
}

// Player is a clock.Clock returning a recording's readings in order. Once
// the run it drives diverges from the recorded one (it reads the clock more
// often, or a mark comes after another count of readings), Err says how,
// and Now goes on returning the last reading. Its methods are safe for any
// goroutine.
type Player struct {
	clock.Clock // the real clock: timers

	mu    sync.Mutex
	rec   *Recording
	next  int // the next reading
	marks int // the marks passed
	err   error
}

// ErrDiverged is wrapped by the errors of a Player whose run diverged from
// the recorded one.
var ErrDiverged = errors.New("replay: the run diverged from the recording")

// NewPlayer returns a Player of rec; real gives its timers.
func NewPlayer(rec *Recording, real clock.Clock) *Player {
	return &Player{Clock: real, rec: rec}
}

// Now is the next reading of the recording.
func (p *Player) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next == len(p.rec.Readings) {
		if p.err == nil {
			p.diverge("the run reads the clock more often than the recorded one: %d readings recorded%s", len(p.rec.Readings), p.cut())
		}
		if p.next == 0 {
			return p.rec.Start
		}
		return p.rec.Readings[p.next-1]
	}
	p.next++
	return p.rec.Readings[p.next-1]
}

// Since is Now().Sub(t): one reading.
func (p *Player) Since(t time.Time) time.Duration { return p.Now().Sub(t) }

// Until is t.Sub(Now()): one reading.
func (p *Player) Until(t time.Time) time.Duration { return t.Sub(p.Now()) }

// Mark checks that the run reaches this mark after as many readings as the
// recorded one did.
func (p *Player) Mark() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	if p.marks == len(p.rec.Marks) {
		p.diverge("mark %d: the recording has %d marks%s", p.marks+1, len(p.rec.Marks), p.cut())
		return
	}
	if want := p.rec.Marks[p.marks]; p.next != want {
		p.diverge("mark %d: after %d readings, the recorded run after %d", p.marks+1, p.next, want)
	}
	p.marks++
}

// End checks that the run read every reading of the recording, and
// returns Err.
func (p *Player) End() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil && p.next < len(p.rec.Readings) {
		p.diverge("the run ended after %d readings of the %d recorded", p.next, len(p.rec.Readings))
	}
	return p.err
}

// Err is nil, or how the run diverged, wrapping ErrDiverged.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *Player) diverge(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: %s", ErrDiverged, fmt.Sprintf(format, args...))
	}
}

// cut explains a recording without its end.
func (p *Player) cut() string {
	if p.rec.Complete {
		return ""
	}
	return " (the recording is cut short: the recorded run did not end)"
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

var (
	_ clock.Clock = (*Recorder)(nil)
	_ clock.Clock = (*Player)(nil)
)
