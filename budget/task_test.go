package budget

import (
	"testing"
	"time"
)

func TestTaskAddSlice(t *testing.T) {
	var tk Task
	tests := []struct {
		d           time.Duration
		wantTotal   time.Duration
		wantSlices  int
		wantLongest time.Duration
	}{
		{2 * ms, 2 * ms, 1, 2 * ms},
		{5 * ms, 7 * ms, 2, 5 * ms},
		{ms, 8 * ms, 3, 5 * ms},
		{0, 8 * ms, 4, 5 * ms},
		{6 * ms, 14 * ms, 5, 6 * ms},
	}
	for i, tt := range tests {
		tk.AddSlice(tt.d)
		if tk.Total != tt.wantTotal {
			t.Errorf("step %d: AddSlice(%v): Total: got %v, want %v", i, tt.d, tk.Total, tt.wantTotal)
		}
		if tk.Slices != tt.wantSlices {
			t.Errorf("step %d: AddSlice(%v): Slices: got %d, want %d", i, tt.d, tk.Slices, tt.wantSlices)
		}
		if tk.Longest != tt.wantLongest {
			t.Errorf("step %d: AddSlice(%v): Longest: got %v, want %v", i, tt.d, tk.Longest, tt.wantLongest)
		}
	}
}

func TestTaskObserveChunk(t *testing.T) {
	var tk Task
	if got := tk.Chunk(); got != 0 {
		t.Fatalf("zero Task.Chunk(): got %v, want 0", got)
	}
	tests := []struct {
		d    time.Duration
		want time.Duration
	}{
		{-5 * ms, 0},                       // negative: ignored
		{8 * ms, 8 * ms},                   // first observation: d exactly
		{4 * ms, 7 * ms},                   // a quarter of the way from 8ms to 4ms
		{10 * ms, 7750 * time.Microsecond}, // a quarter of the way from 7ms to 10ms
		{-ms, 7750 * time.Microsecond},     // ignored
		{7750 * time.Microsecond, 7750 * time.Microsecond}, // at the average already
		{0, 5812500 * ns}, // a quarter of the way to 0
	}
	for i, tt := range tests {
		tk.ObserveChunk(tt.d)
		if got := tk.Chunk(); got != tt.want {
			t.Errorf("step %d: ObserveChunk(%v): Chunk: got %v, want %v", i, tt.d, got, tt.want)
		}
	}
}

func TestTaskObserveChunkConverges(t *testing.T) {
	tests := []struct {
		from, to time.Duration
	}{
		{ms, 10 * ms},
		{10 * ms, ms},
		{2 * ms, 20 * ms},
		{20 * ms, 2 * ms},
	}
	for _, tt := range tests {
		var tk Task
		tk.ObserveChunk(tt.from)
		for range 30 {
			tk.ObserveChunk(tt.to)
		}
		got := tk.Chunk()
		if diff := (got - tt.to).Abs(); diff > tt.to/100 {
			t.Errorf("from %v to %v after 30 observations: got %v, want within 1%% of %v", tt.from, tt.to, got, tt.to)
		}
	}
}
