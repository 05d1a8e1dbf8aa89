package lua

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/metrics"
	"unsafe"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// The memory budget of an untrusted addon.
//
// gopher-lua allocates from Go's heap and keeps no account of a state's
// memory, so the budget is kept in two parts:
//
//   - an estimate that costs next to nothing: the bytes the process
//     allocated while the addon's code ran (the runtime's allocation
//     counter, read every meterEvery VM instructions of the addon and when
//     its code starts running after another addon's: see allocMeter), and
//     what the built-ins that allocate much at once charge before they
//     allocate, added to the last measure;
//   - a measure, taken when the estimate could be over the limit: a walk of
//     everything the addon's code can reach (its globals, registry, the
//     stacks of its running tasks and coroutines, their functions, tables,
//     strings and threads), which is what the addon keeps. Walks are spaced
//     by at least an eighth of the limit of allocation, so their cost is a
//     bounded share of the allocating.
//
// The VM reads the context of a Lua thread at every instruction; an
// untrusted addon's threads and main state carry a meter, a context whose
// Done counts instructions, so the estimate needs no hook into gopher-lua.
// Code of an addon found over its limit fails with a *MemoryError: every
// following instruction raises it again, so pcall cannot swallow it, until
// the code has unwound. The addon is measured again then, without what
// that code held on its stack; an addon that still keeps more than three
// quarters of its limit (in its globals) is stopped (Addon.Stop).

// DefaultMemoryLimit is the memory an untrusted addon may keep unless
// AddonOptions.MemoryLimit says otherwise: far more than addons of a game
// use, little enough that a host running a few dozen of them survives each
// one filling its budget.
const DefaultMemoryLimit = 64 << 20

// meterEvery and maxEvery bound how many VM instructions of an addon run
// between two readings of the allocation counter (about 170 ns each, and
// more while other goroutines allocate): one instruction allocates at most
// a few KB outside the built-ins that charge themselves, so the readings
// are spaced by the room left before the next measure, at allocPerStep a
// instruction (readingEvery).
const (
	meterEvery = 512
	maxEvery   = 16 * meterEvery
)

// readingEvery is how many VM instructions may run before the next reading
// of the allocation counter for an account of limit bytes whose last
// measure was used and which has allocated since then.
func readingEvery(limit, used, since int64) int {
	room := max(limit-used, limit/8) - since
	return int(min(max(room/allocPerStep, meterEvery), maxEvery))
}

// MemoryError is the error of an addon's code that went over the addon's
// memory limit (AddonOptions.MemoryLimit), and of the addon stopped because
// it kept most of it afterwards.
type MemoryError struct {
	Addon string
	Used  int64 // what the addon kept when measured, in bytes
	Limit int64
	Kept  bool // the addon was stopped: Used is what it kept once the code that went over had ended
	// Worker: the code that went over ran in one of the addon's worker
	// states, which share the addon's limit with it (see workermem.go).
	Worker bool
}

func (e *MemoryError) Error() string {
	if e.Worker {
		return fmt.Sprintf("memory: a worker of addon %s takes it to %d KiB, over its limit of %d KiB", e.Addon, (e.Used+1023)>>10, e.Limit>>10)
	}
	if e.Kept {
		return fmt.Sprintf("memory: addon %s keeps %d KiB of its %d KiB limit once the code that went over has ended", e.Addon, (e.Used+1023)>>10, e.Limit>>10)
	}
	return fmt.Sprintf("memory: addon %s uses %d KiB, over its limit of %d KiB", e.Addon, (e.Used+1023)>>10, e.Limit>>10)
}

// memWatch is the memory account of an untrusted addon. It is used on the
// frame goroutine only.
type memWatch struct {
	a       *Addon
	limit   int64        // 0: not metered
	used    int64        // the last measure
	since   int64        // bytes allocated while the addon ran since the last measure
	ran     uint64       // VM instructions the addon's code had run at the last tick
	every   int          // VM instructions from the last tick to the next
	steps   int          // VM instructions until the next tick
	over    *MemoryError // set while code that went over unwinds
	objects int          // objects the last measure found, to size the next one's set
}

func (m *memWatch) init(a *Addon, limit int64) {
	m.a, m.limit, m.every, m.steps = a, limit, meterEvery, meterEvery
}

// executed is how many VM instructions the addon's code has run.
func (m *memWatch) executed() uint64 { return m.ran + uint64(m.every-m.steps) }

// allocMeter attributes the process's allocations to the metered addons of
// a host. It reads the runtime's allocation counter (about 170 ns) when an
// addon's code starts running after another's and at every tick, and
// charges what was allocated since the last reading to the addon whose
// code ran in between. Slices of the same addon in a row cost no reading,
// so a thousand parked tasks of one addon resume for the price of their
// ticks. What the host, Go tasks or unmetered addons allocate between two
// slices of an addon is charged to it too, but never more than
// allocSlack plus allocPerStep per instruction the addon ran: the
// estimate only decides when to measure.
type allocMeter struct {
	owner  *memWatch // whose code the allocations since mark are
	mark   uint64    // the counter at the last reading
	at     uint64    // owner.executed() at the last reading
	sample [1]metrics.Sample
}

const (
	allocSlack   = 64 << 10
	allocPerStep = 1 << 10
)

func (am *allocMeter) read() uint64 {
	if am.sample[0].Name == "" {
		am.sample[0].Name = "/gc/heap/allocs:bytes"
	}
	metrics.Read(am.sample[:])
	return am.sample[0].Value.Uint64()
}

// enter tells the meter that m's code runs from now on.
func (am *allocMeter) enter(m *memWatch) {
	if m.limit == 0 || am.owner == m {
		return
	}
	am.settle(am.read())
	am.owner, am.at = m, m.executed()
}

// settle charges the owner with what was allocated up to now, the counter.
func (am *allocMeter) settle(now uint64) {
	if o := am.owner; o != nil {
		o.since += int64(min(now-am.mark, allocSlack+allocPerStep*(o.executed()-am.at)))
		am.at = o.executed()
	}
	am.mark = now
}

// tick brings the estimate up to date with the allocation counter, and
// measures when it could be over the limit.
func (m *memWatch) tick(ctx context.Context) {
	m.ran += uint64(m.every - m.steps)
	m.every, m.steps = 0, 0
	am := &m.a.h.alloc
	am.enter(m)
	am.settle(am.read())
	m.check(ctx, 0)
	m.every = readingEvery(m.limit, m.used, m.since)
	m.steps = m.every
}

// check measures the addon when its estimate, with n bytes about to be
// allocated, could be over the limit, and fails its running code when the
// measure is. ctx is the running code's context: the measure gives up
// when the watchdog ends the code.
func (m *memWatch) check(ctx context.Context, n int64) {
	if m.over != nil || m.since+n < max(m.limit-m.used, m.limit/8) {
		return
	}
	if !m.measure(ctx) {
		return
	}
	if m.used+n > m.limit {
		m.over = &MemoryError{Addon: m.a.name, Used: m.used + n, Limit: m.limit}
	}
}

// measure takes a measure of the addon, unless ctx (if not nil) ends
// first, and reports whether it did. What the walk allocates is not the
// addon's.
func (m *memWatch) measure(ctx context.Context) bool {
	if c, ok := ctx.(*meter); ok {
		ctx = c.Context // its own Done would count, and measure again
	}
	used, ok := m.a.measure(ctx)
	if ok {
		m.used, m.since = used, 0
	}
	am := &m.a.h.alloc
	if am.owner == m {
		am.mark = am.read() // what the walk allocated is not the addon's
	}
	return ok
}

// charge accounts for n bytes that a built-in is about to allocate, and
// raises the memory error, before it allocates, when they would take the
// addon over its limit.
func (m *memWatch) charge(L *glua.LState, n int64) {
	if m.limit == 0 {
		return
	}
	m.check(L.Context(), n)
	if m.over != nil {
		L.RaiseError("%s", m.over.Error())
	}
	m.since += n
	if e := readingEvery(m.limit, m.used, m.since); e < m.steps { // less room: read sooner
		m.ran += uint64(m.every - m.steps)
		m.every, m.steps = e, e
	}
}

// settle ends the failing of code that went over, once it has unwound: the
// addon is measured without it, and stopped when it keeps more than
// stopAt of its limit: with so little room its code would go on failing.
// (Where code goes over depends on when the measures happen, which the
// runtime's allocation counter decides; a margin, rather than the limit
// itself, makes the addon's fate the same from run to run.)
func (m *memWatch) settle() {
	if m.over == nil {
		return
	}
	m.measure(nil)
	m.over = nil
	if float64(m.used) > stopAt*float64(m.limit) {
		m.a.Stop(&MemoryError{Addon: m.a.name, Used: m.used, Limit: m.limit, Kept: true})
	}
}

// stopAt is the share of its limit an addon may keep once code that went
// over has ended without being stopped.
const stopAt = 0.75

// meter is the context of an untrusted addon's threads: the context it
// wraps (which the watchdog and stops cancel), and the addon's meter.
type meter struct {
	context.Context
	m    *memWatch
	done <-chan struct{} // the wrapped context's Done, which never changes
}

// closed is the Done of a meter whose addon's code is over its limit.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Done is called by the VM before every instruction.
func (c *meter) Done() <-chan struct{} {
	m := c.m
	if m.steps--; m.steps < 0 {
		m.tick(c.Context)
	}
	if m.over != nil {
		return closed
	}
	if c.done == nil {
		c.done = c.Context.Done()
	}
	return c.done
}

// AfterFunc registers f with the wrapped context. A context derived from a
// meter (gopher-lua's NewThread derives one) registers with the wrapped one,
// or, when the meter's Done is closed by the memory limit, through this:
// never with a goroutine of its own, which would call Done off the frame
// goroutine.
func (c *meter) AfterFunc(f func()) func() bool { return context.AfterFunc(c.Context, f) }

func (c *meter) Err() error {
	if c.m.over != nil {
		return c.m.over
	}
	return c.Context.Err()
}

// plain is the context a meter (an addon's, or a worker state's) wraps,
// for a context derived from it (context.WithCancel): the context package
// calls a parent's Done when the child is made, and again from another
// goroutine when the child's cancel runs there (a kill timer's), or when
// the parent's Done was not its context's (a meter over its limit), while
// a meter's Done counts instructions, which only the goroutine running the
// code may do. Any other context is plain already.
func plain(ctx context.Context) context.Context {
	switch m := ctx.(type) {
	case *meter:
		return m.Context
	case *workerMeter:
		return m.Context
	}
	return ctx
}

// metered wraps ctx in the addon's meter when it is metered.
func (a *Addon) metered(ctx context.Context) context.Context {
	if a.mem.limit == 0 || ctx == nil {
		return ctx
	}
	return &meter{Context: ctx, m: &a.mem}
}

// Sizes of gopher-lua's values, in bytes, as Go lays them out on amd64:
// near enough for a budget.
const (
	sizeValue    = 16   // an LValue in a slice
	sizeEntry    = 48   // a map entry with its share of buckets
	sizeTable    = 96   // an LTable
	sizeString   = 16   // a string's header, boxed in an LValue
	sizeFunction = 80   // an LFunction
	sizeUpvalue  = 48   // an Upvalue
	sizeProto    = 200  // a FunctionProto's fixed part
	sizeUserData = 64   // an LUserData
	sizeThread   = 8192 // an LState made by NewThread, measured: its registry and call stack (5 KB of it the call-stack table)
	sizeTask     = 1024 // an unfinished task's scheduler side and handle, measured: 900 B
	sizeWorker   = 4096 // the goroutine a started task runs on: its stack, measured when parked (the runtime's adaptive initial size)
)

// tableFields reads the lengths of an LTable's unexported parts: a table
// keeps every key ever set (gopher-lua #214), so a table whose keys come
// and go grows while it looks empty to ForEach. -1 for a field not found
// (another version of gopher-lua).
var tableFields = func() (f struct{ array, dict, strdict, keys int }) {
	typ := reflect.TypeFor[glua.LTable]()
	find := func(name string) int {
		if sf, ok := typ.FieldByName(name); ok && (sf.Type.Kind() == reflect.Slice || sf.Type.Kind() == reflect.Map) {
			return sf.Index[0]
		}
		return -1
	}
	f.array, f.dict, f.strdict, f.keys = find("array"), find("dict"), find("strdict"), find("keys")
	return f
}()

func tableSize(t *glua.LTable) int64 {
	v := reflect.ValueOf(t).Elem()
	n := func(i int) int64 {
		if i < 0 {
			return 0
		}
		return int64(v.Field(i).Len())
	}
	return sizeTable + sizeValue*n(tableFields.array) + sizeEntry*(n(tableFields.dict)+n(tableFields.strdict)+n(tableFields.keys))
}

// measure walks what the addon's code can reach and returns its size; it
// gives up, and reports false, when ctx (if not nil) ends first.
func (a *Addon) measure(ctx context.Context) (int64, bool) {
	w := walk{seen: make(map[unsafe.Pointer]struct{}, a.mem.objects), strings: map[*byte]struct{}{}}
	if ctx != nil {
		w.done = ctx.Done()
	}
	L := a.main
	w.push(L.G.Global, L.G.Registry, L.Env)
	w.thread(L)
	for th := L.G.CurrentThread; th != nil; th = th.Parent {
		w.push(th)
	}
	for _, fn := range a.onFinEv {
		w.push(fn)
	}
	for _, lt := range a.h.running {
		if lt.a == a {
			// Its goroutine, and its thread less the call-stack table it
			// has lent while parked (callstack.go).
			w.size += sizeWorker - lt.lentBytes()
			w.push(lt.th, lt.fn)
		}
	}
	w.size += int64(len(a.pool)) * sizeThread
	if a.ws != nil {
		for _, d := range a.ws.defs {
			w.str(d.src)
		}
		w.size += a.ws.held.Load()
	}
	if !w.run(a) {
		return 0, false
	}
	a.mem.objects = len(w.seen)
	if a.ws == nil {
		return w.size, true
	}
	b := a.ws.cfg.budget
	b.addon.Store(w.size)
	return w.size + b.workers.Load(), true
}

// walk is a traversal of Lua values, with an explicit stack: a chain of a
// million nested tables must not grow the Go stack.
type walk struct {
	done    <-chan struct{} // the running code's end, checked every walkCheck values
	size    int64
	stack   []glua.LValue
	seen    map[unsafe.Pointer]struct{} // tables, functions, userdata, threads, prototypes
	strings map[*byte]struct{}          // long strings by their bytes: counted once however many values share them
}

func (w *walk) push(vs ...glua.LValue) {
	for _, v := range vs {
		var p unsafe.Pointer
		switch v := v.(type) {
		case glua.LString:
			w.str(string(v))
			continue
		case *glua.LTable:
			p = unsafe.Pointer(v)
		case *glua.LFunction:
			p = unsafe.Pointer(v)
		case *glua.LUserData:
			p = unsafe.Pointer(v)
		case *glua.LState:
			p = unsafe.Pointer(v)
		}
		if p == nil || w.visited(p) {
			continue // nil, booleans, numbers, or seen
		}
		w.stack = append(w.stack, v)
	}
}

// visited reports whether p was seen, and marks it seen.
func (w *walk) visited(p unsafe.Pointer) bool {
	if _, ok := w.seen[p]; ok {
		return true
	}
	w.seen[p] = struct{}{}
	return false
}

func (w *walk) str(s string) {
	w.size += sizeString
	if len(s) < 128 {
		w.size += int64(len(s))
		return
	}
	p := unsafe.StringData(s)
	if _, ok := w.strings[p]; !ok {
		w.strings[p] = struct{}{}
		w.size += int64(len(s))
	}
}

// walkCheck is how many values a walk takes between two looks at done.
const walkCheck = 4096

// run walks the stack's values and what they reach, and reports whether it
// did before done.
func (w *walk) run(a *Addon) bool {
	for n := 1; len(w.stack) > 0; n++ {
		if n%walkCheck == 0 && w.done != nil {
			select {
			case <-w.done:
				return false
			default:
			}
		}
		v := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		switch v := v.(type) {
		case *glua.LTable:
			w.size += tableSize(v)
			w.push(v.Metatable)
			v.ForEach(func(k, val glua.LValue) { w.push(k, val) })
		case *glua.LFunction:
			w.size += sizeFunction + sizeUpvalue*int64(len(v.Upvalues))
			if v.Env != nil {
				w.push(v.Env)
			}
			for _, uv := range v.Upvalues {
				w.push(uv.Value())
			}
			w.proto(v.Proto)
		case *glua.LUserData:
			w.size += sizeUserData
			w.push(v.Metatable)
			if v.Env != nil {
				w.push(v.Env)
			}
			r, ok := v.Value.(*taskRef)
			if ok && r.h != nil && r.h.State() != sched.Finished {
				w.size += sizeTask
			} else if ok && r.h != nil {
				switch res, err := r.h.Result(); { // what Result and Error give the addon
				case err != nil:
					if le := (*LuaError)(nil); errors.As(err, &le) && le.addon == a {
						w.push(le.Value)
					}
				case res != nil:
					if res, ok := res.(Results); ok && res.Addon == a {
						w.push(res.Values...)
					}
				}
			}
		case *glua.LState:
			w.size += sizeThread
			w.thread(v)
		}
	}
	return true
}

func (w *walk) proto(p *glua.FunctionProto) {
	if p == nil || w.visited(unsafe.Pointer(p)) {
		return
	}
	w.size += sizeProto + 4*int64(len(p.Code)) + sizeValue*int64(len(p.Constants)) + 8*int64(len(p.DbgSourcePositions))
	w.push(p.Constants...)
	for _, q := range p.FunctionPrototypes {
		w.proto(q)
	}
}

// thread pushes the values on th's stack: every level's locals and
// temporaries (the functions called among them).
func (w *walk) thread(th *glua.LState) {
	for level := 0; ; level++ {
		dbg, ok := th.GetStack(level)
		if !ok {
			return
		}
		for n := 1; ; n++ {
			name, v := th.GetLocal(dbg, n)
			if name == "" {
				break
			}
			w.push(v)
		}
	}
}
