package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Exit statuses of Run.
const (
	exitEnded      = 0 // the run ended: done, max or idle
	exitLoadFailed = 1 // a script failed to load, or --replay could not replay
	exitBadFlags   = 2 // bad flags or arguments
	exitErrors     = 3 // with --fail-on-error: the run ended, and printed an ERROR line
	exitReplay     = 4 // --replay: not the run recorded, or the run diverged from it
)

// The defaults of --budget and --frame-time: the demo's 4 ms at 60 frames
// per second, and with --host rift, RIFT's 50 ms every 100 ms.
const (
	defaultBudget        = 4 * time.Millisecond
	defaultFrameTime     = time.Second / 60 // 16.666666ms; 16.667ms on the virtual clock
	defaultRiftBudget    = 50 * time.Millisecond
	defaultRiftFrameTime = 100 * time.Millisecond
)

// config is what the command line asks for.
type config struct {
	virtual    bool
	budget     time.Duration
	frameTime  time.Duration
	maxFrames  int
	idleFrames int
	warnAfter  time.Duration
	seed       uint64
	addon      string
	host       string
	memory     int // MiB each addon may keep; 0 for lua.DefaultMemoryLimit, negative for no limit
	failOnErr  bool
	worstFrame bool
	record     string // --record FILE
	replay     string // --replay FILE
	trace      string // --trace FILE
	scripts    []string
	report     string // --report: the file the monitor's HTML report goes to
	guard      guard
}

// guard is the Lua watchdog's kill guard of a run (lua.Config.KillAfter).
type guard struct {
	after time.Duration // killAfter, but in tests
	// virtual runs the guard on the virtual clock of a --virtual run
	// (tests): code is killed once its Sim.Work has moved virtual time by
	// after without breathing, the same on every run and with no real
	// waiting. A loop that does not move virtual time is never killed.
	virtual bool
}

// Run runs the scripts named in args (flags first, then script.lua...) as
// addons, printing their output on stdout, and returns the exit status: 0
// when the run ended, 1 when a script failed to load, 2 for bad flags, 3
// with --fail-on-error when the run printed an ERROR line. Usage and flag
// errors go to stderr.
func Run(args []string, stdout, stderr io.Writer) int {
	return runGuarded(args, stdout, stderr, guard{after: killAfter})
}

// RunVirtualGuard is Run for tests: in a --virtual run, the Lua watchdog's
// kill guard runs on the virtual clock, so a slice or call that works
// (Sim.Work) past the guard's threshold without breathing is killed at the
// same point on every run, without waiting for real time.
func RunVirtualGuard(args []string, stdout, stderr io.Writer) int {
	return runGuarded(args, stdout, stderr, guard{after: killAfter, virtual: true})
}

// runGuarded is Run with the kill guard g (tests use a short one).
func runGuarded(args []string, stdout, stderr io.Writer, g guard) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitEnded
	case err != nil:
		fmt.Fprintf(stderr, "demo run: %v\n%s", err, shortUsage)
		return exitBadFlags
	}
	cfg.guard = g
	var report *os.File
	if cfg.report != "" { // before anything runs: a run is not wasted on a report that cannot be written
		if report, err = os.Create(cfg.report); err != nil {
			fmt.Fprintf(stderr, "demo run: --report: %v\n", err)
			return exitBadFlags
		}
		defer report.Close()
	}
	trace, err := createTrace(cfg.trace) // before anything runs, as the report
	if err != nil {
		fmt.Fprintf(stderr, "demo run: --trace: %v\n", err)
		return exitBadFlags
	}
	r, err := newRun(cfg, stdout)
	if err != nil {
		trace.close()
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return replayStatus(err)
	}
	r.tw = trace.writer()
	loaded := r.load()
	if loaded {
		r.frames()
	}
	if report != nil {
		if err := r.mon.WriteReport(report); err != nil {
			fmt.Fprintf(stderr, "demo run: --report: %v\n", err)
		}
	}
	r.close()
	if err := trace.close(); err != nil { // after close: stopping the tasks is traced
		fmt.Fprintf(stderr, "demo run: --trace %s: %v\n", cfg.trace, err)
	}
	if err := r.closeRecording(); err != nil { // after close: stopping the tasks reads the clock
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return replayStatus(err)
	}
	switch {
	case !loaded:
		return exitLoadFailed
	case cfg.failOnErr && r.errorLines > 0:
		return exitErrors
	}
	return exitEnded
}

// replayStatus is the exit status for an error of --record or --replay.
func replayStatus(err error) int {
	if isReplayMismatch(err) {
		return exitReplay
	}
	return exitLoadFailed
}

const shortUsage = "usage: demo run [flags] script.lua... (-h for the flags)\n"

const usage = `usage: demo run [flags] script.lua...

Runs each script as an addon (named after its file, without .lua) on a
frame-budget scheduler, frame after frame, printing what the scripts print
and every error as "<frame>	ERROR [<addon>] <message>" (with --warn-after,
every watchdog warning as "<frame>	WARN [<addon>] <task>: <message>" and
the Lua traceback, indented, and the escalation of an addon that keeps
running past it: throttled, suspended, its task killed), and ends with
"<frame>	END	<reason>" (done, max or idle). Each ERROR line is followed by
lines indented by a tab: the task and where it was created, and the Lua
traceback. An END line of a run stopped by max or idle is followed by the
count of unfinished tasks, by addon and state.

Exit status: 0 the run ended; 1 a script failed to load, or the --record
or --replay file could not be written or read; 2 bad flags; 3 with
--fail-on-error, the run printed an ERROR line; 4 --replay of another run
than the one recorded, or a replay that diverged from it.

--record FILE keeps every reading of a real-clock run's clock; --replay
FILE runs the same scripts with the same flags on them, without waiting:
the recorded run again, stalls included, printing the same lines.

--budget and --frame-time default to 4ms and 1/60 s (60 frames per
second), with --host rift to RIFT's 50ms and 100ms.

flags:
`

// parseFlags reads the command line. It prints the usage for -h and
// returns flag.ErrHelp; other errors are for the caller to print.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("demo run", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; the usage is printed below
	fs.BoolVar(&cfg.virtual, "virtual", false, "virtual clock: time moves only by the frame cadence and Sim.Work; memory addresses print numbered")
	fs.DurationVar(&cfg.budget, "budget", 0, "the scheduler's budget per frame (default 4ms; 50ms with --host rift)")
	fs.DurationVar(&cfg.frameTime, "frame-time", 0, "from the start of one frame to the start of the next (default 16.666666ms; 100ms with --host rift)")
	fs.IntVar(&cfg.maxFrames, "max-frames", 2000, "end after this many frames")
	fs.IntVar(&cfg.idleFrames, "idle-frames", 300, "end after this many frames in a row printed nothing (0: never)")
	fs.DurationVar(&cfg.warnAfter, "warn-after", 0, "warn about every slice that runs this long without breathing, and escalate an addon that keeps doing so (0: never)")
	fs.Uint64Var(&cfg.seed, "seed", 0, "seed of math.random in every addon")
	fs.StringVar(&cfg.addon, "addon", "", "the addon's name, with one script (default: the file's name)")
	fs.StringVar(&cfg.host, "host", "", `host preset: "rift" for RIFT's addon API`)
	fs.StringVar(&cfg.report, "report", "", "write the monitor's HTML report of the run, with charts, to `FILE`")
	fs.IntVar(&cfg.memory, "memory", 0, "MiB of memory each addon may keep (0: 64, negative: no limit); an addon that stays over is stopped")
	fs.BoolVar(&cfg.failOnErr, "fail-on-error", false, "exit with status 3 when the run printed an ERROR line")
	fs.BoolVar(&cfg.worstFrame, "worst-frame", false, "after the END line, print the frame that lasted longest, indented: worst frame F: D")
	fs.StringVar(&cfg.record, "record", "", "keep every reading of the run's (real) clock in `FILE`, for --replay")
	fs.StringVar(&cfg.trace, "trace", "", "write a trace of frames, slices, waits, warnings and errors to `FILE`, for ui.perfetto.dev or chrome://tracing")
	fs.StringVar(&cfg.replay, "replay", "", "run on the clock readings --record kept in `FILE` (same scripts and flags): the recorded run again, exactly")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return cfg, err
	}
	cfg.scripts = fs.Args()
	cfg.setDefaults(fs)
	return cfg, cfg.check()
}

// setDefaults gives --budget and --frame-time, when not given, the
// defaults of the host preset.
func (cfg *config) setDefaults(fs *flag.FlagSet) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	budget, frameTime := defaultBudget, defaultFrameTime
	if cfg.host == "rift" {
		budget, frameTime = defaultRiftBudget, defaultRiftFrameTime
	}
	if !given["budget"] {
		cfg.budget = budget
	}
	if !given["frame-time"] {
		cfg.frameTime = frameTime
	}
}

func (cfg *config) check() error {
	switch {
	case len(cfg.scripts) == 0:
		return errors.New("no script given")
	case cfg.budget < 0:
		return fmt.Errorf("--budget %v: negative", cfg.budget)
	case cfg.frameTime < 0:
		return fmt.Errorf("--frame-time %v: negative", cfg.frameTime)
	case cfg.maxFrames < 1:
		return fmt.Errorf("--max-frames %d: at least 1 expected", cfg.maxFrames)
	case cfg.idleFrames < 0:
		return fmt.Errorf("--idle-frames %d: negative", cfg.idleFrames)
	case cfg.warnAfter < 0:
		return fmt.Errorf("--warn-after %v: negative", cfg.warnAfter)
	case cfg.addon != "" && len(cfg.scripts) != 1:
		return fmt.Errorf("--addon %s: only with one script, got %d", cfg.addon, len(cfg.scripts))
	case cfg.record != "" && (cfg.virtual || cfg.replay != ""):
		return errors.New("--record: only on the real clock, without --virtual or --replay")
	case cfg.replay != "" && cfg.virtual:
		return errors.New("--replay: runs on the recorded clock, without --virtual")
	case cfg.host != "" && cfg.host != "rift":
		return fmt.Errorf("--host %s: unknown preset (rift is the one there is)", cfg.host)
	}
	seen := map[string]string{}
	for _, path := range cfg.scripts {
		if strings.HasPrefix(path, "-") {
			return fmt.Errorf("%s: flags go before the scripts", path)
		}
		name := cfg.addonName(path)
		if prev, ok := seen[name]; ok {
			return fmt.Errorf("%s and %s: both would be addon %q", prev, path, name)
		}
		seen[name] = path
	}
	return nil
}

// addonName is the addon a script runs as: --addon; with --host rift and
// one script, Scenario; else the file's name without .lua.
func (cfg *config) addonName(path string) string {
	switch {
	case cfg.addon != "":
		return cfg.addon
	case cfg.host == "rift" && len(cfg.scripts) == 1:
		return riftAddon
	}
	return strings.TrimSuffix(filepath.Base(path), ".lua")
}
