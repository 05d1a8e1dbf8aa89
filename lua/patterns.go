package lua

import (
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua/internal/luapat"
)

// string.find, match, gmatch and gsub of untrusted addons, on our own
// pattern matcher (package luapat) instead of gopher-lua's: it checks the
// context of the calling Lua state every few thousand steps, so that the
// watchdog ends a pattern that backtracks for hours as it ends a loop (the
// call raises an error, which the task or call reports as a
// *WatchdogError), and it keeps its choice points on a bounded stack of
// its own ("pattern too complex" past luapat.MaxDepth).
//
// A static bound on patterns was rejected: the matcher backtracks, so a
// sound bound is the product of the subject's length over the pattern's
// quantifiers, which refuses everyday patterns ("(.-)\n" over a 100 KB
// text, a trim of a 10 KB string) that the matcher runs in milliseconds.
//
// The functions keep gopher-lua's behaviour, quirks included, checked
// against it by TestBoundedBuiltinsAsGopherLua and FuzzPatterns:
//
//   - string.find with an empty pattern returns 1, 0 whatever init is, and
//     nil when init is past the end plus one (Lua 5.1 clamps init);
//   - string.match returns nothing at all when nothing matches;
//   - string.find raises an error for a plain find whose init is past the
//     end plus one (and returns nil for a pattern's);
//   - string.gmatch honours a leading '^' (one match at most), and returns
//     a second value, a userdata (gopher-lua's iterator needs it as its
//     argument; ours ignores it, so it() works too);
//   - in a gsub replacement a "%" before a character other than a digit
//     or "%" is kept, as is a "%" at its end; a table or function giving
//     a value other than a string or number replaces the match by "";
//   - a negative gsub count replaces every match, and so does a count of
//     0 when the pattern matches at the subject's beginning (else none,
//     and the pattern is tried there only);
//   - see luapat.Compile for the patterns themselves.
//   - gopher-lua's gmatch finds every match at its first call; ours finds
//     them one at a time, but when a later match may raise an error (see
//     luapat.Pattern.ErrorsLate) its first call tries them all first.
//
// Not matched: the sets where a range
// meets a class or another range ("[%a-z]", "[a-%d]", "[a-b-c]"), which
// the manual gives no meaning, are a union here as in Lua 5.1 and match
// nothing there.
//
// gsub builds its result in one buffer of at most maxString bytes
// (gopher-lua's copies the subject once per match).

// checker is the check function of a match run by L: its context's error.
func checker(L *glua.LState) func() error {
	ctx := L.Context()
	if ctx == nil {
		return nil
	}
	return ctx.Err
}

// compilePattern is the compiled pattern at argument n of fn.
func compilePattern(L *glua.LState, fn string, n int) *luapat.Pattern {
	p, err := luapat.Compile(L.CheckString(n))
	if err != nil {
		L.RaiseError("%s: %s", fn, err.Error())
	}
	return p
}

// findFrom is m's first match from offset, raising the matcher's error.
func findFrom(L *glua.LState, fn string, m *luapat.Matcher, str string, offset int) *luapat.Match {
	md, err := m.Find(str, offset)
	if err != nil {
		L.RaiseError("%s: %s", fn, err.Error())
	}
	return md
}

// pushCapture pushes capture c of str.
func pushCapture(L *glua.LState, str string, c luapat.Capture) {
	if c.Position {
		L.Push(glua.LNumber(c.Start + 1))
	} else {
		L.Push(glua.LString(str[c.Start:c.End]))
	}
}

// pushCaptures pushes md's captures, or the whole match when whole and it
// has none, and returns how many values it pushed.
func pushCaptures(L *glua.LState, md *luapat.Match, str string, whole bool) int {
	if whole && len(md.Captures) == 0 {
		L.Push(glua.LString(str[md.Start:md.End]))
		return 1
	}
	if len(md.Captures) > maxResults {
		tooMany(L, "string.gsub", int64(len(md.Captures)))
	}
	for _, c := range md.Captures {
		pushCapture(L, str, c)
	}
	return len(md.Captures)
}

// stringIndex is gopher-lua's start offset of Lua's index i in str.
func stringIndex(str string, i int) int {
	if i != 0 {
		i--
	}
	if i < 0 {
		i += len(str) + 1
	}
	return max(0, i)
}

func strFind(L *glua.LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	if len(pattern) == 0 {
		L.Push(glua.LNumber(1))
		L.Push(glua.LNumber(0))
		return 2
	}
	plain := L.GetTop() == 4 && glua.LVAsBool(L.Get(4))
	var p *luapat.Pattern
	if !plain {
		p = compilePattern(L, "string.find", 2)
	}
	init := stringIndex(str, L.OptInt(3, 1))
	if init > len(str) && plain {
		L.RaiseError("string.find: initial position %d out of range", init+1) // gopher-lua's errors too
	} else if init > len(str) {
		L.Push(glua.LNil)
		return 1
	}
	if plain {
		pos := strings.Index(str[init:], pattern)
		if pos < 0 {
			L.Push(glua.LNil)
			return 1
		}
		L.Push(glua.LNumber(init + pos + 1))
		L.Push(glua.LNumber(init + pos + len(pattern)))
		return 2
	}
	md := findFrom(L, "string.find", p.Matcher(checker(L)), str, init)
	if md == nil {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(glua.LNumber(md.Start + 1))
	L.Push(glua.LNumber(md.End))
	return 2 + pushCaptures(L, md, str, false)
}

func strMatch(L *glua.LState) int {
	str := L.CheckString(1)
	p := compilePattern(L, "string.match", 2)
	offset := L.OptInt(3, 1)
	if offset < 0 {
		offset += len(str) + 1
	}
	offset = max(offset-1, 0)
	md := findFrom(L, "string.match", p.Matcher(checker(L)), str, offset)
	if md == nil {
		return 0 // gopher-lua's: no value at all
	}
	return pushCaptures(L, md, str, true)
}

func strGmatch(L *glua.LState) int {
	str := L.CheckString(1)
	p := compilePattern(L, "string.gmatch", 2)
	m := p.Matcher(nil)
	pos, done := 0, false
	L.Push(L.NewFunction(func(L *glua.LState) int {
		if done || pos > len(str) {
			return 0
		}
		m.SetCheck(checker(L))
		if pos == 0 && p.ErrorsLate() {
			// gopher-lua's gmatch finds every match at its first call, so
			// an error past the first match is raised there.
			for at := 0; at <= len(str); {
				md := findFrom(L, "string.gmatch", m, str, at)
				if md == nil || p.Anchored() {
					break
				}
				at = md.End
				if md.End == md.Start {
					at++
				}
			}
		}
		md := findFrom(L, "string.gmatch", m, str, pos)
		done = p.Anchored()
		if md == nil {
			done = true
			return 0
		}
		pos = md.End
		if md.End == md.Start {
			pos++
		}
		return pushCaptures(L, md, str, true)
	}))
	L.Push(L.NewUserData()) // gopher-lua's returns its state too (its iterator needs it, ours does not)
	return 2
}

func strGsub(L *glua.LState) int {
	str := L.CheckString(1)
	p := compilePattern(L, "string.gsub", 2)
	L.CheckTypes(3, glua.LTString, glua.LTTable, glua.LTFunction)
	repl := L.CheckAny(3)
	limit := L.OptInt(4, -1)
	m := p.Matcher(checker(L))
	var out strings.Builder
	count, last := 0, 0
	for pos := 0; pos <= len(str) && (limit <= 0 || count < limit); {
		var md *luapat.Match
		if limit == 0 && count == 0 {
			// gopher-lua's: with a count of 0, the first match is looked
			// for only at the subject's beginning.
			var err error
			if md, err = m.MatchAt(str, 0); err != nil {
				L.RaiseError("string.gsub: %s", err.Error())
			}
		} else {
			md = findFrom(L, "string.gsub", m, str, pos)
		}
		if md == nil {
			break
		}
		count++
		if out.Len()+md.Start-last > maxString {
			tooLong(L, "string.gsub")
		}
		out.WriteString(str[last:md.Start])
		addReplacement(L, &out, md, str, repl)
		last = md.End
		if p.Anchored() {
			break
		}
		pos = md.End
		if md.End == md.Start {
			pos++
		}
	}
	if count == 0 {
		L.SetTop(1)
		L.Push(glua.LNumber(0))
		return 2
	}
	if out.Len()+len(str)-last > maxString {
		tooLong(L, "string.gsub")
	}
	out.WriteString(str[last:])
	L.Push(glua.LString(out.String()))
	L.Push(glua.LNumber(count))
	return 2
}

// write appends s to out, refusing a result over maxString bytes.
func write(L *glua.LState, out *strings.Builder, s string) {
	if out.Len()+len(s) > maxString {
		tooLong(L, "string.gsub")
	}
	out.WriteString(s)
}

// addReplacement appends what gsub puts in place of the match md, as
// gopher-lua's gsub does: the match itself when a table or function gives
// false or nil.
func addReplacement(L *glua.LState, out *strings.Builder, md *luapat.Match, str string, repl glua.LValue) {
	whole := str[md.Start:md.End]
	switch repl := repl.(type) {
	case glua.LString:
		r := string(repl)
		for {
			i := strings.IndexByte(r, '%')
			if i < 0 || i == len(r)-1 {
				write(L, out, r)
				return
			}
			write(L, out, r[:i])
			switch c := r[i+1]; {
			case c == '%':
				write(L, out, "%")
			case c >= '0' && c <= '9':
				write(L, out, captured(L, md, str, int(c-'0')))
			default:
				write(L, out, r[i:i+2])
			}
			r = r[i+2:]
		}
	case *glua.LTable:
		var v glua.LValue
		switch {
		case len(md.Captures) > 0 && md.Captures[0].Position:
			v = L.GetTable(repl, glua.LNumber(md.Captures[0].Start+1))
		case len(md.Captures) > 0:
			v = L.GetField(repl, str[md.Captures[0].Start:md.Captures[0].End])
		default:
			v = L.GetField(repl, whole)
		}
		if glua.LVIsFalse(v) {
			write(L, out, whole)
		} else {
			write(L, out, glua.LVAsString(v))
		}
	case *glua.LFunction:
		L.Push(repl)
		n := pushCaptures(L, md, str, true)
		L.Call(n, 1)
		v := L.Get(-1)
		L.Pop(1)
		if glua.LVIsFalse(v) {
			write(L, out, whole)
		} else {
			write(L, out, glua.LVAsString(v))
		}
	}
}

// captured is capture k of md for a gsub replacement (0: the whole match;
// 1 is the whole match too when there is no capture).
func captured(L *glua.LState, md *luapat.Match, str string, k int) string {
	if k == 0 || (k == 1 && len(md.Captures) == 0) {
		return str[md.Start:md.End]
	}
	if k > len(md.Captures) {
		L.RaiseError("string.gsub: invalid capture index")
	}
	c := md.Captures[k-1]
	if c.Position {
		return strconv.Itoa(c.Start + 1)
	}
	return str[c.Start:c.End]
}
