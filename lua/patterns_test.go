package lua

import (
	"errors"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua/internal/luapat"
)

// patternScript runs string.find, match, gmatch and gsub over S and P with
// the init or count N, each in pcall, and returns what they gave. Error
// messages differ (ours name the function): only "ERR" is compared.
const patternScript = `
local s, p, n = S, P, N
local function show(...)
	if select("#", ...) >= 2 and (...) == false then return "ERR" end
	local t = {select("#", ...)}
	for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
	return table.concat(t, ",")
end
local out = {select("#", string.gmatch(s, "")), show(pcall(string.find, s, p)), show(pcall(string.find, s, p, n)), show(pcall(string.find, s, p, n, true)),
	show(pcall(string.match, s, p)), show(pcall(string.match, s, p, n)),
	show(pcall(string.gsub, s, p, "<%0|%1|%2%%%x>")), show(pcall(string.gsub, s, p, "[%0]", n)),
	show(pcall(string.gsub, s, p, function(a, b) if a == "a" then return nil end return tostring(a) .. "/" .. tostring(b) end)),
	show(pcall(string.gsub, s, p, {a = "A", [1] = 1, b = false}, n))}
local ok, it, st = pcall(string.gmatch, s, p)
if ok then
	local k = 0
	local ok = pcall(function()
		for a, b in it, st do k = k + 1 out[#out + 1] = tostring(a) .. "/" .. tostring(b) if k > 100 then break end end
	end)
	if not ok then out[#out + 1] = "ERR" end
else
	out[#out + 1] = "ERR"
end
return table.concat(out, " ")`

// runPatterns runs patternScript in a plain gopher-lua state, with our
// pattern functions when ours.
func runPatterns(t *testing.T, ours bool, s, p string, n int) string {
	L := glua.NewState()
	defer L.Close()
	if ours {
		str := L.GetGlobal("string").(*glua.LTable)
		str.RawSetString("find", L.NewFunction(strFind))
		str.RawSetString("match", L.NewFunction(strMatch))
		str.RawSetString("gmatch", L.NewFunction(strGmatch))
		str.RawSetString("gsub", L.NewFunction(strGsub))
	}
	L.SetGlobal("S", glua.LString(s))
	L.SetGlobal("P", glua.LString(p))
	L.SetGlobal("N", glua.LNumber(n))
	if err := L.DoString(patternScript); err != nil {
		t.Fatalf("%q %q %d: %v", s, p, n, err)
	}
	return L.Get(-1).String()
}

var errBudget = errors.New("budget")

// cheap reports whether matching p from every offset of s takes at most a
// million steps, so that gopher-lua's matcher, which cannot be
// interrupted, is run only on inputs that end soon.
func cheap(s, p string) bool {
	pat, err := luapat.Compile(p)
	if err != nil {
		return true
	}
	calls := 0
	m := pat.Matcher(func() error {
		if calls++; calls > 1000000/luapat.CheckEvery {
			return errBudget
		}
		return nil
	})
	for i := 0; i <= len(s); i++ {
		if _, err := m.Find(s, i); errors.Is(err, errBudget) {
			return false
		}
	}
	return true
}

// undefinedSet reports whether p may hold a set where a range meets a
// class or another range ("[%a-z]", "[a-%d]", "[a-b-c]"): the manual gives
// them no meaning, Lua 5.1 reads them as a union, gopher-lua as a range
// that matches nothing; or a range that ends in "-" ("[a--]"), which Lua
// 5.1 reads as the range from "a" to "-" (empty) and gopher-lua otherwise.
func undefinedSet(p string) bool {
	i := strings.IndexByte(p, '[')
	if i < 0 {
		return false
	}
	for j := i; j < len(p); j++ {
		if p[j] == '-' && ((j+1 < len(p) && (p[j+1] == '%' || p[j+1] == '-')) || (j >= 2 && (p[j-2] == '%' || p[j-2] == '-'))) {
			return true
		}
	}
	return false
}

// FuzzPatterns demands that our string.find, match, gmatch and gsub give
// what gopher-lua's give (both erroring counts as the same).
func FuzzPatterns(f *testing.F) {
	for _, p := range []string{"", "o", "l+", "^h", "d$", "(%w+)", "(%w+)%s*=%s*(%w+)", "^%s*(.-)%s*$", "()a()", "%b()", "(a)%1",
		"[^,]*", "[%a-]+", ".-", "x*", "^", "$", "%d+", "[a-c]", "(h)(e)(l)", "[]]", "[^]]", "%bab", "(()a())", "%z", "a%", "%b(",
		"[+-]?%d+%.?%d*", "(.)%1", "^(a-)(b)", "%f[%a]", "((a)", "[a", "$$", "^^"} {
		for _, s := range []string{"", "hello world", "a,b,,c", "(x(y)z)", "aaa", "key = value", "a]b^c-d", "a\x00b"} {
			f.Add(s, p, int8(2))
		}
	}
	f.Fuzz(func(t *testing.T, s, p string, n int8) {
		if len(s) > 200 || len(p) > 40 || undefinedSet(p) || !cheap(s, p) {
			return
		}
		ours, theirs := runPatterns(t, true, s, p, int(n)), runPatterns(t, false, s, p, int(n))
		if ours != theirs {
			t.Fatalf("subject %q pattern %q n %d:\n ours %q\ntheirs %q", s, p, n, ours, theirs)
		}
	})
}

// BenchmarkPatterns compares our pattern functions with gopher-lua's on
// ordinary inputs of about 10 KB.
func BenchmarkPatterns(b *testing.B) {
	words := strings.Repeat("lorem ipsum  dolor\tsit amet, ", 350)
	pairs := strings.Repeat("key=value k2=v2 ", 640)
	cases := []struct {
		name, fn string
		args     []glua.LValue
	}{
		{"find_kv_at_end", "find", []glua.LValue{glua.LString(words + "key=value"), glua.LString("(%w+)=(%w+)")}},
		{"match_trim", "match", []glua.LValue{glua.LString("  " + words + "  "), glua.LString("^%s*(.-)%s*$")}},
		{"gsub_spaces", "gsub", []glua.LValue{glua.LString(words), glua.LString("%s+"), glua.LString(" ")}},
		{"gsub_kv_swap", "gsub", []glua.LValue{glua.LString(pairs), glua.LString("(%w+)=(%w+)"), glua.LString("%2=%1")}},
		{"gsub_func", "gsub", []glua.LValue{glua.LString(pairs), glua.LString("%w+"), nil}},
	}
	for _, impl := range []string{"ours", "gopher-lua"} {
		L := glua.NewState()
		defer L.Close()
		if impl == "ours" {
			str := L.GetGlobal("string").(*glua.LTable)
			str.RawSetString("find", L.NewFunction(strFind))
			str.RawSetString("match", L.NewFunction(strMatch))
			str.RawSetString("gsub", L.NewFunction(strGsub))
		}
		upper := L.GetGlobal("string").(*glua.LTable).RawGetString("upper")
		for _, c := range cases {
			fn := L.GetGlobal("string").(*glua.LTable).RawGetString(c.fn)
			args := append([]glua.LValue(nil), c.args...)
			for i := range args {
				if args[i] == nil {
					args[i] = upper
				}
			}
			b.Run(c.name+"/"+impl, func(b *testing.B) {
				for b.Loop() {
					if err := L.CallByParam(glua.P{Fn: fn, NRet: glua.MultRet}, args...); err != nil {
						b.Fatal(err)
					}
					L.SetTop(0)
				}
			})
		}
	}
}
