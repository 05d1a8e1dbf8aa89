package lua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"
	"weak"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// Host runs Lua addons on a scheduler. Like the scheduler, it is
// single-goroutine: use it from the frame goroutine only.
type Host struct {
	s       *sched.Scheduler
	cfg     Config
	addons  []*Addon
	byName  map[string]*Addon
	conds   map[string]CondFunc
	asyncs  map[string]AsyncFunc  // the host's async functions (hostasync.go)
	running map[uint64]*luaTask   // every Lua task that has started and not finished, by task ID
	scoped  map[uint64]bool       // Lua tasks made with Scope that have not run yet
	parked  map[*glua.LState]bool // Lua coroutines parked inside a task
	threads map[*glua.LState]bool // the threads of running Lua tasks (see guardTaskLevel)
	madeBy  map[uint64]*Addon     // the addon whose function each unfinished Lua task runs
	alloc   allocMeter            // attributes allocations to metered addons (memory.go)
	hooks   int                   // predicates and OnFinished handlers running: code that may not run frames (Task.Join)
	cancel  func()                // cancels the scheduler's OnFinished subscription
	tables  [][]unsafe.Pointer    // call-stack tables lent by parked tasks (callstack.go)
}

// Config is a Host's configuration. The zero Config is usable.
type Config struct {
	// Global is the name of the blTasks API table in every addon ("blTasks").
	Global string
	// Print receives every line an addon prints, with the addon's name, on
	// the frame goroutine (a worker function's lines when its call's
	// results are delivered). The default logs it with slog.Default at
	// level Info: message "addon print", attributes addon and line.
	Print func(addon, line string)
	// Seed seeds each addon's math.random, so runs are reproducible.
	Seed uint64
	// KillAfter interrupts a slice of a Lua task that runs this long without
	// breathing; the task finishes with a *WatchdogError. It bounds every
	// other call into an untrusted addon's code too: its main chunk
	// (DoString, DoFile), Call (handlers, host callbacks) and its
	// Wait.Predicate functions, which fail with a *WatchdogError, and each
	// call of a worker function from a task (Async.Call). 0 never
	// interrupts. Trusted addons are never interrupted.
	KillAfter time.Duration
	// AfterFunc runs f after d of the scheduler's time, possibly on another
	// goroutine, and returns a function that cancels it; the watchdog uses
	// it, also from the goroutines running worker functions (Async.Call),
	// so it must be safe to call from any goroutine. The default uses the scheduler's clock (clock.Clock.AfterFunc); a
	// host with a clock of its own that has no timers provides its own.
	AfterFunc func(d time.Duration, f func()) (stop func())
}

// CondFunc makes a host-registered condition kind from its Lua arguments
// (L's stack from index 1). It raises a Lua error (L.RaiseError) for bad
// arguments.
type CondFunc func(L *glua.LState) *waitcond.Cond

// AddonOptions configure one addon.
type AddonOptions struct {
	// Trusted addons run without a context on their Lua threads: Lua code runs
	// up to 1.6x faster, but the watchdog cannot interrupt it, and a stopped
	// task that swallows every error with pcall in a loop cannot be ended.
	Trusted bool
	// AllowLoad keeps load, loadstring, dofile and loadfile; an untrusted
	// addon's compile with guarded concatenation, as DoString does.
	AllowLoad bool
	// BudgetShare caps the share of each frame's budget the addon's tasks
	// use, on average (sched.Scheduler.SetBudgetShare); 0 for no cap.
	BudgetShare float64
	// TaskLimit caps the addon's live (unfinished) tasks
	// (sched.Scheduler.SetTaskLimit): 0 gives an untrusted addon
	// DefaultTaskLimit and a trusted one no cap; a negative value, no cap.
	// Task.Create past it raises "Task.Create: owner's task limit reached".
	TaskLimit int
	// MemoryLimit caps the memory an untrusted addon keeps, in bytes (see
	// memory.go): 0 gives it DefaultMemoryLimit, a negative value no cap.
	// Code that takes the addon over it fails with a *MemoryError; an
	// addon that stays over once that code has unwound is stopped
	// (Addon.Stop). Trusted addons are not metered.
	MemoryLimit int64
	// Escalation, when not nil, is the addon's escalation policy
	// (sched.Scheduler.SetEscalation) in place of the scheduler's.
	Escalation *sched.EscalationPolicy
	// Impersonate lets the addon create tasks owned by another addon
	// (Task.Create(fn, "Other")) and control every addon's tasks, as RIFT
	// let addons do (sched.Scheduler.SetImpersonation). Off by default: an
	// untrusted addon must not charge its CPU to another or stop its tasks.
	Impersonate bool
}

// DefaultTaskLimit is the most live tasks an untrusted addon may have
// unless AddonOptions.TaskLimit says otherwise: far more than an addon
// needs, few enough that a script starting tasks in a loop gets a clear
// error from Task.Create rather than a memory stop. A waiting Lua task
// takes about 8.5 KB (its goroutine's stack, its thread and its scheduler
// side, BENCHMARKS.md), so this many take about two thirds of
// DefaultMemoryLimit; an addon that needs more raises both limits.
const DefaultTaskLimit = 5000

// NewHost makes a host for s. It subscribes to s's finished events.
func NewHost(s *sched.Scheduler, cfg Config) *Host {
	if cfg.Global == "" {
		cfg.Global = "blTasks"
	}
	if cfg.AfterFunc == nil {
		clk := s.Clock()
		cfg.AfterFunc = func(d time.Duration, f func()) func() {
			t := clk.AfterFunc(d, f)
			return func() { t.Stop() }
		}
	}
	if cfg.Print == nil {
		cfg.Print = func(addon, line string) { slog.Info("addon print", "addon", addon, "line", line) }
	}
	h := &Host{s: s, cfg: cfg, byName: map[string]*Addon{}, conds: map[string]CondFunc{},
		running: map[uint64]*luaTask{}, scoped: map[uint64]bool{}, parked: map[*glua.LState]bool{}, threads: map[*glua.LState]bool{}}
	h.cancel = s.OnFinished(h.finished)
	return h
}

// Scheduler is the host's scheduler.
func (h *Host) Scheduler() *sched.Scheduler { return h.s }

// RegisterCondition adds a condition kind that addons make with
// Wait.<name>(...). Registering a name twice replaces it; addons made before
// see it too.
func (h *Host) RegisterCondition(name string, f CondFunc) {
	h.conds[name] = f
}

// Addon is one addon: a sandboxed Lua state whose code and tasks are
// attributed to the addon's name.
type Addon struct {
	h           *Host
	name        string
	main        *glua.LState // its main state (State)
	opts        AddonOptions
	start       time.Time // os.clock's zero: when the addon was made
	rng         *rand.Rand
	pool        []thread // threads of tasks that ended cleanly, for reuse
	onFinEv     []*glua.LFunction
	handles     map[uint64]weak.Pointer[glua.LUserData] // by task ID: see handle
	swept       int                                     // len(handles) after the last sweep
	base        context.Context                         // main's context outside watched calls: nil for trusted addons
	watch       callWatch                               // the watchdog of calls on main
	mem         memWatch                                // the memory budget of an untrusted addon
	ws          *workerStates                           // its worker functions and states, once it defines one (workers.go)
	stopped     error                                   // why the addon was stopped (Stop), else nil
	cancel      context.CancelFunc                      // cancels base, at Close
	compiler                                            // how the addon's code is compiled: with guarded concatenation unless trusted
	concatGuard                                         // the guard's charge of the memory budget
}

// NewAddon makes an addon with its own Lua state. Names must be unique.
func (h *Host) NewAddon(name string, opts AddonOptions) (*Addon, error) {
	if name == "" {
		return nil, errors.New("lua: NewAddon: empty name")
	}
	if h.byName[name] != nil {
		return nil, fmt.Errorf("lua: NewAddon: addon %q exists", name)
	}
	a := &Addon{h: h, name: name, opts: opts, rng: rand.New(rand.NewPCG(h.cfg.Seed, uint64(len(h.addons)))),
		handles: map[uint64]weak.Pointer[glua.LUserData]{}, compiler: compiler{trusted: opts.Trusted}}
	a.main = newState()
	// NewState raises a RegistrySize under 128 to 5120; NewThread sizes
	// threads from L.Options, so task threads can start smaller.
	a.main.Options.RegistrySize = threadRegistrySize
	if !opts.Trusted {
		switch limit := opts.MemoryLimit; {
		case limit > 0:
			a.mem.init(a, limit)
		case limit == 0:
			a.mem.init(a, DefaultMemoryLimit)
		}
		if a.mem.limit > 0 {
			a.onAlloc = a.mem.charge
		}
		// Threads inherit the context, so every task can be interrupted. A
		// cancellable one, so that children register with it rather than
		// each being watched by a goroutine. Not metered: a meter is never
		// the parent of a context that a watchdog's timer cancels (which
		// would call the meter's Done on the timer's goroutine), only set on
		// the state whose code runs (Watch, newTask).
		a.base, a.cancel = context.WithCancel(context.Background())
		a.main.SetContext(a.base)
		a.guard = a.main.NewFunction(a.concat)
	}
	a.openSandbox()
	a.installAPI()
	if opts.BudgetShare != 0 {
		h.s.SetBudgetShare(name, opts.BudgetShare)
	}
	switch limit := opts.TaskLimit; {
	case limit > 0:
		h.s.SetTaskLimit(name, limit)
	case limit == 0 && !opts.Trusted:
		h.s.SetTaskLimit(name, DefaultTaskLimit)
	}
	if opts.Impersonate {
		h.s.SetImpersonation(name, true)
	}
	if opts.Escalation != nil {
		h.s.SetEscalation(name, *opts.Escalation)
	}
	h.addons = append(h.addons, a)
	h.byName[name] = a
	return a, nil
}

// The Lua states' sizes. A parked task costs its thread's registry and call
// stack, so both start small and grow on demand. The call stack's limit is
// the deepest recursion Lua code can do (gopher-lua's default is 256 calls),
// and costs a byte per level in every thread even unused: the segment table
// is allocated whole (a parked task lends its table: see callstack.go).
// Registries grow by a fixed step, so a larger step makes deep recursion
// cheaper and the first growth costlier.
const (
	callStackSize      = 5120
	registrySize       = 128 // NewState's minimum, for the addon's main state
	threadRegistrySize = 64
	registryGrowStep   = 128
	registryMaxSize    = 1 << 22
)

// newState is a Lua state of those sizes, without its libraries: an
// addon's main state or a worker state.
func newState() *glua.LState {
	return glua.NewState(glua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       callStackSize,
		RegistrySize:        registrySize,
		RegistryMaxSize:     registryMaxSize,
		RegistryGrowStep:    registryGrowStep,
		MinimizeStackMemory: true,
	})
}

// Name is the addon's name.
func (a *Addon) Name() string { return a.name }

// State is the addon's main Lua state, for the host's own bindings. Code
// the host compiles on it itself (L.Load, L.DoString) is compiled by
// gopher-lua, with an unbounded `..`: run an untrusted addon's code with
// DoString.
func (a *Addon) State() *glua.LState { return a.main }

// DoString runs src as the addon's code; chunk names it in error messages.
// An untrusted addon's code is compiled with guarded concatenation (see
// compile.go).
func (a *Addon) DoString(chunk, src string) error {
	fn, err := a.load(a.main, strings.NewReader(src), chunk)
	if err != nil {
		return err
	}
	return a.Call(fn)
}

// DoFile runs the file at path as the addon's code.
func (a *Addon) DoFile(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return a.DoString("@"+path, string(src))
}

// Call calls fn with args on the addon's main state, as the addon's code
// (outside any task), and returns its error. Hosts use it for callbacks.
// For an untrusted addon, Config.KillAfter bounds the call (see Watch).
func (a *Addon) Call(fn glua.LValue, args ...glua.LValue) error {
	var err error
	a.h.s.RunAs(a.name, func() {
		err = a.Watch(func() error {
			a.main.Push(fn)
			for _, v := range args {
				a.main.Push(v)
			}
			return pcall(a.main, len(args), 0)
		})
	})
	return err
}

// Watch runs f, host code that calls into the addon's Lua code, under the
// addon's watchdog: for an untrusted addon and a Config.KillAfter, the
// main state's context (and that of the threads f makes with
// State().NewThread) is cancelled once f has run KillAfter, which ends the
// Lua code with an error, and Watch then returns a *WatchdogError. A Watch
// inside another of the same addon runs under the outer one's watchdog.
// Call, DoString and predicates use it; hosts need it only for calls they
// make on threads of their own.
func (a *Addon) Watch(f func() error) error {
	w := &a.watch
	if a.stopped != nil {
		return a.stopped
	}
	if a.base == nil {
		return f()
	}
	if w.depth > 0 {
		w.depth++
		err := f()
		w.depth--
		return w.result(a, err)
	}
	ctx := a.base
	if a.h.cfg.KillAfter > 0 {
		ctx = w.begin(a)
	}
	a.main.SetContext(a.metered(ctx))
	w.depth = 1
	prev := a.h.alloc.owner
	a.h.alloc.enter(&a.mem)
	defer func() {
		if prev != nil {
			a.h.alloc.enter(prev) // back to the code that called
		}
		w.depth = 0
		a.main.SetContext(a.base)
		if a.h.cfg.KillAfter > 0 {
			w.end()
		}
		if a.mem.over != nil && !a.taskRunning() {
			a.mem.settle() // else the task fails next, and settles
		}
	}()
	return w.result(a, f())
}

// taskRunning reports whether the running task is one of the addon's Lua
// tasks: code called from its slice (a predicate, a host callback) is not
// the end of the addon's code on the stack.
func (a *Addon) taskRunning() bool {
	cur := a.h.s.Current()
	return cur != nil && a.h.running[cur.ID()] != nil && a.h.running[cur.ID()].a == a
}

// callWatch is an addon's watchdog of calls on its main state, as
// luaTask's is of task slices. The calls share a context until one is
// killed: a coroutine made in one call and resumed in another runs under
// the context of its resumer (see limits.go), and task threads, made
// outside calls, derive from the addon's base context.
type callWatch struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	call   uint64 // counts calls, so that a late timer of an ended call kills nothing
	active bool
	killed bool
	stop   func() // cancels the kill timer of the current call
	depth  int    // nesting of Watch calls (frame goroutine only)
}

// begin starts the kill timer of a call and returns the call's context.
func (w *callWatch) begin(a *Addon) context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx == nil || w.ctx.Err() != nil {
		w.ctx, w.cancel = context.WithCancel(plain(a.base)) // its cancel runs on the timer's goroutine: see plain
	}
	w.call++
	call := w.call
	w.active, w.killed = true, false
	w.stop = a.h.cfg.AfterFunc(a.h.cfg.KillAfter, func() { w.interrupt(call) })
	return w.ctx
}

func (w *callWatch) interrupt(call uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.active && w.call == call {
		w.killed = true
		w.cancel()
	}
}

// end stops the kill timer when the call ends.
func (w *callWatch) end() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active = false
	w.stop()
	w.stop = nil
}

// result is a call's error: a *WatchdogError when the call was killed.
func (w *callWatch) result(a *Addon, err error) error {
	if over := a.mem.over; over != nil && err != nil {
		return over
	}
	w.mu.Lock()
	killed := w.killed
	w.mu.Unlock()
	if killed && err != nil {
		return &WatchdogError{After: a.h.cfg.KillAfter, Traceback: stackOf(err)}
	}
	return err
}

// Close ends the host's subscription to the scheduler and closes every
// addon's Lua state. Close the scheduler first, so that no task of an addon
// runs afterwards.
func (h *Host) Close() {
	h.cancel()
	for _, a := range h.addons {
		a.close()
	}
}

func (a *Addon) close() {
	if a.ws != nil {
		a.ws.close() // its calls end first
	}
	a.main.Close()
	if a.cancel != nil {
		a.cancel()
	}
}

// Stop stops the addon for good: err goes to the error handler, attributed
// to the addon; every unfinished task the addon owns or whose function is
// the addon's is stopped with the reason "addon stopped: <err>" (at once,
// or when the running slice ends if called from task code); and no more of
// its code runs: Call, DoString and Watch return err, its predicates are
// false and its OnFinished handlers are not called. The host stops an addon
// that stays over its memory limit. Stopping a stopped addon does nothing.
func (a *Addon) Stop(err error) {
	if a.stopped != nil {
		return
	}
	a.stopped = err
	if a.ws != nil {
		a.ws.shut() // the calls running end; the tasks waiting for them are stopped below
	}
	h := a.h
	h.s.Outside(func() { // after the running task's own failure, if any
		h.s.ReportError(a.name, "addon", fmt.Errorf("addon stopped: %w", err))
		var ours []*sched.Task
		for t := range h.s.Tasks() {
			if t.Owner() == a.name || h.madeBy[t.ID()] == a {
				ours = append(ours, t)
			}
		}
		h.s.RunAs(a.name, func() { // as the addon, which may stop all these
			for _, t := range ours {
				t.Stop("addon stopped: " + err.Error())
			}
		})
	})
}

// Err is why the addon was stopped, or nil.
func (a *Addon) Err() error { return a.stopped }

// Close stops the addon (Stop, with ErrAddonClosed), closes its Lua state
// and removes it from the host and its owner from the scheduler
// (sched.Scheduler.ForgetOwner): its name may be used again. It must not
// be called from task code.
func (a *Addon) Close() error {
	h := a.h
	if h.s.Current() != nil {
		return fmt.Errorf("lua: Close %s: %w", a.name, sched.ErrInTask)
	}
	if h.byName[a.name] != a {
		return nil // closed already
	}
	a.Stop(ErrAddonClosed)
	a.close()
	h.addons = slices.DeleteFunc(h.addons, func(b *Addon) bool { return b == a })
	delete(h.byName, a.name)
	return h.s.ForgetOwner(a.name)
}

// ErrAddonClosed is the error of an addon closed by the host (Addon.Close).
var ErrAddonClosed = errors.New("addon closed")

// addonOf is the addon whose Lua state L belongs to.
func (h *Host) addonOf(L *glua.LState) *Addon {
	ud, _ := L.G.Registry.RawGetString(addonKey).(*glua.LUserData)
	if ud == nil {
		return nil
	}
	a, _ := ud.Value.(*Addon)
	return a
}

const addonKey = "framesched.addon"
