// Command demo is framesched's demo host. With no arguments it runs the
// showcase (package internal/showcase): a simulated game at 60 frames per
// second whose addons, in Go and in Lua, run the same long jobs twice,
// naively and under framesched. On a terminal it shows them live; elsewhere
// it prints a line per simulated second. Both end with a summary, and
// --report FILE.html writes a page with charts.
//
// `demo run [flags] script.lua...` is the headless script runner: see
// run.go.
package main

import (
	"flag"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/framesched/framesched/internal/showcase"
)

func main() {
	os.Exit(showcaseMain())
}

func showcaseMain() int {
	seconds := flag.Float64("seconds", showcase.DefaultSeconds, "simulated seconds of play")
	report := flag.String("report", "", "write an HTML report with charts to `FILE`")
	plain := flag.Bool("plain", false, "print progress lines even on a terminal")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: demo [flags]                       the showcase\n"+
			"       demo run [flags] script.lua...    the headless script runner (demo run -h)\n\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		return 2
	}
	if !(*seconds > 0) {
		fmt.Fprintln(os.Stderr, "demo: --seconds must be more than 0")
		return 2
	}
	sc, err := showcase.New(showcase.Options{Seconds: *seconds, Seed: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	defer sc.Close()
	if !*plain && term.IsTerminal(int(os.Stdout.Fd())) && term.IsTerminal(int(os.Stdin.Fd())) {
		err = sc.Live(os.Stdin, os.Stdout)
	} else {
		err = sc.Plain(os.Stdout)
	}
	if err == nil && *report != "" {
		if err = sc.WriteReport(*report); err == nil {
			fmt.Printf("report: %s\n", *report)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	return 0
}
