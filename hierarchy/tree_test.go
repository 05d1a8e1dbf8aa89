package hierarchy

import (
	"iter"
	"slices"
	"strings"
	"testing"
)

type node = Node[string]

// build returns named nodes linked by edges, each "parent>child", adopted in
// the order given.
func build(edges ...string) map[string]*node {
	nodes := map[string]*node{}
	get := func(name string) *node {
		if nodes[name] == nil {
			nodes[name] = &node{Value: name}
		}
		return nodes[name]
	}
	for _, e := range edges {
		parent, child, _ := strings.Cut(e, ">")
		get(parent).Adopt(get(child))
	}
	return nodes
}

// threeLevels is
//
//	root
//	├─ a
//	│  ├─ a1
//	│  │  └─ a1x
//	│  └─ a2
//	├─ b
//	│  └─ b1
//	└─ c
func threeLevels() map[string]*node {
	return build("root>a", "root>b", "root>c", "a>a1", "a>a2", "b>b1", "a1>a1x")
}

func names(seq iter.Seq[*node]) []string {
	var out []string
	for n := range seq {
		out = append(out, n.Value)
	}
	return out
}

// checkLinks fails t unless the subtree under n has consistent links:
// parent pointers, symmetric siblings, first/last and counts.
func checkLinks(t *testing.T, n *node) {
	t.Helper()
	for p := range n.Descendants() {
		count := 0
		var prev *node
		for c := p.first; c != nil; c = c.next {
			if c.parent != p || c.prev != prev {
				t.Fatalf("%s: child %s has bad parent or prev link", p.Value, c.Value)
			}
			prev = c
			count++
		}
		if p.last != prev || p.count != count {
			t.Fatalf("%s: last = %v, count = %d; want %v, %d", p.Value, p.last, p.count, prev, count)
		}
	}
}

func TestZeroNode(t *testing.T) {
	var n node
	n.Detach()
	if n.Parent() != nil || n.FirstChild() != nil || n.NumChildren() != 0 || n.Depth() != 0 {
		t.Errorf("zero node is not an orphan without children")
	}
	if got := names(n.Children()); got != nil {
		t.Errorf("Children() = %v, want none", got)
	}
	if got := names(n.Descendants()); got != nil {
		t.Errorf("Descendants() = %v, want none", got)
	}
	if got := n.StopOrder(); got != nil {
		t.Errorf("StopOrder() = %v, want nil", got)
	}
}

func TestAdoptOrder(t *testing.T) {
	nodes := build("p>c", "p>a", "p>b")
	p := nodes["p"]
	if got, want := names(p.Children()), []string{"c", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Children() = %v, want %v", got, want)
	}
	if got, want := p.NumChildren(), 3; got != want {
		t.Errorf("NumChildren() = %d, want %d", got, want)
	}
	if got, want := p.FirstChild(), nodes["c"]; got != want {
		t.Errorf("FirstChild() = %v, want %v", got.Value, want.Value)
	}
	for _, name := range []string{"a", "b", "c"} {
		if got := nodes[name].Parent(); got != p {
			t.Errorf("%s.Parent() = %v, want p", name, got)
		}
	}
	checkLinks(t, p)
}

func TestDetach(t *testing.T) {
	tests := []struct {
		name     string
		children []string
		detach   string
		want     []string
	}{
		{"first", []string{"a", "b", "c"}, "a", []string{"b", "c"}},
		{"middle", []string{"a", "b", "c"}, "b", []string{"a", "c"}},
		{"last", []string{"a", "b", "c"}, "c", []string{"a", "b"}},
		{"only", []string{"a"}, "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var edges []string
			for _, c := range tt.children {
				edges = append(edges, "p>"+c)
			}
			edges = append(edges, tt.detach+">kept")
			nodes := build(edges...)
			p, d := nodes["p"], nodes[tt.detach]

			d.Detach()

			if got := names(p.Children()); !slices.Equal(got, tt.want) {
				t.Errorf("Children() = %v, want %v", got, tt.want)
			}
			if got, want := p.NumChildren(), len(tt.want); got != want {
				t.Errorf("NumChildren() = %d, want %d", got, want)
			}
			if d.Parent() != nil || d.prev != nil || d.next != nil {
				t.Errorf("detached node still linked")
			}
			if got, want := names(d.Children()), []string{"kept"}; !slices.Equal(got, want) {
				t.Errorf("detached node's Children() = %v, want %v", got, want)
			}
			checkLinks(t, p)
			checkLinks(t, d)
		})
	}
}

func TestDetachDuringChildren(t *testing.T) {
	tests := []struct {
		name       string
		detach     []string
		wantYield  []string
		wantRemain []string
	}{
		{"none", nil, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{"every", []string{"a", "b", "c"}, []string{"a", "b", "c"}, nil},
		{"middle", []string{"b"}, []string{"a", "b", "c"}, []string{"a", "c"}},
		{"first and last", []string{"a", "c"}, []string{"a", "b", "c"}, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := build("p>a", "p>b", "p>c")["p"]
			var yielded []string
			for c := range p.Children() {
				yielded = append(yielded, c.Value)
				if slices.Contains(tt.detach, c.Value) {
					c.Detach()
				}
			}
			if !slices.Equal(yielded, tt.wantYield) {
				t.Errorf("yielded %v, want %v", yielded, tt.wantYield)
			}
			if got := names(p.Children()); !slices.Equal(got, tt.wantRemain) {
				t.Errorf("Children() after = %v, want %v", got, tt.wantRemain)
			}
			checkLinks(t, p)
		})
	}
}

func TestChildrenStopsEarly(t *testing.T) {
	p := build("p>a", "p>b", "p>c")["p"]
	var got []string
	for c := range p.Children() {
		got = append(got, c.Value)
		if c.Value == "b" {
			break
		}
	}
	if want := []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("yielded %v, want %v", got, want)
	}
}

func TestReadopt(t *testing.T) {
	nodes := build("p>a", "p>b", "a>a1", "q>x")
	p, q, a := nodes["p"], nodes["q"], nodes["a"]

	a.Detach()
	q.Adopt(a)

	if got, want := names(p.Children()), []string{"b"}; !slices.Equal(got, want) {
		t.Errorf("p.Children() = %v, want %v", got, want)
	}
	if got, want := names(q.Children()), []string{"x", "a"}; !slices.Equal(got, want) {
		t.Errorf("q.Children() = %v, want %v", got, want)
	}
	if got, want := names(q.Descendants()), []string{"x", "a", "a1"}; !slices.Equal(got, want) {
		t.Errorf("q.Descendants() = %v, want %v", got, want)
	}
	if a.Parent() != q {
		t.Errorf("a.Parent() = %v, want q", a.Parent())
	}
	checkLinks(t, p)
	checkLinks(t, q)
}

func TestAdoptPanics(t *testing.T) {
	tests := []struct {
		name          string
		parent, child string
		want          string
	}{
		{"self", "a", "a", "hierarchy: Adopt: node cannot adopt itself"},
		{"double adopt, same parent", "root", "a", "hierarchy: Adopt: child already has a parent"},
		{"double adopt, other parent", "b", "a1", "hierarchy: Adopt: child already has a parent"},
		{"cycle through parent", "a", "root", "hierarchy: Adopt: child is an ancestor of the node"},
		{"cycle through grandparent", "a1x", "root", "hierarchy: Adopt: child is an ancestor of the node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := threeLevels()
			root := nodes["root"]
			before := names(root.Descendants())
			func() {
				defer func() {
					if got := recover(); got != tt.want {
						t.Errorf("panic = %v, want %q", got, tt.want)
					}
				}()
				nodes[tt.parent].Adopt(nodes[tt.child])
			}()
			if got := names(root.Descendants()); !slices.Equal(got, before) {
				t.Errorf("tree changed by failed Adopt: %v, want %v", got, before)
			}
			checkLinks(t, root)
		})
	}
}

func TestDepth(t *testing.T) {
	nodes := threeLevels()
	tests := []struct {
		node string
		want int
	}{
		{"root", 0}, {"a", 1}, {"c", 1}, {"a1", 2}, {"b1", 2}, {"a1x", 3},
	}
	for _, tt := range tests {
		if got := nodes[tt.node].Depth(); got != tt.want {
			t.Errorf("%s.Depth() = %d, want %d", tt.node, got, tt.want)
		}
	}
}

func TestOrders(t *testing.T) {
	tests := []struct {
		from            string
		wantDescendants []string
		wantStop        []string
	}{
		{"root", []string{"a", "a1", "a1x", "a2", "b", "b1", "c"}, []string{"a1x", "a1", "a2", "a", "b1", "b", "c"}},
		{"a", []string{"a1", "a1x", "a2"}, []string{"a1x", "a1", "a2"}},
		{"a1", []string{"a1x"}, []string{"a1x"}},
		{"b", []string{"b1"}, []string{"b1"}},
		{"c", nil, nil},
	}
	nodes := threeLevels()
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			n := nodes[tt.from]
			if got := names(n.Descendants()); !slices.Equal(got, tt.wantDescendants) {
				t.Errorf("Descendants() = %v, want %v", got, tt.wantDescendants)
			}
			if got := names(slices.Values(n.StopOrder())); !slices.Equal(got, tt.wantStop) {
				t.Errorf("StopOrder() = %v, want %v", got, tt.wantStop)
			}
			prefix := []*Node[string]{n}
			if got := names(slices.Values(n.AppendStopOrder(prefix)[1:])); !slices.Equal(got, tt.wantStop) {
				t.Errorf("AppendStopOrder(prefix)[1:] = %v, want %v", got, tt.wantStop)
			}
		})
	}
}

func TestDescendantsStopsEarly(t *testing.T) {
	root := threeLevels()["root"]
	var got []string
	for n := range root.Descendants() {
		got = append(got, n.Value)
		if n.Value == "a1x" {
			break
		}
	}
	if want := []string{"a", "a1", "a1x"}; !slices.Equal(got, want) {
		t.Errorf("yielded %v, want %v", got, want)
	}
}

// TestStopOrderSnapshot stops a tree the way the scheduler does: detaching
// each node while going through StopOrder.
func TestStopOrderSnapshot(t *testing.T) {
	root := threeLevels()["root"]
	var stopped []string
	for _, n := range root.StopOrder() {
		if got := n.NumChildren(); got != 0 {
			t.Errorf("%s stopped before its %d children", n.Value, got)
		}
		stopped = append(stopped, n.Value)
		n.Detach()
	}
	if want := []string{"a1x", "a1", "a2", "a", "b1", "b", "c"}; !slices.Equal(stopped, want) {
		t.Errorf("stopped %v, want %v", stopped, want)
	}
	if got := root.NumChildren(); got != 0 {
		t.Errorf("root.NumChildren() = %d, want 0", got)
	}
}

func TestDeepChain(t *testing.T) {
	const depth = 100000
	nodes := make([]node, depth)
	for i := 1; i < depth; i++ {
		nodes[i-1].Adopt(&nodes[i])
	}
	root, leaf := &nodes[0], &nodes[depth-1]

	if got, want := leaf.Depth(), depth-1; got != want {
		t.Errorf("leaf.Depth() = %d, want %d", got, want)
	}
	count := 0
	for n := range root.Descendants() {
		if n != &nodes[count+1] {
			t.Fatalf("Descendants() item %d is not node %d", count, count+1)
		}
		count++
	}
	if got, want := count, depth-1; got != want {
		t.Errorf("len(Descendants()) = %d, want %d", got, want)
	}
	order := root.StopOrder()
	if got, want := len(order), depth-1; got != want {
		t.Fatalf("len(StopOrder()) = %d, want %d", got, want)
	}
	for i, n := range order {
		if n != &nodes[depth-1-i] {
			t.Fatalf("StopOrder()[%d] is not node %d", i, depth-1-i)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("leaf.Adopt(root) did not panic")
			}
		}()
		leaf.Adopt(root)
	}()
}

func BenchmarkStopOrder(b *testing.B) {
	const size = 10000
	b.Run("size=10000", func(b *testing.B) {
		nodes := make([]node, size)
		for i := 1; i < size; i++ {
			nodes[(i-1)/10].Adopt(&nodes[i]) // ten children per node
		}
		b.ReportAllocs()
		for b.Loop() {
			if got := nodes[0].StopOrder(); len(got) != size-1 {
				b.Fatalf("len(StopOrder()) = %d, want %d", len(got), size-1)
			}
		}
	})
}
