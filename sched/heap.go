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

// alarmHeap holds armed alarms and pops them in (key, seq) order: a
// sorted run in front of a min-heap.
//
// Most alarms are armed in the order they fall due: tasks wait for the same
// span, or for the next frame, one after another, so each key is at least
// the last one's. Those go to the end of the run, in O(1), and are popped
// from its front in O(1), reading the array in order; only an alarm due
// before the run's last goes to the heap. Popping 100,000 alarms through
// the heap alone sifted each down its 17 levels, over an array larger than
// the CPU's caches (BENCHMARKS.md, issue 14). popDue takes the earlier of
// the two fronts, so the order is the same as with the heap alone.
//
// Disarming is lazy: the entry stays, stale, and is dropped when it reaches
// a front or when stale entries outnumber live ones (then both are rebuilt
// without them). That makes disarming O(1), where an index-tracking heap
// needs O(log n) sifts that write into every alarm they move; a task that
// finishes or wakes disarms its alarms, so stopping a tree of 10,000
// waiting tasks did 10,000 such removals. Stale entries keep their finished
// tasks reachable until dropped: at most as many as live ones, or 63.
type alarmHeap struct {
	run   []alarmEntry // sorted by (key, seq); popped from run[head]
	head  int
	items []alarmEntry // a min-heap by (key, seq)
	stale int          // stale entries in run[head:] and items
}

// len is the number of entries, stale ones included.
func (h *alarmHeap) len() int { return len(h.run) - h.head + len(h.items) }

func (h *alarmHeap) less(i, j int) bool { return h.items[i].before(&h.items[j]) }

// before reports whether e comes before f in pop order.
func (e *alarmEntry) before(f *alarmEntry) bool {
	return e.key < f.key || e.key == f.key && e.seq < f.seq
}

// push adds a, whose seq is greater than that of every alarm pushed before.
func (h *alarmHeap) push(a *alarm) {
	a.heap = h
	e := alarmEntry{key: a.key, seq: a.seq, a: a}
	if n := len(h.run); n == h.head || h.run[n-1].key <= e.key { // so (key, seq) is the greatest
		if n == cap(h.run) && h.head >= n/2 && h.head > 0 {
			// Full, and at least half of it popped: move the rest to the
			// front rather than grow. A run that never empties (alarms
			// armed each frame for a later one) would otherwise grow for
			// ever.
			live := copy(h.run, h.run[h.head:])
			clear(h.run[live:])
			h.run, h.head = h.run[:live], 0
		}
		h.run = append(h.run, e)
		return
	}
	h.items = append(h.items, e)
	h.up(len(h.items) - 1)
}

// popDue removes and returns the earliest alarm if its key is at most key,
// dropping the stale entries it finds in front.
func (h *alarmHeap) popDue(key int64) *alarm {
	for {
		var r *alarmEntry
		if h.head < len(h.run) {
			if r = &h.run[h.head]; !r.live() {
				h.popRun()
				h.stale--
				continue
			}
		}
		if len(h.items) > 0 {
			if top := &h.items[0]; !top.live() {
				h.removeTop()
				h.stale--
				continue
			} else if r == nil || top.before(r) {
				if top.key > key {
					return nil
				}
				a := top.a
				h.removeTop()
				a.heap = nil
				return a
			}
		}
		if r == nil || r.key > key {
			return nil
		}
		a := r.a
		h.popRun()
		a.heap = nil
		return a
	}
}

// popRun removes the run's front entry.
func (h *alarmHeap) popRun() {
	h.run[h.head] = alarmEntry{}
	if h.head++; h.head == len(h.run) {
		h.run, h.head = h.run[:0], 0
	}
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

// drop notes that one entry went stale and rebuilds the run and the heap
// without the stale entries once they are the majority.
func (h *alarmHeap) drop() {
	h.stale++
	if h.stale <= h.len()/2 || h.stale < 64 {
		return
	}
	h.run, h.head = liveEntries(h.run, h.head), 0
	h.items = liveEntries(h.items, 0)
	h.stale = 0
	for i := len(h.items)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// liveEntries moves the live entries of es[from:] to the front of es, in
// order, clears the rest and returns them.
func liveEntries(es []alarmEntry, from int) []alarmEntry {
	live := es[:0]
	for _, e := range es[from:] {
		if e.live() {
			live = append(live, e)
		}
	}
	clear(es[len(live):])
	return live
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
