package labelprobe

import (
	"context"
	"runtime/pprof"
	"testing"
)

func TestLabels(t *testing.T) {
	done := make(chan string)
	go func() { done <- Labels() }()
	if got := <-done; got != "" {
		t.Errorf("unlabelled goroutine: %q, want none", got)
	}
	go func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("task", "x y", "owner", "Bags")))
		done <- Labels()
	}()
	if got, want := <-done, `{"owner":"Bags", "task":"x y"}`; got != want {
		t.Errorf("labelled goroutine: %q, want %q", got, want)
	}
}
