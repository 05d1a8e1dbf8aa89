package lua

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"
)

// Worker states. An addon's worker functions (Async.Define) run on Lua
// states of their own, one per worker, since a gopher-lua state may be
// used by one goroutine at a time: a call runs on whatever goroutine calls
// workerStates.call, with its arguments and results copied between the
// states (copy.go). A worker state has the addon's sandbox (sandbox.go:
// the same libraries, bounded built-ins, guarded concatenation, loaders
// with AllowLoad, a share of the addon's memory limit: workermem.go) but no blTasks API
// and nothing of the addon's globals; print there is kept with the call's
// results and printed, as the addon, when they are delivered on the frame
// goroutine; math.random is seeded for each call from the host's seed, the
// addon's name and the call's number, so its draws do not depend on which
// worker ran the call. Worker 0 serves the blocking form of Async.Call,
// on the frame goroutine; workers 1 and up serve calls from tasks.

// workerStates are an addon's worker functions and the Lua states that run
// them. A state is made at the first call on it and kept for the next
// ones; one whose call was interrupted (the watchdog, a stop, its memory
// limit) is closed and made anew at its next call. defs and seq belong to
// the frame goroutine; call and exec may be used from any goroutine, one
// call per worker at a time (a second waits).
type workerStates struct {
	cfg    workerConfig
	defs   map[string]*workerDef
	seq    uint64       // the calls made, each one's seed of math.random
	held   atomic.Int64 // the bytes calls from tasks hold (heldCopies)
	idle   chan int     // the workers from 1 to n that no call from a task uses (start)
	ctx    context.Context
	cancel context.CancelFunc // ends every call (close)
	mu     sync.Mutex
	states []*workerState // by worker number
	closed bool
	calls  sync.WaitGroup // the calls running and the goroutines start started
}

// workerConfig is what worker states take from their addon and host.
type workerConfig struct {
	addon     string
	trusted   bool
	allowLoad bool
	memLimit  int64 // 0: none
	budget    *sharedBudget
	killAfter time.Duration
	afterFunc func(d time.Duration, f func()) (stop func())
	clk       clock.Clock
	start     time.Time // os.clock's zero, the addon's
	seed      uint64
}

// workerDef is a worker function: Lua source whose chunk returns it.
type workerDef struct {
	name, src string
}

// asyncCall is a call of a worker function, made on the frame goroutine:
// its arguments copied out of the addon's state, and its number, which
// seeds math.random in the worker.
type asyncCall struct {
	def  *workerDef
	args copied
	seq  uint64
	held heldCopies // for a call from a task
}

// heldCopies accounts for the Go memory a call from a task holds outside
// any Lua state until its task takes its results: the copies of its
// arguments and results, and its goroutine. Otherwise a script could pass
// one big table to ten thousand calls, or leave the results of as many
// in tasks it suspends. The addon's memory measure adds up what its calls
// hold (workerStates.held).
type heldCopies struct {
	mu    sync.Mutex
	bytes int64
	taken bool // by the task, or dropped with it
}

// hold adds n bytes to what the call holds, unless its task has taken its
// results already.
func (ws *workerStates) hold(c *asyncCall, n int64) {
	c.held.mu.Lock()
	defer c.held.mu.Unlock()
	if !c.held.taken {
		c.held.bytes += n
		ws.held.Add(n)
	}
}

// release ends the call's holding: its task has its results, or was
// stopped.
func (ws *workerStates) release(c *asyncCall) {
	c.held.mu.Lock()
	defer c.held.mu.Unlock()
	c.held.taken = true
	ws.held.Add(-c.held.bytes)
	c.held.bytes = 0
}

// asyncResult is what a call gave: its results copied out of the worker
// state, and the lines it printed.
type asyncResult struct {
	values  copied
	printed []string
}

// Limits of an addon's worker functions: a worker state compiles the
// source of each function it calls, and what Async.Define keeps is not in
// the addon's Lua state.
const (
	maxWorkerFunctions = 256
	maxWorkerName      = 64
	maxWorkerSource    = 1 << 20
	maxWorkers         = 1024 // worker numbers, for a pool of any size
)

// errWorkersClosed is the error of a call after the addon was stopped or
// closed.
var errWorkersClosed = errors.New("the addon's workers are closed")

// workers is the addon's worker states, made at the first Async.Define.
func (a *Addon) workers() *workerStates {
	if a.ws != nil {
		return a.ws
	}
	name := fnv.New64a()
	name.Write([]byte(a.name))
	cfg := workerConfig{addon: a.name, trusted: a.opts.Trusted, allowLoad: a.opts.AllowLoad, memLimit: a.mem.limit,
		killAfter: a.h.cfg.KillAfter, afterFunc: a.h.cfg.AfterFunc, clk: a.h.s.Clock(), start: a.start,
		seed: a.h.cfg.Seed ^ name.Sum64(), budget: &sharedBudget{}}
	ws := &workerStates{cfg: cfg, defs: map[string]*workerDef{}}
	ws.ctx, ws.cancel = context.WithCancel(context.Background())
	n := max(1, min(runtime.GOMAXPROCS(0), 8))
	ws.idle = make(chan int, n)
	for w := 1; w <= n; w++ {
		ws.idle <- w
	}
	a.ws = ws
	return ws
}

// call runs c on worker state #worker, on the calling goroutine, under
// ctx and the watchdog: for an untrusted addon with a Config.KillAfter,
// a call that runs that long is interrupted (Config.AfterFunc cancels its
// context), and fails with a *WatchdogError. It returns the call's results
// and printed lines, or its error: a *LuaError of the worker's code (with
// the worker's traceback), a *WatchdogError, a *MemoryError, the error of
// a result that cannot be copied, or, when ctx is cancelled, the
// interruption. The printed lines come with an error too.
//
// This is what a worker of the scheduler's pool calls, with its own
// number (1 and up: 0 is the frame goroutine's).
func (ws *workerStates) call(ctx context.Context, worker int, c *asyncCall) (*asyncResult, error) {
	cfg := &ws.cfg
	if cfg.trusted || cfg.killAfter <= 0 {
		return ws.exec(ctx, worker, c)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var killed atomic.Bool
	stop := cfg.afterFunc(cfg.killAfter, func() {
		killed.Store(true)
		cancel()
	})
	res, err := ws.exec(ctx, worker, c)
	stop()
	var le *LuaError
	if killed.Load() && errors.As(err, &le) {
		return res, &WatchdogError{After: cfg.killAfter, Traceback: le.Traceback}
	}
	return res, err
}

// exec is call without a watchdog of its own: the blocking form runs
// under its caller's.
func (ws *workerStates) exec(ctx context.Context, worker int, c *asyncCall) (*asyncResult, error) {
	if worker < 0 || worker >= maxWorkers {
		return nil, fmt.Errorf("no worker %d (0 to %d)", worker, maxWorkers-1)
	}
	ws.mu.Lock()
	if ws.closed {
		ws.mu.Unlock()
		return nil, errWorkersClosed
	}
	ws.calls.Add(1)
	defer ws.calls.Done()
	for len(ws.states) <= worker {
		ws.states = append(ws.states, &workerState{})
	}
	st := ws.states[worker]
	ws.mu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(ws.ctx, cancel)() // close ends the call
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted before it began: %w", err) // the state stays as it was
	}
	if st.L == nil {
		st.open(&ws.cfg)
	}
	res, err := st.run(ctx, c)
	if err == nil && st.meter != nil {
		err = st.meter.settle()
	}
	if ctx.Err() != nil || st.meter != nil && st.meter.over != nil {
		st.close() // it may hold anything: the next call gets a new one
	}
	return res, err
}

// serve runs c for a task: on an idle worker from 1 up (waiting for one
// if need be), on the calling goroutine, with the watchdog (call), and it
// holds the copies of the results until the task takes them. Cancelling
// ctx ends the call, or the wait.
func (ws *workerStates) serve(ctx context.Context, c *asyncCall) (*asyncResult, error) {
	select {
	case w := <-ws.idle:
		defer func() { ws.idle <- w }()
		res, err := ws.call(ctx, w, c)
		if res != nil {
			ws.hold(c, res.values.bytes)
		}
		return res, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// shut refuses every call from now on and interrupts those running; close
// then waits for them to end and closes the states.
func (ws *workerStates) shut() {
	ws.mu.Lock()
	ws.closed = true
	ws.mu.Unlock()
	ws.cancel()
}

func (ws *workerStates) close() {
	ws.shut()
	ws.calls.Wait()
	for _, st := range ws.states {
		st.close()
	}
}

// workerState is one worker's Lua state, made by open.
type workerState struct {
	mu      sync.Mutex // held by the call running on it
	L       *glua.LState
	fns     *glua.LTable // the worker functions loaded, by name: in L's registry, so that a measure sees them
	meter   *workerMeter // nil unless the addon is untrusted and has a memory limit
	compile compiler
	pcg     *rand.PCG
	seed    uint64
	printed []string // by the running call
	size    int64    // of printed
}

// workerFunctionsKey is where a worker state's registry holds its loaded
// functions.
const workerFunctionsKey = "framesched.workers"

// open makes the state's Lua state and opens its sandbox.
func (st *workerState) open(cfg *workerConfig) {
	L := newState()
	st.L, st.meter, st.pcg, st.seed = L, nil, rand.NewPCG(0, 0), cfg.seed
	st.compile = compiler{trusted: cfg.trusted}
	openLibs(L)
	charge := func(*glua.LState, int64) {}
	if !cfg.trusted {
		if cfg.memLimit > 0 {
			st.meter = newWorkerMeter(L, cfg.addon, cfg.memLimit, cfg.budget)
			charge = st.meter.charge
		}
		st.compile.guard = L.NewFunction((&concatGuard{onAlloc: charge}).concat)
	}
	openLoaders(L, cfg.allowLoad, &st.compile)
	if cfg.trusted {
		propagateResume(L) // a worker state always runs under a context: a stop or Close ends its call
	} else {
		L.SetGlobal("collectgarbage", L.NewFunction(func(*glua.LState) int { return 0 })) // Go's collector runs anyway
		noFenv(L)
		limitBuiltins(L, charge)
	}
	wrapOverResume(L)
	L.SetGlobal("print", L.NewFunction(st.print))
	openOS(L, cfg.clk, cfg.start)
	setRandom(L, rand.New(st.pcg))
	st.fns = L.NewTable()
	L.G.Registry.RawSetString(workerFunctionsKey, st.fns)
}

func (st *workerState) close() {
	if st.L != nil {
		if st.meter != nil {
			st.meter.forget()
		}
		st.L.Close()
		st.L, st.fns, st.meter = nil, nil, nil
	}
}

// print is a worker's print: its line is kept with the call's results.
func (st *workerState) print(L *glua.LState) int {
	n := L.GetTop()
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
	}
	line := strings.Join(parts, "\t")
	if st.size += int64(len(line)) + sizeString; st.size > maxString {
		tooLong(L, "print") // in one call
	}
	st.printed = append(st.printed, line)
	return 0
}

// run runs c on the state under ctx.
func (st *workerState) run(ctx context.Context, c *asyncCall) (*asyncResult, error) {
	L := st.L
	if st.meter != nil {
		st.meter.begin(ctx)
		L.SetContext(st.meter)
	} else {
		L.SetContext(ctx)
	}
	st.pcg.Seed(st.seed, c.seq)
	st.printed, st.size = nil, 0
	res := &asyncResult{}
	defer func() { res.printed = st.printed }()
	defer L.SetTop(0)
	fn, err := st.function(c.def)
	if err == nil && st.meter != nil {
		err = st.meter.reserve(c.args.bytes)
	}
	if err != nil {
		return res, st.failure(ctx, err)
	}
	L.Push(fn)
	if err := pcall(L, c.args.push(L), glua.MultRet); err != nil {
		return res, st.failure(ctx, err)
	}
	if st.meter != nil && st.meter.over != nil { // swallowed by a pcall in a tail call
		return res, st.meter.over
	}
	vs := make([]glua.LValue, L.GetTop())
	for i := range vs {
		vs[i] = L.Get(i + 1)
	}
	res.values, err = copyOut(vs, func(i int) string {
		return fmt.Sprintf("result #%d of worker function %q", i+1, c.def.name)
	}, "from a worker")
	return res, err
}

// function is the worker function def on the state: the first time, its
// source is compiled and its chunk run, which must return it.
func (st *workerState) function(def *workerDef) (*glua.LFunction, error) {
	if fn, ok := st.fns.RawGetString(def.name).(*glua.LFunction); ok {
		return fn, nil
	}
	L := st.L
	chunk, err := st.compile.load(L, strings.NewReader(def.src), def.name)
	if err != nil {
		return nil, err
	}
	L.Push(chunk)
	if err := pcall(L, 0, 1); err != nil {
		return nil, err
	}
	fn, ok := L.Get(-1).(*glua.LFunction)
	if !ok {
		return nil, &LuaError{Message: fmt.Sprintf("its source returned a %s, not a function", L.Get(-1).Type())}
	}
	L.Pop(1)
	st.fns.RawSetString(def.name, fn)
	return fn, nil
}

// failure is the error of a call that failed with err: its memory error,
// its interruption (ctx ended), or the worker's Lua error as a *LuaError
// whose Message is the error value, a string or a number (another value
// is named by its type: its address would tell nothing to the addon).
func (st *workerState) failure(ctx context.Context, err error) error {
	if st.meter != nil && st.meter.over != nil {
		return st.meter.over
	}
	ae, ok := err.(*glua.ApiError)
	if !ok {
		return err
	}
	le := &LuaError{Message: ae.Object.String(), Traceback: ae.StackTrace}
	switch ae.Object.(type) {
	case glua.LString, glua.LNumber:
	default:
		le.Message = "an error value of type " + ae.Object.Type().String()
	}
	if ctx.Err() != nil {
		le.Message = "interrupted: " + ctx.Err().Error()
	}
	return le
}
