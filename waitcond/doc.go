// Package waitcond defines wait conditions: what a task waits for before it
// runs again, and how conditions combine with And and Or.
//
// A condition is an immutable value that may be reused and shared between
// tasks. It never reads a clock: constructors that depend on "now" take the
// current time or frame as an argument, and a condition is evaluated against
// an Env that the scheduler provides. Leaves lets the scheduler arm one wake
// source per leaf (a timer, a frame queue entry) so that waiting costs
// nothing until something a condition depends on happens.
package waitcond
