package sched

// queue is a FIFO of tasks. Entries may be stale (a task finished or was
// suspended after it was queued); the scheduler skips those when it pops.
type queue struct {
	items []*task
	head  int
}

func (q *queue) len() int { return len(q.items) - q.head }

func (q *queue) push(t *task) { q.items = append(q.items, t) }

func (q *queue) pop() *task {
	if q.head == len(q.items) {
		return nil
	}
	t := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return t
}

// moveTo appends every entry of q to dst, in order, and empties q.
func (q *queue) moveTo(dst *queue) {
	if q.len() == 0 {
		return
	}
	if dst.len() == 0 { // the common case: swap the two, keeping both arrays
		dst.items, dst.head, q.items, q.head = q.items, q.head, dst.items[:0], 0
		return
	}
	for t := q.pop(); t != nil; t = q.pop() {
		dst.push(t)
	}
}
