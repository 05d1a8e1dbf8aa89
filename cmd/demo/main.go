// Command demo is framesched's demo host. With no arguments it runs the
// showcase (package internal/showcase): a simulated game at 60 frames per
// second whose addons, in Go and in Lua, run the same long jobs twice,
// naively and under framesched. On a terminal it shows them live (the
// monitor package's live view); elsewhere it prints a line per simulated
// second. Both end with a summary, --report FILE.html writes the monitor's
// report, a page with charts, and --trace FILE a trace of the framesched run
// for ui.perfetto.dev (package tracefile).
//
// `demo run [flags] script.lua...` is the headless script runner: see
// run.go.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/framesched/framesched/internal/showcase"
	"github.com/framesched/framesched/tracefile"
)

func main() {
	live := term.IsTerminal(int(os.Stdout.Fd())) && term.IsTerminal(int(os.Stdin.Fd()))
	os.Exit(showcaseMain(os.Args[1:], live, os.Stdin, os.Stdout, os.Stderr))
}

// showcaseMain runs the showcase with the command line's args, live when
// stdin and stdout are a terminal and --plain is not given, and returns the
// exit status: 0 when it ran, 1 when it failed, 2 for bad flags.
func showcaseMain(args []string, live bool, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seconds := fs.Float64("seconds", showcase.DefaultSeconds, "simulated seconds of play")
	report := fs.String("report", "", "write an HTML report with charts to `FILE`")
	plain := fs.Bool("plain", false, "print progress lines even on a terminal")
	trace := fs.String("trace", "", "write a trace of the framesched run to `FILE`, for ui.perfetto.dev")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: demo [flags]                       the showcase\n"+
			"       demo run [flags] script.lua...    the headless script runner (demo run -h)\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if !(*seconds > 0) {
		fmt.Fprintln(stderr, "demo: --seconds must be more than 0")
		return 2
	}
	var out *os.File
	if *report != "" { // before anything runs: a run is not wasted on a report that cannot be written
		var err error
		if out, err = os.Create(*report); err != nil {
			fmt.Fprintln(stderr, "demo: --report:", err)
			return 2
		}
		defer out.Close()
	}
	var tw *tracefile.Writer
	if *trace != "" { // before anything runs, as the report
		f, err := os.Create(*trace)
		if err != nil {
			fmt.Fprintln(stderr, "demo: --trace:", err)
			return 2
		}
		tw = tracefile.New(f)
		defer func() { // after sc.Close, deferred below: stopping the tasks is traced
			if err := errors.Join(tw.Close(), f.Close()); err != nil {
				fmt.Fprintf(stderr, "demo: --trace %s: %v\n", *trace, err)
			}
		}()
	}
	sc, err := showcase.New(showcase.Options{Seconds: *seconds, Seed: 1, Trace: tw})
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 2
	}
	defer sc.Close()
	if live && !*plain {
		err = sc.Live(stdin, stdout)
	} else {
		err = sc.Plain(stdout)
	}
	if err == nil && out != nil {
		if err = sc.Report(out); err == nil {
			err = out.Close()
		}
		if err == nil {
			fmt.Fprintf(stdout, "report: %s\n", *report)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	return 0
}
