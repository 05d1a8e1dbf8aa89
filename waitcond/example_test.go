package waitcond_test

import (
	"fmt"
	"time"

	"github.com/framesched/framesched/waitcond"
)

// world is what the scheduler shows a waiting task.
type world struct {
	frame uint64
	now   time.Time
}

func (w *world) Frame() uint64      { return w.frame }
func (w *world) Now() time.Time     { return w.now }
func (w *world) ChildrenDone() bool { return false }

func Example() {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &world{frame: 10, now: start}
	loot := waitcond.NewSignal("loot")
	fetch := waitcond.NewFuture("fetch")

	// Wait for the fetch and at least 2s, or for loot, whichever comes first.
	c := waitcond.Or(
		waitcond.And(fetch.Cond(), waitcond.Timespan(w.now, 2*time.Second)),
		loot.Cond(),
	)
	fmt.Println(c)
	fmt.Println(c.Met(w), c.Explain(w))

	fetch.Complete("page", nil) // from any goroutine
	w.frame, w.now = 11, start.Add(800*time.Millisecond)
	fmt.Println(c.Met(w), c.Explain(w))

	loot.Fire()
	fmt.Println(c.Met(w), c.Explain(w))
	// Output:
	// Or(And(Future "fetch", Timespan 2s), Signal "loot")
	// false Or(And(Future "fetch" [pending], Timespan 2s [2s left]), Signal "loot" [unmet])
	// false Or(And(Future "fetch" [met], Timespan 2s [1.2s left]), Signal "loot" [unmet])
	// true Or(And(Future "fetch" [met], Timespan 2s [1.2s left]), Signal "loot" [met])
}

func ExampleSignal() {
	loot := waitcond.NewSignal("loot")
	loot.Fire()
	c := loot.Cond() // only fires from now on count
	stop := loot.Watch(func() { fmt.Println("watcher: loot fired", loot.Fired(), "times") })
	fmt.Println(c.Explain(&world{}))

	loot.Fire()
	stop()
	loot.Fire() // the watcher was cancelled
	fmt.Println(c.Explain(&world{}))
	// Output:
	// Signal "loot" [unmet]
	// watcher: loot fired 2 times
	// Signal "loot" [met]
}

func ExampleFuture() {
	fetch := waitcond.NewFuture("fetch")
	done := make(chan struct{})
	fetch.OnComplete(func() { close(done) }) // a scheduler would post to its inbox
	go fetch.Complete("page", nil)
	<-done

	fmt.Println(fetch.Complete("late", nil)) // the first Complete won
	fmt.Println(fetch.Result())
	fmt.Println(fetch.Cond().Explain(&world{}))
	// Output:
	// false
	// page <nil>
	// Future "fetch" [met]
}
