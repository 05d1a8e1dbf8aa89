package sched_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/framesched/framesched/sched"
)

// pieces records the pieces a ParallelFor called its function for.
type pieces struct {
	mu     sync.Mutex
	slabs  [][2][]int
	counts map[[3]int]int // calls per index
}

func (p *pieces) chunk(ctx context.Context, lo, hi []int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slabs = append(p.slabs, [2][]int{slices.Clone(lo), slices.Clone(hi)})
	for i := lo[0]; i < hi[0]; i++ {
		for j := at(lo, 1); j < at(hi, 1)+boolInt(len(hi) < 2); j++ {
			for k := at(lo, 2); k < at(hi, 2)+boolInt(len(hi) < 3); k++ {
				p.counts[[3]int{i, j, k}]++
			}
		}
	}
	return nil
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sorted is the pieces' bounds as "[lo hi]" strings, by lo.
func (p *pieces) sorted() []string {
	slices.SortFunc(p.slabs, func(a, b [2][]int) int { return slices.Compare(a[0], b[0]) })
	var out []string
	for _, s := range p.slabs {
		out = append(out, fmt.Sprint(s[0], s[1]))
	}
	return out
}

// runParallelFor runs ParallelFor(dims) in a task on a pool of size workers
// until the task finishes, and returns the pieces, the task's error and the
// completions applied.
func runParallelFor(t *testing.T, workers int, dims []int, chunk func(p *pieces) func(context.Context, []int, []int) error) (*pieces, error, int) {
	w := newWorld(t, 4*ms, sched.WithWorkers(workers))
	p := &pieces{counts: map[[3]int]int{}}
	task := w.start("Bags", "for", func(t *sched.Self) (any, error) {
		return nil, sched.ParallelFor(t, dims, chunk(p))
	})
	completions := 0
	for frames := 0; !task.Finished(); frames++ {
		if frames == 100 {
			t.Fatalf("ParallelFor(%v) not done after 100 frames", dims)
		}
		completions += w.s.RunFrame().Completions
		synctest.Wait()
	}
	return p, task.Err(), completions
}

func record(p *pieces) func(context.Context, []int, []int) error { return p.chunk }

func TestParallelForPieces(t *testing.T) {
	for _, tc := range []struct {
		dims    []int
		workers int
		want    []string
	}{
		{[]int{10}, 3, []string{"[0] [4]", "[4] [7]", "[7] [10]"}},
		{[]int{1000}, 7, []string{"[0] [143]", "[143] [286]", "[286] [429]", "[429] [572]", "[572] [715]", "[715] [858]", "[858] [1000]"}},
		{[]int{2}, 4, []string{"[0] [1]", "[1] [2]"}},
		{[]int{1}, 2, []string{"[0] [1]"}},
		{[]int{5}, 1, []string{"[0] [5]"}},
		{[]int{2, 9}, 3, []string{"[0 0] [2 3]", "[0 3] [2 6]", "[0 6] [2 9]"}},
		{[]int{9, 2}, 2, []string{"[0 0] [5 2]", "[5 0] [9 2]"}},
		{[]int{2, 2}, 8, []string{"[0 0] [1 2]", "[1 0] [2 2]"}},
		{[]int{3, 4, 5}, 4, []string{"[0 0 0] [3 1 5]", "[0 1 0] [3 2 5]", "[0 2 0] [3 3 5]", "[0 3 0] [3 4 5]"}},
		{[]int{7, 3, 2}, 2, []string{"[0 0 0] [4 3 2]", "[4 0 0] [7 3 2]"}},
		{[]int{1, 1, 1}, 2, []string{"[0 0 0] [1 1 1]"}},
		{[]int{3, 5, 7}, 16, []string{"[0 0 0] [3 5 1]", "[0 0 1] [3 5 2]", "[0 0 2] [3 5 3]", "[0 0 3] [3 5 4]", "[0 0 4] [3 5 5]", "[0 0 5] [3 5 6]", "[0 0 6] [3 5 7]"}},
	} {
		t.Run(fmt.Sprint(tc.dims, "/", tc.workers), func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				p, err, completions := runParallelFor(t, tc.workers, tc.dims, record)
				if err != nil {
					t.Fatalf("ParallelFor: %v", err)
				}
				if got := p.sorted(); !slices.Equal(got, tc.want) {
					t.Errorf("pieces %q, want %q", got, tc.want)
				}
				if completions != len(tc.want) {
					t.Errorf("completions %d, want one per piece, %d", completions, len(tc.want))
				}
				checkCovered(t, p, tc.dims)
			})
		})
	}
}

// Every index of ranges of every shape up to 3 dimensions is covered exactly
// once, in at most as many pieces as workers, differing by at most one
// index along the dimension cut.
func TestParallelForCovers(t *testing.T) {
	bubble(t, func(t *testing.T) {
		for _, dims := range [][]int{{1}, {2}, {3}, {7}, {64}, {1, 5}, {5, 1}, {3, 3}, {4, 7}, {2, 3, 4}, {5, 1, 3}, {1, 1, 9}} {
			for _, workers := range []int{1, 2, 3, 4, 8} {
				p, err, _ := runParallelFor(t, workers, dims, record)
				if err != nil {
					t.Fatalf("ParallelFor(%v) on %d: %v", dims, workers, err)
				}
				if len(p.slabs) > workers {
					t.Errorf("ParallelFor(%v) on %d workers: %d pieces", dims, workers, len(p.slabs))
				}
				sizes := map[int]bool{}
				for _, s := range p.slabs {
					n := 1
					for d := range dims {
						n *= s[1][d] - s[0][d]
					}
					sizes[n] = true
				}
				if len(sizes) > 2 {
					t.Errorf("ParallelFor(%v) on %d workers: pieces of sizes %v", dims, workers, sizes)
				}
				checkCovered(t, p, dims)
			}
		}
	})
}

func checkCovered(t *testing.T, p *pieces, dims []int) {
	t.Helper()
	want := 1
	for _, n := range dims {
		want *= n
	}
	if len(p.counts) != want {
		t.Errorf("ParallelFor(%v): %d indices covered, want %d", dims, len(p.counts), want)
	}
	for i, n := range p.counts {
		for d := range 3 {
			if i[d] < 0 || (d < len(dims) && i[d] >= dims[d]) || (d >= len(dims) && i[d] != 0) {
				t.Errorf("ParallelFor(%v): index %v out of range", dims, i)
			}
		}
		if n != 1 {
			t.Errorf("ParallelFor(%v): index %v covered %d times", dims, i, n)
		}
	}
}

// An empty range runs nothing and does not park; bad extents are errors.
func TestParallelForEmptyAndBad(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms)
		var got []string
		w.start("Bags", "for", func(t *sched.Self) (any, error) {
			for _, dims := range [][]int{{0}, {5, 0}, {0, 3, 2}, {0, 0, 0}, nil, {}, {1, 2, 3, 4}, {-1}, {3, -2}} {
				before := t.Slices()
				err := sched.ParallelFor(t, dims, func(context.Context, []int, []int) error {
					panic("called")
				})
				got = append(got, fmt.Sprintf("%v: %v parked %v", dims, err, t.Slices() != before))
			}
			return nil, nil
		})
		w.s.RunFrame()
		want := []string{
			"[0]: <nil> parked false",
			"[5 0]: <nil> parked false",
			"[0 3 2]: <nil> parked false",
			"[0 0 0]: <nil> parked false",
			"[]: ParallelFor: 0 dimensions, want 1 to 3 parked false",
			"[]: ParallelFor: 0 dimensions, want 1 to 3 parked false",
			"[1 2 3 4]: ParallelFor: 4 dimensions, want 1 to 3 parked false",
			"[-1]: ParallelFor: extents [-1]: a negative extent parked false",
			"[3 -2]: ParallelFor: extents [3 -2]: a negative extent parked false",
		}
		if !slices.Equal(got, want) {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
}

// A piece that fails cancels the others' context with its error, which
// ParallelFor returns once they have all returned, and the task's body
// makes its error.
func TestParallelForError(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var (
			mu     sync.Mutex
			causes []string
			others sync.WaitGroup
		)
		others.Add(2)
		chunk := func(*pieces) func(context.Context, []int, []int) error {
			return func(ctx context.Context, lo, hi []int) error {
				if lo[0] == 1 {
					others.Wait() // both others are running: their context is cancelled, not skipped
					return errBoom
				}
				others.Done()
				<-ctx.Done()
				mu.Lock()
				defer mu.Unlock()
				causes = append(causes, fmt.Sprint(lo, context.Cause(ctx)))
				return ctx.Err()
			}
		}
		_, err, completions := runParallelFor(t, 3, []int{3}, chunk)
		if !errors.Is(err, errBoom) {
			t.Errorf("task's error %v, want %v", err, errBoom)
		}
		slices.Sort(causes)
		if want := []string{"[0] boom", "[2] boom"}; !slices.Equal(causes, want) {
			t.Errorf("the other pieces saw %q, want %q", causes, want)
		}
		if completions != 3 {
			t.Errorf("completions %d, want 3: ParallelFor returns once every piece has", completions)
		}
	})
}

// A piece that panics fails the ParallelFor with a *PanicError.
func TestParallelForPanic(t *testing.T) {
	bubble(t, func(t *testing.T) {
		chunk := func(*pieces) func(context.Context, []int, []int) error {
			return func(ctx context.Context, lo, hi []int) error {
				if lo[0] == 0 {
					panic("bad index")
				}
				return nil
			}
		}
		_, err, _ := runParallelFor(t, 2, []int{4}, chunk)
		var pe *sched.PanicError
		if !errors.As(err, &pe) || pe.Value != "bad index" {
			t.Errorf("task's error %v, want a *PanicError of %q", err, "bad index")
		}
	})
}

// A task stopped in a ParallelFor unwinds at once; its pieces' context is
// cancelled with the stop as its cause.
func TestParallelForStop(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 4*ms, sched.WithWorkers(2))
		var (
			mu     sync.Mutex
			causes []string
			p      probe
		)
		task := w.start("Bags", "for", func(t *sched.Self) (any, error) {
			err := sched.ParallelFor(t, []int{2, 2}, func(ctx context.Context, lo, hi []int) error {
				<-ctx.Done()
				mu.Lock()
				defer mu.Unlock()
				causes = append(causes, fmt.Sprint(lo, context.Cause(ctx)))
				return nil
			})
			p.log("ParallelFor returned %v", err)
			return nil, err
		})
		w.s.RunFrame()
		synctest.Wait()
		task.Stop("enough")
		synctest.Wait()
		slices.SortFunc(causes, cmp.Compare)
		if want := []string{"[0 0] enough", "[1 0] enough"}; !slices.Equal(causes, want) {
			t.Errorf("pieces saw %q, want %q", causes, want)
		}
		if len(p.lines) > 0 {
			t.Errorf("the stopped task went on: %q", p.lines)
		}
		if st := w.s.RunFrame(); st.Completions != 2 || st.Resumed != 0 {
			t.Errorf("frame after the stop: %d completions, %d slices; want 2, 0", st.Completions, st.Resumed)
		}
	})
}
