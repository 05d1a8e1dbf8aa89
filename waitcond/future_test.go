package waitcond

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestFuture(t *testing.T) {
	e := &env{}
	f := NewFuture("fetch")
	c := f.Cond()
	if v, err := f.Result(); f.Done() || v != nil || err != nil || c.Met(e) {
		t.Errorf("pending: Done() = %v, Result() = %v, %v, Met() = %v; want false, nil, nil, false", f.Done(), v, err, c.Met(e))
	}
	if !f.Complete("page", nil) {
		t.Errorf("first Complete: got false, want true")
	}
	if f.Complete("other", errTest) {
		t.Errorf("second Complete: got true, want false")
	}
	if v, err := f.Result(); !f.Done() || v != "page" || err != nil || !c.Met(e) {
		t.Errorf("completed: Done() = %v, Result() = %v, %v, Met() = %v; want true, page, nil, true", f.Done(), v, err, c.Met(e))
	}
	if got := f.Name(); got != "fetch" {
		t.Errorf("Name() = %q, want %q", got, "fetch")
	}

	var zero Future
	zero.Complete(nil, errTest)
	if _, err := zero.Result(); !errors.Is(err, errTest) || !zero.Cond().Met(e) {
		t.Errorf("zero Future after Complete: err %v, Met() = %v; want %v, true", err, zero.Cond().Met(e), errTest)
	}
}

func TestFutureOnComplete(t *testing.T) {
	f := NewFuture("f")
	var log []string
	f.OnComplete(func() { log = append(log, "a") })
	f.OnComplete(func() {
		v, _ := f.Result() // no lock is held
		log = append(log, "b saw "+v.(string))
	})
	log = append(log, "complete")
	f.Complete("x", nil)
	f.OnComplete(func() { log = append(log, "c") }) // already done: at once
	log = append(log, "end")
	f.Complete("y", nil) // callbacks run once
	if want := []string{"complete", "a", "b saw x", "c", "end"}; !slices.Equal(log, want) {
		t.Errorf("calls: got %q, want %q", log, want)
	}
}

// TestFutureConcurrentComplete is meant for -race: goroutines complete and
// watch one future at once.
func TestFutureConcurrentComplete(t *testing.T) {
	for range 50 {
		f := NewFuture("f")
		var wins, calls atomic.Int32
		var winner atomic.Int64
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				f.OnComplete(func() { calls.Add(1) })
				if f.Complete(i, nil) {
					wins.Add(1)
					winner.Store(int64(i))
				}
				_ = f.Done()
			})
		}
		wg.Wait()
		if got := wins.Load(); got != 1 {
			t.Fatalf("winners: got %d, want 1", got)
		}
		if got := calls.Load(); got != 32 {
			t.Fatalf("OnComplete calls: got %d, want 32", got)
		}
		if v, _ := f.Result(); v != int(winner.Load()) {
			t.Fatalf("Result() = %v, want the winner's %d", v, winner.Load())
		}
	}
}

func TestFutureCallbackPanic(t *testing.T) {
	f := NewFuture("f")
	var log []string
	f.OnComplete(func() { log = append(log, "a") })
	f.OnComplete(func() { panic("b") })
	f.OnComplete(func() { log = append(log, "c") })
	f.OnComplete(func() { panic("d") })
	f.OnComplete(func() { log = append(log, "e") })
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Errorf("Complete: no panic, want the callbacks' panic to go on")
			}
		}()
		f.Complete("x", nil)
	}()
	if want := []string{"a", "c", "e"}; !slices.Equal(log, want) {
		t.Errorf("calls: got %q, want %q", log, want)
	}
	if !f.Done() {
		t.Errorf("Done() = false after Complete")
	}
}
