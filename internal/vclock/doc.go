// Package vclock is a virtual clock for simulated runs: its time moves only
// when its owner moves it, so a run's figures are the same on any machine.
// The headless runner's --virtual mode and the showcase use it.
package vclock
