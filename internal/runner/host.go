package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/internal/vclock"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// killAfter is the Lua watchdog's threshold, in real time: a slice, a main
// chunk, a hook or handler call or a predicate that runs this long is
// interrupted. It is a guard against a script that loops forever, not a
// budget: the scheduler's budget is --budget.
const killAfter = 5 * time.Second

// run is one run of the runner: a scheduler, a Lua host with one addon per
// script, and the frame loop. Like the scheduler, it is single-goroutine.
type run struct {
	cfg  config
	out  *bufio.Writer
	clk  clock.Clock
	vclk *vclock.Clock // the clock of a --virtual run, else nil
	s    *sched.Scheduler
	h    *lua.Host
	rift *rift // the RIFT preset (--host rift), else nil

	start      time.Time // when the run started
	frame      uint64    // the current frame: 0 while the scripts load
	frameStart time.Time // when the current frame began
	printed    bool      // a line was printed in the current frame
	done       bool      // a script called Sim.Done
	ended      bool      // the END line was printed: output is muted
	hooks      []hook    // the Sim.OnFrame functions, in registration order

	pins    []*sched.Task  // --virtual: a handle to every task, between collections (see pin)
	collect bool           // --virtual: collectgarbage was called inside a task in this frame
	addrs   map[string]int // --virtual: the addresses printed so far, numbered (see stableAddresses)
}

// hook is a function an addon gave Sim.OnFrame.
type hook struct {
	a  *lua.Addon
	fn *glua.LFunction
}

func newRun(cfg config, stdout io.Writer) *run {
	r := &run{cfg: cfg, out: bufio.NewWriter(stdout)}
	if cfg.virtual {
		epoch := int64(0)
		if cfg.host == "rift" {
			epoch = riftEpoch
		}
		r.vclk = vclock.New(time.Unix(epoch, 0))
		r.addrs = map[string]int{}
		r.clk = r.vclk
	} else {
		r.clk = clock.New()
	}
	r.start = r.clk.Now()
	r.frameStart = r.start
	opts := []sched.Option{sched.WithClock(r.clk), sched.WithBudget(cfg.budget), sched.WithErrorHandler(func(e sched.TaskError) {
		r.errorLine(e.Owner, e.Err)
	}), sched.WithWarningHandler(r.warnLine)}
	if cfg.warnAfter > 0 {
		opts = append(opts, sched.WithWatchdog(cfg.warnAfter, r.warnLine))
	}
	if cfg.virtual {
		// one worker, waited for before each frame (frames): work submitted
		// in a frame is applied at the start of the next, in submission
		// order, the same on every run
		opts = append(opts, sched.WithWorkers(1))
	}
	r.s = sched.New(opts...)
	lcfg := lua.Config{Print: r.print, Seed: cfg.seed, KillAfter: cfg.guard.after}
	if cfg.guard.virtual && r.vclk != nil {
		lcfg.AfterFunc = r.vclk.AfterVirtual
	}
	r.h = lua.NewHost(r.s, lcfg)
	RegisterAsync(r.h, filepath.Dir(cfg.scripts[0])) // hostasync.go
	if cfg.host == "rift" {
		r.rift = newRift(r)
	}
	return r
}

// load loads every script as an addon, reporting each that fails, and
// reports whether all loaded.
func (r *run) load() bool {
	ok := true
	for _, path := range r.cfg.scripts {
		if err := r.loadScript(path); err != nil {
			r.errorLine(r.cfg.addonName(path), err)
			ok = false
		}
	}
	r.pin()
	r.out.Flush()
	return ok
}

// loadScript makes the script's addon and runs its main chunk, named after
// the file's base name so that messages read "name.lua:3: boom" however the
// script was given.
func (r *run) loadScript(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// RIFT let an addon create tasks in another addon's name.
	a, err := r.h.NewAddon(r.cfg.addonName(path), lua.AddonOptions{Impersonate: r.rift != nil, MemoryLimit: int64(r.cfg.memory) << 20})
	if err != nil {
		return err
	}
	r.installSim(a)
	if r.rift != nil {
		r.rift.install(a)
	}
	if r.vclk != nil {
		r.wrapCollect(a)
	}
	r.as(a.Name(), func() { err = a.DoString(filepath.Base(path), string(src)) })
	return err
}

// as runs f as addon's code: with the RIFT preset, Inspect.Addon.Current()
// is addon inside f.
func (r *run) as(addon string, f func()) {
	if r.rift != nil {
		r.rift.as(addon, f)
		return
	}
	f()
}

// frames runs frames until a script calls Sim.Done, --max-frames frames
// have run, or --idle-frames frames in a row printed nothing, and prints
// the END line. A frame runs the Sim.OnFrame hooks, then the scheduler's
// frame; with the RIFT preset, the Event.System.Update.Begin handlers
// instead, the scheduler's frame first, then the Event.System.Update.End
// handlers.
func (r *run) frames() {
	idle := 0
	for !r.done {
		r.frame++
		r.frameStart = r.clk.Now()
		r.printed = false
		if r.vclk != nil {
			r.s.Pool().WaitIdle(context.Background()) // the watchdog ends a worker function that loops, on real time
		}
		r.runHooks()
		if r.rift != nil {
			r.rift.update()
		} else {
			r.schedulerFrame()
		}
		if r.collect {
			r.collect = false
			r.collectNow()
		} else {
			r.pin()
		}
		r.out.Flush()
		idle++
		if r.printed {
			idle = 0
		}
		switch {
		case r.done:
		case r.frame >= uint64(r.cfg.maxFrames):
			r.end("max")
			return
		case r.cfg.idleFrames > 0 && idle >= r.cfg.idleFrames:
			r.end("idle")
			return
		default:
			r.wait()
		}
	}
	r.end("done")
}

// runHooks calls the Sim.OnFrame functions registered before the frame
// began (range reads r.hooks once), each as its addon. A hook that the
// watchdog killed is removed: it would likely be killed every frame.
func (r *run) runHooks() {
	var killed []*glua.LFunction
	for _, hk := range r.hooks {
		var err error
		r.as(hk.a.Name(), func() { err = hk.a.Call(hk.fn, glua.LNumber(r.frame)) })
		if _, ok := errors.AsType[*lua.WatchdogError](err); ok {
			killed = append(killed, hk.fn)
			err = fmt.Errorf("%w (Sim.OnFrame hook removed)", err)
		}
		if err != nil {
			r.errorLine(hk.a.Name(), err)
		}
	}
	for _, fn := range killed {
		r.hooks = slices.DeleteFunc(r.hooks, func(hk hook) bool { return hk.fn == fn })
	}
}

// schedulerFrame runs the scheduler's frame with --budget; with the RIFT
// preset, with no budget at all when Inspect.System.Watchdog() is 0.05 or
// less, so that no task runs.
func (r *run) schedulerFrame() {
	budget := r.cfg.budget
	if r.rift != nil && !r.rift.runsTasks() {
		budget = 0
	}
	r.s.RunFrameBudget(budget)
}

// wait lets time pass until the next frame is due: --frame-time after the
// current one began, or at once when it ran longer.
func (r *run) wait() {
	left := r.frameTime() - r.clk.Since(r.frameStart)
	switch {
	case left <= 0:
	case r.vclk != nil:
		r.vclk.Add(left)
	default:
		time.Sleep(left)
	}
}

// frameTime is --frame-time, in whole microseconds on the virtual clock,
// which counts microseconds.
func (r *run) frameTime() time.Duration {
	if r.vclk != nil {
		return r.cfg.frameTime.Round(time.Microsecond)
	}
	return r.cfg.frameTime
}

// seconds is the time since the run started, in seconds: its whole
// microseconds divided by 1e6 (one float64 division, the same on every
// host).
func (r *run) seconds() float64 {
	return float64(r.clk.Since(r.start).Microseconds()) / 1e6
}

func (r *run) end(reason string) {
	r.line(fmt.Sprintf("%d\tEND\t%s", r.frame, reason))
	r.ended = true
}

// close stops every task and closes the addons. Whatever their handlers
// print meanwhile comes after the END line and is dropped.
func (r *run) close() {
	r.ended = true
	r.s.Close()
	r.h.Close()
	r.out.Flush()
}

// print is the Lua host's Print: one line per print call.
func (r *run) print(_, line string) {
	if !r.ended {
		r.line(line)
	}
}

// errorLine prints an error of addon's code; with the RIFT preset, its
// message is Sim.Msg of the error.
func (r *run) errorLine(addon string, err error) {
	if r.ended {
		return
	}
	msg := message(err)
	if r.rift != nil {
		msg = stableMessage(r.rift.tostring(addon, err))
	}
	r.line(fmt.Sprintf("%d\tERROR [%s] %s", r.frame, addon, msg))
}

// warnLine prints a warning (a task stopped because no code held its
// handle, or with --warn-after a slice that did not breathe and the
// escalation of an addon that keeps doing so) and the task's Lua
// traceback, if any, each line indented by a tab.
func (r *run) warnLine(w sched.Warning) {
	if r.ended {
		return
	}
	if w.Task == "" { // an owner's escalation stepping down
		r.line(fmt.Sprintf("%d\tWARN [%s] %s", r.frame, w.Owner, w.Message()))
	} else {
		r.line(fmt.Sprintf("%d\tWARN [%s] %s: %s", r.frame, w.Owner, w.Task, w.Message()))
	}
	for l := range strings.Lines(w.Traceback) {
		r.line("\t" + strings.TrimRight(l, "\n"))
	}
}

func (r *run) line(s string) {
	if r.vclk != nil {
		s = r.stableAddresses(s)
	}
	r.out.WriteString(s)
	r.out.WriteByte('\n')
	r.printed = true
}

// address is how gopher-lua's tostring shows a table, function, thread or
// userdata: "table: 0xc000123456".
var address = regexp.MustCompile(`: 0x[0-9a-f]+`)

// stableAddresses replaces each memory address in s by the order in which
// the run first printed it ("table: 0x1"), so that a --virtual run prints
// the same on every run.
func (r *run) stableAddresses(s string) string {
	if !strings.Contains(s, ": 0x") {
		return s
	}
	return address.ReplaceAllStringFunc(s, func(a string) string {
		n, ok := r.addrs[a]
		if !ok {
			n = len(r.addrs) + 1
			r.addrs[a] = n
		}
		return ": 0x" + strconv.Itoa(n)
	})
}

// message is an error's message without the Lua traceback that
// glua.ApiError.Error appends or the line end of a syntax error.
func message(err error) string {
	msg := err.Error()
	if ae, ok := errors.AsType[*glua.ApiError](err); ok {
		msg = ae.Object.String()
	}
	return strings.TrimRight(msg, "\n")
}
