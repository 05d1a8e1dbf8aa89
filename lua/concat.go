package lua

import (
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// Guarded concatenation. The `..` operator is one VM instruction
// (OP_CONCAT), which joins its operands without a bound and offers no
// hook: `s = s .. s` forty times asks for 2^40 bytes, a fatal out of
// memory. An untrusted addon's code is compiled so that every
// concatenation calls concat instead (see compile.go), which does what
// OP_CONCAT does and refuses a result over maxString bytes before
// allocating it.

// allocHook is told, before the allocation, that Lua code on L is about to
// allocate a result of n bytes; it may raise a Lua error to refuse it.
type allocHook func(L *glua.LState, n int64)

// concatGuard is the guard of one memory account: an addon's (Addon
// embeds it) or a worker state's (workers.go).
type concatGuard struct {
	onAlloc allocHook // told of each string the guard builds: the memory budget's charge
}

// concat is the guard: `a .. b .. c` calls it with the operands a, b and c.
// Like gopher-lua's OP_CONCAT, it works from right to left: a run of
// strings and numbers (numbers written as gopher-lua writes them) becomes
// one string, and a pair with another operand calls the __concat
// metamethod of the left operand, else of the right one, with the pair in
// order; its result is the right operand of the next step. It raises
// "..: the result would be over 16 MiB" for a run longer than maxString,
// and tells g.onAlloc of each run before joining it.
func (g *concatGuard) concat(L *glua.LState) int {
	if L.GetTop() == 2 && g.pair(L) {
		return 1
	}
	i := L.GetTop() - 1 // the next left operand
	rhs := L.Get(i + 1)
	for i >= 1 {
		lhs := L.Get(i)
		if !glua.LVCanConvToString(lhs) || !glua.LVCanConvToString(rhs) {
			mm, ok := concatMeta(L, lhs, rhs).(*glua.LFunction)
			if !ok {
				L.RaiseError("cannot perform concat operation between %v and %v", lhs.Type().String(), rhs.Type().String())
			}
			L.Push(mm)
			L.Push(lhs)
			L.Push(rhs)
			L.Call(2, 1)
			rhs = L.Get(-1)
			L.Pop(1)
			i--
			continue
		}
		j := i - 1 // the run is the operands j+1 to i, and rhs
		for j >= 1 && glua.LVCanConvToString(L.Get(j)) {
			j--
		}
		rhs = g.join(L, j+1, i, rhs)
		i = j
	}
	L.Push(rhs)
	return 1
}

// pair pushes a .. b when both are strings or numbers, the common case,
// without the general loop (which costs 7 to 17 ns more), and reports
// whether it did.
func (g *concatGuard) pair(L *glua.LState) bool {
	x, y := L.Get(1), L.Get(2)
	if !glua.LVCanConvToString(x) || !glua.LVCanConvToString(y) {
		return false
	}
	xs, ys := glua.LVAsString(x), glua.LVAsString(y)
	n := int64(len(xs)) + int64(len(ys))
	if n > maxString {
		tooLong(L, "..")
	}
	if g.onAlloc != nil {
		g.onAlloc(L, n)
	}
	L.Push(glua.LString(xs + ys))
	return true
}

// join is the string of the operands from to to (strings or numbers) and
// then last, refused past maxString bytes before it is built.
func (g *concatGuard) join(L *glua.LState, from, to int, last glua.LValue) glua.LString {
	var buf [8]string // enough for most runs, on the stack
	parts := buf[:0]
	size := int64(0)
	for k := from; k <= to; k++ {
		s := glua.LVAsString(L.Get(k))
		size += int64(len(s))
		parts = append(parts, s)
	}
	s := glua.LVAsString(last)
	size += int64(len(s))
	parts = append(parts, s)
	if size > maxString {
		tooLong(L, "..")
	}
	if g.onAlloc != nil {
		g.onAlloc(L, size)
	}
	var b strings.Builder
	b.Grow(int(size))
	for _, p := range parts {
		b.WriteString(p)
	}
	return glua.LString(b.String())
}

// concatMeta is the __concat metamethod of lhs, else of rhs, else nil,
// from their metatables as they are (a __metatable field does not hide
// them), as OP_CONCAT finds it.
func concatMeta(L *glua.LState, lhs, rhs glua.LValue) glua.LValue {
	for _, v := range [2]glua.LValue{lhs, rhs} {
		if mt, ok := rawMetatable(L, v).(*glua.LTable); ok {
			if mm := mt.RawGetString("__concat"); mm != glua.LNil {
				return mm
			}
		}
	}
	return glua.LNil
}

// rawMetatable is v's metatable. For a table or userdata it is read
// directly; the metatable of another type is the host's (Lua code cannot
// set one), and GetMetatable reads it through a __metatable field, which
// no metatable of ours has.
func rawMetatable(L *glua.LState, v glua.LValue) glua.LValue {
	switch v := v.(type) {
	case *glua.LTable:
		return v.Metatable
	case *glua.LUserData:
		return v.Metatable
	}
	return L.GetMetatable(v)
}

// guardLevel is the level a call of the guard adds to gopher-lua's
// tracebacks.
const guardLevel = "\t[G]: in function " + guardName

// pcall is L.PCall without an error handler, with the guard's levels
// taken out of the error's traceback: it stands for an instruction, which
// is no level of its own. The levels are those of the same code run
// unguarded, but for a traceback that gopher-lua cut to its first and
// last levels, which counted the guard's.
func pcall(L *glua.LState, nargs, nret int) error {
	err := L.PCall(nargs, nret, nil)
	if ae, ok := err.(*glua.ApiError); ok && strings.Contains(ae.StackTrace, guardLevel) {
		lines := strings.Split(ae.StackTrace, "\n")
		kept := lines[:0]
		for _, l := range lines {
			if l != guardLevel {
				kept = append(kept, l)
			}
		}
		ae.StackTrace = strings.Join(kept, "\n")
	}
	return err
}
