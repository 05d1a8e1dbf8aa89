package lua_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// The doubling attack: `s = s .. s` forty times would ask for 2^40 bytes,
// a fatal out of memory. An untrusted addon's `..` refuses a result over
// 16 MiB before allocating it, in the main chunk and in a task, and the
// host goes on.
func TestConcatDoubling(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		err := a.DoString("A", `local s = "x"
			for i = 1, 40 do s = s .. s end`)
		var ae *glua.ApiError
		if !errors.As(err, &ae) || ae.Object.String() != "A:2: ..: the result would be over 16 MiB" {
			t.Fatalf("DoString: %v, want the error A:2: ..: the result would be over 16 MiB", err)
		}
		e.run(a, `
			Task.Create(function(self)
				local s = "x"
				for i = 1, 40 do s = s .. s .. s end
			end):Start()
			print(try(function() local s = "x" for i = 1, 40 do s = s .. s end end))
			local h = string.rep("x", 8 * 2^20)
			print(#(h .. h), try(function() return h .. h .. "x" end), try(function() return h .. 1 .. h end))
			print(try(function() return h .. setmetatable({}, {__concat = function(a, b) return a .. a .. a end}) end))`)
		e.frames(1)
		checkLines(t, e.out, []string{
			"..: the result would be over 16 MiB",
			"16777216\t..: the result would be over 16 MiB\t..: the result would be over 16 MiB",
			"..: the result would be over 16 MiB",
		})
		if got, want := strings.Join(e.errLines(), "\n"), "A A:2: A:4: ..: the result would be over 16 MiB"; got != want {
			t.Errorf("task errors %q, want %q", got, want)
		}
		e.errs = nil
		e.run(a, `print("still here")`)
		checkLines(t, e.out[3:], []string{"still here"})
	})
}

// A trusted addon keeps gopher-lua's `..`, unbounded.
func TestConcatTrustedUnbounded(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{Trusted: true})
		e.run(a, `local h = string.rep("x", 9 * 2^20) print(#(h .. h))`)
		checkLines(t, e.out, []string{"18874368"})
	})
}

// Every concatenation of the script, at any place in the syntax, is
// guarded: each snippet concatenates big .. big (18 MiB, which an unguarded
// `..` would build) once, and must fail with the guard's error.
func TestConcatGuardedEverywhere(t *testing.T) {
	for i, snippet := range []string{
		`local x = B`,
		`x = B`,
		`local t = {} t[B] = 1`,
		`local t = {} t.a, t[1] = 1, B`,
		`print(B)`,
		`local s = "" s:rep(1, B)`,
		`local _ = (B):len()`,
		`do local x = B end`,
		`while B do end`,
		`local n = 0 while n < 1 do n = n + 1 local x = B end`,
		`repeat local x = B until true`,
		`repeat until B`,
		`repeat until ({("x"):rep(1, {B})})[1]`,
		`repeat until string.len(("x"):rep(1), {k = {B}})`,
		`if B then end`,
		`if false then elseif B then end`,
		`if false then else local x = B end`,
		`for i = #(B), 1 do end`,
		`for i = 1, #(B) do end`,
		`for i = 1, 2, #(B) do end`,
		`for i = 1, 1 do local x = B end`,
		`for k in pairs({B}) do end`,
		`for k, v in next, {}, B do end`,
		`for k in pairs({1}) do local x = B end`,
		`function f() return B end f()`,
		`local function f() return B end f()`,
		`local t = {} function t.f() return B end t.f()`,
		`local t = {} function t:m() return B end t:m()`,
		`local f = function() return B end f()`,
		`local f = function() return function() return function() return B end end end f()()()`,
		`return B`,
		`return 1, B`,
		`local t = {B}`,
		`local t = {1, 2, B}`,
		`local t = {[B] = 1}`,
		`local t = {k = B}`,
		`local x = (B).k`,
		`local x = ("x")[B]`,
		`local x = -(B)`,
		`local x = not (B)`,
		`local x = #(B)`,
		`local x = 1 + #(B)`,
		`local x = #(B) * 2`,
		`local x = B == "x"`,
		`local x = "x" < B`,
		`local x = false or B`,
		`local x = true and B`,
		`local x = (B)`,
		`local x = (B) .. "y"`,
		`local x = "y" .. (B)`,
		`local x = "y" .. B .. "z"`,
		`local x = (function() return B end)()`,
		`local x = select(2, "a", B)`,
		`local function f(...) return select(1, ..., B) end f(1)`,
		`local x = coroutine.wrap(function() return B end)()`,
		`local t = setmetatable({}, {__index = function() return B end}) local x = t.k`,
		`goto skip ::skip:: local x = B`,
	} {
		src := "local big = string.rep(\"x\", 9 * 2^20)\n" + strings.ReplaceAll(snippet, "B", "big .. big")
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				err := a.DoString("A", src)
				if err == nil || !strings.Contains(err.Error(), "..: the result would be over 16 MiB") {
					t.Errorf("%s:\n%v", src, err)
				}
			})
		})
	}
}

// concatScript exercises every form of `..`: strings, numbers of every
// kind, mixed operands, __concat metamethods on either side and in the
// middle of chains, results of calls and varargs, and the errors, whose
// messages are printed whole (with their positions).
const concatScript = `
local function D(v)
	if type(v) == "table" then return "T" .. tostring(rawget(v, "id")) end
	return type(v) .. ":" .. tostring(v)
end
local function show(ok, ...)
	local t = {tostring(ok), select("#", ...)}
	for i = 1, select("#", ...) do
		local v = select(i, ...)
		t[#t + 1] = type(v) == "table" and D(v) or (type(v) == "string" or type(v) == "number" or type(v) == "boolean" or type(v) == "nil") and tostring(v) or type(v)
	end
	return table.concat(t, " ")
end
local function try(f, ...) print(show(pcall(f, ...))) end
print("a" .. "b", "a" .. 1, 1 .. "a", 1 .. 2, -0 .. "", (-0) .. "", 0.1 .. "", 1e15 .. "", 1e16 .. "", 2^53 .. "", 2^53 + 1 .. "")
print(2^63 .. "", -2^63 .. "", 1e308 .. "", 1e-300 .. "", 1/0 .. "", -1/0 .. "", 0/0 .. "", 123456789012 .. "", 3.0 .. "", -1.5 .. "x", 1e100 .. "", 2^-1074 .. "", 0x10 .. "", 1e300 * 1e10 .. "")
print("a" .. "b" .. "c" .. "d", ("a" .. "b") .. ("c" .. "d"), 1 .. 2 .. 3, "" .. "" .. "", "a\0b" .. "\0", #("a\0" .. "b\0c"), 1 .. -1 .. 1.5)
print(("ab" .. "c"):upper(), #("ab" .. "cd"), ("1" .. "0") + 1, ("a" .. "b") == "ab", ("a" .. 1) < "b", type(1 .. 2))
local mt = {}
mt.__concat = function(a, b) return "<" .. D(a) .. "|" .. D(b) .. ">" end
local A, B = setmetatable({id = "A"}, mt), setmetatable({id = "B"}, mt)
print(A .. "x", "x" .. A, A .. B, 1 .. A, A .. 1, "a" .. "b" .. A .. "c" .. "d", A .. B .. "c", "p" .. A .. B, A .. A .. A)
print({} .. A, A .. {}, setmetatable({}, {}) .. A, 2.5 .. A .. -0, (A .. "x") .. A, A .. ("x" .. A))
local mt2 = {}
mt2.__concat = function(a, b) return setmetatable({id = D(a) .. "+" .. D(b)}, mt2) end
local C = setmetatable({id = "C"}, mt2)
print(D(C .. "x" .. "y"), D("x" .. C .. "y"), D(C .. C .. C), D("a" .. "b" .. C), D(C .. A), D(A .. C))
local N = setmetatable({id = "N"}, {__concat = function() return nil end})
local M = setmetatable({id = "M"}, {__concat = function(a, b) return 42 end})
local F = setmetatable({id = "F"}, {__concat = "not a function"})
local L = setmetatable({id = "L"}, {__concat = function(a, b) return a end, __metatable = "locked"})
print(M .. "x", "x" .. M .. "y", 1 .. M .. 2, D(L .. "x"), D("x" .. L))
try(function() return "a" .. N .. "b" end)
try(function() return N .. "b" end)
try(function() return F .. "b" end)
try(function() return "b" .. F end)
local E = setmetatable({id = "E"}, {__concat = function(a, b) error("boom " .. D(a) .. " " .. D(b)) end})
local E2 = setmetatable({id = "E2"}, {__concat = function(a, b) error("level two", 2) end})
local E3 = setmetatable({id = "E3"}, {__concat = function(a, b) error({code = 7}) end})
try(function() return "a" .. E .. "b" end)
try(function() return "a" ..
	E2 end)
print(select(2, pcall(function() return E3 .. 1 end)).code)
try(function() return "a" .. nil end)
try(function() return nil .. "a" end)
try(function() return "a" .. "b" .. nil .. "c" end)
try(function() return {} .. "a" end)
try(function() return "a" .. {} end)
try(function() return true .. "" end)
try(function() return "" .. false end)
try(function() return print .. "" end)
try(function() return "a" .. coroutine.create(print) end)
try(function() return newproxy() .. "a" end)
try(function() return 1 .. {} .. 2 end)
try(function() return nil .. nil end)
try(function() local t = {} return t.missing .. "x" end)
local u = newproxy(true)
getmetatable(u).__concat = function(a, b) return type(a) .. "/" .. type(b) end
print(u .. "x", "x" .. u, u .. u, 1 .. u .. 2)
local function two() return "p", "q" end
local function none() end
print("a" .. two(), select("#", "a" .. two()), #{"a" .. two()}, two() .. "b", select("#", two() .. "b"))
try(function() return "a" .. none() end)
print((function(...) return "v" .. ..., select("#", "v" .. ...), ... .. "w" end)("x", "y"))
try(function(...) return "v" .. ... end)
local function r(x) return "r" .. x end
print(r(1), select("#", r(2)), (r(3)))
local function r2(x) return x .. "r", x .. "s" end
print(r2(1))
print(coroutine.wrap(function() coroutine.yield("y" .. 1) end)())
local t = {["k" .. 1] = "v" .. 1, "i" .. 1, "i" .. 2}
print(t.k1, t[1], t[2], #t)
local cnt = 0
for i = 1, #("abc" .. "de"), #("x" .. "") do cnt = cnt + i end
print(cnt)
local n = 0
while #("x" .. n) < 3 do n = n * 10 + 1 end
print(n)
local s = ""
for i = 1, 100 do s = s .. i .. "," end
print(#s, s:sub(1, 20))
local parts = {}
for i = 1, 60 do parts[i] = "a" .. i .. "b" .. i * 0.5 .. "c" end
print(table.concat(parts, ""):len())
print(` + "`" + `long` + "`" + `)
print(("x"):rep(3) .. ("y"):rep(2), string.format("%s", "a" .. "b"), tostring("a" .. 1 .. 2.5))
print(select("#", ...), ... == nil)
arg = "global arg"
print(arg, rawget(_G, "arg"))
`

// longChains are chains of 150 operands, the same as they are in
// concatScript's place of `long`.
var longChains = strings.Repeat(`"a" .. `, 149) + `"b", ` + strings.Repeat(`1 .. `, 149) + `2.5, #(` + strings.Repeat(`"ab" .. 1 .. `, 70) + `"")`

// An untrusted addon's `..` gives what a trusted addon's (gopher-lua's)
// gives: the same values, the same errors with the same messages.
func TestConcatAsGopherLua(t *testing.T) {
	src := strings.Replace(concatScript, "`long`", longChains, 1)
	var outs [2][]string
	for i, trusted := range []bool{false, true} {
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{})
			e.run(e.addon("A", lua.AddonOptions{Trusted: trusted}), src)
			outs[i] = e.out
		})
	}
	if len(outs[1]) < 40 {
		t.Fatalf("%d lines:\n%s", len(outs[1]), strings.Join(outs[1], "\n"))
	}
	diffLines(t, outs[0], outs[1])
}

// The errors of a faulty script are the same in an untrusted addon as in a
// trusted one: message, line and traceback, from the main chunk, a task,
// inside a __concat metamethod, and a watchdog warning's stack of a task
// that breathes inside one.
func TestConcatErrorsAsGopherLua(t *testing.T) {
	const lib = `
		local function inner(x)
			return "v=" .. x
		end
		local function mid(x)
			local s = inner(x) .. "!"
			return s
		end
		local E = setmetatable({}, {__concat = function(a, b)
			error("in metamethod")
		end})
		local E2 = setmetatable({}, {__concat = function(a, b)
			error("level two", 2)
		end})
		local function viaMeta(x) return "a" .. x .. "b" end
	`
	for _, tc := range []struct{ name, src string }{
		{"main chunk", lib + `mid(nil)`},
		{"metamethod", lib + `viaMeta(E)`},
		{"metamethod, level 2", lib + `local y = viaMeta(E2)`},
		{"syntax error", lib + `local x = "a" .. `},
		{"syntax error in a chain", "local x = 1 ..\n 2 .. .. 3"},
		{"compile error", lib + `goto nowhere`},
		{"task", lib + `Task.Create(function(self) self:Breath() mid(nil) end):Start()`},
		{"task metamethod", lib + `Task.Create(function(self) self:Breath() viaMeta(E) end):Start()`},
		{"breath in a metamethod", lib + `
			local P = setmetatable({}, {__concat = function(a, b)
				work(0.03) Task.Current():Breath() return "p"
			end})
			Task.Create(function(self) print(viaMeta(P)) end):Start()`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var outs [2][]string
			for i, trusted := range []bool{false, true} {
				bubble(t, func(t *testing.T) {
					e := newEnv(t, lua.Config{}, sched.WithWatchdog(20*time.Millisecond, func(w sched.Warning) {
						outs[i] = append(outs[i], "warning: "+w.Traceback)
					}))
					a := e.addon("A", lua.AddonOptions{Trusted: trusted})
					if err := a.DoString("A", tc.src); err != nil {
						kind := "not an *glua.ApiError"
						if ae := (*glua.ApiError)(nil); errors.As(err, &ae) {
							kind = fmt.Sprint(ae.Type)
						}
						outs[i] = append(outs[i], fmt.Sprintf("DoString: %s: %v", kind, err))
					}
					e.frames(3)
					for _, te := range e.errs {
						le := luaErr(te.Err)
						outs[i] = append(outs[i], fmt.Sprintf("%s %s: %s\n%s", te.Owner, te.Task, le.Message, le.Traceback))
					}
					outs[i] = append(outs[i], e.out...)
				})
			}
			if len(outs[1]) == 0 {
				t.Fatal("no error")
			}
			if strings.Join(outs[0], "\n") != strings.Join(outs[1], "\n") {
				t.Errorf("untrusted:\n%s\ntrusted:\n%s", strings.Join(outs[0], "\n"), strings.Join(outs[1], "\n"))
			}
		})
	}
}

// The guard cannot be reached or replaced by Lua code: its name is no
// identifier, and a global of that name changes nothing.
func TestConcatGuardUnforgeable(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			_G["(concat)"] = function() return "forged" end
			setmetatable(_G, {__index = function(_, k) return function() return "forged " .. k end end})
			print("a" .. "b")
			local names = {}
			for k in pairs(_G) do if type(k) == "string" and k:find("concat") then names[#names + 1] = k end end
			print(table.concat(names, ","))`)
		checkLines(t, e.out, []string{"ab", "(concat)"})
	})
}
