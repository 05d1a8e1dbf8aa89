package lua_test

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// TestSoakMixed is issue 11's soak: frames of mixed load (Go jobs, Lua
// jobs of well-behaved addons, generations of hostile addons killed by the
// watchdog) on one scheduler, checking as it goes that every job ends as
// expected and every hostile failure is reported, and at the end that the
// heap and the goroutines are back within 10% of where they were after a
// warm-up. 20,000 frames (a few seconds), or 1,000,000 with
// FRAMESCHED_SOAK=1.
//
// It runs in a synctest bubble, where the mock clock's real-millisecond
// sleep per Add costs about half a microsecond.
func TestSoakMixed(t *testing.T) {
	frames := 20_000
	if os.Getenv("FRAMESCHED_SOAK") == "1" {
		frames = 1_000_000
	}
	began := time.Now()
	var f soakFigures
	defer func() { // also after a failure in the bubble, which ends the test
		t.Logf("%d frames in %v: %d tasks finished, %d collected, %d jobs checked (%d Go, %d Lua), "+
			"%d hostile generations of %d addons, %d watchdog kills, %d hostile errors",
			f.frames, time.Since(began).Round(time.Millisecond), f.finished, f.collected, f.goJobs+f.luaJobs,
			f.goJobs, f.luaJobs, f.gens, len(hostileKinds), f.kills, f.hostileErrs)
		t.Logf("after a warm-up of %d frames -> at the end: heap in use %d KiB -> %d KiB (live objects %d KiB -> %d KiB), "+
			"goroutines %d -> %d, task goroutines %d -> %d, owners %d -> %d",
			f.warmup, f.heap[0]>>10, f.heap[1]>>10, f.live[0]>>10, f.live[1]>>10, f.goroutines[0], f.goroutines[1],
			f.taskGoroutines[0], f.taskGoroutines[1], f.owners[0], f.owners[1])
	}()
	bubble(t, func(t *testing.T) {
		f = runSoak(t, frames, false)
		f.check(t)
	})
}

// The same soak, short, twice: the same trace.
func TestSoakMixedDeterministic(t *testing.T) {
	var digests [2]uint64
	for i := range digests {
		bubble(t, func(t *testing.T) { digests[i] = runSoak(t, 1500, true).digest })
	}
	if digests[0] != digests[1] {
		t.Errorf("trace digests %x and %x differ", digests[0], digests[1])
	}
}

// soakFigures are what a soak measured.
type soakFigures struct {
	frames, warmup                       int
	finished, collected, goJobs, luaJobs int
	gens, kills, hostileErrs             int
	heap, live                           [2]uint64 // heap in use and live bytes after the warm-up, at the end
	goroutines, taskGoroutines, owners   [2]int
	digest                               uint64 // of the trace, when asked for
}

// soak is the state of a soak: the scheduler on a mock clock, the hosts,
// what it waits for and what it counted.
type soak struct {
	t      *testing.T
	clk    *clock.Mock
	s      *sched.Scheduler
	rng    *rand.Rand
	host   *lua.Host // the well-behaved addons'
	addons []*lua.Addon
	gen    *hostileGen // the hostile addons of now
	gens   int
	trace  hash.Hash64

	jobs    []job          // Go jobs not yet checked
	stops   []stopAt       // Go jobs to stop
	luaJobs map[int]luaJob // Lua jobs not yet reported, by id
	nextID  int

	wantErrs, gotErrs map[string]int // errors of owners other than the hostile ones
	dropped           int            // tasks left to the collector
	collected, warned int            // tasks stopped by it, Collected warnings
	finished          int
	kills             int
	failures          int
	f                 soakFigures
}

const (
	sweepEvery   = 16  // frames between checks of the finished jobs
	collectEvery = 256 // frames between collections
	maxFailures  = 20
	maxLive      = 500 // live tasks of an owner between hostile generations
)

func runSoak(t *testing.T, frames int, traced bool) soakFigures {
	k := &soak{t: t, clk: clock.NewMock(), rng: rand.New(rand.NewPCG(11, 1)),
		luaJobs: map[int]luaJob{}, wantErrs: map[string]int{}, gotErrs: map[string]int{}}
	opts := []sched.Option{
		sched.WithClock(k.clk),
		sched.WithBudget(budget),
		sched.WithManualCollect(),
		sched.WithErrorHandler(k.onError),
		sched.WithWatchdog(20*time.Millisecond, k.onWarning),
	}
	if traced {
		k.trace = fnv.New64a()
		// The figures of memory errors vary from run to run (see maskMemory).
		opts = append(opts, sched.WithTrace(func(e sched.Event) { fmt.Fprintln(k.trace, maskMemory(e.String())) }))
	}
	k.s = sched.New(opts...)
	k.s.OnFinished(k.onFinished)
	k.host = lua.NewHost(k.s, lua.Config{KillAfter: killAfter, Print: func(string, string) {}})
	k.newWellBehaved()

	k.f.frames, k.f.warmup = frames, min(frames/10, 20_000)
	k.run(k.f.warmup)
	k.settle()
	k.measure(0)
	k.run(frames - k.f.warmup)
	k.settle()
	k.measure(1)
	if err := k.s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	k.host.Close()
	if left := leak.TaskGoroutines(); len(left) > 0 {
		t.Errorf("%d task goroutines after Close:\n%s", len(left), strings.Join(left, "\n\n"))
	}

	k.f.finished, k.f.collected, k.f.gens, k.f.kills = k.finished, k.collected, k.gens, k.kills
	if k.trace != nil {
		fmt.Fprintln(k.trace, k.f.finished, k.f.collected, k.f.kills, k.f.hostileErrs, k.clk.Now().UnixNano())
		k.f.digest = k.trace.Sum64()
	}
	return k.f
}

// run runs n frames of mixed load.
func (k *soak) run(n int) {
	for range n {
		if k.s.Frame()%hostilePeriod == 0 {
			if k.gen != nil {
				k.endGen()
			}
			k.checkLive()
			k.newGen()
		}
		if k.rng.IntN(2) == 0 {
			k.spawnGo()
		}
		if k.rng.IntN(2) == 0 {
			k.spawnLua()
		}
		k.frame()
	}
}

// frame runs one frame, then lets frameGap of mock time pass.
func (k *soak) frame() {
	k.stopDue()
	k.s.RunFrame()
	k.clk.Add(frameGap)
	switch f := k.s.Frame(); {
	case f%collectEvery == 0:
		k.s.Collect()
	case f%sweepEvery == 0:
		k.sweep()
	}
}

// settle runs frames without new load until no task is left, collecting
// as it goes, ends the hostile generation and checks that everything
// expected happened: every job ended as it must, every dropped task was
// collected, every owner's live count is back to 0.
func (k *soak) settle() {
	for i := 1; k.live() > 0; i++ {
		if i > 1000 {
			for _, ti := range k.s.Snapshot() {
				k.t.Logf("left: %+v", ti)
			}
			k.t.Fatalf("tasks left after settling for 1000 frames")
		}
		k.frame()
		if i%8 == 0 {
			k.s.Collect()
		}
	}
	if k.gen != nil {
		k.endGen()
	}
	k.sweep()
	if len(k.jobs) > 0 || len(k.luaJobs) > 0 || len(k.stops) > 0 {
		k.fail("after settling: %d Go jobs, %d Lua jobs not ended as expected, %d stops not done", len(k.jobs), len(k.luaJobs), len(k.stops))
	}
	if k.collected != k.dropped || k.warned != k.dropped {
		k.fail("%d tasks dropped, %d stopped by the collector, %d Collected warnings", k.dropped, k.collected, k.warned)
	}
	for owner, n := range k.wantErrs {
		if k.gotErrs[owner] != n {
			k.fail("owner %s: %d errors reported, want %d", owner, k.gotErrs[owner], n)
		}
	}
	for _, o := range k.s.Owners() {
		if o.Live != 0 {
			k.fail("owner %s: %d live after settling", o.Name, o.Live)
		}
	}
}

// checkLive checks that every owner's live count is the number of its
// unfinished tasks, and that they stay few: the load is steady.
func (k *soak) checkLive() {
	n := map[string]int{}
	for h := range k.s.Tasks() {
		n[h.Owner()]++
	}
	for _, o := range k.s.Owners() {
		if o.Live != n[o.Name] || o.Live > maxLive {
			k.fail("frame %d: owner %s has %d live tasks, %d listed (at most %d expected)", k.s.Frame(), o.Name, o.Live, n[o.Name], maxLive)
		}
	}
}

func (k *soak) live() int {
	n := 0
	for range k.s.Tasks() {
		n++
	}
	return n
}

// measure records the heap in use and the goroutines, at i (0: after the
// warm-up, 1: at the end).
func (k *soak) measure(i int) {
	k.fillPools()
	k.settle()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	k.f.heap[i], k.f.live[i] = m.HeapInuse, m.HeapAlloc
	k.f.goroutines[i] = runtime.NumGoroutine()
	k.f.taskGoroutines[i] = len(leak.TaskGoroutines())
	k.f.owners[i] = len(k.s.Owners())
}

// check checks that the heap and the goroutines at the end are within 10%
// of what they were after the warm-up. The heap in use may also grow by
// heapFloor: with the same live bytes it moves by up to about 0.9 MiB from
// one measure to the next (spans kept by size classes the main run used
// more), which is about 10% of this heap. The live bytes, which that does
// not blur, must be within 10% with no floor.
func (f *soakFigures) check(t *testing.T) {
	const heapFloor = 3 << 19 // 1.5 MiB
	if limit := f.heap[0] + max(f.heap[0]/10, heapFloor); f.heap[1] > limit {
		t.Errorf("heap in use %d KiB at the end, want at most %d KiB (%d KiB after the warm-up, plus 10%% or 1.5 MiB)",
			f.heap[1]>>10, limit>>10, f.heap[0]>>10)
	}
	if limit := f.live[0] + f.live[0]/10; f.live[1] > limit {
		t.Errorf("live heap %d KiB at the end, want at most %d KiB (%d KiB after the warm-up, plus 10%%)",
			f.live[1]>>10, limit>>10, f.live[0]>>10)
	}
	if limit := f.goroutines[0] + f.goroutines[0]/10; f.goroutines[1] > limit {
		t.Errorf("%d goroutines at the end, want at most %d (%d after the warm-up, plus 10%%)", f.goroutines[1], limit, f.goroutines[0])
	}
	if limit := f.taskGoroutines[0] + f.taskGoroutines[0]/10; f.taskGoroutines[1] > limit {
		t.Errorf("%d task goroutines at the end, want at most %d (%d after the warm-up, plus 10%%)", f.taskGoroutines[1], limit, f.taskGoroutines[0])
	}
}

// stopDue stops the Go jobs whose stop frame has come.
func (k *soak) stopDue() {
	kept := k.stops[:0]
	for _, st := range k.stops {
		if st.frame > k.s.Frame() {
			kept = append(kept, st)
			continue
		}
		if err := st.h.Stop("soak stop"); err != nil {
			k.fail("Stop: %v", err)
		}
	}
	clear(k.stops[len(kept):])
	k.stops = kept
}

// sweep checks the Go jobs that have finished.
func (k *soak) sweep() {
	kept := k.jobs[:0]
	for _, j := range k.jobs {
		if !j.h.Finished() {
			kept = append(kept, j)
			continue
		}
		k.f.goJobs++
		res, err := j.h.Result()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != j.err || err == nil && res != j.want {
			k.fail("Go job %v ended with %v, %q; want %v, %q", j.h, res, got, j.want, j.err)
		}
	}
	clear(k.jobs[len(kept):])
	k.jobs = kept
}

func (k *soak) onError(te sched.TaskError) {
	if k.hostileError(te.Owner, te.Task+": "+te.Err.Error()) {
		k.f.hostileErrs++
		return
	}
	k.gotErrs[te.Owner]++
	if msg := te.Err.Error(); te.Owner != goOwner || msg != errGoJob.Error() && msg != "panic: go job panicked" {
		k.fail("unexpected error: %v", te)
	}
}

func (k *soak) onWarning(w sched.Warning) {
	switch {
	case w.Kind == sched.Collected:
		k.warned++
	case k.gen == nil || k.gen.kind[w.Owner] == nil:
		k.fail("warning about a well-behaved task: %s %s: %s", w.Owner, w.Task, w.Message())
	}
}

func (k *soak) onFinished(e sched.FinishEvent) {
	k.finished++
	if se := (*sched.StopError)(nil); errors.As(e.Err, &se) && se.Reason == "handle collected" {
		k.collected++
	}
}

// globals gives addon a the soak's globals: work(seconds), mock CPU work
// of the running code.
func (k *soak) globals(a *lua.Addon) {
	L := a.State()
	L.SetGlobal("work", L.NewFunction(func(L *glua.LState) int {
		k.clk.Add(time.Duration(float64(L.CheckNumber(1)) * float64(time.Second)))
		return 0
	}))
	if err := a.DoString("prelude", `Task, Wait = blTasks.Task, blTasks.Wait`); err != nil {
		k.t.Fatal(err)
	}
}

// fail reports a broken invariant; past maxFailures, it ends the soak.
func (k *soak) fail(format string, args ...any) {
	k.t.Helper()
	k.failures++
	k.t.Errorf(format, args...)
	if k.failures >= maxFailures {
		k.t.Fatalf("%d failures: giving up", k.failures)
	}
}
