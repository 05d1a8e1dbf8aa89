package hierarchy

import "iter"

// Node is one task's place in the tree. The zero Node is an orphan with no
// children. Not safe for concurrent use.
//
// Children form a doubly linked list so that Detach is O(1) whatever the
// number of siblings; a slice of children would make it O(siblings).
type Node[T any] struct {
	// Value is the task this node belongs to; set by the owner of the node.
	Value T

	parent      *Node[T]
	first, last *Node[T] // children, in adoption order
	prev, next  *Node[T] // siblings
	count       int      // number of children
}

// Parent returns n's parent, or nil if n is an orphan.
func (n *Node[T]) Parent() *Node[T] { return n.parent }

// FirstChild returns n's earliest adopted child, or nil if n has none.
func (n *Node[T]) FirstChild() *Node[T] { return n.first }

// NumChildren returns the number of n's children (not all descendants) in
// O(1).
func (n *Node[T]) NumChildren() int { return n.count }

// Depth returns the number of ancestors of n: 0 for an orphan, 1 for its
// child, and so on. It is O(depth).
func (n *Node[T]) Depth() int {
	d := 0
	for p := n.parent; p != nil; p = p.parent {
		d++
	}
	return d
}

// Adopt makes child the last of n's children, so children stay in adoption
// order. It panics if child is n, if child already has a parent, or if child
// is an ancestor of n (which would close a cycle). It is O(depth of n) when
// child has children and O(1) when it has none.
func (n *Node[T]) Adopt(child *Node[T]) {
	if child == n {
		panic("hierarchy: Adopt: node cannot adopt itself")
	}
	if child.parent != nil {
		panic("hierarchy: Adopt: child already has a parent")
	}
	// A child without children cannot be an ancestor of n, so adopting a
	// fresh node, the scheduler's only case, skips the walk and is O(1).
	if child.first != nil {
		for p := n.parent; p != nil; p = p.parent {
			if p == child {
				panic("hierarchy: Adopt: child is an ancestor of the node")
			}
		}
	}
	child.parent = n
	child.prev = n.last
	if n.last != nil {
		n.last.next = child
	} else {
		n.first = child
	}
	n.last = child
	n.count++
}

// Detach removes n from its parent's children in O(1), making n an orphan.
// n keeps its own children. Detach on an orphan does nothing.
func (n *Node[T]) Detach() {
	p := n.parent
	if p == nil {
		return
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		p.first = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		p.last = n.prev
	}
	p.count--
	n.parent, n.prev, n.next = nil, nil, nil
}

// Children yields n's children in adoption order. The yielded child may be
// detached (and adopted elsewhere) during iteration without disturbing it;
// any other change to n's children during iteration leaves what is yielded
// unspecified.
func (n *Node[T]) Children() iter.Seq[*Node[T]] {
	return func(yield func(*Node[T]) bool) {
		for c := n.first; c != nil; {
			next := c.next // read first: yield may detach c
			if !yield(c) {
				return
			}
			c = next
		}
	}
}

// Descendants yields every descendant of n, not n itself, depth-first in
// pre-order: each child, then that child's subtree, children in adoption
// order. It uses O(1) memory and no recursion. The subtree under n must not
// change during iteration; to change it while walking, use StopOrder, which
// returns a snapshot.
func (n *Node[T]) Descendants() iter.Seq[*Node[T]] {
	return func(yield func(*Node[T]) bool) {
		for c := n.first; c != nil; c = c.preorderNext(n) {
			if !yield(c) {
				return
			}
		}
	}
}

// preorderNext returns the node after n in a pre-order walk of root's
// subtree, or nil when the walk is done. Walking the parent links instead of
// keeping a stack means no allocation and no limit on depth.
func (n *Node[T]) preorderNext(root *Node[T]) *Node[T] {
	if n.first != nil {
		return n.first
	}
	for ; n != root; n = n.parent {
		if n.next != nil {
			return n.next
		}
	}
	return nil
}

// StopOrder returns n's descendants, not n itself, in the order they should
// be stopped: post-order, so each node comes after its whole subtree and a
// parent never sees a child finish after it; siblings come in adoption
// order. The result is a snapshot: the caller may detach or stop nodes while
// going through it. It returns nil if n has no children. It uses no
// recursion and allocates exactly one slice.
func (n *Node[T]) StopOrder() []*Node[T] {
	size := 0
	for range n.Descendants() {
		size++
	}
	if size == 0 {
		return nil
	}
	return n.AppendStopOrder(make([]*Node[T], 0, size))
}

// AppendStopOrder appends StopOrder's snapshot to dst and returns the
// extended slice, in one walk of the subtree: a caller that stops trees
// again and again can reuse one slice and allocate nothing.
func (n *Node[T]) AppendStopOrder(dst []*Node[T]) []*Node[T] {
	if n.first == nil {
		return dst
	}
	c := n.first.deepestFirst()
	for {
		dst = append(dst, c)
		switch {
		case c.next != nil:
			c = c.next.deepestFirst()
		case c.parent != n:
			c = c.parent
		default:
			return dst
		}
	}
}

// deepestFirst follows first children down from n to a node with none: the
// first node of n's subtree in post-order.
func (n *Node[T]) deepestFirst() *Node[T] {
	for n.first != nil {
		n = n.first
	}
	return n
}
