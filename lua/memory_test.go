package lua_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

const memLimit = 4 << 20

// memRE stands for the measured figure in a memory error, which depends on
// the sizes memory.go assumes.
var memRE = regexp.MustCompile(`(uses|keeps) [0-9]+ KiB`)

// memLines are the error lines with the measured figures masked.
func memLines(e *env) []string {
	var out []string
	for _, l := range e.errLines() {
		out = append(out, memRE.ReplaceAllString(l, "$1 N KiB"))
	}
	return out
}

// An addon over its memory limit: the code that took it over fails with a
// memory error, which pcall cannot swallow; when what it held goes with it,
// the addon goes on; when it keeps it (in its globals), it is stopped, its
// tasks too. Another addon is never affected.
func TestMemoryLimit(t *testing.T) {
	cases := []struct {
		name, src string
		errs      []string
		stopped   bool
	}{
		{"a task growing a local table between Breaths", `
			Task.Create(function(self)
				local t = {}
				for i = 1, 1e7 do t[i] = {i} if i % 1000 == 0 then self:Breath() end end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"pcall cannot swallow it", `
			Task.Create(function(self)
				local t = {}
				while true do
					print(pcall(function() for i = 1, 1e7 do t[#t + 1] = string.rep("x", 100) .. i end end))
				end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"a task filling a global table", `
			kept = {}
			Task.Create(function(self)
				for i = 1, 1e7 do kept[i] = string.rep("y", 64) .. i self:BreathShort() end
			end):Start()`,
			[]string{
				"A test:3: memory: addon A uses N KiB, over its limit of 4096 KiB",
				"A addon: addon stopped: memory: addon A keeps N KiB of its 4096 KiB limit once the code that went over has ended",
			}, true},
		{"1000 coroutines per Breath", `
			Task.Create(function(self)
				local cos = {}
				while true do
					for i = 1, 1000 do cos[#cos + 1] = coroutine.create(function() end) end
					self:Breath()
				end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"nested coroutines", `
			Task.Create(function(self)
				local function dive() coroutine.wrap(dive)() end
				dive()
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"tasks kept in a table", `
			Task.Create(function(self)
				local ts = {}
				for i = 1, 1e6 do ts[i] = Task.Create(function() end) if i % 100 == 0 then self:Breath() end end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"keys set and cleared (gopher-lua keeps them)", `
			Task.Create(function(self)
				local t = {}
				for i = 1, 1e8 do local k = i + 0.5 t[k] = true t[k] = nil end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"results kept through handles", `
			Task.Create(function(self)
				local hs = {}
				for i = 1, 1e5 do
					hs[i] = Task.Create(function() return {string.rep("r", 1000) .. i} end):Start()
					self:Breath()
				end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"a predicate keeping memory", `
			kept = {}
			Task.Create(function(self)
				self:Wait(Wait.Predicate(function() for i = 1, 1000 do kept[#kept + 1] = {} end return false end))
			end):Start()`,
			[]string{ // outside tasks, the stop comes first: the caller reports the call's error after it returned
				"A addon: addon stopped: memory: addon A keeps N KiB of its 4096 KiB limit once the code that went over has ended",
				"A predicate test:4: memory: addon A uses N KiB, over its limit of 4096 KiB",
			}, true},
		{"a handler keeping memory", `
			kept = {}
			blTasks.OnFinished(function() for i = 1, 1e5 do kept[#kept + 1] = {} end end)
			Task.Create(function() end):Start()`,
			[]string{
				"A addon: addon stopped: memory: addon A keeps N KiB of its 4096 KiB limit once the code that went over has ended",
				"A OnFinished handler: memory: addon A uses N KiB, over its limit of 4096 KiB",
			}, true},
		{"big strings built with ..", `
			Task.Create(function(self)
				local s, t = string.rep("c", 2^16), {}
				for i = 1, 1000 do t[i] = s .. s .. i end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
		{"big strings from built-ins", `
			Task.Create(function(self)
				local t = {}
				for i = 1, 1000 do t[i] = string.rep("z", 2^20):upper() end
			end):Start()`,
			[]string{"A test:2: memory: addon A uses N KiB, over its limit of 4096 KiB"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{MemoryLimit: memLimit})
				b := e.addon("B", lua.AddonOptions{MemoryLimit: memLimit})
				e.run(b, `Task.Create(function(self) while true do n = (n or 0) + 1 self:Wait(Wait.Frames(1)) end end):Start()`)
				if err := a.DoString("test", c.src); err != nil {
					t.Fatal(err)
				}
				e.frames(60)
				if got := memLines(e); strings.Join(got, "\n") != strings.Join(c.errs, "\n") {
					t.Errorf("errors:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.errs, "\n\t"))
				}
				var me *lua.MemoryError
				if len(e.errs) == 0 || !errors.As(e.errs[0].Err, &me) || me.Limit != memLimit || me.Used <= memLimit {
					t.Errorf("first error %v, want a *lua.MemoryError over %d", e.errs, memLimit)
				}
				if (a.Err() != nil) != c.stopped {
					t.Errorf("addon stopped: %v, want %v", a.Err(), c.stopped)
				}
				// The addon goes on unless stopped: its new tasks run.
				e.errs = nil
				err := a.DoString("after", `Task.Create(function() print("after") end):Start()`)
				e.frames(1)
				if c.stopped {
					if err != a.Err() {
						t.Errorf("a stopped addon's DoString: %v, want its stop error", err)
					}
					checkLines(t, e.out, nil)
				} else {
					checkLines(t, e.out, []string{"after"})
				}
				// B ran every frame.
				e.out = nil
				e.run(b, `print(n)`)
				checkLines(t, e.out, []string{"61"})
			})
		})
	}
}

// TestMemoryLimitStopsLoadedAddon: a main chunk that keeps more than the
// limit fails to load with a memory error, and the addon is stopped.
func TestMemoryLimitStopsLoadedAddon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{MemoryLimit: memLimit})
		err := a.DoString("big", `
			Task.Create(function(self) while true do self:Wait(Wait.Frames(1)) end end):Start()
			big = {} for i = 1, 1e7 do big[i] = {} end`)
		var me *lua.MemoryError
		if !errors.As(err, &me) {
			t.Fatalf("DoString: %v, want a *lua.MemoryError", err)
		}
		e.frames(1)
		checkLines(t, memLines(e), []string{"A addon: addon stopped: memory: addon A keeps N KiB of its 4096 KiB limit once the code that went over has ended"})
		for h := range e.s.Tasks() {
			t.Errorf("task %s of the stopped addon is live", h)
		}
		if err := a.DoString("after", `print("ran")`); !errors.Is(err, a.Err()) || len(e.out) != 0 {
			t.Errorf("a stopped addon's DoString: %v, printed %q; want its stop error and nothing run", err, e.out)
		}
	})
}

// TestMemoryLimitDefaults: untrusted addons get DefaultMemoryLimit, and a
// negative limit or a trusted addon none.
func TestMemoryLimitDefaults(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		grow := `local t = {} for i = 1, 100 do t[i] = string.rep("x", 2^20) .. i end print(#t)`
		for i, c := range []struct {
			opts lua.AddonOptions
			want string
		}{
			{lua.AddonOptions{}, "memory: addon M0 uses"},
			{lua.AddonOptions{MemoryLimit: 200 << 20}, "ok"},
			{lua.AddonOptions{MemoryLimit: -1}, "ok"},
			{lua.AddonOptions{Trusted: true}, "ok"},
		} {
			name := "M" + string(rune('0'+i))
			a := e.addon(name, c.opts)
			err := a.DoString(name, grow)
			got := "ok"
			if err != nil {
				got = err.Error()
			}
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("%+v: keeping 100 MiB: %v, want %q", c.opts, got, c.want)
			}
		}
	})
}

// TestAddonClose: Close stops an addon's tasks, removes it from the host and
// its owner from the scheduler; its name can be used again.
func TestAddonClose(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `Task.Create(function(self) while true do self:Wait(Wait.Frames(1)) end end):Start()`)
		e.frames(1)
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		for _, o := range e.s.Owners() {
			if o.Name == "A" {
				t.Errorf("owner A still known after Close: %+v", o)
			}
		}
		if !strings.Contains(strings.Join(e.trace, "\n"), "finish: addon stopped: addon closed") {
			t.Errorf("the task was not stopped:\n%s", strings.Join(e.trace, "\n"))
		}
		a2 := e.addon("A", lua.AddonOptions{})
		e.run(a2, `print("again")`)
		checkLines(t, e.out, []string{"again"})
		if err := a.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		var inTask error
		e.s.Go("host", "closer", func(*sched.Self) (any, error) { inTask = a2.Close(); return nil, nil })
		e.frames(1)
		if !errors.Is(inTask, sched.ErrInTask) {
			t.Errorf("Close from a task: %v, want ErrInTask", inTask)
		}
	})
}
