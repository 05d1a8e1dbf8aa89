package waitcond

import "sync"

// Future is the outcome of work that completes once, possibly on another
// goroutine, with a value or an error. All its methods are safe to call
// from any goroutine. The zero value is a pending future with no name.
type Future struct {
	name string
	mu   sync.Mutex
	done bool
	v    any
	err  error
	then []func() // OnComplete callbacks waiting for completion
}

// NewFuture returns a pending future. The name is for Explain.
func NewFuture(name string) *Future { return &Future{name: name} }

// Name is the name the future was made with.
func (f *Future) Name() string { return f.name }

// Complete sets the result and reports whether this call did: the first
// call wins and later ones return false and change nothing. It then calls
// the OnComplete callbacks, on this goroutine, in registration order. A
// callback that panics does not keep the later ones from being called (a
// host's callback must not lose a waiting task its wake-up); once they have
// been called, the panic goes on (the last one, if several panicked).
func (f *Future) Complete(v any, err error) bool {
	f.mu.Lock()
	if f.done {
		f.mu.Unlock()
		return false
	}
	f.done, f.v, f.err = true, v, err
	then := f.then
	f.then = nil
	f.mu.Unlock()
	callAll(then)
	return true
}

// callAll calls every function in cbs, in order, even when one panics.
func callAll(cbs []func()) {
	i := 0
	defer func() {
		if i < len(cbs) { // cbs[i] panicked
			callAll(cbs[i+1:])
		}
	}()
	for ; i < len(cbs); i++ {
		cbs[i]()
	}
}

// Done reports whether the future has completed.
func (f *Future) Done() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.done
}

// Result is the value and error the future completed with; nil, nil while
// it is pending.
func (f *Future) Result() (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.v, f.err
}

// OnComplete registers cb to be called once when the future completes, by
// the goroutine that completes it, after the result is set and without any
// lock held. If the future has already completed, cb is called at once, on
// this goroutine, before OnComplete returns. cb must be quick: the
// scheduler only moves the news to its frame goroutine.
func (f *Future) OnComplete(cb func()) {
	f.mu.Lock()
	if !f.done {
		f.then = append(f.then, cb)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	cb()
}

// Cond is a condition met once f has completed, with a value or an error.
func (f *Future) Cond() *Cond { return &Cond{kind: KindFuture, ref: f} }
