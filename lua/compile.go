package lua

import (
	"fmt"
	"io"

	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// An untrusted addon's source is compiled with guarded concatenation: the
// parsed chunk is rewritten so that every chain `a .. b .. c` is a call
// `(concat)(a, b, c)`, where `(concat)` is an identifier no Lua source can
// spell. gopher-lua compiles that name as a global read (OP_GETGLOBAL);
// patchGuard then turns each such read into a load of the guard function
// itself, a constant of the function (OP_LOADK). The guard is thus out of
// reach of Lua code (no debug library, no string.dump) and cannot be
// replaced through _G.
//
// Rejected: compiling `local (concat) = ...; return function(...) <chunk>
// end` and calling it with the guard, so the chunk reaches the guard as an
// upvalue. gopher-lua gives every nested vararg function a local `arg`
// (Lua 5.1's compatibility table), which would shadow the global `arg` in
// the chunk, and the chunk would no longer be a main chunk (its line, its
// name in tracebacks). Compiled as is, the chunk is what L.Load makes but
// for its concatenations.

// guardName is the name the rewritten chunk calls the guard by.
const guardName = "(concat)"

// compiler compiles the code of one Lua state of an addon: its main
// state's (Addon embeds it) or a worker state's, each with its own guard.
type compiler struct {
	trusted bool            // gopher-lua's compiler, with its `..`
	guard   *glua.LFunction // concat, which an untrusted addon's compiled code calls for ..
}

// load compiles src as code named name, as L.Load does: for an untrusted
// addon, with guarded concatenation. Errors are L.Load's: an
// *glua.ApiError of type ApiErrorSyntax whose Object is the message.
func (c *compiler) load(L *glua.LState, src io.Reader, name string) (*glua.LFunction, error) {
	if c.trusted {
		return L.Load(src, name)
	}
	proto, err := compileGuarded(src, name, c.guard)
	if err != nil {
		return nil, err
	}
	return L.NewFunctionFromProto(proto), nil
}

// compileGuarded parses and compiles src with every concatenation a call
// of guard.
func compileGuarded(src io.Reader, name string, guard *glua.LFunction) (*glua.FunctionProto, error) {
	chunk, err := parse.Parse(src, name)
	if err != nil {
		return nil, syntaxError(err)
	}
	if err := guardStmts(chunk); err != nil {
		return nil, syntaxError(err)
	}
	proto, err := glua.Compile(chunk, name)
	if err != nil {
		return nil, syntaxError(err)
	}
	if err := patchGuard(proto, guard); err != nil {
		return nil, syntaxError(err)
	}
	return proto, nil
}

func syntaxError(err error) *glua.ApiError {
	return &glua.ApiError{Type: glua.ApiErrorSyntax, Object: glua.LString(err.Error()), Cause: err}
}

// The instruction layout of gopher-lua (Lua 5.1's): the opcode in the top 6
// bits, A in the next 8, Bx in the low 18. OP_GETGLOBAL and OP_LOADK are
// both A Bx: R(A) := Gbl[Kst(Bx)] and R(A) := Kst(Bx).
const (
	opShift  = 26
	opMaxBx  = 1<<18 - 1
	opNotBx  = ^uint32(opMaxBx)
	opNotOp  = 1<<opShift - 1
	opLoadK  = uint32(glua.OP_LOADK) << opShift
	opGlobal = uint32(glua.OP_GETGLOBAL)
	opConcat = uint32(glua.OP_CONCAT)
)

// patchGuard makes every read of the global guardName in proto and the
// functions it defines load guard, a constant added to the function. An
// OP_CONCAT left in the code (gopher-lua compiling something guardStmts
// does not know into one) is an error: the code is refused, not run
// unguarded.
func patchGuard(proto *glua.FunctionProto, guard *glua.LFunction) error {
	k := -1 // the guard's constant in proto
	for pc, inst := range proto.Code {
		if inst>>opShift == opConcat {
			return fmt.Errorf("%s:%d: guarded concatenation: a concatenation left unguarded", proto.SourceName, proto.DbgSourcePositions[pc])
		}
		if inst>>opShift != opGlobal {
			continue
		}
		if s, ok := proto.Constants[inst&opMaxBx].(glua.LString); !ok || s != guardName {
			continue
		}
		if k < 0 {
			k = len(proto.Constants)
			if k > opMaxBx {
				return fmt.Errorf("%s: too many constants in the function at line %d", proto.SourceName, proto.LineDefined)
			}
			proto.Constants = append(proto.Constants, guard)
		}
		proto.Code[pc] = inst&opNotOp&opNotBx | opLoadK | uint32(k)
	}
	for _, p := range proto.FunctionPrototypes {
		if err := patchGuard(p, guard); err != nil {
			return err
		}
	}
	return nil
}

// guardStmts rewrites every concatenation in stmts, at any depth, into a
// call of the guard. A node type it does not know is an error, never a
// concatenation left unguarded.
func guardStmts(stmts []ast.Stmt) error {
	var g guarder
	g.stmts(stmts)
	return g.err
}

// maxSyntaxDepth bounds the nesting of a chunk's syntax tree: gopher-lua's
// compiler recurses on it, and a million nested table constructors (2 MB of
// source) overflowed the Go stack, a fatal error. Real code nests a few
// dozen levels; Lua 5.1 refuses 200 nested blocks and calls
// ("chunk has too many syntax levels") but not long chains of binary
// operators, which this counts too, hence the margin.
const maxSyntaxDepth = 10000

func (g *guarder) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		g.exprs(s.Lhs)
		g.exprs(s.Rhs)
	case *ast.LocalAssignStmt:
		g.exprs(s.Exprs)
	case *ast.FuncCallStmt:
		s.Expr = g.expr(s.Expr)
	case *ast.DoBlockStmt:
		g.stmts(s.Stmts)
	case *ast.WhileStmt:
		s.Condition = g.expr(s.Condition)
		g.stmts(s.Stmts)
	case *ast.RepeatStmt:
		g.stmts(s.Stmts)
		s.Condition = g.expr(s.Condition)
	case *ast.IfStmt:
		s.Condition = g.expr(s.Condition)
		g.stmts(s.Then)
		g.stmts(s.Else)
	case *ast.NumberForStmt:
		s.Init = g.expr(s.Init)
		s.Limit = g.expr(s.Limit)
		s.Step = g.expr(s.Step)
		g.stmts(s.Stmts)
	case *ast.GenericForStmt:
		g.exprs(s.Exprs)
		g.stmts(s.Stmts)
	case *ast.FuncDefStmt:
		s.Name.Func = g.expr(s.Name.Func)
		s.Name.Receiver = g.expr(s.Name.Receiver)
		g.stmts(s.Func.Stmts)
	case *ast.ReturnStmt:
		g.exprs(s.Exprs)
	case *ast.BreakStmt, *ast.LabelStmt, *ast.GotoStmt:
	default:
		g.fail(fmt.Errorf("line %d: guarded concatenation: unknown statement %T", s.Line(), s))
	}
}

// guarder rewrites statements and expressions, and keeps the first error.
type guarder struct {
	err   error
	depth int // of the node being rewritten
}

func (g *guarder) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// enter counts a level of nesting at line, and reports whether the walk
// may go deeper.
func (g *guarder) enter(line int) bool {
	if g.depth++; g.depth > maxSyntaxDepth {
		g.fail(fmt.Errorf("line %d: chunk has too many syntax levels (more than %d)", line, maxSyntaxDepth))
	}
	return g.err == nil
}

func (g *guarder) stmts(stmts []ast.Stmt) {
	for _, s := range stmts {
		if g.enter(s.Line()) {
			g.stmt(s)
		}
		g.depth--
	}
}

func (g *guarder) exprs(exprs []ast.Expr) {
	for i, e := range exprs {
		exprs[i] = g.expr(e)
	}
}

// expr is e with its concatenations guarded: itself, changed in place, or
// the guard's call that replaces it. A nil e (an optional part) is nil.
func (g *guarder) expr(e ast.Expr) ast.Expr {
	if e == nil {
		return nil
	}
	defer func() { g.depth-- }()
	if !g.enter(e.Line()) {
		return e
	}
	switch e := e.(type) {
	case *ast.NilExpr, *ast.TrueExpr, *ast.FalseExpr, *ast.NumberExpr, *ast.StringExpr, *ast.Comma3Expr, *ast.IdentExpr:
	case *ast.AttrGetExpr:
		e.Object = g.expr(e.Object)
		e.Key = g.expr(e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			f.Key = g.expr(f.Key)
			f.Value = g.expr(f.Value)
		}
	case *ast.FuncCallExpr:
		e.Func = g.expr(e.Func)
		e.Receiver = g.expr(e.Receiver)
		g.exprs(e.Args)
	case *ast.LogicalOpExpr:
		e.Lhs = g.expr(e.Lhs)
		e.Rhs = g.expr(e.Rhs)
	case *ast.RelationalOpExpr:
		e.Lhs = g.expr(e.Lhs)
		e.Rhs = g.expr(e.Rhs)
	case *ast.ArithmeticOpExpr:
		e.Lhs = g.expr(e.Lhs)
		e.Rhs = g.expr(e.Rhs)
	case *ast.UnaryMinusOpExpr:
		e.Expr = g.expr(e.Expr)
	case *ast.UnaryNotOpExpr:
		e.Expr = g.expr(e.Expr)
	case *ast.UnaryLenOpExpr:
		e.Expr = g.expr(e.Expr)
	case *ast.FunctionExpr:
		g.stmts(e.Stmts)
	case *ast.StringConcatOpExpr:
		return g.concat(e)
	default:
		g.fail(fmt.Errorf("line %d: guarded concatenation: unknown expression %T", e.Line(), e))
	}
	return e
}

// concat is the guard's call for the chain e: gopher-lua's `..` is right
// associative, so `a .. b .. c` is a .. (b .. c), which it joins in one
// instruction; a chain in parentheses on the left, (a .. b) .. c, is a
// concatenation of its own, as in gopher-lua. The call has e's lines, so
// errors name e's line, and gives exactly one value (it is no tail call).
func (g *guarder) concat(e *ast.StringConcatOpExpr) ast.Expr {
	var args []ast.Expr
	var last ast.Expr = e
	for c, ok := last.(*ast.StringConcatOpExpr); ok; c, ok = last.(*ast.StringConcatOpExpr) {
		args = append(args, g.expr(c.Lhs))
		last = c.Rhs
	}
	last = g.expr(last)
	// An operand is one value, also a call or ... in the last place.
	switch l := last.(type) {
	case *ast.FuncCallExpr:
		l.AdjustRet = true
	case *ast.Comma3Expr:
		l.AdjustRet = true
	}
	args = append(args, last)
	fn := &ast.IdentExpr{Value: guardName}
	fn.SetLine(e.Line())
	fn.SetLastLine(e.LastLine())
	call := &ast.FuncCallExpr{Func: fn, Args: args, AdjustRet: true}
	call.SetLine(e.Line())
	call.SetLastLine(e.LastLine())
	return call
}
