package main

import (
	"hash/fnv"
	"sort"
	"time"

	"github.com/framesched/framesched/sched"
)

// sieve counts the primes below n, breathing every 4096 numbers.
func sieve(n int) sched.Body {
	return func(t *sched.Self) (any, error) {
		composite := make([]bool, n)
		count := 0
		for i := 2; i < n; i++ {
			if !composite[i] {
				count++
				for j := i * i; j < n; j += i {
					composite[j] = true
					if j%65536 == 0 {
						t.BreathShort()
					}
				}
			}
			if i%4096 == 0 {
				t.Breath()
			}
		}
		return count, nil
	}
}

// indexItems hashes and sorts n generated item names, a chunk at a time.
func indexItems(n int) sched.Body {
	return func(t *sched.Self) (any, error) {
		keys := make([]uint64, 0, n)
		for i := range n {
			h := fnv.New64a()
			h.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16), 'x'})
			keys = append(keys, h.Sum64())
			if i%1024 == 0 {
				t.BreathShort()
			}
		}
		const chunk = 8192
		for lo := 0; lo < n; lo += chunk {
			part := keys[lo:min(lo+chunk, n)]
			sort.Slice(part, func(a, b int) bool { return part[a] < part[b] })
			t.BreathLong()
		}
		return len(keys), nil
	}
}

// flood computes the distance from a corner of a size×size grid with walls
// to every cell (a breadth-first path-finder), breathing every 512 cells.
func flood(size int) sched.Body {
	return func(t *sched.Self) (any, error) {
		dist := make([]int32, size*size)
		for i := range dist {
			dist[i] = -1
			if x, y := i%size, i/size; x%7 == 3 && y%11 != 0 {
				dist[i] = -2 // a wall with gaps
			}
			if i%8192 == 0 {
				t.BreathShort()
			}
		}
		queue := []int{0}
		dist[0] = 0
		far := int32(0)
		for n := 0; len(queue) > 0; n++ {
			c := queue[0]
			queue = queue[1:]
			x, y := c%size, c/size
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= size || ny >= size {
					continue
				}
				if nc := ny*size + nx; dist[nc] == -1 {
					dist[nc] = dist[c] + 1
					far = max(far, dist[nc])
					queue = append(queue, nc)
				}
			}
			if n%512 == 0 {
				t.Breath()
			}
		}
		return far, nil
	}
}

// ticker is a chatty task that wakes every frame for two seconds.
func ticker() sched.Body {
	return func(t *sched.Self) (any, error) {
		s := t.Scheduler()
		ticks := 0
		for start := s.Now(); s.Now().Sub(start) < 2*time.Second; ticks++ {
			t.Wait(s.NextFrame())
		}
		return ticks, nil
	}
}
