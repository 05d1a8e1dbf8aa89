// Package tsc is a cheaper reading of a monotonic clock for the
// scheduler's real clock, from the processor's time-stamp counter: about
// 9 ns a reading where the kernel's clock takes about 23 ns on the machines
// measured (BENCHMARKS.md). A frame reads the clock at its start and at the
// end of every slice, and every Breath reads it.
//
// The counter is used only where it is known to be steady (Available): an
// x86-64 processor whose counter is invariant (constant rate, never
// stopped), under a Linux kernel that keeps its own time with it (its
// clocksource is "tsc", which the kernel picks only once it found the
// counter synchronized across processors). Elsewhere a Clock reads the
// clock it stands in for every time.
//
// A Clock extrapolates from its latest reading of the real clock, its
// anchor, at the counter's rate measured since its first anchor; it takes a
// new anchor every 50 ms of counting. Until 20 ms of counting have
// calibrated the rate, every reading is the real clock's. At each anchor it
// checks its extrapolation against the real clock: if that strayed by more
// than 50 µs (or 100 ppm over a long wait), or the counter went back, it
// stops using the counter for good. Readings never go back.
package tsc
