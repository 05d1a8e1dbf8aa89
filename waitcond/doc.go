// Package waitcond defines wait conditions: what a task waits for before it
// runs again, and how conditions combine with And and Or.
//
// The leaves are Frames, Timespan and Timestamp (the frame counter and the
// clock), Task and Children (other tasks finishing), a Signal the host fires,
// a Future that work on another goroutine completes, and Predicate, a
// function polled each frame. All but Predicate are monotonic: once met,
// they stay met.
//
// A condition is an immutable value that may be reused and shared between
// tasks. It never reads a clock: constructors that depend on "now" take the
// current time or frame as an argument, and a condition is evaluated against
// an Env that the scheduler provides for the waiting task. Leaves lets the
// scheduler arm one wake source per leaf (a timer, a frame queue entry, a
// Signal watcher, a Future callback) so that waiting costs nothing until
// something a condition depends on happens; only predicates are polled.
//
// And and Or flatten parts of their own kind, so c = Or(c, x) in a loop
// makes one flat Or, in O(1) per step. A tree is bounded: at most MaxSize
// conditions and MaxDepth levels of And and Or, so that evaluating or
// explaining it costs a bounded time and stack. A condition beyond them is
// invalid: Err says which limit it passed, it is never met, and schedulers
// refuse to wait for it.
package waitcond
