package monitor

import (
	"slices"
	"testing"
	"time"

	"gonum.org/v1/plot/plotter"
)

const ms = time.Millisecond

// withFrames is a monitor that recorded frames, each owner A's CPU given.
func withFrames(frames ...Frame) *Monitor {
	m := New(Config{})
	m.ownerIndex("A")
	m.frames = frames
	return m
}

// TestCPUBars: a bar is the owner's CPU over the time of its half second
// the run covered: the run's last bar, covered for 0.2s, is not divided by
// the whole half second.
func TestCPUBars(t *testing.T) {
	m := withFrames(
		Frame{N: 1, At: 0, Took: 10 * ms, CPU: []time.Duration{10 * ms}},
		Frame{N: 2, At: 600 * ms, Took: 100 * ms, CPU: []time.Duration{50 * ms}},
	)
	b := cpuBars(m, []string{"A", "B"})
	if want := []float64{0, 0.5}; !slices.Equal(b.x, want) {
		t.Errorf("bars at %v, want %v", b.x, want)
	}
	if want := [][]float64{{20, 0}, {250, 0}}; len(b.stacks) != 2 || !slices.Equal(b.stacks[0], want[0]) || !slices.Equal(b.stacks[1], want[1]) {
		t.Errorf("bars %v (ms/s), want %v", b.stacks, want)
	}
}

// TestSteps: a frame's value holds until the next frame begins (the last
// one's until it ends), equal values make one step, and the line only
// goes across or up and down.
func TestSteps(t *testing.T) {
	fs := []Frame{{At: 0, Took: 5 * ms}, {At: 20 * ms, Took: 5 * ms}, {At: 40 * ms, Took: 30 * ms}, {At: 70 * ms, Took: 2 * ms}}
	got := steps(fs, func(f *Frame) float64 { return millis(f.Took) }, 3)
	want := plotter.XYs{{X: 0, Y: 5}, {X: 0.04, Y: 5}, {X: 0.04, Y: 30}, {X: 0.07, Y: 30}, {X: 0.07, Y: 3}, {X: 0.072, Y: 3}}
	if !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
}

func TestIntTicks(t *testing.T) {
	for _, c := range []struct {
		hi   float64
		want []float64
	}{{3, []float64{0, 1, 2, 3}}, {45, []float64{0, 10, 20, 30, 40}}, {12, []float64{0, 2, 4, 6, 8, 10, 12}}, {13, []float64{0, 5, 10}}, {0.5, []float64{0}}} {
		var got []float64
		for _, tk := range (intTicks{}).Ticks(0, c.hi) {
			got = append(got, tk.Value)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("ticks to %v: %v, want %v", c.hi, got, c.want)
		}
	}
}
