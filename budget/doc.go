// Package budget does the arithmetic of a frame budget: how much of a frame
// is left, whether a Breath checkpoint at a given level may go on, what a
// task typically costs between checkpoints, and how much of recent frames an
// owner has used.
//
// The package never reads a clock: every time and duration comes in as an
// argument, so its behaviour is a pure function of its inputs.
package budget
