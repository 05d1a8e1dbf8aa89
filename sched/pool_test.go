package sched_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// held is pool work that the test controls: started is closed when the work
// starts, and the work returns what the test sends on release, or its
// context's cause once the context is cancelled.
type held struct {
	started chan struct{}
	release chan outcome
	cause   error // the cause it saw, if its context was cancelled
}

type outcome struct {
	v   any
	err error
}

func newHeld() *held { return &held{started: make(chan struct{}), release: make(chan outcome)} }

func (h *held) work(ctx context.Context) (any, error) {
	close(h.started)
	select {
	case o := <-h.release:
		return o.v, o.err
	case <-ctx.Done():
		h.cause = context.Cause(ctx)
		return nil, h.cause
	}
}

// hasStarted reports whether the work has started; call it after
// synctest.Wait.
func (h *held) hasStarted() bool {
	select {
	case <-h.started:
		return true
	default:
		return false
	}
}

// finish makes the work return v and waits until its outcome is queued.
func (h *held) finish(v any) {
	h.release <- outcome{v: v}
	synctest.Wait()
}

func heldAll(n int) []*held {
	hs := make([]*held, n)
	for i := range hs {
		hs[i] = newHeld()
	}
	return hs
}

func started(hs []*held) []bool {
	out := make([]bool, len(hs))
	for i, h := range hs {
		out[i] = h.hasStarted()
	}
	return out
}

func TestPoolSize(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name string
		opts []sched.Option
		do   func(p *sched.Pool)
		want int
	}{
		{"default", nil, func(*sched.Pool) {}, procs},
		{"WithWorkers(0)", []sched.Option{sched.WithWorkers(0)}, func(*sched.Pool) {}, procs},
		{"WithWorkers(-2)", []sched.Option{sched.WithWorkers(-2)}, func(*sched.Pool) {}, procs},
		{"WithWorkers(3)", []sched.Option{sched.WithWorkers(3)}, func(*sched.Pool) {}, 3},
		{"SetSize(5)", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.SetSize(5) }, 5},
		{"SetSize(1)", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.SetSize(1) }, 1},
		{"SetSize(-1)", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.SetSize(-1) }, 0},
		{"AtLeast(2) of 3", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.AtLeast(2) }, 3},
		{"AtLeast(7) of 3", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.AtLeast(7) }, 7},
		{"AtMost(9) of 3", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.AtMost(9) }, 3},
		{"AtMost(2) of 3", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.AtMost(2) }, 2},
		{"AtMost(-3) of 3", []sched.Option{sched.WithWorkers(3)}, func(p *sched.Pool) { p.AtMost(-3) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sched.New(tc.opts...)
			defer s.Close()
			tc.do(s.Pool())
			if got := s.Pool().Size(); got != tc.want {
				t.Errorf("Size() = %d, want %d", got, tc.want)
			}
			if got := s.Pool().Stats(); got != (sched.PoolStats{Size: tc.want}) {
				t.Errorf("Stats() = %+v, want only Size %d: no worker before any work", got, tc.want)
			}
		})
	}
}

// The pool starts a worker per queued work, up to its size, and keeps them.
func TestPoolStartsWorkersForWork(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(2))
		p := w.s.Pool()
		hs := heldAll(3)
		for _, h := range hs {
			p.Submit("", "held", h.work)
		}
		synctest.Wait()
		if got, want := p.Stats(), (sched.PoolStats{Size: 2, Workers: 2, Busy: 2, Queued: 1}); got != want {
			t.Errorf("three works on two workers: Stats() = %+v, want %+v", got, want)
		}
		if got, want := started(hs), []bool{true, true, false}; !slices.Equal(got, want) {
			t.Errorf("started: %v, want %v", got, want)
		}
		hs[1].finish(nil)
		if got, want := started(hs), []bool{true, true, true}; !slices.Equal(got, want) {
			t.Errorf("after the second returned: started %v, want %v", got, want)
		}
		hs[0].finish(nil)
		hs[2].finish(nil)
		if got, want := p.Stats(), (sched.PoolStats{Size: 2, Workers: 2, Done: 3}); got != want {
			t.Errorf("all returned: Stats() = %+v, want %+v (idle workers are kept)", got, want)
		}
	})
}

// Shrinking lets running work finish; the workers beyond the size end as
// they become free, and queued work waits for a worker within the size.
func TestPoolShrinkLetsRunningWorkFinish(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(3))
		p := w.s.Pool()
		hs := heldAll(4)
		var fs []*waitcond.Future
		for _, h := range hs[:3] {
			fs = append(fs, p.Submit("", "held", h.work))
		}
		synctest.Wait()
		p.SetSize(1)
		fs = append(fs, p.Submit("", "held", hs[3].work))
		synctest.Wait()
		if got, want := p.Stats(), (sched.PoolStats{Size: 1, Workers: 3, Busy: 3, Queued: 1}); got != want {
			t.Errorf("shrunk to 1 with 3 running: Stats() = %+v, want %+v", got, want)
		}
		hs[0].finish("a")
		if got, want := p.Stats(), (sched.PoolStats{Size: 1, Workers: 2, Busy: 2, Queued: 1, Done: 1}); got != want {
			t.Errorf("one returned: Stats() = %+v, want %+v", got, want)
		}
		hs[1].finish("b")
		if hs[3].hasStarted() {
			t.Errorf("queued work started while the pool was over its size")
		}
		hs[2].finish("c")
		if !hs[3].hasStarted() {
			t.Errorf("queued work not started by the last worker within the size")
		}
		hs[3].finish("d")
		w.s.RunFrame()
		var got []any
		for _, f := range fs {
			v, err := f.Result()
			if err != nil || !f.Done() {
				t.Errorf("Future %s: done %v, err %v", f.Name(), f.Done(), err)
			}
			got = append(got, v)
		}
		if want := []any{"a", "b", "c", "d"}; !slices.Equal(got, want) {
			t.Errorf("results %v, want %v", got, want)
		}
		if got, want := p.Stats(), (sched.PoolStats{Size: 1, Workers: 1}); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
	})
}

// Growing starts workers for the work already queued; a pool of size 0
// queues work until it grows.
func TestPoolGrowStartsWorkers(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		hs := heldAll(4)
		for _, h := range hs[:3] {
			p.Submit("", "held", h.work)
		}
		synctest.Wait()
		if got, want := started(hs[:3]), []bool{true, false, false}; !slices.Equal(got, want) {
			t.Fatalf("size 1: started %v, want %v", got, want)
		}
		p.AtLeast(3)
		synctest.Wait()
		if got, want := started(hs[:3]), []bool{true, true, true}; !slices.Equal(got, want) {
			t.Errorf("grown to 3: started %v, want %v", got, want)
		}
		if got, want := p.Stats(), (sched.PoolStats{Size: 3, Workers: 3, Busy: 3}); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
		p.SetSize(0)
		for _, h := range hs[:3] {
			h.finish(nil)
		}
		f := p.Submit("", "held", hs[3].work)
		synctest.Wait()
		if got, want := p.Stats(), (sched.PoolStats{Size: 0, Queued: 1, Done: 3}); got != want {
			t.Errorf("size 0: Stats() = %+v, want %+v", got, want)
		}
		p.SetSize(2)
		synctest.Wait()
		if !hs[3].hasStarted() {
			t.Errorf("work queued at size 0 not started when the pool grew")
		}
		hs[3].finish(7)
		w.s.RunFrame()
		if v, err := f.Result(); v != 7 || err != nil {
			t.Errorf("Result() = %v, %v; want 7, nil", v, err)
		}
		if got, want := p.Stats(), (sched.PoolStats{Size: 2, Workers: 1}); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
	})
}

// Cancel cancels the context of running work, and keeps queued work from
// running; either Future completes when a frame applies it.
func TestPoolCancel(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		running, queued := newHeld(), newHeld()
		fr := p.Submit("", "running", running.work)
		fq := p.Submit("", "queued", queued.work)
		synctest.Wait()
		if !p.Cancel(fq) || !p.Cancel(fr) {
			t.Fatalf("Cancel of unapplied work: false, want true")
		}
		synctest.Wait()
		if !errors.Is(running.cause, context.Canceled) {
			t.Errorf("running work's cause %v, want context.Canceled", running.cause)
		}
		if queued.hasStarted() {
			t.Errorf("cancelled queued work ran")
		}
		if fr.Done() || fq.Done() {
			t.Errorf("Futures done before a frame applied them")
		}
		if st := w.s.RunFrame(); st.Completions != 2 {
			t.Errorf("Completions = %d, want 2", st.Completions)
		}
		for _, f := range []*waitcond.Future{fr, fq} {
			if _, err := f.Result(); !errors.Is(err, context.Canceled) {
				t.Errorf("Future %s: err %v, want context.Canceled", f.Name(), err)
			}
			if p.Cancel(f) {
				t.Errorf("Cancel of applied work %s: true, want false", f.Name())
			}
		}
	})
}

// Work that panics or calls runtime.Goexit completes its Future with a
// *PanicError; a worker ended by Goexit is replaced.
func TestPoolWorkPanics(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		fp := p.Submit("", "panics", func(context.Context) (any, error) { panic("boom") })
		fg := p.Submit("", "goexits", func(context.Context) (any, error) { runtime.Goexit(); return nil, nil })
		fo := p.Submit("", "ok", func(context.Context) (any, error) { return "ok", nil })
		synctest.Wait()
		w.s.RunFrame()
		var pe *sched.PanicError
		if _, err := fp.Result(); !errors.As(err, &pe) || pe.Value != "boom" {
			t.Errorf("panicking work: err %v, want a *PanicError of boom", err)
		}
		if _, err := fg.Result(); !errors.Is(err, sched.ErrGoexit) {
			t.Errorf("Goexit work: err %v, want ErrGoexit", err)
		}
		if v, err := fo.Result(); v != "ok" || err != nil {
			t.Errorf("work after them: %v, %v; want ok, nil", v, err)
		}
		if got, want := p.Stats(), (sched.PoolStats{Size: 1, Workers: 1}); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
	})
}

// Close cancels the running work's context, waits for it, completes every
// Future (finished work with its outcome, the rest with ErrClosed) and
// leaves no pool goroutine.
func TestCloseEndsThePool(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(2))
		p := w.s.Pool()
		done, running, other, queued := newHeld(), newHeld(), newHeld(), newHeld()
		fd := p.Submit("", "done", done.work)
		fr := p.Submit("", "running", running.work)
		synctest.Wait()
		done.finish("kept")
		p.Submit("", "other", other.work)
		fq := p.Submit("", "queued", queued.work)
		synctest.Wait()
		if len(leak.PoolGoroutines()) != 2 {
			t.Fatalf("pool goroutines before Close: %d, want 2", len(leak.PoolGoroutines()))
		}
		w.s.Close()
		if left := leak.PoolGoroutines(); len(left) > 0 {
			t.Errorf("pool goroutines left after Close:\n%s", left)
		}
		if v, err := fd.Result(); v != "kept" || err != nil {
			t.Errorf("finished work: %v, %v; want kept, nil", v, err)
		}
		if _, err := fr.Result(); !errors.Is(err, sched.ErrClosed) || !errors.Is(running.cause, sched.ErrClosed) {
			t.Errorf("running work: err %v, its context's cause %v; want ErrClosed", err, running.cause)
		}
		if _, err := fq.Result(); !errors.Is(err, sched.ErrClosed) || queued.hasStarted() {
			t.Errorf("queued work: err %v, started %v; want ErrClosed, not started", err, queued.hasStarted())
		}
		if _, err := p.Submit("", "late", done.work).Result(); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("Submit after Close: err %v, want ErrClosed", err)
		}
		if _, err := w.s.Do(context.Background(), done.work); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("Do after Close: err %v, want ErrClosed", err)
		}
	})
}

// A burst of completions is applied over frames within their budget: each
// frame applies while it has room, so it overruns by less than one
// completion's cost, in the order the work finished, and the callbacks' time
// is charged to the owner that submitted the work.
func TestCompletionBurstSpreadOverFrames(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const (
			n      = 10000
			budget = 4 * ms
			cost   = 3 * us // of each completion's callback
		)
		w := newWorld(t, budget, sched.WithWorkers(1)) // one worker: work finishes in submission order
		p := w.s.Pool()
		gate := make(chan struct{})
		var applied []int
		var last *waitcond.Future
		for i := range n {
			last = p.Submit("Bags", "item", func(context.Context) (any, error) {
				<-gate
				return i, nil
			})
			f := last
			f.OnComplete(func() {
				v, _ := f.Result()
				applied = append(applied, v.(int))
				w.work(cost)
			})
		}
		waiter := w.start("Bags", "waiter", func(t *sched.Self) (any, error) {
			return nil, t.Wait(last.Cond())
		})
		w.s.RunFrame() // the waiter waits
		close(gate)
		synctest.Wait()
		if got := p.Stats().Done; got != n {
			t.Fatalf("finished work before the frame: %d, want %d", got, n)
		}
		total, frames := 0, 0
		for total < n {
			st := w.s.RunFrame()
			frames++
			if st.Completions == 0 {
				t.Fatalf("frame %d applied nothing", st.Frame)
			}
			if st.Used > budget+cost {
				t.Errorf("frame %d used %v, over the budget %v by more than one completion's cost %v", st.Frame, st.Used, budget, cost)
			}
			total += st.Completions
		}
		if total != n || frames < 5 {
			t.Errorf("applied %d over %d frames, want %d over several", total, frames, n)
		}
		for i, v := range applied {
			if v != i {
				t.Fatalf("applied[%d] = %d, want the order the work finished in", i, v)
			}
		}
		if !waiter.Finished() {
			t.Errorf("the task waiting for the last completion did not run in the frame that applied it")
		}
		if got := w.s.Owners()[0]; got.Name != "Bags" || got.CPU != n*cost {
			t.Errorf("owner %s CPU %v, want Bags charged %v", got.Name, got.CPU, n*cost)
		}
	})
}

// Completions are applied in the order the work finished, and the tasks they
// wake run in that order.
func TestCompletionsAppliedInCompletionOrder(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(3))
		hs := heldAll(3)
		for i, name := range []string{"a", "b", "c"} {
			w.start("Bags", name, func(t *sched.Self) (any, error) {
				return sched.Async(t, func(ctx context.Context) (any, error) { return hs[i].work(ctx) })
			})
		}
		w.s.RunFrame()
		synctest.Wait()
		for _, i := range []int{2, 0, 1} {
			hs[i].finish(nil)
		}
		st := w.s.RunFrame()
		if st.Completions != 3 {
			t.Errorf("Completions = %d, want 3", st.Completions)
		}
		if got, want := w.turns(2), []string{"c finished", "a finished", "b finished"}; !slices.Equal(got, want) {
			t.Errorf("frame 2 ran %q, want %q (the order the work finished in)", got, want)
		}
	})
}

// The pool's goroutines only exist while there is work or idle workers;
// a scheduler that never used the pool has none.
func TestPoolIdleScheduler(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		w.start("Bags", "plain", ret(1))
		w.frames(2)
		if got := leak.PoolGoroutines(); len(got) != 0 {
			t.Errorf("pool goroutines without pool work: %d", len(got))
		}
	})
}

// The callbacks of submitted work are charged to the owner named, or to the
// owner of the code that submitted it.
func TestSubmitChargesOwner(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		submit := func(owner string, cost time.Duration) {
			f := p.Submit(owner, "work", func(context.Context) (any, error) { return nil, nil })
			f.OnComplete(func() { w.work(cost) })
		}
		submit("", 1*ms) // the host's
		submit("Map", 2*ms)
		w.start("Bags", "submitter", func(t *sched.Self) (any, error) {
			submit("", 3*ms)
			return nil, nil
		})
		w.s.RunFrame()
		synctest.Wait()
		w.s.RunFrame()
		var got []string
		for _, o := range w.s.Owners() {
			got = append(got, fmt.Sprint(o.Name, " ", o.CPU))
		}
		if want := []string{"Bags 3ms", "Map 2ms", "host 1ms"}; !slices.Equal(got, want) {
			t.Errorf("owners %q, want %q", got, want)
		}
	})
}

// Work runs in submission order, also while the queue never empties.
func TestPoolQueueOrder(t *testing.T) {
	bubble(t, func(t *testing.T) {
		const n = 40
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		release := make(chan struct{})
		var order []int // written by the one worker, read after synctest.Wait
		released := 0
		for i := range n {
			p.Submit("", "in order", func(context.Context) (any, error) {
				order = append(order, i)
				<-release
				return nil, nil
			})
			if i%3 == 2 { // one returns for three submitted: the queue grows and never empties
				release <- struct{}{}
				released++
				synctest.Wait()
				if got := p.Stats().Queued; got != i-released {
					t.Fatalf("after %d submitted and %d returned: %d queued, want %d", i+1, released, got, i-released)
				}
			}
		}
		for ; released < n; released++ {
			release <- struct{}{}
		}
		synctest.Wait()
		for i, v := range order {
			if v != i {
				t.Fatalf("work ran in the order %v, want submission order", order)
			}
		}
		if st := w.s.RunFrame(); len(order) != n || st.Completions != n {
			t.Errorf("%d ran, %d applied; want %d", len(order), st.Completions, n)
		}
	})
}

// Once WaitIdle returns, the work that made the pool busy is applied by the
// next frame: a --virtual or replayed run relies on it to apply work in the
// same frame every time (the outcome must be queued before WaitIdle's
// waiter can run; a CI run of the runner once saw it land a frame late).
func TestPoolWaitIdleThenApplied(t *testing.T) {
	s := sched.New(sched.WithClock(clock.NewMock()), sched.WithWorkers(1))
	defer s.Close()
	for i := range 2000 {
		s.Pool().Submit("", "quick", func(context.Context) (any, error) { return i, nil })
		if err := s.Pool().WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st := s.RunFrame(); st.Completions != 1 {
			t.Fatalf("round %d: the frame after WaitIdle applied %d completions, want 1", i, st.Completions)
		}
	}
}

// WaitIdle returns once no work is queued or running.
func TestPoolWaitIdle(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(1))
		p := w.s.Pool()
		if err := p.WaitIdle(context.Background()); err != nil {
			t.Fatalf("WaitIdle of an idle pool: %v", err)
		}
		hs := heldAll(2)
		for _, h := range hs {
			p.Submit("", "held", h.work)
		}
		returned := make(chan error)
		go func() { returned <- p.WaitIdle(context.Background()) }()
		hs[0].finish(nil)
		select {
		case err := <-returned:
			t.Fatalf("WaitIdle returned %v with work queued", err)
		default:
		}
		hs[1].finish(nil)
		if err := <-returned; err != nil {
			t.Errorf("WaitIdle: %v", err)
		}
		if got := p.Stats(); got.Done != 2 {
			t.Errorf("Stats() = %+v, want 2 done", got)
		}

		p.SetSize(0)
		p.Submit("", "never", newHeld().work)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { returned <- p.WaitIdle(ctx) }()
		synctest.Wait()
		cancel()
		if err := <-returned; !errors.Is(err, context.Canceled) {
			t.Errorf("WaitIdle with ctx cancelled: %v, want context.Canceled", err)
		}
		go func() { returned <- p.WaitIdle(context.Background()) }()
		synctest.Wait()
		w.s.Close()
		if err := <-returned; err != nil {
			t.Errorf("WaitIdle across Close: %v", err)
		}
	})
}
