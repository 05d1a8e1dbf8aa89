package lua_test

import (
	"testing"

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
		local subjects = {"", "hello world", "  trim me  ", "key = value; k2=v2", "a,b,,c", "(x(y)z)", "aaa", "x = 1\ny = 22\n", "caf\195\169 ol\195\169"}
		local patterns = {"", "o", "l+", "^h", "d$", "(%w+)", "(%w+)%s*=%s*(%w+)", "^%s*(.-)%s*$", "()a()", "%b()", "(a)%1", "[^,]*", "[%a-]+", ".-", "x*", "^", "$", "%d+", "[a-c]", "(h)(e)(l)"}
		local function show(...)
			local t = {select("#", ...)}
			for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
			return table.concat(t, ",")
		end
		for _, s in ipairs(subjects) do
			for _, p in ipairs(patterns) do
				local out = {show(pcall(string.find, s, p)), show(pcall(string.find, s, p, 3)), show(pcall(string.find, s, p, -4, true)),
					show(pcall(string.match, s, p)), show(pcall(string.match, s, p, 2)),
					show(pcall(string.gsub, s, p, "<%0|%1>")), show(pcall(string.gsub, s, p, "%%-%x", 2)),
					show(pcall(string.gsub, s, p, {hello = "HI", a = false, key = 7})),
					show(pcall(string.gsub, s, p, function(c) if c == "a" then return nil end return "[" .. tostring(c) .. "]" end))}
				local ok, it, state = pcall(string.gmatch, s, p)
				if ok then
					local n = 0
					for a, b in it, state do n = n + 1 out[#out + 1] = tostring(a) .. "/" .. tostring(b) if n > 50 then break end end
				end
				print(s, p, table.concat(out, " "))
			end
		end
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
	checkLines(t, outs[0], outs[1])
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
