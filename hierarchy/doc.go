// Package hierarchy is the parent/child tree of tasks as a pure data
// structure: an intrusive Node that the scheduler embeds in each task, O(1)
// adoption and detachment, children kept in adoption order, and a
// deterministic order in which to stop a finished task's descendants.
//
// The package never reads a clock and knows nothing of tasks beyond the
// Value each node carries.
package hierarchy
