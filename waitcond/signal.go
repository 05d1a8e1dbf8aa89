package waitcond

// Signal is an event the host owns and fires, such as "loot received". A
// condition made by its Cond method is met by the first Fire after it was
// made. The zero value is a signal with no name that has never fired.
//
// A Signal is not safe for concurrent use: make, fire and watch it on the
// frame goroutine. Work on other goroutines reports through a Future.
type Signal struct {
	name       string
	fired      uint64
	head, tail *watcher // registration order
	lastID     uint64   // id of the newest watcher
}

// watcher is a node of the signal's intrusive list, so that cancel unlinks
// it in O(1). A slice with tombstones would also cancel in O(1) but needs
// compaction; a map from id to func would lose the order.
type watcher struct {
	f          func() // nil once cancelled
	id         uint64 // increases along the list
	prev, next *watcher
}

// NewSignal returns a signal that has never fired. The name is for Explain.
func NewSignal(name string) *Signal { return &Signal{name: name} }

// Name is the name the signal was made with.
func (s *Signal) Name() string { return s.name }

// Fired is how many times the signal has fired.
func (s *Signal) Fired() uint64 { return s.fired }

// Cond is a condition met once s fires after this call.
func (s *Signal) Cond() *Cond { return &Cond{kind: KindSignal, n: s.fired, ref: s} }

// Fire counts one firing, so conditions made before it are met, then calls
// the watchers registered before this call, in registration order.
//
// Watchers may use the signal: a watcher cancelled (by itself or another
// watcher) before its turn is not called; one registered during Fire is
// first called by the next Fire; a nested Fire calls every watcher before
// the outer Fire goes on.
func (s *Signal) Fire() {
	s.fired++
	last := s.lastID
	// A watcher cancelled while it runs keeps its next pointer, so the
	// loop goes on from it; its id bound stops before newer watchers.
	for w := s.head; w != nil && w.id <= last; w = w.next {
		if w.f != nil {
			w.f()
		}
	}
}

// Watch registers f to be called by every later Fire, until cancel is
// called. cancel is O(1), may be called more than once and from a watcher.
// f must not be nil.
func (s *Signal) Watch(f func()) (cancel func()) {
	if f == nil {
		panic("waitcond: Watch with a nil func")
	}
	s.lastID++
	w := &watcher{f: f, id: s.lastID, prev: s.tail}
	if s.tail != nil {
		s.tail.next = w
	} else {
		s.head = w
	}
	s.tail = w
	return func() { s.unlink(w) }
}

func (s *Signal) unlink(w *watcher) {
	if w.f == nil {
		return
	}
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		s.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		s.tail = w.prev
	}
	w.f, w.prev = nil, nil // w.next stays for a Fire that is calling w
}
