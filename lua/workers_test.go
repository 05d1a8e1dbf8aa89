package lua

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// testWorkers makes an addon with cfg and opts whose worker functions are
// defs (name, source, name, source...), and returns its worker states.
// Call it in a synctest bubble.
func testWorkers(t *testing.T, cfg Config, opts AddonOptions, defs ...string) *workerStates {
	t.Helper()
	_, ws := testAddonWorkers(t, cfg, opts, defs...)
	return ws
}

// testAddonWorkers is testWorkers with their addon.
func testAddonWorkers(t *testing.T, cfg Config, opts AddonOptions, defs ...string) (*Addon, *workerStates) {
	t.Helper()
	s := sched.New(sched.WithClock(clock.NewMock()))
	cfg.Print = func(string, string) {}
	h := NewHost(s, cfg)
	a, err := h.NewAddon("A", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		h.Close()
	})
	ws := a.workers()
	for i := 0; i+1 < len(defs); i += 2 {
		ws.defs[defs[i]] = &workerDef{name: defs[i], src: defs[i+1]}
	}
	return a, ws
}

// callOf is a call of the worker function name with args.
func callOf(t *testing.T, ws *workerStates, name string, args ...glua.LValue) *asyncCall {
	t.Helper()
	cp, err := copyOut(args, argName, "to a worker")
	if err != nil {
		t.Fatal(err)
	}
	ws.seq++
	return &asyncCall{def: ws.defs[name], args: cp, seq: ws.seq}
}

const countSrc = `local n = 0 return function(x) n = n + 1 return n, x * 2 end`

// Calls run on the goroutine that makes them, each worker on its own
// state, which keeps what its functions keep between calls.
func TestWorkerCallsFromGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := testWorkers(t, Config{}, AddonOptions{}, "count", countSrc)
		calls := make([][]*asyncCall, 4)
		for w := range calls {
			for range 3 {
				calls[w] = append(calls[w], callOf(t, ws, "count", glua.LNumber(w+1)))
			}
		}
		got := make([][]string, 4)
		var wg sync.WaitGroup
		for w := range calls {
			wg.Go(func() {
				for _, c := range calls[w] {
					res, err := ws.call(context.Background(), w+1, c)
					if err != nil {
						t.Error(err)
						return
					}
					got[w] = append(got[w], fmt.Sprint(res.values.values...))
				}
			})
		}
		wg.Wait()
		for w, g := range got {
			want := fmt.Sprintf("1 %d 2 %d 3 %d", 2*(w+1), 2*(w+1), 2*(w+1))
			if strings.Join(g, " ") != want {
				t.Errorf("worker %d: %q, want %q", w+1, strings.Join(g, " "), want)
			}
		}
	})
}

// A call that runs past KillAfter is interrupted by the timer of
// Config.AfterFunc and fails with a *WatchdogError carrying the worker's
// traceback; its worker's state is replaced, so the next call there starts
// afresh.
func TestWorkerWatchdogReplacesState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		armed := make(chan func(), 10)
		cfg := Config{KillAfter: 50 * time.Millisecond, AfterFunc: func(d time.Duration, f func()) func() {
			armed <- f
			return func() {}
		}}
		ws := testWorkers(t, cfg, AddonOptions{}, "count", countSrc, "spin", "return function()\n  while true do end\nend")
		ctx := context.Background()
		if res, err := ws.call(ctx, 1, callOf(t, ws, "count", glua.LNumber(1))); err != nil || res.values.values[0] != glua.LNumber(1) {
			t.Fatalf("count: %v %v", res, err)
		}
		<-armed
		done := make(chan error)
		spin := callOf(t, ws, "spin")
		go func() {
			_, err := ws.call(ctx, 1, spin)
			done <- err
		}()
		(<-armed)() // the kill timer fires
		err := <-done
		var we *WatchdogError
		// Where it stood depends on when the timer fired: loading the
		// function (spin:1) or in its loop (spin:2).
		if !errors.As(err, &we) || we.After != 50*time.Millisecond || !strings.Contains(we.Traceback, "\tspin:") {
			t.Fatalf("spin: %v (%#v), want a *WatchdogError in spin", err, err)
		}
		if res, err := ws.call(ctx, 1, callOf(t, ws, "count", glua.LNumber(1))); err != nil || res.values.values[0] != glua.LNumber(1) {
			t.Errorf("count after the kill: %v %v, want 1 from a new state", res, err)
		}
	})
}

// Cancelling a call's context interrupts it; close interrupts the calls
// running, waits for them, and refuses the next ones. A trusted addon's
// worker, which the watchdog never kills, is interrupted too.
func TestWorkerCancelAndClose(t *testing.T) {
	for _, opts := range []AddonOptions{{}, {Trusted: true}} {
		synctest.Test(t, func(t *testing.T) {
			ws := testWorkers(t, Config{}, opts, "spin", "return function() while true do end end", "count", countSrc)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() {
				_, err := ws.call(ctx, 3, callOf(t, ws, "spin"))
				done <- err
			}()
			cancel()
			if err := <-done; err == nil {
				t.Errorf("trusted %v: a cancelled call returned no error", opts.Trusted)
			}
			go func() {
				_, err := ws.call(context.Background(), 2, callOf(t, ws, "spin"))
				done <- err
			}()
			ws.close()
			if err := <-done; err == nil {
				t.Errorf("trusted %v: a call running at close returned no error", opts.Trusted)
			}
			if _, err := ws.call(context.Background(), 1, callOf(t, ws, "count", glua.LNumber(1))); !errors.Is(err, errWorkersClosed) {
				t.Errorf("trusted %v: a call after close: %v", opts.Trusted, err)
			}
		})
	}
}

// A worker state of an untrusted addon has the addon's memory limit: a
// call that goes over fails with a *MemoryError that pcall cannot
// swallow, and its state is replaced.
func TestWorkerMemoryLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := testWorkers(t, Config{}, AddonOptions{MemoryLimit: 4 << 20},
			"hog", `keep = {} return function()
				return pcall(function() while true do keep[#keep + 1] = {1, 2, 3, 4} end end)
			end`,
			"count", countSrc)
		_, err := ws.call(context.Background(), 1, callOf(t, ws, "hog"))
		var me *MemoryError
		if !errors.As(err, &me) || !me.Worker || me.Limit != 4<<20 || me.Used <= 4<<20 {
			t.Fatalf("hog: %v, want a worker's *MemoryError", err)
		}
		if !strings.HasPrefix(err.Error(), "memory: a worker of addon A takes it to ") {
			t.Errorf("message %q", err)
		}
		if ws.states[1].L != nil {
			t.Error("the state that went over was kept")
		}
		if res, err := ws.call(context.Background(), 1, callOf(t, ws, "count", glua.LNumber(1))); err != nil || res.values.values[0] != glua.LNumber(1) {
			t.Errorf("count after: %v %v", res, err)
		}
	})
}

// An addon's worker states share its memory limit: what one keeps between
// calls counts against the others, so two states that each keep 35 to 44%
// of the limit fit, and a third that keeps twice as much takes the addon
// over; the addon's measure includes what its worker states keep. (The
// sizes are taken by measuring the states, not from the meters' last
// measures, which the process's allocation timing decides.)
func TestWorkerMemoryShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, ws := testAddonWorkers(t, Config{}, AddonOptions{MemoryLimit: 4 << 20},
			"keep", `return function(n) keep = {} for i = 1, n do keep[i] = {i} end return #keep end`)
		n := glua.LNumber(1000)
		for ; ; n = glua.LNumber(int(n) * 5 / 4) { // the size that keeps 35 to 44% of the limit
			if _, err := ws.call(context.Background(), 1, callOf(t, ws, "keep", n)); err != nil {
				t.Fatalf("keep(%v): %v", n, err)
			}
			if kept, _ := measureState(ws.states[1].L, nil); kept >= 4<<20*35/100 {
				break
			}
		}
		if _, err := ws.call(context.Background(), 2, callOf(t, ws, "keep", n)); err != nil {
			t.Fatalf("a second state keeping as much: %v", err)
		}
		if used, ok := a.measure(nil); !ok || used < ws.states[1].meter.used+ws.states[2].meter.used {
			t.Errorf("the addon's measure %d, less than what its worker states keep", used)
		}
		_, err := ws.call(context.Background(), 3, callOf(t, ws, "keep", 2*n))
		var me *MemoryError
		if !errors.As(err, &me) || !me.Worker || me.Used <= 4<<20 {
			t.Fatalf("a third state keeping twice as much: %v, want a worker's *MemoryError", err)
		}
		if ws.states[3].L != nil {
			t.Error("the state that took the addon over was kept")
		}
		if got, want := ws.cfg.budget.workers.Load(), ws.states[1].meter.used+ws.states[2].meter.used; got != want {
			t.Errorf("the worker states keep %d by the shared budget, want %d", got, want)
		}
	})
}
