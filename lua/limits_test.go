package lua_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// An untrusted addon's built-ins refuse what would run for seconds or
// allocate without bound, with an error naming the function and the limit.
func TestBoundedBuiltins(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			big = string.rep("x", 9 * 2^20)
			print(try(string.rep, "x", 2^40))
			print(try(string.rep, "ab", 8 * 2^20 + 1))
			print(try(unpack, {}, 1, 400000))
			print(try(unpack, {}, -2^40, 2^40))
			print(try(string.byte, string.rep("a", 10000)))
			print(try(string.byte, string.rep("a", 10000), 1, 8001))
			print(try(string.format, "%100d", 1))
			print(try(string.format, "%5.100f", 1))
			print(try(string.format, "%s%s", big, big))
			print(try(table.concat, {big, big}))
			print(try(table.concat, {"a", "b", "c"}, big))
			print(try(string.gsub, string.rep("x", 1000), "x", string.rep("y", 20000)))
			print(try(string.gsub, "xx", "x", big))
			print(try(string.find, string.rep("a", 100001), string.rep("a?", 100001)))
			print(try(string.find, "a", "[a"), try(string.match, "a", "(a"), try(string.gsub, "a", "(a)", "%2"), try(string.gmatch, "a", "a)"))
			-- within the limits
			print(#string.rep("ab", 8 * 2^20), select("#", unpack({}, 1, 8000)), select("#", string.byte(string.rep("a", 8000))))
			print(string.format("%99d|%-5.2f|%s", 1, 2, "x"):len(), #table.concat({big, "y"}, "-"))
			local parts = {} for i = 1, 200000 do parts[i] = i % 10 end
			print(#table.concat(parts), (string.gsub(string.rep("ab", 100000), "b", "")):len())`)
		checkLines(t, e.out, []string{
			"string.rep: the result would be over 16 MiB",
			"string.rep: the result would be over 16 MiB",
			"unpack: too many results (400000, the limit is 8000)",
			"unpack: too many results (2199023255553, the limit is 8000)",
			"string.byte: too many results (10000, the limit is 8000)",
			"string.byte: too many results (8001, the limit is 8000)",
			"string.format: invalid format (width over 2 digits)",
			"string.format: invalid format (precision over 2 digits)",
			"string.format: the result would be over 16 MiB",
			"table.concat: the result would be over 16 MiB",
			"table.concat: the result would be over 16 MiB",
			"string.gsub: the result would be over 16 MiB",
			"string.gsub: the result would be over 16 MiB",
			"string.find: pattern too complex",
			"string.find: malformed pattern (missing ']')\tstring.match: unfinished capture\tstring.gsub: invalid capture index\tstring.gmatch: invalid pattern capture",
			"16777216\t8000\t8000",
			"107\t9437186",
			"200000\t100000",
		})
	})
}

// Trusted addons keep gopher-lua's built-ins.
func TestTrustedBuiltins(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{Trusted: true})
		e.run(a, `print(select("#", unpack({}, 1, 9000)), try(string.format, "%100d", 1))`)
		checkLines(t, e.out, []string{"9000\tok"})
	})
}

// The bounded built-ins give what gopher-lua's give: an untrusted addon
// (bounded) and a trusted one (gopher-lua's) print the same.
func TestBoundedBuiltinsAsGopherLua(t *testing.T) {
	const src = `
		local subjects = {"", "hello world", "  trim me  ", "key = value; k2=v2", "a,b,,c", "(x(y)z)", "aaa", "x = 1\ny = 22\n", "caf\195\169 ol\195\169",
			"a]b^c-d", "THE (quick) fox", "f(a(b)c)d [x] {y}", "0x1F, 42, -7.5e3", "a\0b\tc\r\n", "abcabcabc", "%d$^", "[[x]]"}
		local patterns = {"", "o", "l+", "^h", "d$", "(%w+)", "(%w+)%s*=%s*(%w+)", "^%s*(.-)%s*$", "()a()", "%b()", "(a)%1", "[^,]*", "[%a-]+", ".-", "x*", "^", "$", "%d+", "[a-c]", "(h)(e)(l)",
			"^(%w+)", "(%w+)$", "^$", "a$b", "$$", "^^", "%b[]", "%b{}", "%b))", "%bab", "(a)(b)%2%1", "(%a)%1", "((a)(b))%3", "()(%w+)()", "()", "(()a())",
			"[]]", "[^]]", "[]a-]", "[a-]", "[-a]", "[%]-]", "[%^^]", "[^^%-]", "[%a%d_]+", "[^%s]+", "[%p]", "%S+", "%A+", "%D+", "%L", "%U+", "%W", "%X+", "%C", "%P+", "%x+", "%c",
			"%u%l+", "%z", "[%z]", "%.", "%%", "a-b", "a*b", "a+b", "a?b", ".-b", ".*b", "[abc]-c", "[abc]*c", "%a+%s*%(", "%(.-%)", "[+-]?%d+%.?%d*", "0[xX]%x+",
			"(b*)", "((a)", "(a))", "%1", "[a", "[]", "[^]", "x*$", "%f[%a]", "a%", "%b(", "c)", "*", "+a", "?", "-", "(.)%1", "(.)(.)%2", "^(a-)(b)"}
		-- Error messages differ (ours name the function): only "ERR" is compared.
		local function show(...)
			if select("#", ...) >= 2 and (...) == false then return "ERR" end
			local t = {select("#", ...)}
			for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
			return table.concat(t, ",")
		end
		for _, s in ipairs(subjects) do
			for _, p in ipairs(patterns) do
				local out = {show(pcall(string.find, s, p)), show(pcall(string.find, s, p, 3)), show(pcall(string.find, s, p, -4, true)), show(pcall(string.find, s, p, -4)), show(pcall(string.find, s, p, 0)), show(pcall(string.find, s, p, 30)),
					show(pcall(string.find, s, p, #s + 1)), show(pcall(string.find, s, p, #s + 2)), show(pcall(string.find, s, p, 1, true)), show(pcall(string.find, s, p, 2, false)),
					show(pcall(string.match, s, p, -3)), show(pcall(string.match, s, p, #s + 1)), show(pcall(string.match, s, p, #s + 2)),
					show(pcall(string.gsub, s, p, "%%%0%", 0)), show(pcall(string.gsub, s, p, "[%1]", -1)), show(pcall(string.gsub, s, p, "%2%x", 1.5)),
					show(pcall(string.gsub, s, p, {}, 3)), show(pcall(string.gsub, s, p, setmetatable({}, {__index = function(t, k) return type(k) end}))),
					show(pcall(string.gsub, s, p, function(...) return select("#", ...) .. "=" .. table.concat({...}, "|") end)),
					show(pcall(string.gsub, s, p, function(c) if c == "l" then return false end return 1.5 end)),
					show(pcall(string.gsub, s, p, function() return {} end)), show(pcall(string.gsub, s, p, function() return true end)),
					show(pcall(string.match, s, p)), show(pcall(string.match, s, p, 2)),
					show(pcall(string.gsub, s, p, "<%0|%1>")), show(pcall(string.gsub, s, p, "%%-%x", 2)),
					show(pcall(string.gsub, s, p, {hello = "HI", a = false, key = 7})),
					show(pcall(string.gsub, s, p, function(c) if c == "a" then return nil end return "[" .. tostring(c) .. "]" end))}
				local ok, it, state = pcall(string.gmatch, s, p)
				if ok then
					local n = 0
					local ok = pcall(function()
						for a, b, c in it, state do n = n + 1 out[#out + 1] = tostring(a) .. "/" .. tostring(b) .. "/" .. tostring(c) if n > 50 then break end end
					end)
					if not ok then out[#out + 1] = "ERR" end
				else
					out[#out + 1] = "ERR"
				end
				print(s, p, table.concat(out, " "))
			end
		end
		print(string.gfind == string.gmatch, show(pcall(string.find, "abc", "b", "2")), show(pcall(string.gsub, "abc", "b")), show(pcall(string.gsub, "abc", "b", 5)))
		print(show(string.find("a.b", ".", 1, true, nil)), show(string.find("a.b", ".", 1, 1)), show(string.find(123, 2)), show(string.gsub(1234, 2, "5")), show(string.match(1234, "3(.)")))
		print(show(string.find("a\0b", "%z")), show(string.find("a\0b", "\0")), show(string.gsub("a\0b\0", "%z", "0")), show(string.match(string.rep("ab", 500), "^(.-)b$")))
		for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do print(k, v) end
		for a in string.gmatch("abab", "^ab") do print("anchored", a) end
		for a, b in string.gmatch("abc", "()") do print("pos", a, b) end
		for a in string.gfind("aXbX", "X*") do print("empty", a) end
		print(show(string.byte("hello")), show(string.byte("hello", 2, 4)), show(string.byte("hello", -2)), show(string.byte("hello", 9)))
		print(show(unpack({1, 2, 3})), show(unpack({1, 2, 3}, 2)), show(unpack({1, 2, 3}, 0, 4)), show(unpack({}, 3, 1)))
		print(table.concat({1, 2.5, "x"}, ", "), table.concat({1, 2, 3}, "-", 2), table.concat({1, 2, 3}, "-", 5), table.concat({1, 2, 3}, "-", 2, 9), pcall(table.concat, {1, {}, 3}))
		print(string.format("%5.2f|%-3d|%s|%q|%x|%%", 3.14159, 7, "s", "q\n", 255), string.rep("ab", 3), string.rep("x", 0), string.rep("x", -1))`
	var outs [2][]string
	for i, trusted := range []bool{false, true} {
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{})
			e.run(e.addon("A", lua.AddonOptions{Trusted: trusted}), src)
			outs[i] = e.out
		})
	}
	if len(outs[0]) < 100 {
		t.Fatalf("%d lines", len(outs[0]))
	}
	diffLines(t, outs[0], outs[1])
}

// diffLines fails t with the lines of got (untrusted) that differ from want
// (trusted), at most 10 of them.
func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d lines, want %d", len(got), len(want))
	}
	n := 0
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			if n++; n > 10 {
				t.Fatal("...")
			}
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

// unpack of a huge range ends at once instead of running for seconds.
func TestUnpackHugeRange(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter}, sched.WithBudget(budget))
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `Task.Create(function() print(try(unpack, {}, 1, 400000)) end):Start()`)
		e.frames(1)
		checkLines(t, e.out, []string{"unpack: too many results (400000, the limit is 8000)"})
		e.checkNoErrors()
	})
}

// A pattern that backtracks for hours, in a task, is ended by the
// watchdog. The matcher does no work on the mock clock, so the kill
// threshold is real time here (100 ms, outside a bubble); the test waits
// for the frame at most 20 s.
func TestWatchdogKillsPattern(t *testing.T) {
	e := newEnv(t, lua.Config{KillAfter: 100 * time.Millisecond, AfterFunc: func(d time.Duration, f func()) func() {
		t := time.AfterFunc(d, f)
		return func() { t.Stop() }
	}})
	a := e.addon("A", lua.AddonOptions{})
	e.run(a, `h = Task.Create(function()
		string.find(string.rep("a", 40), string.rep("a-", 12) .. "b")
		print("matched")
	end):Start()`)
	done := make(chan struct{})
	go func() {
		e.s.RunFrame()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the pattern still runs after 20 s")
	}
	checkLines(t, e.out, nil)
	var we *lua.WatchdogError
	if len(e.errs) != 1 || !errors.As(e.errs[0].Err, &we) || !strings.Contains(we.Traceback, "A:2") {
		t.Fatalf("task errors %v, want a *lua.WatchdogError at A:2", e.errLines())
	}
}

// TestDeepSyntax: source nested a million levels deep (2 MB of table
// constructors, or of parentheses) overflowed the Go stack in gopher-lua's
// compiler, a fatal error; an untrusted addon's is refused past
// maxSyntaxDepth levels, with Lua 5.1's message, and deep but sane nesting
// compiles.
func TestDeepSyntax(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		for _, src := range []string{
			"return " + strings.Repeat("{", 1e6) + strings.Repeat("}", 1e6),
			"return " + strings.Repeat("not ", 1e6) + "x",
			strings.Repeat("do ", 1e5) + strings.Repeat("end ", 1e5),
		} {
			err := a.DoString("deep", src)
			if err == nil || !strings.Contains(err.Error(), "chunk has too many syntax levels") {
				t.Errorf("%.20s...: %v, want too many syntax levels", src, err)
			}
		}
		e.run(a, "x = "+strings.Repeat("{", 150)+strings.Repeat("}", 150)+" y = 1"+strings.Repeat(" + 1", 2000)+" print(y)")
		checkLines(t, e.out, []string{"2001"})
	})
}
