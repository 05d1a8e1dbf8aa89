package budget

import "time"

// Task is one task's CPU accounting. The zero Task has used nothing and
// knows nothing of its typical cost.
type Task struct {
	Total   time.Duration // CPU time over the task's life
	Slices  int           // times the task was resumed
	Longest time.Duration // longest single slice
	chunk   time.Duration // typical cost between checkpoints (moving average)
}

// AddSlice charges one slice (resume to park) of d to the task.
func (t *Task) AddSlice(d time.Duration) {
	t.Total += d
	t.Slices++
	t.Longest = max(t.Longest, d)
}

// ObserveChunk records that a chunk of work between checkpoints took d. The
// typical cost follows new observations with weight 1/4, so a task whose
// work changes pace is re-learned within a few checkpoints. A negative d is
// ignored.
func (t *Task) ObserveChunk(d time.Duration) {
	if d < 0 {
		return
	}
	if t.chunk == 0 {
		t.chunk = d
		return
	}
	t.chunk += (d - t.chunk) / 4
}

// Chunk is the typical cost of the task's work between two checkpoints, or
// 0 before any was observed.
func (t *Task) Chunk() time.Duration { return t.chunk }
