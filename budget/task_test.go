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

func TestTaskObserveChunks(t *testing.T) {
	var tk Task
	if got := tk.Chunk(); got != 0 {
		t.Fatalf("zero Task.Chunk(): got %v, want 0", got)
	}
	tests := []struct {
		elapsed time.Duration
		n       int
		want    time.Duration
	}{
		{0, 0, 0},                             // n == 0: ignored
		{5 * ms, 0, 0},                        // n == 0: ignored
		{5 * ms, -1, 0},                       // n < 0: ignored
		{-5 * ms, 1, 0},                       // negative elapsed: ignored
		{24 * ms, 3, 8 * ms},                  // first observation: elapsed/n exactly
		{4 * ms, 1, 7 * ms},                   // a quarter of the way from 8ms to 4ms
		{30 * ms, 3, 7750 * time.Microsecond}, // a quarter of the way from 7ms to 10ms
		{ms, 0, 7750 * time.Microsecond},      // ignored
		{-ms, 2, 7750 * time.Microsecond},     // ignored
		{15500 * time.Microsecond, 2, 7750 * time.Microsecond}, // at the average already
		{0, 5, 5812500 * ns}, // a quarter of the way to 0
	}
	for i, tt := range tests {
		tk.ObserveChunks(tt.elapsed, tt.n)
		if got := tk.Chunk(); got != tt.want {
			t.Errorf("step %d: ObserveChunks(%v, %d): Chunk: got %v, want %v", i, tt.elapsed, tt.n, got, tt.want)
		}
	}
}

func TestTaskObserveChunksConverges(t *testing.T) {
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
		tk.ObserveChunks(tt.from, 1)
		for range 30 {
			tk.ObserveChunks(4*tt.to, 4)
		}
		got := tk.Chunk()
		if diff := (got - tt.to).Abs(); diff > tt.to/100 {
			t.Errorf("from %v to %v after 30 observations: got %v, want within 1%% of %v", tt.from, tt.to, got, tt.to)
		}
	}
}
