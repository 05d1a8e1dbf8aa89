// Command demo is framesched's demo host. With no arguments it runs the
// showcase (package internal/showcase): a simulated game at 60 frames per
// second whose addons, in Go and in Lua, run the same long jobs twice,
// naively and under framesched. On a terminal it shows them live; elsewhere
// it prints a line per simulated second. Both end with a summary, and
// --report FILE.html writes a page with charts, and --trace FILE a trace of
// the framesched run for ui.perfetto.dev (package tracefile).
//
// `demo run [flags] script.lua...` is the headless script runner: see
// run.go.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/framesched/framesched/internal/showcase"
	"github.com/framesched/framesched/tracefile"
)

func main() {
	os.Exit(showcaseMain())
}

func showcaseMain() int {
	seconds := flag.Float64("seconds", showcase.DefaultSeconds, "simulated seconds of play")
	report := flag.String("report", "", "write an HTML report with charts to `FILE`")
	plain := flag.Bool("plain", false, "print progress lines even on a terminal")
	trace := flag.String("trace", "", "write a trace of the framesched run to `FILE`, for ui.perfetto.dev")
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
	var tw *tracefile.Writer
	if *trace != "" { // created before the run: a bad path must not cost a whole run
		f, err := os.Create(*trace)
		if err != nil {
			fmt.Fprintln(os.Stderr, "demo: --trace:", err)
			return 2
		}
		tw = tracefile.New(f)
		defer func() {
			if err := errors.Join(tw.Close(), f.Close()); err != nil {
				fmt.Fprintf(os.Stderr, "demo: --trace %s: %v\n", *trace, err)
			}
		}()
	}
	sc, err := showcase.New(showcase.Options{Seconds: *seconds, Seed: 1, Trace: tw})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	defer sc.Close() // before the trace's close, deferred earlier: it stops the tasks
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
