package luapat

import (
	"errors"
	"strings"
)

// Limits of a match.
const (
	// MaxDepth is the most choice points a match may hold at once.
	MaxDepth = 100000
	// MaxCaptures is the most captures a pattern may have.
	MaxCaptures = 8000
	// CheckEvery is how many steps a match takes between two calls of its
	// check function.
	CheckEvery = 4096
)

// Errors of Compile and of a match.
var (
	ErrTooComplex      = errors.New("pattern too complex")
	ErrCaptureIndex    = errors.New("invalid capture index")
	ErrMissingBracket  = errors.New("malformed pattern (missing ']')")
	ErrUnfinished      = errors.New("unfinished capture")
	ErrInvalidCapture  = errors.New("invalid pattern capture")
	ErrTooManyCaptures = errors.New("too many captures")
	ErrUnfinishedRef   = errors.New("back-reference to an unfinished capture")
	ErrPositionAtEnd   = errors.New("back-reference to a position capture at the subject's end")
)

type opcode uint8

const (
	opChar    opcode = iota // one byte of set, quantified by q
	opOpen                  // opens capture cap
	opPos                   // position capture cap
	opClose                 // closes capture cap
	opBalance               // %bxy
	opBackref               // %1-%9: capture cap, or an invalid index (cap < 0)
	opEnd                   // $ at the pattern's end
	opNever                 // never matches (gopher-lua's reading of a malformed item)
)

type quant uint8

const (
	qOne  quant = iota
	qStar       // *
	qPlus       // +
	qLazy       // -
	qOpt        // ?
)

// set is a set of bytes.
type set [4]uint64

func (s *set) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *set) add(c byte)      { s[c>>6] |= 1 << (c & 63) }

type node struct {
	set  set
	op   opcode
	q    quant
	a, b byte // the delimiters of %b
	cap  int
	// unfinished is a back-reference to a capture not closed yet.
	unfinished bool
}

// Pattern is a compiled pattern. It is immutable and may be used by several
// goroutines at once.
type Pattern struct {
	nodes    []node
	anchored bool
	late     bool
	ncap     int
}

// Anchored reports whether the pattern begins with '^'.
func (p *Pattern) Anchored() bool { return p.anchored }

// ErrorsLate reports whether a match may fail with an error after the
// pattern matched at an earlier offset of the same subject (a
// back-reference to a position capture or to an unfinished capture).
func (p *Pattern) ErrorsLate() bool { return p.late }

// Compile compiles a Lua 5.1 pattern. It refuses a set without its ']',
// an unclosed capture and a ')' that closes none. As gopher-lua's matcher
// does, and unlike Lua 5.1's:
//
//   - a pattern ending with a lone '%', and a "%b" without its two
//     delimiters, is accepted but that item never matches;
//   - an invalid back-reference %n is an error only when a match reaches
//     it (%0 is refused at once); %n is invalid when capture n is not
//     started before it, or is the last one started and is unfinished; a
//     back-reference to an earlier unfinished capture reads it as ending
//     at offset 0: the empty string when it starts there, else an error
//     (ErrUnfinishedRef);
//   - a back-reference to a position capture matches the empty string,
//     and is an error (ErrPositionAtEnd) when that capture is the
//     subject's end;
//   - there is no limit of 32 captures (the limit is MaxCaptures).
//
// %f is not special (Lua 5.1's manual has no frontier pattern): it is the
// letter f.
func Compile(pat string) (*Pattern, error) {
	p := &Pattern{}
	i := 0
	if strings.HasPrefix(pat, "^") {
		p.anchored = true
		i = 1
	}
	var open []int       // captures not closed yet
	var closed []bool    // by capture index
	var positions []bool // by capture index: a position capture
	for i < len(pat) {
		c := pat[i]
		switch {
		case c == '(':
			if len(closed) >= MaxCaptures {
				return nil, ErrTooManyCaptures
			}
			if i+1 < len(pat) && pat[i+1] == ')' {
				p.nodes = append(p.nodes, node{op: opPos, cap: len(closed)})
				closed = append(closed, true)
				positions = append(positions, true)
				i += 2
				continue
			}
			p.nodes = append(p.nodes, node{op: opOpen, cap: len(closed)})
			open = append(open, len(closed))
			closed = append(closed, false)
			positions = append(positions, false)
			i++
			continue
		case c == ')':
			if len(open) == 0 {
				return nil, ErrInvalidCapture
			}
			k := open[len(open)-1]
			open = open[:len(open)-1]
			closed[k] = true
			p.nodes = append(p.nodes, node{op: opClose, cap: k})
			i++
			continue
		case c == '$' && i == len(pat)-1:
			p.nodes = append(p.nodes, node{op: opEnd})
			i++
			continue
		case c == '%' && i == len(pat)-1:
			p.nodes = append(p.nodes, node{op: opNever})
			i++
			continue
		case c == '%' && pat[i+1] == 'b':
			if i+3 >= len(pat) {
				p.nodes = append(p.nodes, node{op: opNever})
				i = len(pat)
				continue
			}
			p.nodes = append(p.nodes, node{op: opBalance, a: pat[i+2], b: pat[i+3]})
			i += 4
			continue
		case c == '%' && pat[i+1] >= '0' && pat[i+1] <= '9':
			k := int(pat[i+1]-'0') - 1
			if k < 0 {
				return nil, ErrCaptureIndex
			}
			// gopher-lua's check: the capture is started, and it is not
			// the last started one while that one is unfinished. An
			// earlier unfinished capture passes, as if it ended at offset
			// 0.
			n := node{op: opBackref, cap: k}
			if k >= len(closed) || (k == len(closed)-1 && !closed[k]) {
				n.cap = -1
			} else {
				n.unfinished = !closed[k]
			}
			if n.unfinished || (n.cap >= 0 && positions[n.cap]) {
				p.late = true
			}
			p.nodes = append(p.nodes, n)
			i += 2
			continue
		}
		n := node{op: opChar}
		switch c {
		case '.':
			n.set = set{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			i++
		case '%':
			addClass(&n.set, pat[i+1])
			i += 2
		case '[':
			end, err := parseSet(&n.set, pat, i)
			if err != nil {
				return nil, err
			}
			i = end
		default:
			n.set.add(c)
			i++
		}
		if i < len(pat) {
			switch pat[i] {
			case '*':
				n.q = qStar
			case '+':
				n.q = qPlus
			case '-':
				n.q = qLazy
			case '?':
				n.q = qOpt
			}
			if n.q != qOne {
				i++
			}
		}
		p.nodes = append(p.nodes, n)
	}
	if len(open) > 0 {
		return nil, ErrUnfinished
	}
	p.ncap = len(closed)
	return p, nil
}

// parseSet reads the set that begins at pat[i] == '[' into s and returns
// the index after its ']'.
func parseSet(s *set, pat string, i int) (int, error) {
	j := i + 1
	neg := j < len(pat) && pat[j] == '^'
	if neg {
		j++
	}
	// The first byte belongs to the set even when it is ']'.
	k := j
	for {
		if k >= len(pat) {
			return 0, ErrMissingBracket
		}
		c := pat[k]
		k++
		if c == '%' && k < len(pat) {
			k++
		}
		if k >= len(pat) {
			return 0, ErrMissingBracket
		}
		if pat[k] == ']' {
			break
		}
	}
	for q := j; q < k; q++ {
		c := pat[q]
		switch {
		case c == '%':
			q++
			addClass(s, pat[q])
		case q+2 < k && pat[q+1] == '-':
			for b := int(c); b <= int(pat[q+2]); b++ {
				s.add(byte(b))
			}
			q += 2
		default:
			s.add(c)
		}
	}
	if neg {
		for w := range s {
			s[w] = ^s[w]
		}
	}
	return k + 1, nil
}

// addClass adds %c to s: a class of the C locale (upper case: its
// complement), else the byte c itself.
func addClass(s *set, c byte) {
	lower := c | 0x20
	var in func(b byte) bool
	switch lower {
	case 'a':
		in = isAlpha
	case 'c':
		in = func(b byte) bool { return b < 32 || b == 127 }
	case 'd':
		in = isDigit
	case 'l':
		in = func(b byte) bool { return b >= 'a' && b <= 'z' }
	case 'p':
		in = func(b byte) bool { return b > 32 && b < 127 && !isAlpha(b) && !isDigit(b) }
	case 's':
		in = func(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') }
	case 'u':
		in = func(b byte) bool { return b >= 'A' && b <= 'Z' }
	case 'w':
		in = func(b byte) bool { return isAlpha(b) || isDigit(b) }
	case 'x':
		in = func(b byte) bool { return isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'f') }
	case 'z':
		in = func(b byte) bool { return b == 0 }
	default:
		s.add(c)
		return
	}
	upper := c != lower
	for b := 0; b < 256; b++ {
		if in(byte(b)) != upper {
			s.add(byte(b))
		}
	}
}

func isAlpha(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigit(b byte) bool { return b >= '0' && b <= '9' }
