package hierarchy_test

import (
	"fmt"

	"github.com/framesched/framesched/hierarchy"
)

func ExampleNode_StopOrder() {
	nodes := map[string]*hierarchy.Node[string]{}
	for _, name := range []string{"main", "load", "parse", "index", "render"} {
		nodes[name] = &hierarchy.Node[string]{Value: name}
	}
	nodes["main"].Adopt(nodes["load"])
	nodes["main"].Adopt(nodes["render"])
	nodes["load"].Adopt(nodes["parse"])
	nodes["load"].Adopt(nodes["index"])

	// main finishes: stop its descendants, children before their parent.
	for _, n := range nodes["main"].StopOrder() {
		fmt.Println("stop", n.Value, "at depth", n.Depth())
	}
	// Output:
	// stop parse at depth 2
	// stop index at depth 2
	// stop load at depth 1
	// stop render at depth 1
}

func ExampleNode_AppendStopOrder() {
	root := &hierarchy.Node[string]{Value: "root"}
	a, b := &hierarchy.Node[string]{Value: "a"}, &hierarchy.Node[string]{Value: "b"}
	root.Adopt(a)
	a.Adopt(b)

	// One slice serves every stop: no allocation once it is large enough.
	var order []*hierarchy.Node[string]
	for range 2 {
		order = root.AppendStopOrder(order[:0])
		for _, n := range order {
			fmt.Print(n.Value, " ")
		}
		fmt.Println(cap(order) >= 2)
	}
	// Output:
	// b a true
	// b a true
}
