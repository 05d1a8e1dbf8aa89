package lua_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// budget is the frame budget of every test scheduler: work(0.001) is a
// tenth of it.
const budget = 10 * time.Millisecond

// env is a scheduler on a mock clock with a Lua host whose printed lines,
// task errors, watchdog warnings and trace are recorded.
type env struct {
	t     testing.TB
	clk   *clock.Mock
	s     *sched.Scheduler
	h     *lua.Host
	out   []string // printed lines
	who   []string // printed lines as "addon: line"
	errs  []sched.TaskError
	warns []sched.Warning
	trace []string
	done  bool
	// anyFinished are the handlers given to onAnyFinished, by addon.
	anyFinished []anyFinished
}

type anyFinished struct {
	a  *lua.Addon
	fn glua.LValue
}

// newEnv makes an env. Call it inside a synctest bubble (see bubble) so the
// mock clock's real-millisecond sleeps cost nothing and leaks fail the test.
func newEnv(t testing.TB, cfg lua.Config, opts ...sched.Option) *env {
	t.Helper()
	e := &env{t: t, clk: clock.NewMock()}
	opts = append([]sched.Option{
		sched.WithClock(e.clk),
		sched.WithBudget(budget),
		sched.WithTrace(func(ev sched.Event) { e.trace = append(e.trace, ev.String()) }),
		sched.WithErrorHandler(func(te sched.TaskError) { e.errs = append(e.errs, te) }),
		sched.WithWarningHandler(func(w sched.Warning) { e.warns = append(e.warns, w) }),
		// Handles dropped by scripts are collected only by Collect, never
		// when the Go GC happens to run: the tests see the same on every run.
		sched.WithManualCollect(),
	}, opts...)
	e.s = sched.New(opts...)
	if cfg.Print == nil {
		cfg.Print = func(addon, line string) {
			e.out = append(e.out, line)
			e.who = append(e.who, addon+": "+line)
		}
	}
	e.h = lua.NewHost(e.s, cfg)
	// onAnyFinished(fn) is a host's event, as RIFT's Task.Finished: fn(task,
	// how, message) for every task that finishes, another addon's too, with
	// the addon's own (read-only) handle of it and its error's message.
	e.s.OnFinished(func(ev sched.FinishEvent) {
		e.s.Outside(func() {
			for _, f := range e.anyFinished {
				var msg glua.LValue = glua.LNil
				if ev.Err != nil {
					msg = glua.LString(ev.Err.Error())
				}
				if err := f.a.Call(f.fn, f.a.Handle(ev.Task), glua.LString(ev.How.String()), msg); err != nil {
					e.s.ReportError(f.a.Name(), "onAnyFinished handler", err)
				}
			}
		})
	})
	t.Cleanup(e.close)
	return e
}

// close closes the scheduler, then the host, once.
func (e *env) close() {
	if e.done {
		return
	}
	e.done = true
	if err := e.s.Close(); err != nil {
		e.t.Errorf("Close: %v", err)
	}
	e.h.Close()
}

// addon makes an addon with the test globals work(seconds), which advances
// the mock clock as CPU work of the running task, and frame(), the current
// frame number.
func (e *env) addon(name string, opts lua.AddonOptions) *lua.Addon {
	e.t.Helper()
	a, err := e.h.NewAddon(name, opts)
	if err != nil {
		e.t.Fatalf("NewAddon(%q): %v", name, err)
	}
	L := a.State()
	L.SetGlobal("work", L.NewFunction(func(L *glua.LState) int {
		e.clk.Add(time.Duration(float64(L.CheckNumber(1)) * float64(time.Second)))
		return 0
	}))
	L.SetGlobal("onAnyFinished", L.NewFunction(func(L *glua.LState) int {
		e.anyFinished = append(e.anyFinished, anyFinished{a, L.CheckFunction(1)})
		return 0
	}))
	L.SetGlobal("frame", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LNumber(e.s.Frame()))
		return 1
	}))
	if err := a.DoString("prelude", prelude); err != nil {
		e.t.Fatalf("prelude: %v", err)
	}
	return a
}

// prelude is run in every test addon: the API's tables as globals, and
// try(f, ...), which calls f in pcall and returns "ok" or the error message
// without the position gopher-lua puts in front ("A:12: ").
const prelude = `
Task, Wait = blTasks.Task, blTasks.Wait
function try(f, ...)
	local ok, err = pcall(f, ...)
	if ok then return "ok" end
	return (string.gsub(tostring(err), "^[%w_]+:%d+: ", ""))
end
`

// luaCase is a script run by addon "A" for some frames, then after (also
// as A, outside any task), with the lines it must print and the task errors
// it must report ("owner task: message").
type luaCase struct {
	name   string
	src    string
	frames int
	after  string
	want   []string
	errs   []string
}

func runCases(t *testing.T, cases []luaCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				e := newEnv(t, lua.Config{})
				a := e.addon("A", lua.AddonOptions{})
				e.run(a, c.src)
				e.frames(c.frames)
				if c.after != "" {
					e.run(a, c.after)
				}
				checkLines(t, e.out, c.want)
				if got := e.errLines(); strings.Join(got, "\n") != strings.Join(c.errs, "\n") {
					t.Errorf("task errors:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.errs, "\n\t"))
				}
			})
		})
	}
}

// run runs src as a's code, failing the test on error.
func (e *env) run(a *lua.Addon, src string) {
	e.t.Helper()
	if err := a.DoString(a.Name(), src); err != nil {
		e.t.Fatalf("%s: %v", a.Name(), err)
	}
}

// frameGap is the mock time between the starts of two frames, when the
// tasks do no more work than that.
const frameGap = 16 * time.Millisecond

// frames runs n frames, each followed by frameGap of mock time.
func (e *env) frames(n int) {
	for range n {
		e.s.RunFrame()
		e.clk.Add(frameGap)
	}
}

// errLines renders the recorded task errors as "owner task: message".
func (e *env) errLines() []string {
	var out []string
	for _, te := range e.errs {
		out = append(out, te.Owner+" "+te.Task+": "+te.Err.Error())
	}
	return out
}

// bubble runs f in a synctest bubble.
func bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, f)
}

// script runs src in addon "A" over n frames and returns the printed lines.
func script(t *testing.T, src string, n int) ([]string, *env) {
	t.Helper()
	e := newEnv(t, lua.Config{})
	a := e.addon("A", lua.AddonOptions{})
	e.run(a, src)
	e.frames(n)
	return e.out, e
}

// checkLines compares printed lines with want, line by line.
func checkLines(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	t.Errorf("got %d lines:\n\t%s\nwant %d lines:\n\t%s", len(got), strings.Join(got, "\n\t"),
		len(want), strings.Join(want, "\n\t"))
}

// checkNoErrors fails the test when a task error was reported.
func (e *env) checkNoErrors() {
	e.t.Helper()
	for _, te := range e.errs {
		e.t.Errorf("unexpected task error: %s %s: %v", te.Owner, te.Task, te.Err)
	}
}

// luaErr is the *lua.LuaError in err, or nil.
func luaErr(err error) *lua.LuaError {
	var le *lua.LuaError
	if errors.As(err, &le) {
		return le
	}
	return nil
}

// firstTask is the first live task named name.
func firstTask(e *env, name string) *sched.Task {
	e.t.Helper()
	for h := range e.s.Tasks() {
		if h.Name() == name {
			return h
		}
	}
	e.t.Fatalf("no live task %q", name)
	return nil
}
