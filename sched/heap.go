package sched

// alarm is one armed wake source: a task to check when key is reached.
// Keys are frame numbers or clock times in nanoseconds; seq breaks ties so
// that alarms due together fire in the order they were armed.
type alarm struct {
	key  int64
	seq  uint64 // the seq of its entry in heap; unique per scheduler, never 0
	t    *task
	heap *alarmHeap // the heap it is armed in, nil when not armed
}

// alarmEntry is an alarm as its heap holds it: the ordering key is copied
// into the heap's own array, so that sifting compares and moves entries
// without touching the alarms, which live in tasks scattered over memory
// (with 100,000 tasks woken in one frame, those cache misses were most of
// the cost of popping).
type alarmEntry struct {
	key int64
	seq uint64
	a   *alarm
}

// live reports whether e is still its alarm's entry: disarming or re-arming
// an alarm leaves its old entry in the heap, stale.
func (e *alarmEntry) live() bool { return e.a.heap != nil && e.a.seq == e.seq }

// alarmHeap is a min-heap of alarms ordered by (key, seq).
//
// Disarming is lazy: the entry stays in the heap, stale, and is dropped when
// it reaches the top or when stale entries outnumber live ones (then the
// heap is rebuilt without them). That makes disarming O(1), where an
// index-tracking heap needs O(log n) sifts that write into every alarm they
// move; a task that finishes or wakes disarms its alarms, so stopping a tree
// of 10,000 waiting tasks did 10,000 such removals. Stale entries keep their
// finished tasks reachable until dropped: at most as many as live ones,
// or 63.
// Pop order depends only on (key, seq), so it is the same either way.
type alarmHeap struct {
	items []alarmEntry
	stale int // stale entries in items
}

func (h *alarmHeap) less(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	return a.key < b.key || a.key == b.key && a.seq < b.seq
}

func (h *alarmHeap) push(a *alarm) {
	a.heap = h
	h.items = append(h.items, alarmEntry{key: a.key, seq: a.seq, a: a})
	h.up(len(h.items) - 1)
}

// popDue removes and returns the earliest alarm if its key is at most key,
// dropping the stale entries it finds on top.
func (h *alarmHeap) popDue(key int64) *alarm {
	for len(h.items) > 0 {
		e := h.items[0]
		if !e.live() {
			h.removeTop()
			h.stale--
			continue
		}
		if e.key > key {
			return nil
		}
		h.removeTop()
		e.a.heap = nil
		return e.a
	}
	return nil
}

func (h *alarmHeap) removeTop() {
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items[n] = alarmEntry{}
	h.items = h.items[:n]
	if n > 0 {
		h.down(0)
	}
}

// drop notes that one entry went stale and rebuilds the heap without the
// stale entries once they are the majority.
func (h *alarmHeap) drop() {
	h.stale++
	if h.stale <= len(h.items)/2 || h.stale < 64 {
		return
	}
	live := h.items[:0]
	for _, e := range h.items {
		if e.live() {
			live = append(live, e)
		}
	}
	clear(h.items[len(live):])
	h.items, h.stale = live, 0
	for i := len(live)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *alarmHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *alarmHeap) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// disarm takes a out of its heap if it is armed: its entry goes stale.
func (a *alarm) disarm() {
	if h := a.heap; h != nil {
		a.heap = nil
		h.drop()
	}
}
