package lua

import (
	"context"
	"runtime/metrics"
	"sync/atomic"
	"unsafe"

	glua "github.com/yuin/gopher-lua"
)

// The memory budget of a worker state of an untrusted addon. An addon's
// state and its worker states share the addon's limit: each publishes its
// last measure (sharedBudget), and a worker state may keep what the others
// leave. A worker state's account is kept as an addon's is (memory.go)
// but by the goroutine running the state's call, and with no attribution
// between addons: the estimate is everything the process allocated while
// the call ran, which other goroutines' allocations can only inflate, so
// that the state is measured sooner. A call that goes over fails with a
// *MemoryError (Worker set) that pcall cannot swallow, and its state is
// closed and replaced: what it kept is not known to be freed.

// sharedBudget is what an addon keeps, by the last measures: its own state
// (with what its calls hold) and its worker states, together.
type sharedBudget struct {
	addon, workers atomic.Int64
}

// workerMeter is the context of an untrusted addon's worker state during a
// call: the call's context, and the state's memory account. Only the
// goroutine running the state's call uses it.
type workerMeter struct {
	context.Context                 // the running call's
	done            <-chan struct{} // its Done
	L               *glua.LState
	addon           string
	limit           int64 // the addon's, shared
	budget          *sharedBudget
	used            int64 // the last measure of this state
	since           int64 // bytes allocated since it
	steps           int   // VM instructions until the next reading
	mark            uint64
	over            *MemoryError
	sample          [1]metrics.Sample
}

func newWorkerMeter(L *glua.LState, addon string, limit int64, budget *sharedBudget) *workerMeter {
	m := &workerMeter{L: L, addon: addon, limit: limit, budget: budget}
	m.sample[0].Name = "/gc/heap/allocs:bytes"
	return m
}

// begin starts a call under ctx: what was allocated between calls is not
// the state's.
func (m *workerMeter) begin(ctx context.Context) {
	m.Context, m.done, m.over = ctx, ctx.Done(), nil
	m.steps = meterEvery
	m.mark = m.read()
}

func (m *workerMeter) read() uint64 {
	metrics.Read(m.sample[:])
	return m.sample[0].Value.Uint64()
}

// Done is called by the VM before every instruction.
func (m *workerMeter) Done() <-chan struct{} {
	if m.steps--; m.steps < 0 {
		now := m.read()
		m.since += int64(now - m.mark)
		m.mark = now
		m.check(0)
		m.steps = readingEvery(m.limit, m.used+m.others(), m.since)
	}
	if m.over != nil {
		return closed
	}
	return m.done
}

func (m *workerMeter) Err() error {
	if m.over != nil {
		return m.over
	}
	return m.Context.Err()
}

// others is what the addon keeps outside this state.
func (m *workerMeter) others() int64 { return m.budget.addon.Load() + m.budget.workers.Load() - m.used }

// check measures the state when its estimate, with n bytes about to be
// allocated, could take the addon over its limit, and fails the call when
// the measure does.
func (m *workerMeter) check(n int64) {
	if m.over != nil || m.since+n < max(m.limit-m.used-m.others(), m.limit/8) {
		return
	}
	m.measure(n)
}

// measure measures the state, and fails the call when it, with n bytes
// about to be allocated, takes the addon over its limit.
func (m *workerMeter) measure(n int64) {
	used, ok := measureState(m.L, m.done)
	m.mark = m.read() // what the walk allocated is not the state's
	if !ok {
		return
	}
	m.budget.workers.Add(used - m.used)
	m.used, m.since = used, 0
	if all := m.others() + used + n; all > m.limit {
		m.over = &MemoryError{Addon: m.addon, Used: all, Limit: m.limit, Worker: true}
	}
}

// settle measures the state at the end of a call that allocated an eighth
// of the limit or more since the last measure, so that what the state
// keeps between calls counts in the addon's budget, and returns the memory
// error when that takes the addon over.
func (m *workerMeter) settle() error {
	if m.over == nil && m.since >= m.limit/8 {
		m.measure(0)
	}
	if m.over != nil {
		return m.over
	}
	return nil
}

// forget takes the state's last measure out of the addon's: it is closed.
func (m *workerMeter) forget() {
	m.budget.workers.Add(-m.used)
	m.used = 0
}

// reserve accounts for n bytes about to be allocated, and returns the
// memory error, before they are, when they would take the state over.
func (m *workerMeter) reserve(n int64) error {
	m.check(n)
	if m.over != nil {
		return m.over
	}
	m.since += n
	m.steps = min(m.steps, readingEvery(m.limit, m.used+m.others(), m.since)) // less room: read sooner
	return nil
}

// charge is reserve for a built-in: it raises the memory error.
func (m *workerMeter) charge(L *glua.LState, n int64) {
	if err := m.reserve(n); err != nil {
		L.RaiseError("%s", err.Error())
	}
}

// measureState walks what code on L can reach (its globals, registry and
// the stacks of its running threads) and returns its size; it gives up,
// and reports false, when done (if not nil) is closed first.
func measureState(L *glua.LState, done <-chan struct{}) (int64, bool) {
	w := walk{done: done, seen: map[unsafe.Pointer]struct{}{}, strings: map[*byte]struct{}{}}
	w.push(L.G.Global, L.G.Registry, L.Env)
	w.thread(L)
	for th := L.G.CurrentThread; th != nil; th = th.Parent {
		w.push(th)
	}
	if !w.run(nil) {
		return 0, false
	}
	return w.size, true
}
