package sched_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/sched"
)

// ownerWorld has, for owner B, a waiting task "victim", a suspended task
// "sleeper" and a finished task "done" that returned 42.
func ownerWorld(t *testing.T, k *keeper) (w *world, victim, sleeper, done *sched.Task) {
	w = newWorld(t, 10*time.Millisecond)
	var log []string
	victim = goKept(w, k, "B", "victim", idle(w, "victim", &log))
	sleeper = goKept(w, k, "B", "sleeper", idle(w, "sleeper", &log))
	done = goKept(w, k, "B", "done", ret(42))
	w.frames(1)
	if err := sleeper.Suspend(); err != nil {
		t.Fatal(err)
	}
	return w, victim, sleeper, done
}

// controlAll tries every control call on B's tasks and returns the errors,
// by call.
func controlAll(victim, sleeper *sched.Task) map[string]error {
	return map[string]error{
		"Stop":    victim.Stop("mine now"),
		"Suspend": victim.Suspend(),
		"Resume":  sleeper.Resume(),
		"Abandon": victim.Abandon(),
	}
}

// readAll reads B's tasks and describes what it saw.
func readAll(victim, done *sched.Task) string {
	_, verr := victim.Result()
	res, err := done.Result()
	return fmt.Sprintf("victim %v, Err %v, Result: %v; done %v, %v, Err %v",
		victim.State(), victim.Err(), errors.Is(verr, sched.ErrNotFinished), res, err, done.Err())
}

const wantRead = "victim waiting, Err <nil>, Result: true; done 42, <nil>, Err <nil>"

func checkRefused(t *testing.T, errs map[string]error, victim, sleeper *sched.Task) {
	t.Helper()
	for _, fn := range []string{"Stop", "Suspend", "Resume", "Abandon"} {
		err := errs[fn]
		if !errors.Is(err, sched.ErrForeign) {
			t.Errorf("%s by owner A on a task of owner B: %v, want ErrForeign", fn, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "owner A") || !strings.Contains(msg, "owner B") || !strings.Contains(msg, fn) {
			t.Errorf("%s: error %q does not name the call and both owners", fn, msg)
		}
	}
	if victim.State() != sched.Waiting || victim.Suspended() || victim.Parent() != nil {
		t.Errorf("the refused calls changed the victim: %v, suspended %v", victim.State(), victim.Suspended())
	}
	if !sleeper.Suspended() {
		t.Error("the refused Resume resumed the sleeper")
	}
}

func TestForeignOwnerRefused(t *testing.T) {
	t.Run("task", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			var k keeper
			w, victim, sleeper, done := ownerWorld(t, &k)
			var errs map[string]error
			var read string
			var own error
			goKept(w, &k, "A", "intruder", func(*sched.Self) (any, error) {
				errs = controlAll(victim, sleeper)
				read = readAll(victim, done)
				own = goKept(w, &k, "", "own", ret(nil)).Stop("") // its own owner's task: allowed
				return nil, nil
			})
			w.frames(1)
			checkRefused(t, errs, victim, sleeper)
			if read != wantRead {
				t.Errorf("reading:\ngot  %s\nwant %s", read, wantRead)
			}
			if own != nil {
				t.Errorf("stopping a task of its own owner: %v", own)
			}
		})
	})
	t.Run("RunAs", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			var k keeper
			w, victim, sleeper, done := ownerWorld(t, &k)
			var errs map[string]error
			var read string
			w.s.RunAs("A", func() {
				errs = controlAll(victim, sleeper)
				read = readAll(victim, done)
			})
			checkRefused(t, errs, victim, sleeper)
			if read != wantRead {
				t.Errorf("reading:\ngot  %s\nwant %s", read, wantRead)
			}
			// RunAs ends with f: the host may control B's tasks again.
			if err := victim.Suspend(); err != nil {
				t.Errorf("the host after RunAs: %v", err)
			}
		})
	})
	t.Run("an owner that may impersonate", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			var k keeper
			w, victim, sleeper, _ := ownerWorld(t, &k)
			w.s.SetImpersonation("A", true)
			var errs []error
			w.s.RunAs("A", func() {
				errs = append(errs, victim.Suspend(), victim.Resume(), victim.Abandon(), sleeper.Resume(), victim.Stop("by A"))
			})
			if err := errors.Join(errs...); err != nil || victim.Err().Error() != "by A" {
				t.Errorf("control by an impersonating owner: %v; victim's error %v", err, victim.Err())
			}
			w.s.SetImpersonation("A", false)
			var again error
			w.s.RunAs("A", func() { again = sleeper.Stop("") })
			if !errors.Is(again, sched.ErrForeign) {
				t.Errorf("Stop after SetImpersonation off: %v, want ErrForeign", again)
			}
		})
	})
	t.Run("RunAs the task's own owner", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			var k keeper
			w, victim, sleeper, _ := ownerWorld(t, &k)
			var errs []error
			w.s.RunAs("B", func() {
				errs = append(errs, sleeper.Resume(), victim.Suspend(), victim.Resume(), victim.Abandon(), victim.Stop(""))
			})
			for i, err := range errs {
				if err != nil {
					t.Errorf("call %d by owner B on its own task: %v", i, err)
				}
			}
		})
	})
}

func TestHostControlsEveryOwner(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var k keeper
		w, victim, sleeper, _ := ownerWorld(t, &k)
		child := goKept(w, &k, "C", "parent", func(t *sched.Self) (any, error) {
			goKept(w, &k, "", "child", idle(w, "child", new([]string)))
			return nil, t.Wait(w.s.Timespan(day))
		})
		w.frames(1)
		child = child.Children()[0]
		for _, step := range []struct {
			what string
			err  error
		}{
			{"Resume sleeper", sleeper.Resume()},
			{"Suspend victim", victim.Suspend()},
			{"Resume victim", victim.Resume()},
			{"Abandon child of owner C", child.Abandon()},
			{"Stop victim", victim.Stop("host says")},
		} {
			if step.err != nil {
				t.Errorf("%s: %v", step.what, step.err)
			}
		}
		wantStopped(t, victim, "host says")
	})
}

func TestTaskLimit(t *testing.T) {
	t.Run("WithTaskLimit", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*time.Millisecond, sched.WithTaskLimit(2))
			var k keeper
			one := goKept(w, &k, "A", "one", ret(1))
			two, err := w.s.Create("A", "two", ret(2)) // a pending task counts
			if err != nil {
				t.Fatal(err)
			}
			k.keep(two)
			_, err = w.s.Create("A", "three", ret(3))
			if !errors.Is(err, sched.ErrTaskLimit) || !strings.Contains(err.Error(), "owner A") {
				t.Fatalf("a third task of owner A: %v, want ErrTaskLimit naming owner A", err)
			}
			for i := range 2 { // the cap is per owner
				goKept(w, &k, "B", fmt.Sprint("b", i), ret(nil))
			}
			w.frames(1)
			if !one.Finished() {
				t.Fatal("one did not finish")
			}
			three, err := w.s.Create("A", "three", ret(3))
			if err != nil {
				t.Fatalf("after a task finished: %v", err)
			}
			k.keep(three)
			if _, err := w.s.Create("A", "four", ret(4)); !errors.Is(err, sched.ErrTaskLimit) {
				t.Fatalf("a third live task: %v, want ErrTaskLimit", err)
			}
			if err := two.Stop(""); err != nil { // a stopped pending task is finished too
				t.Fatal(err)
			}
			four, err := w.s.Create("A", "four", ret(4))
			if err != nil {
				t.Fatalf("after stopping a pending task: %v", err)
			}
			k.keep(four)
		})
	})
	t.Run("SetTaskLimit", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*time.Millisecond, sched.WithTaskLimit(1))
			var k keeper
			var log []string
			w.s.SetTaskLimit("A", 2)
			w.s.SetTaskLimit("B", 0) // no cap
			for i := range 5 {
				goKept(w, &k, "B", fmt.Sprint("b", i), idle(w, "b", &log))
			}
			goKept(w, &k, "C", "c", idle(w, "c", &log))
			if _, err := w.s.Create("C", "c2", ret(nil)); !errors.Is(err, sched.ErrTaskLimit) {
				t.Errorf("owner C over the default cap of 1: %v, want ErrTaskLimit", err)
			}
			// A task creating over its owner's cap gets the error.
			var errs []error
			goKept(w, &k, "A", "spawner", func(t *sched.Self) (any, error) {
				for i := range 2 {
					h, err := w.s.Go("", fmt.Sprint("a", i), idle(w, "a", &log))
					if h != nil {
						k.keep(h)
					}
					errs = append(errs, err)
				}
				return nil, t.Wait(w.s.Timespan(day))
			})
			w.frames(1)
			if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], sched.ErrTaskLimit) {
				t.Errorf("owner A with a cap of 2 creating 3 tasks: %v, want nil then ErrTaskLimit", errs)
			}
			w.s.SetTaskLimit("A", 0)
			goKept(w, &k, "A", "uncapped", ret(nil))
		})
	})
}

func TestOnFinished(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*time.Millisecond)
		var k keeper
		var log []string
		var got []string
		var handles []*sched.Task
		cancel := w.s.OnFinished(func(e sched.FinishEvent) {
			got = append(got, fmt.Sprintf("%s %s %s: %v", e.Task.Name(), e.Owner, e.How, e.Err))
			handles = append(handles, e.Task)
		})
		var second []string
		w.s.OnFinished(func(e sched.FinishEvent) { second = append(second, e.Task.Name()) })

		errBoom := errors.New("boom")
		returns := goKept(w, &k, "A", "returns", ret(7))
		fails := goKept(w, &k, "A", "fails", func(*sched.Self) (any, error) { return nil, errBoom })
		panics := goKept(w, &k, "B", "panics", func(*sched.Self) (any, error) { panic("oops") })
		stopsItself := goKept(w, &k, "B", "stops-itself", func(t *sched.Self) (any, error) {
			t.Stop("enough")
			return nil, nil
		})
		stopped := goKept(w, &k, "A", "stopped", idle(w, "stopped", &log))
		parent := goKept(w, &k, "A", "parent", func(t *sched.Self) (any, error) {
			goKept(w, &k, "C", "child", idle(w, "child", &log))
			return nil, t.Wait(w.s.NextFrame())
		})
		var drop keeper
		startDropped(w, &drop, "dropped", idle(w, "dropped", &log))
		w.frames(1)
		if err := stopped.Stop("by host"); err != nil {
			t.Fatal(err)
		}
		w.frames(1)
		drop.drop()
		w.s.Collect()
		wantLines(t, "events", got, []string{
			"returns A returned: <nil>",
			"fails A failed: boom",
			"panics B failed: panic: oops",
			"stops-itself B stopped: enough",
			"stopped A stopped: by host",
			"child C stopped: parent finished", // before its parent's
			"parent A returned: <nil>",
			"dropped A stopped: handle collected",
		})
		wantLines(t, "second subscriber", second, taskNames(handles))
		for i, h := range []*sched.Task{returns, fails, panics, stopsItself, stopped, nil, parent} {
			if h == nil {
				continue // the child's
			}
			if handles[i] != h {
				t.Errorf("event %d carries handle %p, want the task's handle %p", i, handles[i], h)
			}
		}
		if h := handles[7]; h.Name() != "dropped" || !h.Finished() {
			t.Errorf("the collected task's event carries %v, finished %v", h, h.Finished())
		}
		var pe *sched.PanicError
		if !errors.As(panics.Err(), &pe) || pe.Value != "oops" {
			t.Errorf("panics.Err() = %v, want a *PanicError", panics.Err())
		}
		if v, err := returns.Result(); v != 7 || err != nil {
			t.Errorf("returns.Result() = %v, %v", v, err)
		}

		cancel()
		goKept(w, &k, "A", "unseen", ret(nil))
		w.frames(1)
		if len(got) != 8 {
			t.Errorf("an event after cancel: %q", got[8:])
		}
		wantLines(t, "second subscriber after the first cancelled", second[len(second)-1:], []string{"unseen"})
	})
}
