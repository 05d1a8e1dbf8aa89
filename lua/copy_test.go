package lua

import (
	"fmt"
	"math"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"
)

// copyValues runs src, a chunk, in a fresh state and copies what it
// returns, as the arguments #2... of Async.Call.
func copyValues(t testing.TB, src string) (*glua.LState, []glua.LValue, copied, error) {
	t.Helper()
	L := glua.NewState()
	t.Cleanup(L.Close)
	if err := L.DoString(src); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	vs := make([]glua.LValue, L.GetTop())
	for i := range vs {
		vs[i] = L.Get(i + 1)
	}
	c, err := copyOut(vs, argName, "to a worker")
	return L, vs, c, err
}

func argName(i int) string { return fmt.Sprintf("argument #%d", i+2) }

// What cannot be copied is named by where it is.
func TestCopyRefuses(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`return function() end`, "argument #2 is a function, which cannot be copied to a worker"},
		{`return 1, coroutine.create(print)`, "argument #3 is a thread, which cannot be copied to a worker"},
		{`return {1, 2, {pos = {x = print}}}`, "argument #2: value at [3].pos.x is a function, which cannot be copied to a worker"},
		{`return {[print] = 1}`, "argument #2: a key of the table is a function, which cannot be copied to a worker"},
		{`return {a = {["b c"] = {[true] = {[1.5] = {[print] = 1}}}}}`,
			`argument #2: a key of the table at .a["b c"][true][1.5] is a function, which cannot be copied to a worker`},
		{`local t = {} t.self = t return t`, "argument #2: value at .self is argument #2 itself, a cycle, which cannot be copied to a worker"},
		{`local a = {b = {}} a.b.c = {back = a.b} return 0, a`,
			"argument #3: value at .b.c.back is the table at .b, a cycle, which cannot be copied to a worker"},
		{`local k = {} k[k] = 1 return k`, "argument #2: value at [table] is argument #2 itself, a cycle, which cannot be copied to a worker"},
		{`local t = {} for i = 1, 64 do t = {t} end return t`,
			"argument #2: value at [1][1][1][1][1][1]...[1][1][1][1][1][1] is a table nested over 64 tables deep (the limit), which cannot be copied to a worker"},
		{`return {["function"] = {[string.rep("x y", 20)] = print}}`,
			`argument #2: value at ["function"]["x yx yx yx yx yx yx yx yx yx yx ..."] is a function, which cannot be copied to a worker`},
		{`local t = {} for i = 1, 65536 do t[i] = i end return t`,
			"argument #2: over 65536 values, the limit of a copy to a worker"},
		{`local function list() local t = {} for i = 1, 25000 do t[i] = i end return t end
			local t = list() return t, t, list()`,
			"argument #4: over 65536 values, the limit of a copy to a worker"},
	} {
		_, _, _, err := copyValues(t, tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n\t%v\nwant\n\t%s", tc.src, err, tc.want)
		}
	}
}

// Nesting counts through shared tables too: a table first met shallow is
// refused where it is reached deeper than the limit allows.
func TestCopyDepthThroughSharing(t *testing.T) {
	_, _, _, err := copyValues(t, `
		local deep = {} for i = 1, 40 do deep = {deep} end   -- 41 tables
		local chain = {deep} for i = 1, 30 do chain = {chain} end
		return {deep, chain}`)
	want := "argument #2: value at [2][1][1][1][1][1]...[1][1][1][1][1][1] is a table nested over 64 tables deep (the limit), which cannot be copied to a worker"
	if err == nil || err.Error() != want {
		t.Errorf("%v, want %s", err, want)
	}
	if _, _, _, err := copyValues(t, `
		local deep = {} for i = 1, 40 do deep = {deep} end
		return {deep, {{deep}}}`); err != nil {
		t.Errorf("sharing within the limit: %v", err)
	}
}

// A table reached twice is made once in the other state, whatever the
// paths to it; a metatable is not copied, and no metamethod runs.
func TestCopyShares(t *testing.T) {
	_, _, c, err := copyValues(t, `
		local shared = {1, 2}
		local mt = {__index = function() error("no metamethod may run") end, __newindex = error}
		local t = setmetatable({a = shared, b = {shared}, [shared] = "key"}, mt)
		return t, shared`)
	if err != nil {
		t.Fatal(err)
	}
	L2 := glua.NewState()
	defer L2.Close()
	if n := c.push(L2); n != 2 {
		t.Fatalf("pushed %d values", n)
	}
	L2.SetGlobal("t", L2.Get(1))
	L2.SetGlobal("shared", L2.Get(2))
	if err := L2.DoString(`
		assert(rawequal(t.a, shared) and rawequal(t.b[1], shared), "shared")
		assert(t[shared] == "key", "a table key")
		assert(getmetatable(t) == nil, "no metatable")
		assert(#shared == 2 and shared[2] == 2)`); err != nil {
		t.Error(err)
	}
}

// Numbers keep every bit (-0, NaN, infinities), strings every byte.
func TestCopyScalars(t *testing.T) {
	_, vs, c, err := copyValues(t, `return -0, 0/0, 1/0, -1/0, 2^53 + 1, "\0\255", true, false, nil`)
	if err != nil {
		t.Fatal(err)
	}
	L2 := glua.NewState()
	defer L2.Close()
	c.push(L2)
	for i, v := range vs {
		if w := L2.Get(i + 1); !sameScalar(v, w) {
			t.Errorf("value %d: %v became %v", i+1, v, w)
		}
	}
}

func sameScalar(a, b glua.LValue) bool {
	if x, ok := a.(glua.LNumber); ok {
		y, ok := b.(glua.LNumber)
		return ok && (math.Float64bits(float64(x)) == math.Float64bits(float64(y)) || x != x && y != y)
	}
	return a == b
}

// FuzzCopy builds a tree of Lua values from the input (tables nested,
// shared, in cycles, with keys of every kind, and now and then a function
// or a userdata), copies it to another state and back, and checks that a
// copy fails exactly when the tree holds something that cannot be copied
// (a function, a userdata, a cycle, nesting over the limit), and that
// otherwise the copy equals the tree: the same pairs, the same sharing.
func FuzzCopy(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x00\x01\x02\x03",
		"\x04\x05\x03\x02\x01\x03\x06",
		"\x05\x07\x05\x03\x07\x00", // a table holding itself
		"\x04\x04\x04\x04\x08",     // a function deep down
		"\x0a\x50",                 // a chain over the limit
		"\x0a\x30\x04\x07\x01",     // a chain, then shared
		"\x04\x06\x0b\x04\x03\x02\x02\x07\x01\x01",     // table keys
		strings.Repeat("\x04\x03\x02\x03\x07\x02", 20), // much sharing
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		L1 := glua.NewState(glua.Options{SkipOpenLibs: true})
		defer L1.Close()
		g := &treeGen{data: data, L: L1}
		var vs []glua.LValue
		for n := 1 + int(g.byte()%3); len(vs) < n; {
			vs = append(vs, g.value(0))
		}
		want := copyable(vs)
		c, err := copyOut(vs, argName, "to a worker")
		if (err == nil) != (want == "") {
			t.Fatalf("copy error %v, want error: %q", err, want)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "argument #") || !strings.Contains(err.Error(), "which cannot be copied to a worker") &&
				!strings.Contains(err.Error(), "the limit of a copy") {
				t.Fatalf("error %q", err)
			}
			return
		}
		L2 := glua.NewState(glua.Options{SkipOpenLibs: true})
		defer L2.Close()
		c.push(L2)
		back := make([]glua.LValue, len(vs))
		for i := range back {
			back[i] = L2.Get(i + 1)
		}
		eq := equalizer{fwd: map[*glua.LTable]*glua.LTable{}, rev: map[*glua.LTable]*glua.LTable{}}
		for i := range vs {
			if err := eq.equal(vs[i], back[i], fmt.Sprintf("#%d", i+2)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := copyOut(back, argName, "from a worker"); err != nil {
			t.Fatalf("copying the copy: %v", err)
		}
	})
}

// treeGen builds Lua values from bytes (0 once they run out).
type treeGen struct {
	data   []byte
	L      *glua.LState
	tables []*glua.LTable
	made   int // values made: the tree stays small
}

func (g *treeGen) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

var fuzzNumbers = []float64{0, math.Copysign(0, -1), 1, -1, 2, 3, 1.5, 1e300, math.Inf(1), math.Inf(-1), math.NaN(), 1 << 53, 4294967296, -7}

func (g *treeGen) value(depth int) glua.LValue {
	if g.made++; g.made > 3000 {
		return glua.LNil
	}
	switch b := g.byte(); b % 12 {
	case 0:
		return glua.LNil
	case 1:
		return glua.LBool(g.byte()%2 == 0)
	case 2:
		return glua.LNumber(fuzzNumbers[int(g.byte())%len(fuzzNumbers)])
	case 3:
		return glua.LString(strings.Repeat(string(rune('a'+g.byte()%26)), int(g.byte()%5)))
	case 4, 5, 6:
		t := g.L.NewTable()
		g.tables = append(g.tables, t)
		for n := int(g.byte() % 7); n > 0; n-- {
			k := g.key(depth)
			if v := g.value(depth + 1); k != nil {
				g.L.RawSet(t, k, v) // a nil value leaves no pair
			}
		}
		return t
	case 7:
		if len(g.tables) == 0 {
			return glua.LNil
		}
		return g.tables[int(g.byte())%len(g.tables)] // shared, or a cycle
	case 8:
		if g.byte()%4 == 0 {
			return g.L.NewFunction(func(*glua.LState) int { return 0 })
		}
		return glua.LString("f")
	case 9:
		if g.byte()%4 == 0 {
			return g.L.NewUserData()
		}
		return glua.LNumber(9)
	case 10: // a chain of nested tables, over the limit now and then
		top := g.L.NewTable()
		t := top
		for n := int(g.byte() % 80); n > 0; n-- {
			sub := g.L.NewTable()
			t.RawSetInt(1, sub)
			t = sub
		}
		g.tables = append(g.tables, t)
		return top
	}
	return glua.LString("x")
}

// key is a key of any kind (nil when none fits: NaN, or nil itself).
func (g *treeGen) key(depth int) glua.LValue {
	switch b := g.byte(); b % 5 {
	case 0, 1:
		return glua.LNumber(int(g.byte() % 9)) // array keys mostly, 0 too
	case 2:
		return glua.LString(string(rune('a' + g.byte()%8)))
	case 3:
		if v := g.value(depth + 1); v != glua.LNil && !(v.Type() == glua.LTNumber && v.(glua.LNumber) != v.(glua.LNumber)) {
			return v
		}
	}
	return glua.LBool(g.byte()%2 == 0)
}

// copyable says why vs cannot be copied ("" when they can), found by a
// walk of its own: a value that is not plain, a cycle, nesting over
// maxCopyDepth (the longest path of tables in the tree).
func copyable(vs []glua.LValue) string {
	const open = -1
	height := map[*glua.LTable]int{} // open, or the table's height once done
	var walk func(v glua.LValue) (int, string)
	walk = func(v glua.LValue) (int, string) {
		switch v := v.(type) {
		case *glua.LNilType, glua.LBool, glua.LNumber, glua.LString:
			return 0, ""
		case *glua.LTable:
			if h, ok := height[v]; ok {
				if h == open {
					return 0, "cycle"
				}
				return h, ""
			}
			height[v] = open
			h := 1
			var why string
			v.ForEach(func(k, x glua.LValue) {
				for _, sub := range [2]glua.LValue{k, x} {
					if why != "" {
						return
					}
					var sh int
					sh, why = walk(sub)
					h = max(h, sh+1)
				}
			})
			if why != "" {
				return 0, why
			}
			height[v] = h
			return h, ""
		}
		return 0, v.Type().String()
	}
	for _, v := range vs {
		h, why := walk(v)
		if why != "" {
			return why
		}
		if h > maxCopyDepth {
			return "too deep"
		}
	}
	return ""
}

// equalizer compares values of two states, tables by their pairs, and
// demands that the tables correspond one to one: the same sharing.
type equalizer struct {
	fwd, rev map[*glua.LTable]*glua.LTable
}

func (e *equalizer) equal(a, b glua.LValue, path string) error {
	ta, ok := a.(*glua.LTable)
	if !ok {
		if !sameScalar(a, b) {
			return fmt.Errorf("%s: %v became %v", path, a, b)
		}
		return nil
	}
	tb, ok := b.(*glua.LTable)
	if !ok {
		return fmt.Errorf("%s: a table became %v", path, b)
	}
	if m, ok := e.fwd[ta]; ok {
		if m != tb {
			return fmt.Errorf("%s: a shared table became two", path)
		}
		return nil
	}
	if _, ok := e.rev[tb]; ok {
		return fmt.Errorf("%s: two tables became one", path)
	}
	e.fwd[ta], e.rev[tb] = tb, ta
	// Plain keys pair up by value; table keys by their order, which a copy
	// keeps (they are all in the hash part, in the order they were set).
	pa, ka := pairsOf(ta)
	pb, kb := pairsOf(tb)
	if len(pa) != len(pb) || len(ka) != len(kb) {
		return fmt.Errorf("%s: %d+%d pairs became %d+%d", path, len(pa), len(ka), len(pb), len(kb))
	}
	for _, p := range pa {
		w := tb.RawGet(p[0])
		if w == glua.LNil {
			return fmt.Errorf("%s: key %v lost", path, p[0])
		}
		if err := e.equal(p[1], w, path+"["+p[0].String()+"]"); err != nil {
			return err
		}
	}
	for i := range ka {
		if err := e.equal(ka[i][0], kb[i][0], path+"[key]"); err != nil {
			return err
		}
		if err := e.equal(ka[i][1], kb[i][1], path+"[table]"); err != nil {
			return err
		}
	}
	return nil
}

// pairsOf lists t's pairs with plain keys, and those with table keys in
// next's order.
func pairsOf(t *glua.LTable) (plain, tables [][2]glua.LValue) {
	for k, v := t.Next(glua.LNil); k != glua.LNil; k, v = t.Next(k) {
		if _, ok := k.(*glua.LTable); ok {
			tables = append(tables, [2]glua.LValue{k, v})
		} else {
			plain = append(plain, [2]glua.LValue{k, v})
		}
	}
	return plain, tables
}
