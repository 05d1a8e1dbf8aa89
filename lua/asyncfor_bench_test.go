package lua_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// forBody is the loop of BenchmarkParallelFor/lua: CPU-bound Lua, the same
// in the addon's state (serially) and in the worker states (Async.For).
const forBody = `return function(lo, hi)
	local s, sin, sqrt = 0, math.sin, math.sqrt
	for i = lo, hi do s = s + sin(i) * sqrt(i) end
	return s
end`

// BenchmarkParallelFor/lua is a sum over 1e6 indices from Lua: serially in
// the addon's state, then with Async.For on a pool of 2 workers, the body a
// worker function (its states made before the timing), a task parked until
// both chunks are applied and frames run meanwhile. ns/op is both; serial-ms
// and parallel-ms are each, and x is the speed-up, serial over parallel.
// plain-x, the baseline, is the speed-up of bare gopher-lua in the same op:
// the loop in one plain state against halves of it in two plain states on
// two goroutines, with no scheduler, meter or watchdog.
func BenchmarkParallelFor(b *testing.B) {
	b.Run("lua", func(b *testing.B) {
		s := sched.New(sched.WithWorkers(2), sched.WithErrorHandler(func(te sched.TaskError) { b.Fatal(te.Err) }))
		h := lua.NewHost(s, lua.Config{Print: func(string, string) {}})
		defer func() { s.Close(); h.Close() }()
		a, err := h.NewAddon("A", lua.AddonOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := a.DoString("A", "body = (function() "+forBody+" end)()\nblTasks.Async.Define('body', [["+forBody+"]])"); err != nil {
			b.Fatal(err)
		}
		if err := a.DoString("A", `
			function serial(n) result = body(1, n) end
			function parallel(n)
				result = nil
				job = blTasks.Task.Create(function()
					local x, y = blTasks.Async.For("body", {n})
					result = x + y
				end):Start()
			end`); err != nil {
			b.Fatal(err)
		}
		run := func(src string) (float64, time.Duration) {
			start := time.Now()
			if err := a.DoString("A", src); err != nil {
				b.Fatal(err)
			}
			for range 100000 {
				if r, ok := a.State().GetGlobal("result").(glua.LNumber); ok {
					return float64(r), time.Since(start)
				}
				s.RunFrame()
				if err := s.Pool().WaitIdle(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.Fatal("no result")
			return 0, 0
		}
		run("parallel(1000)") // the worker states, and their functions
		plain := newPlainFor(b)
		var ser, par, pser, ppar time.Duration
		b.ResetTimer()
		for range b.N {
			rs, ds := run("serial(1000000)")
			rp, dp := run("parallel(1000000)")
			if math.Abs(rs-rp) > 1e-9*math.Abs(rs) {
				b.Fatalf("serial %v, parallel %v", rs, rp)
			}
			ser, par = ser+ds, par+dp
			ds, dp = plain.run(b, rs)
			pser, ppar = pser+ds, ppar+dp
		}
		b.ReportMetric(float64(ser.Milliseconds())/float64(b.N), "serial-ms")
		b.ReportMetric(float64(par.Milliseconds())/float64(b.N), "parallel-ms")
		b.ReportMetric(float64(ser)/float64(par), "x")
		b.ReportMetric(float64(pser)/float64(ppar), "plain-x")
	})
}

// plainFor is forBody in three bare gopher-lua states: one for the serial
// loop, two for its halves.
type plainFor [3]*glua.LState

func newPlainFor(b *testing.B) *plainFor {
	var p plainFor
	for i := range p {
		p[i] = glua.NewState()
		b.Cleanup(p[i].Close)
		if err := p[i].DoString("body = (function() " + forBody + " end)()"); err != nil {
			b.Fatal(err)
		}
	}
	return &p
}

// sum is the loop from lo to hi in state i.
func (p *plainFor) sum(i, lo, hi int) (float64, error) {
	L := p[i]
	if err := L.CallByParam(glua.P{Fn: L.GetGlobal("body"), NRet: 1, Protect: true}, glua.LNumber(lo), glua.LNumber(hi)); err != nil {
		return 0, err
	}
	defer L.Pop(1)
	return float64(L.Get(-1).(glua.LNumber)), nil
}

// run times the serial loop over 1e6 indices, then its two halves on two
// goroutines, and checks both sums against want.
func (p *plainFor) run(b *testing.B, want float64) (serial, parallel time.Duration) {
	const n = 1000000
	start := time.Now()
	s, err := p.sum(0, 1, n)
	serial = time.Since(start)
	if err != nil || math.Abs(s-want) > 1e-9*math.Abs(want) {
		b.Fatalf("plain serial %v (%v), want %v", s, err, want)
	}
	var halves [2]float64
	var errs [2]error
	var wg sync.WaitGroup
	start = time.Now()
	for h := range 2 {
		wg.Go(func() { halves[h], errs[h] = p.sum(1+h, 1+h*n/2, (h+1)*n/2) })
	}
	wg.Wait()
	parallel = time.Since(start)
	if s := halves[0] + halves[1]; errors.Join(errs[:]...) != nil || math.Abs(s-want) > 1e-9*math.Abs(want) {
		b.Fatalf("plain parallel %v (%v), want %v", s, errors.Join(errs[:]...), want)
	}
	return serial, parallel
}
