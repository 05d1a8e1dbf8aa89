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

// FuzzTwoAddons runs two generated programs (see FuzzAPI), one per addon,
// on one scheduler, each given a handle of the other's tasks (H[7], from
// the host, as an event would), calling from tasks, predicates, handlers
// and coroutines. After every frame the owners' live counts match the
// tasks the scheduler lists; at the end no function or thread of one
// addon's state is reachable from the other's globals, Close leaves no
// task and no goroutine, and no Go panic text surfaced.
func FuzzTwoAddons(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 0, 9, 8, 7},
		{1, 3, 2, 6, 18, 0, 5, 20, 7, 21, 1, 2, 22, 0, 17, 19, 9, 22, 1, 3, 18, 1, 21, 3, 0, 1, 20, 4, 2, 22, 2, 8, 1},
		{2, 3, 0, 9, 1, 9, 3, 10, 0, 14, 14, 15, 1, 8, 2, 4, 5, 6, 7, 200, 3, 3, 7, 12, 7, 5, 3, 4, 9, 8},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		half := len(data) / 2
		pa, pb := genProgram(data[:half]), genProgram(data[half:])
		pa.trusted, pb.trusted = false, false
		bubble(t, func(t *testing.T) { runTwo(t, pa, pb) })
	})
}

func runTwo(t *testing.T, pa, pb program) {
	e := newEnv(t, lua.Config{KillAfter: 40 * time.Millisecond, Seed: 1},
		sched.WithTaskLimit(64),
		sched.WithWatchdog(20*time.Millisecond, func(sched.Warning) {}))
	both := fmt.Sprintf("-- A\n%s\n-- B\n%s", pa, pb)
	// B's memory limit is small enough for its programs to go over it
	// (a running task counts about 17 KiB): B's code fails, and B may be
	// stopped, while A goes on.
	as := []*lua.Addon{e.addon("A", lua.AddonOptions{}), e.addon("B", lua.AddonOptions{MemoryLimit: 160 << 10})}
	ps := []program{pa, pb}
	exec := func(a *lua.Addon, what, src string) {
		var me *lua.MemoryError
		if err := a.DoString(a.Name(), src); err != nil && !(a.Name() == "B" && errors.As(err, &me)) {
			t.Fatalf("%s %s: %v\nprograms:\n%s", a.Name(), what, err, both)
		}
	}
	for i, a := range as {
		a.State().SetGlobal("PARK_IN_CALLBACKS", glua.LTrue)
		exec(a, "prelude", fuzzPrelude)
		exec(a, "setup", ps[i].setup)
	}
	// each gets a handle of one of the other's live tasks, as from a host event
	for i, a := range as {
		other := as[1-i].Name()
		for h := range e.s.Tasks() {
			if h.Owner() == other {
				a.State().GetGlobal("H").(*glua.LTable).RawSetInt(7, a.Handle(h))
				break
			}
		}
	}
	frames := max(len(pa.between), len(pb.between))
	for f := range frames {
		e.s.RunFrame()
		e.clk.Add(frameGap)
		for i, a := range as {
			if f < len(ps[i].between) {
				exec(a, "between frames", ps[i].between[f])
			}
		}
		checkInvariants(t, e, pa)
		checkOwners(t, e.s)
	}
	for i, a := range as {
		checkOwnValues(t, a, as[1-i], both)
	}
	if err := e.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := len(e.s.Snapshot()); n != 0 {
		t.Errorf("%d tasks left after Close\nprograms:\n%s", n, both)
	}
	checkOwners(t, e.s)
	e.done = true
	e.h.Close()
	for _, line := range append(append(append([]string{}, e.out...), e.errLines()...), e.trace...) {
		for _, bad := range []string{"runtime error", "sched: ", "panic", "goroutine "} {
			if strings.Contains(line, bad) {
				t.Errorf("a Go panic or internal error surfaced: %q\nprograms:\n%s", line, both)
			}
		}
	}
}

// checkOwnValues looks through a's globals (tables, metatables, functions'
// upvalues) for a function whose globals are other's, or a thread of
// other's state: values of another addon.
func checkOwnValues(t *testing.T, a, other *lua.Addon, both string) {
	t.Helper()
	theirs := other.State().G.Global
	seen := map[glua.LValue]bool{}
	var walk func(v glua.LValue, path string, depth int)
	walk = func(v glua.LValue, path string, depth int) {
		if depth > 8 || seen[v] {
			return
		}
		switch x := v.(type) {
		case *glua.LTable:
			seen[v] = true
			if x == theirs {
				t.Errorf("addon %s reaches %s's globals at %s\nprograms:\n%s", a.Name(), other.Name(), path, both)
				return
			}
			x.ForEach(func(k, val glua.LValue) {
				walk(k, path+"[key]", depth+1)
				walk(val, path+"."+keyName(k), depth+1)
			})
			if mt, ok := x.Metatable.(*glua.LTable); ok {
				walk(mt, path+"<mt>", depth+1)
			}
		case *glua.LFunction:
			seen[v] = true
			if x.Env == theirs {
				t.Errorf("addon %s holds a function of %s at %s\nprograms:\n%s", a.Name(), other.Name(), path, both)
			}
			for i, uv := range x.Upvalues {
				walk(uv.Value(), fmt.Sprintf("%s<up%d>", path, i), depth+1)
			}
		case *glua.LState:
			seen[v] = true
			if x.G == other.State().G {
				t.Errorf("addon %s holds a thread of %s at %s\nprograms:\n%s", a.Name(), other.Name(), path, both)
			}
		}
	}
	walk(a.State().G.Global, "_G", 0)
}

func keyName(k glua.LValue) string {
	if s, ok := k.(glua.LString); ok {
		return string(s)
	}
	return k.Type().String()
}
