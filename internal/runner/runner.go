package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Exit statuses of Run.
const (
	exitEnded      = 0 // the run ended: done, max or idle
	exitLoadFailed = 1 // a script failed to load
	exitBadFlags   = 2 // bad flags or arguments
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
	scripts    []string
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
// when the run ended, 1 when a script failed to load, 2 for bad flags.
// Usage and flag errors go to stderr.
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
	r := newRun(cfg, stdout)
	defer r.close()
	if !r.load() {
		return exitLoadFailed
	}
	r.frames()
	return exitEnded
}

const shortUsage = "usage: demo run [flags] script.lua... (-h for the flags)\n"

const usage = `usage: demo run [flags] script.lua...

Runs each script as an addon (named after its file, without .lua) on a
frame-budget scheduler, frame after frame, printing what the scripts print
and every error as "<frame>	ERROR [<addon>] <message>" (with --warn-after,
every watchdog warning as "<frame>	WARN [<addon>] <task>: <message>" and
the Lua traceback, indented, and the escalation of an addon that keeps
running past it: throttled, suspended, its task killed), and ends with
"<frame>	END	<reason>" (done, max or idle).

flags:
`

// parseFlags reads the command line. It prints the usage for -h and
// returns flag.ErrHelp; other errors are for the caller to print.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("demo run", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; the usage is printed below
	fs.BoolVar(&cfg.virtual, "virtual", false, "virtual clock: time moves only by the frame cadence and Sim.Work; memory addresses print numbered")
	fs.DurationVar(&cfg.budget, "budget", 50*time.Millisecond, "the scheduler's budget per frame")
	fs.DurationVar(&cfg.frameTime, "frame-time", 100*time.Millisecond, "from the start of one frame to the start of the next")
	fs.IntVar(&cfg.maxFrames, "max-frames", 2000, "end after this many frames")
	fs.IntVar(&cfg.idleFrames, "idle-frames", 300, "end after this many frames in a row printed nothing (0: never)")
	fs.DurationVar(&cfg.warnAfter, "warn-after", 0, "warn about every slice that runs this long without breathing, and escalate an addon that keeps doing so (0: never)")
	fs.Uint64Var(&cfg.seed, "seed", 0, "seed of math.random in every addon")
	fs.StringVar(&cfg.addon, "addon", "", "the addon's name, with one script (default: the file's name)")
	fs.StringVar(&cfg.host, "host", "", `host preset: "rift" for RIFT's addon API`)
	fs.IntVar(&cfg.memory, "memory", 0, "MiB of memory each addon may keep (0: 64, negative: no limit); an addon that stays over is stopped")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return cfg, err
	}
	cfg.scripts = fs.Args()
	return cfg, cfg.check()
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
