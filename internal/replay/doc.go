// Package replay records what a run read from its clock and plays it back:
// a Recorder is a clock.Clock that passes the real clock's readings through
// and keeps each one, and a Player is a clock.Clock that returns a
// recording's readings in the same order, so that code which depends on
// nothing but its input and its clock runs again exactly as it ran, stalls
// included, on any machine. The headless runner's --record and --replay
// use it.
//
// Both count a clock reading as a call of Now, Since or Until; their
// timers (After, AfterFunc, Sleep, Tick, Ticker, Timer and contexts) are
// the real clock's and are not recorded. The owner marks the points where
// the readings must line up (Mark: the runner marks each frame's start), so
// that a replay that diverges is caught where it does.
//
// # File format, version 1
//
// A recording is two text lines and a binary body:
//
//	framesched-replay 1
//	{"start":1764901234000000000,"run":["--budget=4ms ...","test.lua sha256:..."]}
//	<entries>
//
// The second line is JSON: start is the Unix time in nanoseconds the
// readings count from (the Recorder's creation), run is what the owner said
// identifies the run (a Player compares it line by line). Each entry is an
// unsigned varint (encoding/binary's Uvarint) u:
//
//	u even      a reading, zigzag(u>>1) nanoseconds after the previous one (the first: after start)
//	u == 1      a mark
//	u == 3      the end, followed by two uvarints: the count of readings and of marks
//
// where zigzag(z) = z>>1 ^ -(z&1), as in encoding/binary's Varint. A run of
// frames of a few readings each keeps 2 to 4 bytes per reading. A body
// without the end (a run that crashed) plays back up to where it stops.
package replay
