package showcase

import (
	"time"

	"github.com/framesched/framesched/sched"
)

// Atlas, in Go, finds a path across the map whenever the player clicks on
// it: a breadth-first search over a big grid with walls, breathing every
// few dozen cells.
const (
	atlasSize  = 384
	atlasCell  = 1500 * time.Nanosecond // simulated CPU per cell searched
	atlasChunk = 64                     // cells between Breath checkpoints
)

type atlas struct {
	w     *world
	walls []bool
	job   *sched.Task // the search under way, if any

	// A search's working memory, kept for the next one: a search is
	// started only once the previous one has finished or been stopped.
	prev  []int32 // the cell each cell was reached from, or -1
	queue []int32
}

func loadAtlas(w *world, _ []byte) {
	a := &atlas{w: w, walls: make([]bool, atlasSize*atlasSize), prev: make([]int32, atlasSize*atlasSize)}
	for i := range a.walls {
		x, y := i%atlasSize, i/atlasSize
		a.walls[i] = x%7 == 3 && y%11 != 0 // walls with a gap every 11 cells
	}
	w.on("MAP_CLICK", func(ev event) { w.s.RunAs("Atlas", func() { a.click(ev.n) }) })
}

// click starts a search for the k-th click, from near one corner to near
// the opposite one, stopping the search the previous click started.
func (a *atlas) click(k int) {
	if a.job != nil && !a.job.Finished() {
		a.job.Stop("new destination")
	}
	from := a.free(k*37%20, k*11%20)
	to := a.free(atlasSize-1-k*13%30, atlasSize-1-k*7%30)
	job, err := a.w.s.Go("Atlas", "path", a.search(from, to))
	if err != nil {
		a.w.s.ReportError("Atlas", "MAP_CLICK", err)
		return
	}
	a.job = job
}

// free is the cell at x, y, or the next one along the row when that is a
// wall (walls are one cell wide).
func (a *atlas) free(x, y int) int {
	c := y*atlasSize + x
	if a.walls[c] {
		c++
	}
	return c
}

func (a *atlas) search(from, to int) sched.Body {
	return func(t *sched.Self) (any, error) {
		prev := a.prev
		for i := range prev {
			prev[i] = -1
		}
		prev[from] = int32(from)
		queue := append(a.queue[:0], int32(from))
		defer func() { a.queue = queue[:0] }()
		searched := 0
		for ; searched < len(queue) && int(queue[searched]) != to; searched++ {
			c := int(queue[searched])
			x, y := c%atlasSize, c/atlasSize
			for _, d := range [4][2]int{{1, 0}, {0, 1}, {-1, 0}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= atlasSize || ny >= atlasSize {
					continue
				}
				if nc := ny*atlasSize + nx; !a.walls[nc] && prev[nc] < 0 {
					prev[nc] = int32(c)
					queue = append(queue, int32(nc))
				}
			}
			a.w.work(atlasCell)
			if searched%atlasChunk == atlasChunk-1 {
				t.BreathShort()
			}
		}
		steps := 0
		for c := to; c != from; c = int(prev[c]) {
			steps++
		}
		a.w.print("Atlas", t.Name(), "path of %d steps, %d cells searched", steps, searched)
		return steps, nil
	}
}
