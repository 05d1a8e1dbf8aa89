package lua

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"

	"github.com/framesched/framesched/sched"
)

// everyNode uses every statement and expression type of gopher-lua's ast
// package, with concatenations inside each, nested in one another.
const everyNode = `
local a, b = "a" .. 1, {"t" .. 2, k = "v" .. 3, ["k" .. 4] = 5}
x, b["y" .. 6], b.z = 7 .. "", 8 .. 9, -#("n" .. 1)
print("p" .. 1, ("q" .. 2):rep(2 .. ""), b[("r" .. 3)])
b:insert("s" .. 4, {f = {"nested" .. "table" .. (1 .. 2)}})
do local c = not ("d" .. 1) end
if nil then a = false .. "" .. nil end
while ("w" .. 1) == "w" .. 2 do break end
repeat local r = 1 .. 2 until ("u" .. 1) < "v" .. 2 or (b:m({k = {"deep" .. 1}}) and "x" .. 3)
if "i" .. 1 then a = "t" .. 1 elseif "e" .. 1 then a = "e" .. 2 else a = "f" .. 3 end
for i = #("a" .. 1), #("b" .. 2) + 1 * #("c" .. 3), -#("d" .. 4) do a = i .. "" end
for k, v in pairs({"g" .. 1}), "h" .. 2 do a = k .. v end
function f(...) return ... .. "f", (...) .. 1 end
function b.g(x) return x .. "g" end
function b:h(x) return self .. x .. "h" end
local function l(x) ::top:: if x then goto done end x = x .. "l" goto top ::done:: return x end
local fe = function(x) return function(y) return x .. y .. (function() return "z" .. 1 end)() end end
return a .. (b .. (a .. b)) .. -(1 .. 2) ^ (3 .. 4) % 5 .. (true and "t" .. 1 or "o" .. 2), f("a" .. 1)
`

// walkAST calls visit with every node reachable from v (a statement, an
// expression, or a slice of them), by reflection, so that it misses no
// field of any node type.
func walkAST(v reflect.Value, visit func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			visit(v)
		}
		walkAST(v.Elem(), visit)
	case reflect.Struct:
		for i := range v.NumField() {
			walkAST(v.Field(i), visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkAST(v.Index(i), visit)
		}
	}
}

// concatChains counts the chains of concatenations in chunk: nodes that
// are not the right operand of another (a .. b .. c is one chain).
func concatChains(chunk []ast.Stmt) (chains int, types map[string]bool) {
	rhs := map[*ast.StringConcatOpExpr]bool{}
	types = map[string]bool{}
	walkAST(reflect.ValueOf(chunk), func(v reflect.Value) {
		types[v.Type().Elem().Name()] = true
		if c, ok := v.Interface().(*ast.StringConcatOpExpr); ok {
			if r, ok := c.Rhs.(*ast.StringConcatOpExpr); ok {
				rhs[r] = true
			}
		}
	})
	walkAST(reflect.ValueOf(chunk), func(v reflect.Value) {
		if c, ok := v.Interface().(*ast.StringConcatOpExpr); ok && !rhs[c] {
			chains++
		}
	})
	return chains, types
}

// guardStmts leaves no concatenation anywhere, of any node type: each
// chain is one call of the guard; and the compiled code has no OP_CONCAT
// and loads the guard once per chain, as a constant.
func TestGuardEveryNode(t *testing.T) {
	chunk, err := parse.Parse(strings.NewReader(everyNode), "every")
	if err != nil {
		t.Fatal(err)
	}
	chains, types := concatChains(chunk)
	for _, typ := range []string{
		"AssignStmt", "LocalAssignStmt", "FuncCallStmt", "DoBlockStmt", "WhileStmt", "RepeatStmt", "IfStmt",
		"NumberForStmt", "GenericForStmt", "FuncDefStmt", "ReturnStmt", "BreakStmt", "LabelStmt", "GotoStmt",
		"TrueExpr", "FalseExpr", "NilExpr", "NumberExpr", "StringExpr", "Comma3Expr", "IdentExpr", "AttrGetExpr", "TableExpr",
		"FuncCallExpr", "LogicalOpExpr", "RelationalOpExpr", "StringConcatOpExpr", "ArithmeticOpExpr",
		"UnaryMinusOpExpr", "UnaryNotOpExpr", "UnaryLenOpExpr", "FunctionExpr", "Field", "ParList", "FuncName",
	} {
		if !types[typ] {
			t.Errorf("everyNode has no %s", typ)
		}
	}
	if err := guardStmts(chunk); err != nil {
		t.Fatal(err)
	}
	calls := 0
	walkAST(reflect.ValueOf(chunk), func(v reflect.Value) {
		switch n := v.Interface().(type) {
		case *ast.StringConcatOpExpr:
			t.Errorf("line %d: a concatenation left unguarded", n.Line())
		case *ast.FuncCallExpr:
			if id, ok := n.Func.(*ast.IdentExpr); ok && id.Value == guardName {
				calls++
			}
		}
	})
	if calls != chains || chains < 50 {
		t.Errorf("%d calls of the guard for %d chains", calls, chains)
	}

	L := glua.NewState()
	defer L.Close()
	guard := L.NewFunction((&Addon{}).concat)
	proto, err := compileGuarded(strings.NewReader(everyNode), "every", guard)
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	var check func(p *glua.FunctionProto)
	check = func(p *glua.FunctionProto) {
		for _, inst := range p.Code {
			switch op, bx := inst>>opShift, inst&opMaxBx; {
			case op == opConcat:
				t.Errorf("%s: OP_CONCAT", p.SourceName)
			case op == opGlobal && p.Constants[bx] == glua.LString(guardName):
				t.Errorf("%s: a global read of the guard", p.SourceName)
			case op == uint32(glua.OP_LOADK) && p.Constants[bx] == guard:
				loads++
			}
		}
		for _, c := range p.FunctionPrototypes {
			check(c)
		}
	}
	check(proto)
	if loads != chains {
		t.Errorf("%d loads of the guard for %d chains", loads, chains)
	}
}

type oddStmt struct{ ast.StmtBase }
type oddExpr struct{ ast.ExprBase }

// A node type the rewriting does not know, or an OP_CONCAT in the compiled
// code, refuses the code instead of running a concatenation unguarded.
func TestGuardFailsClosed(t *testing.T) {
	for _, chunk := range [][]ast.Stmt{
		{&oddStmt{}},
		{&ast.ReturnStmt{Exprs: []ast.Expr{&oddExpr{}}}},
		{&ast.WhileStmt{Condition: &ast.TrueExpr{}, Stmts: []ast.Stmt{&ast.DoBlockStmt{Stmts: []ast.Stmt{&oddStmt{}}}}}},
		{&ast.LocalAssignStmt{Names: []string{"x"}, Exprs: []ast.Expr{&ast.TableExpr{Fields: []*ast.Field{{Value: &oddExpr{}}}}}}},
	} {
		if err := guardStmts(chunk); err == nil || !strings.Contains(err.Error(), "guarded concatenation: unknown") {
			t.Errorf("guardStmts: %v, want an unknown node's error", err)
		}
	}
	chunk, err := parse.Parse(strings.NewReader("local a = 1\nreturn a .. a"), "raw")
	if err != nil {
		t.Fatal(err)
	}
	proto, err := glua.Compile(chunk, "raw")
	if err != nil {
		t.Fatal(err)
	}
	if err := patchGuard(proto, nil); err == nil || err.Error() != "raw:2: guarded concatenation: a concatenation left unguarded" {
		t.Errorf("patchGuard of an OP_CONCAT: %v", err)
	}
}

// testAddon makes an addon on a scheduler with a mock clock. Call it in a
// synctest bubble.
func testAddon(t *testing.T, opts AddonOptions) *Addon {
	s := sched.New(sched.WithClock(clock.NewMock()))
	h := NewHost(s, Config{Print: func(string, string) {}})
	a, err := h.NewAddon("A", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		h.Close()
	})
	return a
}

// The allocation hook hears of every string a concatenation builds, with
// its size, before it is built, and may refuse it with a Lua error.
// Trusted addons' `..` does not call it.
func TestConcatAllocHook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sizes []int64
		hook := func(L *glua.LState, n int64) {
			sizes = append(sizes, n)
			if n > 1000 {
				L.RaiseError("over the budget")
			}
		}
		a := testAddon(t, AddonOptions{})
		a.onAlloc = hook
		err := a.DoString("A", `
			local t = setmetatable({}, {__concat = function(a, b) return "M" end})
			local x = "ab" .. "cde"
			x = "x" .. 12 .. 3.5
			x = "ab" .. "c" .. t .. "de" .. "f"
			x = t .. t
			x = string.rep("y", 999) .. "zz"`)
		if err == nil || !strings.HasPrefix(err.Error(), "A:7: over the budget") {
			t.Errorf("DoString: %v, want A:7: over the budget", err)
		}
		if got, want := fmt.Sprint(sizes), "[5 6 3 4 1001]"; got != want {
			t.Errorf("sizes %s, want %s", got, want)
		}

		sizes = nil
		trusted := testAddon(t, AddonOptions{Trusted: true})
		trusted.onAlloc = hook
		if err := trusted.DoString("T", `local x = "a" .. "b"`); err != nil || sizes != nil {
			t.Errorf("trusted: %v, sizes %v", err, sizes)
		}
	})
}
