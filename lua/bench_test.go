package lua_test

import (
	"runtime"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// Benchmarks use the real clock and the default (untrusted) addon options
// unless they say otherwise: they measure what a host pays.

// benchAddon makes a host on a scheduler with the given budget and one
// addon, and gives its Lua code a bench table: bench.n is b.N,
// bench.start() and bench.stop() start and stop the benchmark's timer (see
// benchTimedInLua), and bench.lap() records the time of the real clock, for
// figures measured inside a task.
func benchAddon(b *testing.B, budget time.Duration, opts lua.AddonOptions) (*sched.Scheduler, *lua.Addon, *[]time.Time) {
	b.Helper()
	s := sched.New(sched.WithBudget(budget))
	h := lua.NewHost(s, lua.Config{Print: func(string, string) {}})
	a, err := h.NewAddon("bench", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		s.Close()
		h.Close()
	})
	laps := new([]time.Time)
	L := a.State()
	t := L.NewTable()
	t.RawSetString("n", glua.LNumber(b.N))
	L.SetFuncs(t, map[string]glua.LGFunction{
		"start": func(*glua.LState) int { b.StartTimer(); return 0 },
		"stop":  func(*glua.LState) int { b.StopTimer(); return 0 },
		"lap":   func(*glua.LState) int { *laps = append(*laps, time.Now()); return 0 },
	})
	L.SetGlobal("bench", t)
	return s, a, laps
}

func benchDo(b *testing.B, a *lua.Addon, src string) {
	b.Helper()
	if err := a.DoString("bench", src); err != nil {
		b.Fatal(err)
	}
}

// benchTimedInLua runs frames until every task has finished, with the
// benchmark's timer running only between the tasks' bench.start() and
// bench.stop() calls.
func benchTimedInLua(b *testing.B, s *sched.Scheduler) {
	b.Helper()
	b.StopTimer()
	b.ResetTimer()
	benchFrames(b, s)
}

// benchFrames runs frames until every task has finished.
func benchFrames(b *testing.B, s *sched.Scheduler) {
	b.Helper()
	for range 1000000 {
		s.RunFrame()
		if !benchLive(s) {
			return
		}
	}
	b.Fatal("tasks still running after a million frames")
}

func benchLive(s *sched.Scheduler) bool {
	for range s.Tasks() {
		return true
	}
	return false
}

func BenchmarkBreath(b *testing.B) {
	// lua-nopark times the loop with the call. It also times the empty loop,
	// in the same task, in chunks interleaved with the timed ones so that
	// both see the same machine, and reports the difference per call as
	// ns/breath. lua-emptyloop is the empty loop alone.
	b.Run("lua-nopark", func(b *testing.B) {
		b.ReportAllocs()
		s, a, laps := benchAddon(b, time.Hour, lua.AddonOptions{})
		benchDo(b, a, `
			blTasks.Task.Create(function(self)
				local n, chunks, done = bench.n, 16, 0
				for c = 1, chunks do
					local m = math.floor(n * c / chunks) - done
					done = done + m
					bench.lap()
					for i = 1, m do end
					bench.lap()
					bench.start()
					bench.lap()
					for i = 1, m do self:Breath() end
					bench.lap()
					bench.stop()
				end
			end):Start()`)
		benchTimedInLua(b, s)
		l := *laps
		if len(l) != 16*4 {
			b.Fatalf("laps: got %d, want %d", len(l), 16*4)
		}
		var empty, breath time.Duration
		for i := 0; i < len(l); i += 4 {
			empty += l[i+1].Sub(l[i])
			breath += l[i+3].Sub(l[i+2])
		}
		b.ReportMetric(float64(breath-empty)/float64(b.N), "ns/breath")
	})
	b.Run("lua-emptyloop", func(b *testing.B) {
		b.ReportAllocs()
		s, a, _ := benchAddon(b, time.Hour, lua.AddonOptions{})
		benchDo(b, a, `
			blTasks.Task.Create(function(self)
				local n = bench.n
				bench.start()
				for i = 1, n do end
				bench.stop()
			end):Start()`)
		benchTimedInLua(b, s)
	})
}

// BenchmarkParkResume parks a Lua task at every Breath: each frame's budget
// is a nanosecond, so the frame's first slice runs and its Breath finds the
// budget spent. lua is an untrusted addon with the default memory limit,
// whose slices read the allocation counter as they start and end;
// lua-unmetered has no memory limit.
func BenchmarkParkResume(b *testing.B) {
	for _, c := range []struct {
		name string
		opts lua.AddonOptions
	}{{"lua", lua.AddonOptions{}}, {"lua-unmetered", lua.AddonOptions{MemoryLimit: -1}}} {
		benchParkResume(b, c.name, c.opts)
	}
}

func benchParkResume(b *testing.B, name string, opts lua.AddonOptions) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		s, a, _ := benchAddon(b, time.Nanosecond, opts)
		benchDo(b, a, `
			blTasks.Task.Create(function(self)
				while true do self:Breath() end
			end):Start()`)
		s.RunFrame()
		benchParkingFrames(b, s)
	})
}

// benchParkingFrames resets the timer and runs b.N frames, each of which
// must park one task.
func benchParkingFrames(b *testing.B, s *sched.Scheduler) {
	b.Helper()
	b.ResetTimer()
	for range b.N {
		if st := s.RunFrame(); st.Parked != 1 {
			b.Fatalf("frame parked %d tasks, want 1", st.Parked)
		}
	}
}

// BenchmarkBaseline is the design a gopher-lua user would write first: a
// Lua coroutine that yields with coroutine.yield, resumed from Go with
// L.Resume, on the same kind of addon state as BenchmarkParkResume.
func BenchmarkBaseline(b *testing.B) {
	b.Run("lua-coroutine", func(b *testing.B) {
		b.ReportAllocs()
		_, a, _ := benchAddon(b, time.Hour, lua.AddonOptions{})
		benchDo(b, a, `function parker() while true do coroutine.yield() end end`)
		L := a.State()
		fn := L.GetGlobal("parker").(*glua.LFunction)
		co, _ := L.NewThread()
		b.ResetTimer()
		for range b.N {
			if st, err, _ := L.Resume(co, fn); st != glua.ResumeYield || err != nil {
				b.Fatalf("Resume: %v, %v", st, err)
			}
		}
	})
}

// BenchmarkParkedMemory measures the memory of Lua tasks waiting, each on
// its own Lua thread and coroutine, with their handles held in a Lua table.
// The addon's memory budget is raised (see scaleOptions): the default one
// stops an addon of 10,000 running tasks.
// The goroutine stacks' share depends on the runtime's adaptive initial
// stack size (GODEBUG adaptivestackstart, on by default).
func BenchmarkParkedMemory(b *testing.B) {
	b.Run("lua", func(b *testing.B) {
		b.ReportAllocs()
		const n = 10000
		var perTask float64
		for range b.N {
			b.StopTimer()
			s, a, _ := benchAddon(b, time.Hour, scaleOptions)
			benchDo(b, a, `function spawn(n)
				local Task, Wait = blTasks.Task, blTasks.Wait
				keep = {}
				for i = 1, n do
					keep[i] = Task.Create(function(self)
						self:Wait(Wait.Timespan(3600))
					end):Start()
				end
			end`)
			spawn := a.State().GetGlobal("spawn")
			b.StartTimer()
			before := benchHeapAndStacks()
			if err := a.Call(spawn, glua.LNumber(n)); err != nil {
				b.Fatal(err)
			}
			s.RunFrame()
			perTask = float64(benchHeapAndStacks()-before) / n
			b.StopTimer()
			benchAllWaiting(b, s, n)
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(perTask, "B/task")
	})
}

// benchAllWaiting fails the benchmark unless s has n live tasks, all
// waiting.
func benchAllWaiting(b *testing.B, s *sched.Scheduler, n int) {
	b.Helper()
	live := 0
	for h := range s.Tasks() {
		if h.State() != sched.Waiting {
			b.Fatalf("a task is %v, want waiting", h.State())
		}
		live++
	}
	if live != n {
		b.Fatalf("%d tasks live, want %d", live, n)
	}
}

func benchHeapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkSpawnFinish creates, starts, runs and collects trivial Lua
// tasks, a thousand per frame.
func BenchmarkSpawnFinish(b *testing.B) {
	b.Run("lua", func(b *testing.B) {
		b.ReportAllocs()
		s, a, _ := benchAddon(b, time.Hour, lua.AddonOptions{})
		benchDo(b, a, `function spawn(n)
			local Create = blTasks.Task.Create
			local f = function() end
			for i = 1, n do Create(f):Start() end
		end`)
		spawn := a.State().GetGlobal("spawn")
		const batch = 1000
		b.ResetTimer()
		for done := 0; done < b.N; done += batch {
			n := min(batch, b.N-done)
			if err := a.Call(spawn, glua.LNumber(n)); err != nil {
				b.Fatal(err)
			}
			benchFrames(b, s)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
	})
}

// BenchmarkLuaLoop is an instruction-heavy loop (the sum of i*i for a
// million i) in a task of a trusted addon, whose threads have no context,
// of an untrusted one without a memory limit, whose threads the watchdog
// can interrupt, and of an untrusted one with the default memory limit,
// whose threads' context also counts instructions (memory.go).
func BenchmarkLuaLoop(b *testing.B) {
	benchLoops(b, `local s = 0 for i = 1, 1000000 do s = s + i * i end`)
}

// BenchmarkLuaAlloc is an allocation-heavy loop (a hundred thousand small
// tables and strings made and dropped), as BenchmarkLuaLoop: the memory
// budget's estimate reads the runtime's allocation counter, and takes a
// measure, a walk of the addon's values, each time the addon allocated an
// eighth of its limit.
func BenchmarkLuaAlloc(b *testing.B) {
	benchLoops(b, `local keep = {} for i = 1, 100000 do keep[i % 100 + 1] = {i, tostring(i)} end`)
}

func benchLoops(b *testing.B, loop string) {
	for _, c := range []struct {
		name string
		opts lua.AddonOptions
	}{
		{"trusted", lua.AddonOptions{Trusted: true}},
		{"untrusted", lua.AddonOptions{MemoryLimit: -1}},
		{"metered", lua.AddonOptions{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			s, a, _ := benchAddon(b, time.Hour, c.opts)
			benchDo(b, a, `
				blTasks.Task.Create(function(self)
					bench.start()
					for k = 1, bench.n do
						`+loop+`
						self:Breath()
					end
					bench.stop()
				end):Start()`)
			benchTimedInLua(b, s)
		})
	}
}
