package budget_test

import (
	"fmt"
	"time"

	"github.com/framesched/framesched/budget"
)

func ExampleFrame_Admits() {
	// 3ms of a 10ms budget is spent: 30%.
	f := budget.Frame{Limit: 10 * time.Millisecond, Spent: 3 * time.Millisecond}
	for _, l := range budget.Levels {
		fmt.Println(l, f.Admits(l, 0))
	}
	// Output:
	// short true
	// medium true
	// long false
}

func ExampleUsage() {
	var u budget.Usage
	// An owner uses half of a 10ms budget every frame for ten seconds...
	const last = 600
	for frame := uint64(1); frame <= last; frame++ {
		u.Add(frame, 5*time.Millisecond, 10*time.Millisecond)
	}
	fmt.Printf("%.2f\n", u.Share(last))
	// ...then nothing for one half-life.
	fmt.Printf("%.2f\n", u.Share(last+budget.DefaultHalfLife))
	// Output:
	// 0.50
	// 0.25
}
