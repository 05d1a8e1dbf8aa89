package main

import (
	"os"

	"github.com/framesched/framesched/internal/runner"
)

// `demo run [flags] script.lua...` is the headless script runner (package
// internal/runner). It is dispatched here, before main parses the
// showcase's flags, so that the showcase's code and flags stay its own.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "run" {
		os.Exit(runner.Run(os.Args[2:], os.Stdout, os.Stderr))
	}
}
