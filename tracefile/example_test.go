package tracefile_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/tracefile"
)

// A task that breathes between chunks of 3ms, on a 10ms budget, traced on
// a mock clock: its first two Breaths go on, the third parks it until the
// next frame. Each line of the file is an event.
func Example() {
	var file strings.Builder // os.Create("run.trace.json") in a host
	tw := tracefile.New(&file)
	clk := clock.NewMock()
	s := sched.New(sched.WithClock(clk), sched.WithBudget(10*time.Millisecond),
		sched.WithTrace(tw.Event), sched.WithErrorHandler(tw.Error), sched.WithWarningHandler(tw.Warning))
	s.Go("Bags", "index", func(t *sched.Self) (any, error) {
		for range 4 {
			clk.Add(3 * time.Millisecond) // a chunk of work
			t.BreathShort()
		}
		return nil, nil
	})
	for range 2 {
		tw.Frame(s.RunFrame())
		clk.Add(16 * time.Millisecond)
	}
	s.Close()
	if err := tw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	fmt.Print(file.String())
	// Output:
	// {"displayTimeUnit":"ms","traceEvents":[
	// {"name":"process_name","ph":"M","ts":0,"pid":1073741824,"tid":1073741824,"args":{"name":"frames"}}
	// ,{"name":"process_sort_index","ph":"M","ts":0,"pid":1073741824,"tid":1073741824,"args":{"sort_index":0}}
	// ,{"name":"thread_name","ph":"M","ts":0,"pid":1073741824,"tid":1073741824,"args":{"name":"frames"}}
	// ,{"name":"process_name","ph":"M","ts":0,"pid":1073741825,"tid":1073741825,"args":{"name":"Bags"}}
	// ,{"name":"process_sort_index","ph":"M","ts":0,"pid":1073741825,"tid":1073741825,"args":{"sort_index":1}}
	// ,{"name":"thread_name","ph":"M","ts":0,"pid":1073741825,"tid":1073741825,"args":{"name":"Bags"}}
	// ,{"name":"thread_name","ph":"M","ts":0,"pid":1073741825,"tid":1,"args":{"name":"index"}}
	// ,{"name":"thread_sort_index","ph":"M","ts":0,"pid":1073741825,"tid":1,"args":{"sort_index":1}}
	// ,{"name":"index","cat":"slice","ph":"X","ts":0,"dur":9000,"pid":1073741825,"tid":1,"args":{"frame":1,"id":1,"outcome":"parked short","owner":"Bags","task":"index"}}
	// ,{"name":"frame","cat":"frame","ph":"X","ts":0,"dur":9000,"pid":1073741824,"tid":1073741824,"args":{"budget":"10ms","completions":0,"errors":0,"finished":0,"frame":1,"overrun":"0s","parked":1,"slices":1,"used":"9ms"}}
	// ,{"name":"frame","ph":"C","ts":0,"pid":1073741824,"tid":1073741824,"args":{"budget ms":10,"used ms":9}}
	// ,{"name":"finished: index","cat":"end","ph":"i","ts":28000,"pid":1073741825,"tid":1073741825,"s":"t","args":{"id":1,"task":"index"}}
	// ,{"name":"parked short","cat":"between slices","ph":"X","ts":9000,"dur":16000,"pid":1073741825,"tid":1}
	// ,{"name":"index","cat":"slice","ph":"X","ts":25000,"dur":3000,"pid":1073741825,"tid":1,"args":{"frame":2,"id":1,"outcome":"finished","owner":"Bags","task":"index"}}
	// ,{"name":"frame","cat":"frame","ph":"X","ts":25000,"dur":3000,"pid":1073741824,"tid":1073741824,"args":{"budget":"10ms","completions":0,"errors":0,"finished":1,"frame":2,"overrun":"0s","parked":0,"slices":1,"used":"3ms"}}
	// ,{"name":"frame","ph":"C","ts":25000,"pid":1073741824,"tid":1073741824,"args":{"budget ms":10,"used ms":3}}
	// ]}
}
