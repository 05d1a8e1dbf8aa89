package lua

import (
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// Values copied from one Lua state to another.
//
// A gopher-lua state may be used by one goroutine at a time, and a worker
// runs on a state of its own, so what passes between an addon and its
// workers is a copy held by no state (copied): nil, booleans, numbers and
// strings as they are (a string's bytes are shared, Go strings being
// immutable), and tables of those, nested, whose keys are of those kinds
// too. Tables are read raw: no metamethod runs, and a metatable is not
// copied. A table reached twice is copied once, so the copy shares it in
// the same places. Anything else is refused with an error naming where it
// is: a function, a userdata (a task's handle, a condition), a thread, and
// a table that contains itself (a cycle), which could not be rebuilt
// without sharing a table with its own contents:
//
//	argument #2: value at [3].pos.x is a function, which cannot be copied to a worker
//
// A copy is bounded, so that copying costs a bounded time on the frame
// goroutine whatever a script passes: at most maxCopyValues values (every
// key and value, a shared table counted once) and tables nested at most
// maxCopyDepth deep (through shared tables too: the copy's own nesting).
const (
	maxCopyValues = 1 << 16
	maxCopyDepth  = 64
)

// copied are Lua values copied out of a state, for another. Each value is
// a glua.LValue of a plain kind (LNil, LBool, LNumber, LString) or a
// *copiedTable. They are never changed once made, so any goroutine may
// read them.
type copied struct {
	values []any
	bytes  int64 // an estimate of what the values cost in a state: the memory budget's charge
}

// copiedTable is a table copied out of a state: its pairs in the order
// next gives them, the first ones with keys 1, 2, 3... as a list.
type copiedTable struct {
	list       []any // the values of keys 1 to len(list)
	keys, vals []any // the other pairs
	height     int   // the most tables nested in each other in it, itself included (0 while it is copied)
	shared     bool  // reached more than once: made once in the state it is copied into
}

// copyOut copies vs out of their state. name(i) names the i-th value (from
// 0) in errors ("argument #2"); dir says where the values go ("to a
// worker").
func copyOut(vs []glua.LValue, name func(i int) string, dir string) (copied, error) {
	c := copier{dir: dir}
	out := copied{values: make([]any, len(vs))}
	for i, v := range vs {
		c.name = name(i)
		var err error
		if out.values[i], err = c.value(v, 0); err != nil {
			return copied{}, err
		}
	}
	out.bytes = c.bytes
	return out, nil
}

// copier is the state of a copyOut.
type copier struct {
	dir   string
	name  string        // the value being copied, for errors
	n     int           // values copied so far
	bytes int64         // their estimated size
	path  []glua.LValue // the keys from the value named to the one being copied
	open  []openTable   // the tables being copied, outermost first
	seen  map[*glua.LTable]*copiedTable
}

// openTable is a table being copied, and the length of the path to it.
type openTable struct {
	t  *glua.LTable
	at int
}

// value copies v, found at c.path, inside depth tables.
func (c *copier) value(v glua.LValue, depth int) (any, error) {
	if c.n++; c.n > maxCopyValues {
		return nil, fmt.Errorf("%s: over %d values, the limit of a copy %s", c.name, maxCopyValues, c.dir)
	}
	c.bytes += sizeValue
	switch x := v.(type) {
	case *glua.LNilType, glua.LBool, glua.LNumber:
		return v, nil
	case glua.LString:
		c.bytes += int64(len(x))
		return v, nil // the interface as it is: no new box
	case *glua.LTable:
		return c.table(x, depth+1)
	}
	return nil, c.refused(fmt.Sprintf("is a %s", v.Type()))
}

// table copies t, found at c.path, the depth-th table from the value named.
func (c *copier) table(t *glua.LTable, depth int) (any, error) {
	if ct := c.seen[t]; ct != nil {
		if ct.height == 0 { // open: t holds the table being copied
			at := 0
			for _, o := range c.open {
				if o.t == t {
					at = o.at
				}
			}
			return nil, c.refused(fmt.Sprintf("is %s, a cycle", c.where(c.path[:at], "the table at ", c.name+" itself")))
		}
		if depth+ct.height-1 > maxCopyDepth { // reached deeper than it was first
			return nil, c.refused(fmt.Sprintf("is a table nested over %d tables deep (the limit)", maxCopyDepth))
		}
		ct.shared = true
		c.n-- // counted once
		return ct, nil
	}
	if depth > maxCopyDepth {
		return nil, c.refused(fmt.Sprintf("is a table nested over %d tables deep (the limit)", maxCopyDepth))
	}
	if c.seen == nil {
		c.seen = map[*glua.LTable]*copiedTable{}
	}
	ct := &copiedTable{}
	c.seen[t] = ct
	c.open = append(c.open, openTable{t, len(c.path)})
	c.bytes += sizeTable
	height := 1
	for k, v := t.Next(glua.LNil); k != glua.LNil; k, v = t.Next(k) {
		ck, err := c.key(k, depth)
		if err != nil {
			return nil, err
		}
		c.path = append(c.path, k)
		cv, err := c.value(v, depth)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		for _, sub := range [2]any{ck, cv} {
			if sub, ok := sub.(*copiedTable); ok {
				height = max(height, sub.height+1)
			}
		}
		if n, ok := k.(glua.LNumber); ok && n == glua.LNumber(len(ct.list)+1) && len(ct.keys) == 0 {
			if ct.list == nil {
				ct.list = make([]any, 0, t.Len())
			}
			ct.list = append(ct.list, cv)
			continue
		}
		ct.keys = append(ct.keys, ck)
		ct.vals = append(ct.vals, cv)
	}
	c.bytes += sizeEntry * int64(len(ct.keys))
	c.open = c.open[:len(c.open)-1]
	ct.height = height
	return ct, nil
}

// key copies k, a key of the table at c.path.
func (c *copier) key(k glua.LValue, depth int) (any, error) {
	switch k.(type) {
	case glua.LBool, glua.LNumber, glua.LString, *glua.LTable:
		c.path = append(c.path, k)
		defer func() { c.path = c.path[:len(c.path)-1] }()
		return c.value(k, depth)
	}
	return nil, fmt.Errorf("%s: a key of %s is a %s, which cannot be copied %s",
		c.name, c.where(c.path, "the table at ", "the table"), k.Type(), c.dir)
}

// refused is the error of the value at c.path, which is what.
func (c *copier) refused(what string) error {
	if len(c.path) == 0 {
		return fmt.Errorf("%s %s, which cannot be copied %s", c.name, what, c.dir)
	}
	return fmt.Errorf("%s: value at %s %s, which cannot be copied %s", c.name, pathString(c.path), what, c.dir)
}

// where names the place at path: prefix and the path, or top for the
// value named itself.
func (c *copier) where(path []glua.LValue, prefix, top string) string {
	if len(path) == 0 {
		return top
	}
	return prefix + pathString(path)
}

// maxPathKeys bounds the keys an error's path shows: the first and last
// half of them.
const maxPathKeys = 12

// pathString writes keys as Lua indexing: .name for a key that is a name,
// [3], [true], ["a b"] for the others, and [table] for a table. Long
// strings are cut, and so are long paths, in the middle.
func pathString(keys []glua.LValue) string {
	var b strings.Builder
	for i, k := range keys {
		if len(keys) > maxPathKeys && i == maxPathKeys/2 {
			b.WriteString("...")
		}
		if len(keys) > maxPathKeys && i >= maxPathKeys/2 && i < len(keys)-maxPathKeys/2 {
			continue
		}
		switch k := k.(type) {
		case glua.LString:
			if isName(string(k)) {
				b.WriteString("." + string(k))
				continue
			}
			s := string(k)
			if len(s) > 32 {
				s = s[:32] + "..."
			}
			fmt.Fprintf(&b, "[%q]", s)
		case glua.LNumber, glua.LBool:
			b.WriteString("[" + k.String() + "]")
		default:
			b.WriteString("[" + k.Type().String() + "]")
		}
	}
	return b.String()
}

// isName reports whether s is a Lua name: letters, digits and _, not
// starting with a digit, and no keyword.
func isName(s string) bool {
	if s == "" || len(s) > 64 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	switch s {
	case "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in",
		"local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while":
		return false
	}
	return true
}

// push pushes the values on L, made in L's state, and returns how many.
func (c copied) push(L *glua.LState) int {
	m := maker{L: L}
	for _, v := range c.values {
		L.Push(m.value(v))
	}
	return len(c.values)
}

// maker makes copied values in a state.
type maker struct {
	L    *glua.LState
	made map[*copiedTable]*glua.LTable // the shared tables made so far
}

func (m *maker) value(v any) glua.LValue {
	ct, ok := v.(*copiedTable)
	if !ok {
		return v.(glua.LValue)
	}
	if t := m.made[ct]; t != nil {
		return t
	}
	t := m.L.CreateTable(len(ct.list), len(ct.keys))
	if ct.shared {
		if m.made == nil {
			m.made = map[*copiedTable]*glua.LTable{}
		}
		m.made[ct] = t
	}
	for i, v := range ct.list {
		t.RawSetInt(i+1, m.value(v))
	}
	for i, k := range ct.keys {
		t.RawSet(m.value(k), m.value(ct.vals[i]))
	}
	return t
}
