package sched_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/waitcond"
)

// waitOn returns a body that waits for cond() and records the Wait error.
func waitOn(cond func() *waitcond.Cond, got *error) sched.Body {
	return func(t *sched.Self) (any, error) {
		*got = t.Wait(cond())
		return nil, nil
	}
}

func TestDeadlockDirect(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var a, b *sched.Task
		var errA, errB error
		a, _ = w.s.Create("Bags", "loader", waitOn(func() *waitcond.Cond { return waitcond.Task(b) }, &errA))
		b, _ = w.s.Create("Bags", "index", waitOn(func() *waitcond.Cond { return waitcond.Task(a) }, &errB))
		a.Start()
		b.Start()
		w.frames(1)
		if errA != nil {
			t.Fatalf("first wait refused: %v", errA)
		}
		want := `Wait "index" (owner Bags): deadlock: "index" (owner Bags) waits for "loader" (owner Bags) which waits for "index"`
		if errB == nil || errB.Error() != want {
			t.Fatalf("got %v, want %s", errB, want)
		}
		var de *sched.DeadlockError
		if !errors.Is(errB, sched.ErrDeadlock) || !errors.As(errB, &de) || len(de.Cycle) != 3 {
			t.Fatalf("got %#v, want a DeadlockError with a 3-entry cycle", errB)
		}
		// index went on and finished; loader woke in the same frame.
		if !b.Finished() || !a.Finished() {
			t.Fatalf("after the refusal: index %v, loader %v; want both finished", b.State(), a.State())
		}
	})
}

func TestDeadlockSelf(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var got error
		w.spawn("A", "me", func(t *sched.Self) (any, error) {
			got = t.Wait(waitcond.Task(t.Handle()))
			return nil, nil
		})
		w.frames(1)
		want := `Wait "me" (owner A): deadlock: "me" (owner A) waits for "me"`
		if got == nil || got.Error() != want {
			t.Fatalf("got %v, want %s", got, want)
		}
	})
}

func TestDeadlockThreeTasks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		hs := make([]*sched.Task, 3)
		errs := make([]error, 3)
		for i, name := range []string{"a", "b", "c"} {
			next := (i + 1) % 3
			hs[i], _ = w.s.Create("O", name, waitOn(func() *waitcond.Cond { return waitcond.Task(hs[next]) }, &errs[i]))
		}
		for _, h := range hs {
			h.Start()
		}
		w.frames(1)
		want := `Wait "c" (owner O): deadlock: "c" (owner O) waits for "a" (owner O) which waits for "b" (owner O) which waits for "c"`
		if errs[0] != nil || errs[1] != nil || errs[2] == nil || errs[2].Error() != want {
			t.Fatalf("got %v, want nil, nil, %s", errs, want)
		}
	})
}

func TestDeadlockOrEscapes(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var a, b *sched.Task
		var errA, errB error
		a, _ = w.s.Create("O", "a", waitOn(func() *waitcond.Cond { return waitcond.Task(b) }, &errA))
		b, _ = w.s.Create("O", "b", waitOn(func() *waitcond.Cond {
			return waitcond.Or(waitcond.Task(a), w.s.Timespan(time.Second))
		}, &errB))
		a.Start()
		b.Start()
		w.frames(1)
		if errA != nil || errB != nil {
			t.Fatalf("got %v, %v; an Or with a timer is not a deadlock", errA, errB)
		}
		w.clk.Add(time.Second)
		w.frames(1)
		if !a.Finished() || !b.Finished() {
			t.Fatalf("a %v, b %v; want both finished after the timer", a.State(), b.State())
		}
		// An Or whose every branch is blocked is a deadlock.
		var c, d *sched.Task
		var errC, errD error
		c, _ = w.s.Create("O", "c", waitOn(func() *waitcond.Cond { return waitcond.Task(d) }, &errC))
		d, _ = w.s.Create("O", "d", waitOn(func() *waitcond.Cond {
			return waitcond.Or(waitcond.Task(c), waitcond.And(waitcond.Task(c), w.s.Timespan(time.Second)))
		}, &errD))
		c.Start()
		d.Start()
		w.frames(1)
		if errC != nil || !errors.Is(errD, sched.ErrDeadlock) {
			t.Fatalf("got %v, %v; want nil, a deadlock", errC, errD)
		}
	})
}

func TestDeadlockThroughChildren(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var parent *sched.Task
		var childErr, parentErr error
		parent = w.spawn("O", "parent", func(t *sched.Self) (any, error) {
			t.Scheduler().Go("", "child", func(c *sched.Self) (any, error) {
				c.Wait(c.Scheduler().NextFrame())
				childErr = c.Wait(waitcond.Task(parent))
				return nil, nil
			})
			parentErr = t.Wait(waitcond.Children())
			return nil, nil
		})
		w.frames(3)
		if parentErr != nil || !errors.Is(childErr, sched.ErrDeadlock) {
			t.Fatalf("got parent %v, child %v; want nil, a deadlock through Children", parentErr, childErr)
		}
		if !parent.Finished() {
			t.Fatal("parent did not finish once its child did")
		}
	})
}

func TestDeadlockThroughResultAndStartWhen(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var resErr, startErr error
		w.spawn("O", "a", func(t *sched.Self) (any, error) {
			me := t.Handle()
			b, _ := t.Scheduler().Create("", "b", ret(1))
			startErr = b.StartWhen(waitcond.Task(me)) // b waits for a: fine
			_, resErr = t.Result(b)                   // a waits for b: a cycle
			return nil, nil
		})
		w.frames(2)
		if startErr != nil || !errors.Is(resErr, sched.ErrDeadlock) {
			t.Fatalf("got StartWhen %v, Result %v; want nil, a deadlock", startErr, resErr)
		}
	})
}

func TestResultAndJoin(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		boom := errors.New("boom")
		slow := func(v int) sched.Body {
			return func(t *sched.Self) (any, error) {
				t.Wait(t.Scheduler().Frames(uint64(v)))
				return v, nil
			}
		}
		var got []any
		var own, typedErr error
		var typed int
		w.spawn("O", "joiner", func(t *sched.Self) (any, error) {
			s := t.Scheduler()
			a, _ := s.Create("", "a", slow(2)) // pending: Join starts it
			b, _ := s.Go("", "b", slow(1))
			got, _ = t.Join(a, b)
			_, own = t.Result(t.Handle())
			c, _ := s.Create("", "c", ret(7))
			typed, typedErr = sched.Await[int](t, c)
			return nil, nil
		})
		w.frames(5)
		if fmt.Sprint(got) != "[2 1]" || !errors.Is(own, sched.ErrOwnResult) || typed != 7 || typedErr != nil {
			t.Fatalf("got %v, %v, %d, %v; want [2 1], ErrOwnResult, 7, nil", got, own, typed, typedErr)
		}

		fails, _ := w.s.Create("O", "fails", func(*sched.Self) (any, error) { return nil, boom })
		if _, err := w.s.Join(context.Background(), 10, fails); !errors.Is(err, boom) {
			t.Fatalf("host Join: got %v, want boom", err)
		}
		never := w.spawn("O", "never", func(t *sched.Self) (any, error) {
			t.Wait(waitcond.Or())
			return nil, nil
		})
		if _, err := w.s.Join(context.Background(), 3, never); !errors.Is(err, sched.ErrNotFinished) {
			t.Fatalf("host Join with a frame limit: got %v, want ErrNotFinished", err)
		}
		if _, err := never.Result(); !errors.Is(err, sched.ErrNotFinished) {
			t.Fatalf("Result of an unfinished task from the host: got %v, want ErrNotFinished", err)
		}
	})
}

// BenchmarkDeadlockCheck installs a wait at the end of a chain of 1000
// waiting tasks (each waits for the next, the last for the waiter): the check
// walks the whole chain before it finds the Or's other branch free. Each op
// is one frame: the check, the install, and the park and resume.
func BenchmarkDeadlockCheck(b *testing.B) {
	b.Run("chain=1000", func(b *testing.B) {
		b.ReportAllocs()
		s := sched.New(sched.WithBudget(time.Hour))
		defer s.Close()
		const n = 1000
		hs := make([]*sched.Task, n)
		tail, _ := s.Create("bench", "tail", func(t *sched.Self) (any, error) {
			for !hs[0].Finished() {
				if err := t.Wait(waitcond.Or(waitcond.Task(hs[0]), t.Scheduler().NextFrame())); err != nil {
					return nil, err
				}
			}
			return nil, errors.New("the chain finished")
		})
		for i := n - 1; i >= 0; i-- {
			next := tail
			if i < n-1 {
				next = hs[i+1]
			}
			hs[i], _ = s.Create("bench", "link", func(t *sched.Self) (any, error) {
				return nil, t.Wait(waitcond.Task(next))
			})
		}
		for _, h := range hs {
			h.Start()
		}
		tail.Start()
		s.RunFrame()
		b.ResetTimer()
		for range b.N {
			s.RunFrame()
		}
		b.StopTimer()
		if tail.Finished() {
			b.Fatal(tail.Err())
		}
	})
}
