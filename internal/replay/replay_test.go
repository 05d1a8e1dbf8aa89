package replay

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/internal/vclock"
)

// record drives a Recorder over a virtual "real" clock: steps are the
// durations between readings, a negative one a mark.
func record(t testing.TB, run []string, steps ...time.Duration) ([]byte, []time.Time) {
	t.Helper()
	real := vclock.New(time.Unix(1700000000, 123))
	var buf bytes.Buffer
	r, err := NewRecorder(&buf, real, run)
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, d := range steps {
		if d < 0 {
			r.Mark()
			continue
		}
		real.Add(d)
		got = append(got, r.Now())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), got
}

func TestRecordAndPlay(t *testing.T) {
	run := []string{"--budget=4ms", "test.lua sha256:00"}
	data, recorded := record(t, run, 0, time.Millisecond, -1, 30*time.Millisecond, time.Nanosecond, -1, time.Hour)
	if !bytes.HasPrefix(data, []byte("framesched-replay 1\n{\"start\":1700000000000000123,\"run\":[\"--budget=4ms\",\"test.lua sha256:00\"]}\n")) {
		t.Errorf("header: %q", data)
	}
	rec, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Complete || len(rec.Marks) != 2 || rec.Marks[0] != 2 || rec.Marks[1] != 4 {
		t.Errorf("Complete %v, Marks %v; want true, [2 4]", rec.Complete, rec.Marks)
	}
	if err := rec.Check(run); err != nil {
		t.Error(err)
	}
	p := NewPlayer(rec, vclock.New(time.Unix(0, 0)))
	for i, want := range recorded {
		if i == 2 || i == 4 {
			p.Mark()
		}
		if got := p.Now(); !got.Equal(want) {
			t.Errorf("reading %d: %v, want %v", i, got, want)
		}
	}
	if err := p.End(); err != nil {
		t.Errorf("End: %v", err)
	}
}

func TestPlayerDiverges(t *testing.T) {
	data, _ := record(t, nil, time.Millisecond, -1, time.Millisecond)
	for _, tc := range []struct {
		name string
		play func(p *Player)
		want string
	}{
		{"more readings", func(p *Player) { p.Now(); p.Mark(); p.Now(); p.Now() },
			"the run reads the clock more often than the recorded one: 2 readings recorded"},
		{"mark early", func(p *Player) { p.Mark() }, "mark 1: after 0 readings, the recorded run after 1"},
		{"mark late", func(p *Player) { p.Now(); p.Now(); p.Mark() }, "mark 1: after 2 readings, the recorded run after 1"},
		{"more marks", func(p *Player) { p.Now(); p.Mark(); p.Now(); p.Mark() }, "mark 2: the recording has 1 marks"},
		{"fewer readings", func(p *Player) { p.Now(); p.Mark() }, "the run ended after 1 readings of the 2 recorded"},
	} {
		rec, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		p := NewPlayer(rec, vclock.New(time.Unix(0, 0)))
		tc.play(p)
		err = p.End()
		if !errors.Is(err, ErrDiverged) || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ...%s", tc.name, err, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	rec := &Recording{Run: []string{"--budget=4ms", "a.lua sha256:01"}}
	for _, tc := range []struct {
		run  []string
		want string
	}{
		{[]string{"--budget=4ms", "a.lua sha256:01"}, ""},
		{[]string{"--budget=5ms", "a.lua sha256:01"}, `it has "--budget=5ms" where the recording has "--budget=4ms"`},
		{[]string{"--budget=4ms", "a.lua sha256:02"}, `it has "a.lua sha256:02" where the recording has "a.lua sha256:01"`},
		{[]string{"--budget=4ms"}, `it has "" where the recording has "a.lua sha256:01"`},
	} {
		err := rec.Check(tc.run)
		if (tc.want == "") != (err == nil) || err != nil && !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("Check(%q) = %v, want %q", tc.run, err, tc.want)
		}
	}
}

// A recording cut short (the recorded run crashed) plays up to its cut.
func TestCutShort(t *testing.T) {
	data, recorded := record(t, nil, time.Millisecond, 2*time.Millisecond, -1)
	cut := data[:len(data)-3] // without its end: 3, 2 readings, 1 mark
	rec, err := Read(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Complete || len(rec.Readings) != 2 || !rec.Readings[1].Equal(recorded[1]) || len(rec.Marks) != 1 {
		t.Errorf("cut: Complete %v, Readings %v, Marks %v", rec.Complete, rec.Readings, rec.Marks)
	}
	p := NewPlayer(rec, vclock.New(time.Unix(0, 0)))
	p.Now()
	p.Now()
	p.Now()
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("Err() = %v, want it to say the recording is cut short", err)
	}
}

func TestReadRefuses(t *testing.T) {
	good, _ := record(t, nil, time.Millisecond)
	head := string(good[:bytes.LastIndexByte(good, '\n')+1])
	for _, data := range []string{
		"",
		"framesched-replay 2\n{}\n",
		"framesched-replay 1\nnot json\n",
		head + "\x05",         // unknown entry
		head + "\x03\x05\x00", // an end that miscounts
		string(good) + "\x00", // bytes after the end
	} {
		if _, err := Read(strings.NewReader(data)); !errors.Is(err, ErrFormat) {
			t.Errorf("Read(%q) = %v, want ErrFormat", data, err)
		}
	}
}

// FuzzRead: Read never panics, and what it reads plays back without error.
func FuzzRead(f *testing.F) {
	good, _ := record(f, []string{"x"}, time.Millisecond, -1, time.Second)
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		p := NewPlayer(rec, vclock.New(time.Unix(0, 0)))
		for i := range rec.Readings {
			if got := p.Now(); !got.Equal(rec.Readings[i]) {
				t.Fatalf("reading %d: %v, want %v", i, got, rec.Readings[i])
			}
		}
	})
}

func TestZigzag(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 1 << 40, -(1 << 40), 1<<63 - 1, -1 << 63} {
		if got := unzigzag(zigzag(v)); got != v {
			t.Errorf("unzigzag(zigzag(%d)) = %d", v, got)
		}
	}
}

// BenchmarkNow: a Recorder's reading against the real clock's it wraps
// (the baseline), and a Player's.
func BenchmarkNow(b *testing.B) {
	b.Run("real", func(b *testing.B) {
		c := clock.New()
		for b.Loop() {
			c.Now()
		}
	})
	b.Run("recorder", func(b *testing.B) {
		r, err := NewRecorder(io.Discard, clock.New(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			r.Now()
		}
	})
	b.Run("player", func(b *testing.B) {
		rec := &Recording{Readings: make([]time.Time, b.N)}
		p := NewPlayer(rec, clock.New())
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			p.Now()
		}
		if p.Err() != nil {
			b.Fatal(p.Err())
		}
	})
}

// A Recorder flushes at each mark: what a run that dies recorded up to its
// last mark can be read back.
func TestMarkFlushes(t *testing.T) {
	real := vclock.New(time.Unix(0, 0))
	var buf bytes.Buffer
	r, err := NewRecorder(&buf, real, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Now()
	r.Now()
	r.Mark()
	r.Now() // after the last mark: still in the buffer
	rec, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil || rec.Complete || len(rec.Readings) != 2 || len(rec.Marks) != 1 {
		t.Errorf("Read = %+v, %v; want 2 readings, 1 mark, not complete", rec, err)
	}
}
