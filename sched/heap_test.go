package sched

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAlarmHeapModel arms, re-arms, disarms and pops alarms at random and
// checks every pop against a sorted list of the armed alarms. Most alarms
// are armed in key order, as waits for one span are (they go to the sorted
// run), the others at random (they go to the heap when due before the
// run's last).
func TestAlarmHeapModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h alarmHeap
	alarms := make([]alarm, 500)
	seq := uint64(0)
	last := int64(0)              // the key armed last
	inRun, inHeap := false, false // both held entries at some step
	armed := func() []*alarm {
		var out []*alarm
		for i := range alarms {
			if alarms[i].heap != nil {
				out = append(out, &alarms[i])
			}
		}
		slices.SortFunc(out, func(a, b *alarm) int {
			if a.key != b.key {
				return int(a.key - b.key)
			}
			return int(a.seq) - int(b.seq)
		})
		return out
	}
	for step := range 20000 {
		a := &alarms[r.IntN(len(alarms))]
		switch op := r.IntN(10); {
		case op < 5: // arm or re-arm
			a.disarm()
			seq++
			key := int64(r.IntN(100))
			if op < 3 {
				key = min(last+int64(r.IntN(3)), 99)
			}
			a.key, a.seq, last = key, seq, key
			h.push(a)
		case op < 8:
			a.disarm()
		default:
			due := int64(r.IntN(100))
			want := armed()
			for _, w := range want {
				if w.key > due {
					break
				}
				if got := h.popDue(due); got != w {
					t.Fatalf("step %d: popDue(%d) = %v, want %v", step, due, got, w)
				}
			}
			if got := h.popDue(due); got != nil {
				t.Fatalf("step %d: popDue(%d) = key %d, want nothing due", step, due, got.key)
			}
		}
		if live := len(armed()); h.stale != h.len()-live || h.stale >= 64 && h.stale > live {
			t.Fatalf("step %d: %d entries, %d stale, %d armed", step, h.len(), h.stale, live)
		}
		inRun = inRun || len(h.run) > h.head
		inHeap = inHeap || len(h.items) > 0
	}
	if !inRun || !inHeap {
		t.Fatalf("the run held entries: %v, the heap: %v; want both", inRun, inHeap)
	}
}

// TestAlarmRunBounded arms an alarm per step, each for later than the one
// before, and pops the due ones, so that the run never empties: its array
// must stay as large as the alarms armed at once need, not grow with the
// steps.
func TestAlarmRunBounded(t *testing.T) {
	var h alarmHeap
	alarms := make([]alarm, 10)
	for step := range 100000 {
		a := &alarms[step%len(alarms)]
		a.key, a.seq = int64(step), uint64(step+1)
		h.push(a)
		if step >= len(alarms)-1 { // ten armed: pop the earliest
			if got := h.popDue(int64(step - len(alarms) + 1)); got == nil || got.key != int64(step-len(alarms)+1) {
				t.Fatalf("step %d: popDue got %v, want the alarm of key %d", step, got, step-len(alarms)+1)
			}
		}
		if len(h.items) != 0 {
			t.Fatalf("step %d: %d alarms in the heap, want all in the run", step, len(h.items))
		}
	}
	if c := cap(h.run); c > 64 {
		t.Errorf("the run's array holds %d entries for 10 armed alarms", c)
	}
}
