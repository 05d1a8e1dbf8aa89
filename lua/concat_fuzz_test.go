package lua

import (
	"fmt"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"
)

// concatPrelude defines the operands of generated concatenations: values
// of every type, tables and a userdata with __concat metamethods of every
// kind, and functions returning several values or none; run(f, ...) calls
// f in pcall and records what it gave, without addresses and without `..`.
const concatPrelude = `
local out, F = {}, false
local function id(...) return ... end
local function two() return "p", "q" end
local function none() end
local co = coroutine.create(print)
local D
D = function(v)
	local t = type(v)
	if t == "table" then return string.format("T(%s)", tostring(rawget(v, "id"))) end
	if t == "string" or t == "number" or t == "boolean" or t == "nil" then return string.format("%s:%s", t, tostring(v)) end
	return t
end
local U0, U1 = newproxy(), newproxy(true)
getmetatable(U1).__concat = function(a, b) return string.format("U[%s|%s]", D(a), D(b)) end
local S = setmetatable({id = "S"}, {__concat = function(a, b) return string.format("<%s|%s>", D(a), D(b)) end})
local Gm = {}
Gm.__concat = function(a, b) return setmetatable({id = string.format("%s+%s", D(a), D(b))}, Gm) end
local G = setmetatable({id = "G"}, Gm)
local Nl = setmetatable({id = "Nl"}, {__concat = function() return nil end})
local Num = setmetatable({id = "Num"}, {__concat = function() return -0.5 end})
local Er = setmetatable({id = "Er"}, {__concat = function(a, b) error(string.format("boom %s %s", D(a), D(b))) end})
local E2 = setmetatable({id = "E2"}, {__concat = function() error("level two", 2) end})
local Et = setmetatable({id = "Et"}, {__concat = function() error(setmetatable({id = "err"}, Gm)) end})
local Bad = setmetatable({id = "Bad"}, {__concat = "not a function"})
local Rec = setmetatable({id = "Rec"}, {__concat = function(a, b) return D(a) .. "&" .. D(b) .. 1 end})
local Lk = setmetatable({id = "Lk"}, {__concat = function() return "lk" end, __metatable = false})
local Mt = setmetatable({id = "Mt"}, {})
local function pack(...) return select("#", ...), {...} end
local function run(f, ...)
	local n, r = pack(pcall(f, ...))
	local t = {}
	for i = 1, n do t[i] = D(r[i]) end
	out[#out + 1] = table.concat(t, " ")
end
`

// concatOperands are the operands of generated chains.
var concatOperands = []string{
	`""`, `"a"`, `"xyz"`, `"\0z"`, `"10"`, `"-0"`, `" "`, `"\195\169"`,
	`0`, `-0`, `(-0)`, `1`, `-1`, `1.5`, `0.1`, `1e15`, `1e16`, `2^53`, `2^63`, `-2^63`, `1e308`, `1e-7`,
	`(1/0)`, `(-1/0)`, `(0/0)`, `123456789012`, `3.0`, `0x7f`, `1e100`, `2^-1074`, `-1e-300`,
	`nil`, `true`, `false`, `{}`, `print`, `co`, `U0`, `U1`,
	`S`, `G`, `Nl`, `Num`, `Er`, `E2`, `Et`, `Bad`, `Rec`, `Lk`, `Mt`,
	`two()`, `none()`, `...`, `id(...)`, `(two())`, `F`,
}

// concatContexts are the places a generated chain (E) is evaluated in.
var concatContexts = []string{
	"return E",
	"local v = E return v",
	"return (E)",
	"return id(E)",
	"return E, E",
	"local t = {E, k = E} return t[1], t.k",
	"local t = {} t[E] = E return next(t)",
	"for i = 1, 1 do return E end",
	"return (function(...) return E end)(...)",
	"if E then return E end",
	"while true do return E end",
	"repeat local r = E return r until true",
	"return #(E)",
	"return (E):len()",
	"return select('#', E)",
	"return E == E",
	"return not E",
	"local x x = E return x",
	"return id(E, E)",
	"local s = 0 for i = 1, #(E) do s = s + 1 end return s",
	"return (E) .. (E)",
}

// concatGen turns fuzz bytes into a program; past the end it reads zeros.
type concatGen struct {
	data []byte
	pos  int
}

func (g *concatGen) next() int {
	if g.pos >= len(g.data) {
		return 0
	}
	g.pos++
	return int(g.data[g.pos-1])
}

// program is concatPrelude and one to four cases, each a context of
// chains run with some arguments, returning what they recorded.
func (g *concatGen) program() string {
	var b strings.Builder
	b.WriteString(concatPrelude)
	for n := 1 + g.next()%4; n > 0; n-- {
		ctx := concatContexts[g.next()%len(concatContexts)]
		body := ""
		for i, part := range strings.Split(ctx, "E") {
			if i > 0 {
				body += g.chain(0)
			}
			body += part
		}
		args := []string{``, `, "x"`, `, 1, 2`, `, nil, "y"`, `, S`}[g.next()%5]
		fmt.Fprintf(&b, "run(function(...)\n%s\nend%s)\n", body, args)
	}
	b.WriteString("return table.concat(out, \"\\n\")\n")
	return b.String()
}

// chain is a chain of 2 to 6 operands, some of them chains of their own
// (to depth 3), some on lines of their own.
func (g *concatGen) chain(depth int) string {
	var b strings.Builder
	for i, n := 0, 2+g.next()%5; i < n; i++ {
		if i > 0 {
			b.WriteString([]string{" .. ", " ..\n", "\n.. "}[g.next()%3])
		}
		b.WriteString(g.operand(depth))
	}
	return b.String()
}

func (g *concatGen) operand(depth int) string {
	if k := g.next(); depth < 3 && k >= 200 {
		sub := g.chain(depth + 1)
		return []string{"(" + sub + ")", "(F or " + sub + ")", "id(" + sub + ")", "(function(...) return " + sub + " end)(...)"}[k%4]
	}
	return concatOperands[g.next()%len(concatOperands)]
}

// runConcat runs src in a fresh gopher-lua state, compiled by gopher-lua or
// with guarded concatenation, and returns its result or its error.
func runConcat(src string, guarded bool) string {
	L := glua.NewState()
	defer L.Close()
	var fn *glua.LFunction
	var err error
	if guarded {
		var proto *glua.FunctionProto
		if proto, err = compileGuarded(strings.NewReader(src), "fuzz", L.NewFunction((&Addon{}).concat)); err == nil {
			fn = L.NewFunctionFromProto(proto)
		}
	} else {
		fn, err = L.Load(strings.NewReader(src), "fuzz")
	}
	if err != nil {
		return fmt.Sprintf("load: %T %v", err, err)
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return fmt.Sprintf("run: %v", err)
	}
	return L.Get(-1).String()
}

// FuzzConcat generates programs of concatenation chains of every kind of
// operand in many places, and demands that guarded concatenation give what
// gopher-lua's OP_CONCAT gives: the same values, or the same errors.
func FuzzConcat(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{3, 0, 200, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		{0, 4, 0, 4, 100, 48, 100, 49, 100, 50, 100, 51, 100, 52},
		{1, 20, 1, 4, 0, 1, 2, 0, 4, 0, 3, 99, 7, 99, 9, 99, 40, 99, 41, 99, 42},
		{2, 8, 2, 3, 60, 43, 60, 44, 60, 45, 60, 46, 60, 47, 60, 48, 60, 49},
		{3, 5, 3, 4, 90, 50, 90, 51, 90, 52, 90, 53, 90, 54, 90, 55, 1, 9, 1, 10, 3},
		[]byte("concatenation of every kind of operand, nested and in every place"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := (&concatGen{data: data}).program()
		guarded, plain := runConcat(src, true), runConcat(src, false)
		if guarded != plain {
			t.Fatalf("program:\n%s\nguarded:\n%s\ngopher-lua:\n%s", src, guarded, plain)
		}
	})
}
