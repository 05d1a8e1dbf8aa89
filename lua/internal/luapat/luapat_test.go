package luapat

import (
	"errors"
	"strings"
	"testing"
)

// A pattern that backtracks for hours stops with its check's error.
func TestCheckStopsBacktracking(t *testing.T) {
	p, err := Compile(strings.Repeat("a-", 12) + "b")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	_, err = p.Find(strings.Repeat("a", 40), 0, func() error {
		if calls++; calls == 100 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 100 {
		t.Fatalf("err %v after %d calls, want stop after 100", err, calls)
	}
}

// More choice points than MaxDepth is an error, not a deep stack; a long
// subject under a quantifier needs a single choice point.
func TestDepth(t *testing.T) {
	p, err := Compile(strings.Repeat("a?", MaxDepth+1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Find(strings.Repeat("a", MaxDepth+1), 0, nil); err != ErrTooComplex {
		t.Fatalf("err %v, want %v", err, ErrTooComplex)
	}
	p, _ = Compile("^(.-)x$")
	s := strings.Repeat("a", 8<<20) + "x"
	m, err := p.Find(s, 0, nil)
	if err != nil || m == nil || m.End != len(s) || m.Captures[0].End != len(s)-1 {
		t.Fatalf("%v %v", m, err)
	}
}

func TestCompileErrors(t *testing.T) {
	for pat, want := range map[string]error{
		"[a": ErrMissingBracket, "[]": ErrMissingBracket, "[^]": ErrMissingBracket, "[%": ErrMissingBracket,
		"(a": ErrUnfinished, "a)": ErrInvalidCapture, "%0": ErrCaptureIndex,
		"%": nil, "%b": nil, "%1": nil, "[]]": nil, "%f[%a]": nil,
	} {
		if _, err := Compile(pat); err != want {
			t.Errorf("Compile(%q): %v, want %v", pat, err, want)
		}
	}
}

func TestFind(t *testing.T) {
	for _, c := range []struct {
		pat, s     string
		init       int
		start, end int // -1: no match
		caps       string
	}{
		{"(%w+)=(%w+)", "  key=val ", 0, 2, 9, "key|val"},
		{"^a", "ba", 0, -1, -1, ""},
		{"a$", "aba", 0, 2, 3, ""},
		{"%b()", "x(a(b)c)y", 0, 1, 8, ""},
		{"()a()", "xa", 0, 1, 2, "@2|@3"},
		{"(a+)%1", "aaaa", 0, 0, 4, "aa"},
		{"[]^-]+", "a]^-b", 0, 1, 4, ""},
		{"[^%d%s]+", "12 ab3", 0, 3, 5, ""},
		{".-b", "aaab", 1, 1, 4, ""},
		{"x*", "ab", 2, 2, 2, ""},
		{"%a", "123", 0, -1, -1, ""},
		{"%", "a%", 0, -1, -1, ""},
	} {
		p, err := Compile(c.pat)
		if err != nil {
			t.Fatal(c.pat, err)
		}
		m, err := p.Find(c.s, c.init, nil)
		if err != nil {
			t.Fatal(c.pat, err)
		}
		if m == nil {
			if c.start != -1 {
				t.Errorf("%q in %q: no match", c.pat, c.s)
			}
			continue
		}
		var caps []string
		for _, k := range m.Captures {
			if k.Position {
				caps = append(caps, "@"+string(rune('0'+k.Start+1)))
			} else {
				caps = append(caps, c.s[k.Start:k.End])
			}
		}
		if m.Start != c.start || m.End != c.end || strings.Join(caps, "|") != c.caps {
			t.Errorf("%q in %q: %d %d %q, want %d %d %q", c.pat, c.s, m.Start, m.End, caps, c.start, c.end, c.caps)
		}
	}
}
