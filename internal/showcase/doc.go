// Package showcase is what `go run ./cmd/demo` shows: why frame budgets
// matter, in one command.
//
// A simulated game host at 60 frames per second runs six addons, in Go and
// in Lua, with long jobs: an inventory indexer, a path-finder over a big
// grid, a parser for a large generated file, a chat filter with a tiny task
// per message, a greedy scanner that never breathes and a quest tracker
// whose task fails. The same game, with the same events at the same
// moments, runs twice in lockstep: naively, each job running to completion
// in the frame that asked for it, and under framesched, with a budget per
// frame, the watchdog's warning and, for Lua, its kill.
//
// Work is simulated: code calls work (Sim.Work in Lua) with the cost of
// each unit of work, which moves a virtual clock (package vclock) that the
// scheduler and the Lua watchdog run on. Every figure is therefore the same
// on any machine, and a run of 20 simulated seconds takes a few real ones.
//
//	sc, err := showcase.New(showcase.Options{Seconds: 20})
//	...
//	defer sc.Close()
//	err = sc.Plain(os.Stdout)           // or sc.Live(os.Stdin, os.Stdout) on a terminal
//	err = sc.Report(w)                  // the monitor's HTML report with charts
//
// Recording and rendering are package monitor's: the showcase gives it the
// game's page (addons, terms) and its two recordings to compare.
package showcase
