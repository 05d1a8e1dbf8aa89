package lua_test

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// scaleWork is the work of the scale benchmarks' tasks: work(self, units,
// breathe) does units of a 200-iteration arithmetic loop, with a Breath
// between them if breathe, and calls bench.unit() before and after each
// unit (see unitTimer). spawn(n, units) starts n tasks doing units with
// Breaths; solo(units) starts one task doing them without.
const scaleWork = `
	function work(self, units, breathe)
		local x, unit = 0, bench.unit
		for u = 1, units do
			unit()
			for i = 1, 200 do x = x + i * i end
			unit()
			if breathe then self:Breath() end
		end
		return x
	end
	function solo(units)
		blTasks.Task.Create(function(self) work(self, units, false) end):Start()
	end
	function spawn(n, units)
		local Create = blTasks.Task.Create
		local f = function(self) work(self, units, true) end
		for i = 1, n do Create(f):Start() end
	end`

// unitTimer times the units of scaleWork. Tasks take turns, and a unit has
// no Breath inside, so a unit's two calls of bench.unit() follow each other.
type unitTimer struct {
	start   time.Time
	inUnit  bool
	sum     time.Duration
	counted int
}

func (u *unitTimer) call(*glua.LState) int {
	if u.inUnit {
		u.sum += time.Since(u.start)
		u.counted++
	} else {
		u.start = time.Now()
	}
	u.inUnit = !u.inUnit
	return 0
}

// take returns the mean time of the units timed since the last take, and
// starts again.
func (u *unitTimer) take(b *testing.B, want int) time.Duration {
	if u.counted != want || u.inUnit {
		b.Fatalf("%d units timed, want %d", u.counted, want)
	}
	mean := u.sum / time.Duration(u.counted)
	*u = unitTimer{}
	return mean
}

// scaleOptions are an untrusted addon's defaults but for the limits: the
// default task limit is 10,000 tasks, and the memory budget charges each
// running task its goroutine's smallest stack and its Lua thread (16 KB), so
// that the default 64 MB budget holds about 4,000.
var scaleOptions = lua.AddonOptions{TaskLimit: -1, MemoryLimit: 4 << 30}

// scaleUnitsPerTask is how many units each task of BenchmarkScale does.
const scaleUnitsPerTask = 100

// BenchmarkScale runs n Lua tasks of an untrusted addon (the default
// options, without the limits), each doing 100 units of work with
// self:Breath() between them, to completion on the real clock with a 50 ms
// frame budget; one op is the whole run. overhead (x) is the run's time
// over the units' own cost, n × 100 × the mean time of a unit in the run:
// every task reads the clock before and after each of its units, so the
// units' cost is measured on the same machine, under the same load and with
// the same caches as the run (the reads, about 2 × 25 ns a unit, fall in
// the overhead). 1 would be a scheduler that costs nothing. solo-x is the
// same with the units' cost measured in a task doing its 100 units alone,
// without Breath, before and after the run (the median of six): it counts
// what the caches, cold after other tasks ran, cost the units themselves
// as overhead too, and is at the mercy of the machine's load, which a run
// of a millisecond escapes and a run of seconds does not. B/task is the
// heap and stacks per task, from before the tasks were made, after the
// first frame that ends with every task having run a slice.
//
// FRAMESCHED_SCALE=100000 (or any n) adds a case lua-tasks=n, which logs
// its figures as well; it is not run otherwise (one op of 100,000 tasks
// takes minutes here).
func BenchmarkScale(b *testing.B) {
	sizes := []int{100, 1000, 10000}
	if v := os.Getenv("FRAMESCHED_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("FRAMESCHED_SCALE=%q: want a number of tasks", v)
		}
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("lua-tasks=%d", n), func(b *testing.B) {
			var r scaleResult
			for range b.N {
				r = scaleRun(b, n)
			}
			b.ReportMetric(r.overhead, "x")
			b.ReportMetric(r.solo, "solo-x")
			b.ReportMetric(r.perTask, "B/task")
			if len(sizes) > 3 {
				b.Logf("lua-tasks=%d: overhead %.3fx (solo %.3fx), %.0f B/task, unit %v in the run, %v alone, run %v",
					n, r.overhead, r.solo, r.perTask, r.unit, r.soloUnit, r.took)
			}
		})
	}
}

type scaleResult struct {
	overhead, solo, perTask float64
	unit, soloUnit, took    time.Duration
}

// scaleAddon is benchAddon with scaleOptions and scaleWork, whose units
// the returned timer times.
func scaleAddon(b *testing.B, budget time.Duration) (*sched.Scheduler, *lua.Addon, *unitTimer) {
	s, a, _ := benchAddon(b, budget, scaleOptions)
	L := a.State()
	timer := new(unitTimer)
	L.GetGlobal("bench").(*glua.LTable).RawSetString("unit", L.NewFunction(timer.call))
	benchDo(b, a, scaleWork)
	return s, a, timer
}

// scaleRun is one op of BenchmarkScale.
func scaleRun(b *testing.B, n int) (r scaleResult) {
	b.StopTimer()
	s, a, timer := scaleAddon(b, 50*time.Millisecond)
	L := a.State()
	solo := func() time.Duration {
		if err := a.Call(L.GetGlobal("solo"), glua.LNumber(scaleUnitsPerTask)); err != nil {
			b.Fatal(err)
		}
		benchFrames(b, s)
		return timer.take(b, scaleUnitsPerTask)
	}
	var solos []time.Duration
	for range 4 { // warms the addon's code and thread pool up, then measures
		solos = append(solos, solo())
	}
	mem := benchHeapAndStacks()
	if err := a.Call(L.GetGlobal("spawn"), glua.LNumber(n), glua.LNumber(scaleUnitsPerTask)); err != nil {
		b.Fatal(err)
	}
	measured := false
	for frame := 0; ; frame++ {
		if frame == 1000000 {
			b.Fatal("tasks still running after a million frames")
		}
		b.StartTimer()
		start := time.Now()
		s.RunFrame()
		r.took += time.Since(start)
		b.StopTimer()
		if !benchLive(s) {
			break
		}
		if !measured && allRan(s) {
			r.perTask = float64(benchHeapAndStacks()-mem) / float64(n)
			measured = true
		}
	}
	r.unit = timer.take(b, n*scaleUnitsPerTask)
	for range 3 {
		solos = append(solos, solo())
	}
	s.Close()
	slices.Sort(solos[1:])
	r.soloUnit = solos[1+len(solos[1:])/2]
	work := float64(n * scaleUnitsPerTask)
	r.overhead = float64(r.took) / (float64(r.unit) * work)
	r.solo = float64(r.took) / (float64(r.soloUnit) * work)
	return r
}

// allRan reports whether every live task of s has run a slice.
func allRan(s *sched.Scheduler) bool {
	for h := range s.Tasks() {
		if h.Stats().Slices == 0 {
			return false
		}
	}
	return true
}

// BenchmarkSwitchAtScale is BenchmarkParkResume/lua with 10,000 tasks: each
// frame's budget is a nanosecond, so a frame resumes the next task in line
// until it parks at its Breath, cycling through all of them, each parked
// since the previous round.
func BenchmarkSwitchAtScale(b *testing.B) {
	const n = 10000
	b.Run(fmt.Sprintf("lua-tasks=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		s, a, _ := benchAddon(b, time.Nanosecond, scaleOptions)
		benchDo(b, a, `function spawn(n)
			local Create = blTasks.Task.Create
			local f = function(self) while true do self:Breath() end end
			for i = 1, n do Create(f):Start() end
		end`)
		if err := a.Call(a.State().GetGlobal("spawn"), glua.LNumber(n)); err != nil {
			b.Fatal(err)
		}
		for range 2 * n { // every task runs to its first Breath, then once more
			s.RunFrame()
		}
		benchParkingFrames(b, s)
	})
}

// BenchmarkTaskMemory measures the memory (heap and goroutine stacks, from
// before the tasks were made) of 10,000 Lua tasks of an untrusted addon that
// have each run a slice of real work (three of scaleWork's units, with a
// Breath between them) and now wait; BenchmarkParkedMemory/lua is the same
// for tasks that wait as soon as they start. B/task counts the heap's spans
// in use (HeapInuse) and the stacks (stack-B/task); live-B/task is the heap's
// live objects alone (HeapAlloc): the difference is the spans that the
// garbage of the tasks' work (gopher-lua's number blocks, the discarded
// globals NewThread makes) left partly used.
func BenchmarkTaskMemory(b *testing.B) {
	b.Run("lua-after-run", func(b *testing.B) {
		const n = 10000
		var perTask, stackPerTask, livePerTask float64
		for range b.N {
			b.StopTimer()
			s, a, _ := scaleAddon(b, time.Hour)
			benchDo(b, a, `
				function spawnWorked(n)
					local Create, Timespan = blTasks.Task.Create, blTasks.Wait.Timespan
					local f = function(self)
						work(self, 3, true)
						self:Wait(Timespan(3600))
					end
					keep = {}
					for i = 1, n do keep[i] = Create(f):Start() end
				end`)
			spawn := a.State().GetGlobal("spawnWorked")
			b.StartTimer()
			m0 := benchMemory()
			if err := a.Call(spawn, glua.LNumber(n)); err != nil {
				b.Fatal(err)
			}
			s.RunFrame()
			m := benchMemory()
			perTask = float64(m.HeapInuse+m.StackInuse-m0.HeapInuse-m0.StackInuse) / n
			stackPerTask = float64(m.StackInuse-m0.StackInuse) / n
			livePerTask = float64(m.HeapAlloc-m0.HeapAlloc) / n
			b.StopTimer()
			benchAllWaiting(b, s, n)
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(perTask, "B/task")
		b.ReportMetric(stackPerTask, "stack-B/task")
		b.ReportMetric(livePerTask, "live-B/task")
	})
}

// benchMemory is the runtime's memory statistics after a collection.
func benchMemory() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
