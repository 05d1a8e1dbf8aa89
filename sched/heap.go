package sched

// alarm is one armed wake source: a task to check when key is reached.
// Keys are frame numbers or clock times in nanoseconds; seq breaks ties so
// that alarms due together fire in the order they were armed.
type alarm struct {
	key  int64
	seq  uint64
	t    *task
	heap *alarmHeap // the heap it is in, nil when not armed
	idx  int
}

// alarmHeap is a min-heap of alarms ordered by (key, seq), each alarm
// knowing its index so that it can be disarmed in O(log n).
type alarmHeap struct {
	items []*alarm
}

func (h *alarmHeap) len() int { return len(h.items) }

func (h *alarmHeap) less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	return a.key < b.key || a.key == b.key && a.seq < b.seq
}

func (h *alarmHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].idx = i
	h.items[j].idx = j
}

func (h *alarmHeap) push(a *alarm) {
	a.heap, a.idx = h, len(h.items)
	h.items = append(h.items, a)
	h.up(a.idx)
}

// popDue removes and returns the earliest alarm if its key is at most key.
func (h *alarmHeap) popDue(key int64) *alarm {
	if len(h.items) == 0 || h.items[0].key > key {
		return nil
	}
	a := h.items[0]
	h.remove(0)
	return a
}

func (h *alarmHeap) remove(i int) {
	a := h.items[i]
	n := len(h.items) - 1
	if i != n {
		h.swap(i, n)
	}
	h.items[n] = nil
	h.items = h.items[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	a.heap = nil
}

func (h *alarmHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *alarmHeap) down(i int) bool {
	start, n := i, len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > start
}

// disarm removes a from its heap if it is armed.
func (a *alarm) disarm() {
	if a.heap != nil {
		a.heap.remove(a.idx)
	}
}
