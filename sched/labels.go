package sched

import (
	"context"
	"runtime/pprof"
)

// Profiler labels. Every task's body runs with the pprof labels "owner" and
// "task" (its owner's and its own name), and the pool's work with "owner",
// so that a CPU profile splits by addon:
//
//	go tool pprof -tagfocus owner=Bags cpu.pprof
//
// A task's worker goroutine is labelled once, when the task's body starts
// (it keeps the labels while parked), and goroutines the body starts
// inherit them. Code that runs on the frame goroutine for an owner (RunAs:
// event handlers, predicates) is not labelled: Go cannot read a goroutine's
// labels back, so the host's own labels there could not be restored.

// LabelOwner and LabelTask are the pprof label keys of task code.
const (
	LabelOwner = "owner"
	LabelTask  = "task"
)

// ownerLabels is the context that carries the owner label of owner name.
func ownerLabels(name string) context.Context {
	return pprof.WithLabels(context.Background(), pprof.Labels(LabelOwner, name))
}

// maxTaskLabels bounds the labels an owner keeps, per task name: a task
// whose name has none pays about 250ns and 5 allocations to make them,
// one that has them about 20ns. Past the bound they are all dropped.
const maxTaskLabels = 256

// label labels the calling goroutine, which is about to run t's body, with
// t's owner and name.
func (t *task) label() {
	o := t.own
	ctx := o.taskLabels[t.name]
	if ctx == nil {
		if o.taskLabels == nil || len(o.taskLabels) >= maxTaskLabels {
			o.taskLabels = map[string]context.Context{}
		}
		ctx = pprof.WithLabels(o.labels, pprof.Labels(LabelTask, t.name))
		o.taskLabels[t.name] = ctx
	}
	pprof.SetGoroutineLabels(ctx)
}
