package lua_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// Host async functions (Host.RegisterAsync): Go work on the pool, called
// from Lua as blTasks.Async.<name>(...).

// registerTestAsync registers echo(...), returning its string and number
// arguments, and list(n), returning {1..n, n = n} and "done".
func registerTestAsync(h *lua.Host) {
	h.RegisterAsync("echo", func(L *glua.LState) (lua.AsyncWork, error) {
		var args []any
		for i := 1; i <= L.GetTop(); i++ {
			switch v := L.Get(i).(type) {
			case glua.LString:
				args = append(args, string(v))
			case glua.LNumber:
				args = append(args, float64(v))
			default:
				lua.TypeError(L, i, "Async.echo", "string or number")
			}
		}
		return func(context.Context) ([]any, error) { return args, nil }, nil
	})
	h.RegisterAsync("list", func(L *glua.LState) (lua.AsyncWork, error) {
		n := int(lua.CheckNumber(L, 1, "Async.list"))
		if n < 0 {
			return nil, errors.New("a negative length")
		}
		return func(context.Context) ([]any, error) {
			l := make([]any, n)
			for i := range l {
				l[i] = i + 1
			}
			return []any{map[string]any{"items": l, "n": n, "raw": []byte("ok")}, "done"}, nil
		}, nil
	})
}

func TestHostAsyncInTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		registerTestAsync(e.h)
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local Async = blTasks.Async
			h = Task.Create(function(self)
				print("calls in frame", frame())
				local x, y = Async.echo("hi", 42)
				print("echo", x, y, "in frame", frame())
				local ok, t, s = pcall(Async.list, 3)
				print("in pcall", ok, #t.items, t.items[3], t.n, t.raw, s, frame())
				local co = coroutine.wrap(function() return Async.echo("co") end)
				print("in a coroutine", co(), frame())
				return x
			end):Start()
			Task.Create(function(self)
				for i = 1, 4 do print("tick", frame()) self:Wait(Wait.Frame()) end
			end):Start()`)
		e.workFrames(1)
		e.run(a, `print(h:Status(), h:Why())`)
		e.workFrames(4)
		e.run(a, `print(h:Status(), h:Result())`)
		checkLines(t, e.out, []string{
			"calls in frame\t1",
			"tick\t1",
			`waiting	Future "Async.echo" [pending]`,
			"tick\t2",
			"echo\thi\t42\tin frame\t2",
			"tick\t3",
			"in pcall\ttrue\t3\t3\t3\tok\tdone\t3",
			"tick\t4",
			"in a coroutine\tco\t4",
			"finished\thi",
		})
		e.checkNoErrors()
	})
}

// Outside any task a call blocks until the work has returned: no frame
// runs meanwhile.
func TestHostAsyncOutsideTask(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		registerTestAsync(e.h)
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local t, s = blTasks.Async.list(2)
			print(#t.items, t.n, t.raw, s, frame())
			print(blTasks.Async.echo(1, "two"))
			function handler() print(blTasks.Async.echo("from a handler")) end
			Task.Create(function(self)
				self:Wait(Wait.Predicate(function() return blTasks.Async.echo("p") == "p" end))
				print("predicate met in frame", frame())
			end):Start()`)
		e.frames(1)
		L := a.State()
		if err := a.Call(L.GetGlobal("handler")); err != nil {
			t.Fatal(err)
		}
		checkLines(t, e.out, []string{"2\t2\tok\tdone\t0", "1\ttwo", "predicate met in frame\t1", "from a handler"})
		e.checkNoErrors()
	})
}

// Bad arguments, the binding's errors, the work's errors and panics, and
// results that are no plain values raise Lua errors naming the function.
func TestHostAsyncErrors(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		registerTestAsync(e.h)
		e.h.RegisterAsync("fail", func(L *glua.LState) (lua.AsyncWork, error) {
			mode := lua.CheckString(L, 1, "Async.fail")
			return func(context.Context) ([]any, error) {
				switch mode {
				case "panic":
					panic("kaboom")
				case "chan":
					return []any{make(chan int)}, nil
				case "deep":
					var v any = "x"
					for range 40 {
						v = []any{v}
					}
					return []any{v}, nil
				}
				return nil, fmt.Errorf("no %s here", mode)
			}, nil
		})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			local Async = blTasks.Async
			print(try(Async.echo, {}))
			print(try(Async.list))
			print(try(Async.list, -1))
			print(try(Async.fail, "file"))
			print(try(Async.fail, "panic"))
			print(try(Async.fail, "chan"))
			print(try(Async.fail, "deep"))
			print(Async.nope, Async[1])
			h = Task.Create(function(self) return Async.fail("task") end):Start()`)
		e.workFrames(2)
		checkLines(t, e.out, []string{
			"Async.echo: bad argument #1 (string or number expected, got table)",
			"Async.list: bad argument #1 (number expected, got no value)",
			"Async.list: a negative length",
			"Async.fail: no file here",
			"Async.fail: the host's work panicked: kaboom",
			"Async.fail: result: a value of Go type chan int",
			"Async.fail: result: nested over 32 deep",
			"nil\tnil",
		})
		if len(e.errs) != 1 || !strings.Contains(e.errs[0].Err.Error(), "Async.fail: no task here") {
			t.Errorf("task errors = %v", e.errLines())
		}
		for _, name := range []string{"Define", "Call", "Send", "For", "", "1x", "a.b"} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("RegisterAsync(%q) did not panic", name)
					}
				}()
				e.h.RegisterAsync(name, func(*glua.LState) (lua.AsyncWork, error) { return nil, nil })
			}()
		}
	})
}

// Stopping a task parked in a call cancels the work's context; the task
// finishes stopped without waiting for the work.
func TestHostAsyncStopCancels(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		var started, cancelled atomic.Bool
		e.h.RegisterAsync("forever", func(L *glua.LState) (lua.AsyncWork, error) {
			return func(ctx context.Context) ([]any, error) {
				started.Store(true)
				<-ctx.Done()
				cancelled.Store(true)
				return nil, ctx.Err()
			}, nil
		})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			h = Task.Create(function(self)
				blTasks.Async.forever()
				print("never")
			end):Start()`)
		e.workFrames(2)
		if !started.Load() || cancelled.Load() {
			t.Fatalf("started %v, cancelled %v before the stop", started.Load(), cancelled.Load())
		}
		e.run(a, `h:Stop("enough") print(h:Status())`)
		e.workFrames(2)
		if !cancelled.Load() {
			t.Error("the work's context was not cancelled by the stop")
		}
		checkLines(t, e.out, []string{"finished"})
	})
}

// A host async call that blocks code outside any task (here a main chunk)
// is under that code's watchdog: when the kill comes, the call returns at
// once, the work's context is cancelled, and the chunk fails with the
// watchdog's error.
func TestHostAsyncOutsideTaskKilled(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{KillAfter: killAfter})
		var cancelled atomic.Bool
		e.h.RegisterAsync("block", func(*glua.LState) (lua.AsyncWork, error) {
			return func(ctx context.Context) ([]any, error) {
				<-ctx.Done()
				cancelled.Store(true)
				return nil, ctx.Err()
			}, nil
		})
		a := e.addon("A", lua.AddonOptions{})
		advanced := make(chan struct{})
		go func() { // the clock's owner, while the chunk blocks the test's goroutine
			defer close(advanced)
			synctest.Wait()
			e.clk.Add(killAfter)
		}()
		err := a.DoString("A", `blTasks.Async.block() print("not reached")`)
		var we *lua.WatchdogError
		if !errors.As(err, &we) {
			t.Fatalf("the chunk's error: %v, want a *WatchdogError", err)
		}
		if err := e.s.Pool().WaitIdle(context.Background()); err != nil || !cancelled.Load() {
			t.Errorf("the work's context was not cancelled (%v)", err)
		}
		checkLines(t, e.out, nil)
		<-advanced
	})
}
