package runner

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/internal/replay"
	"github.com/framesched/framesched/internal/vclock"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/tracefile"
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
	// wall is the real clock that Sim.Work spins on and the wait for the
	// next frame sleeps on; nil when time moves otherwise (--virtual,
	// --replay).
	wall clock.Clock
	// stable: the run prints the same on every run given the same clock
	// readings (--virtual, --record, --replay): one pool worker, waited
	// for at each frame's start; handles collected only by collectgarbage
	// (collect.go); addresses numbered.
	stable  bool
	rec     recorder       // --record, --replay: the clock, marked at each frame's start (record.go)
	recFile *os.File       // --record: the recording
	player  *replay.Player // --replay
	s       *sched.Scheduler
	h       *lua.Host
	rift    *rift             // the RIFT preset (--host rift), else nil
	mon     *monitor.Monitor  // records the run for --report
	tw      *tracefile.Writer // --trace, else nil (which records nothing)
	st      sched.FrameStats  // the current frame's, for mon

	start      time.Time     // when the run started
	frame      uint64        // the current frame: 0 while the scripts load
	frameStart time.Time     // when the current frame began
	printed    bool          // a line was printed in the current frame
	done       bool          // a script called Sim.Done
	ended      bool          // the END line was printed: output is muted
	errorLines int           // the ERROR lines printed
	hooks      []hook        // the Sim.OnFrame functions, in registration order
	worst      uint64        // the frame that lasted longest (0: none ran yet)
	worstTook  time.Duration // how long it lasted

	pins    []*sched.Task  // --virtual: a handle to every task, between collections (see pin)
	collect bool           // --virtual: collectgarbage was called inside a task in this frame
	addrs   map[string]int // --virtual: the addresses printed so far, numbered (see stableAddresses)
}

// hook is a function an addon gave Sim.OnFrame.
type hook struct {
	a  *lua.Addon
	fn *glua.LFunction
}

func newRun(cfg config, stdout io.Writer) (*run, error) {
	r := &run{cfg: cfg, out: bufio.NewWriter(stdout), stable: cfg.virtual || cfg.record != "" || cfg.replay != ""}
	switch {
	case cfg.virtual:
		epoch := int64(0)
		if cfg.host == "rift" {
			epoch = riftEpoch
		}
		r.vclk = vclock.New(time.Unix(epoch, 0))
		r.clk = r.vclk
	case cfg.record != "" || cfg.replay != "":
		if err := r.openRecording(); err != nil {
			return nil, err
		}
		if r.player == nil {
			r.wall = clock.New()
		}
	default:
		r.clk = clock.New()
		r.wall = r.clk
	}
	if r.stable {
		r.addrs = map[string]int{}
	}
	r.start = r.clk.Now()
	r.frameStart = r.start
	r.mon = monitor.New(monitor.Config{Name: "demo run", FramePeriod: r.frameTime(), Budget: cfg.budget})
	opts := []sched.Option{sched.WithBudget(cfg.budget), sched.WithErrorHandler(func(e sched.TaskError) {
		r.mon.Error(e)
		r.tw.Error(e)
		r.taskErrorLine(e)
	}), sched.WithWarningHandler(r.warnLine), sched.WithTrace(r.trace)}
	// Virtual, recorded and replayed runs give the scheduler their clock; a
	// plain real-clock run (clk is wall) leaves it its own, which reads
	// cheaper (sched's elapsed).
	if r.wall == nil || r.clk != r.wall {
		opts = append(opts, sched.WithClock(r.clk))
	}
	if cfg.warnAfter > 0 {
		opts = append(opts, sched.WithWatchdog(cfg.warnAfter, r.warnLine))
	}
	if r.stable {
		// one worker, waited for before each frame (frames): work submitted
		// in a frame is applied at the start of the next, in submission
		// order, the same on every run
		opts = append(opts, sched.WithWorkers(1))
	}
	r.s = sched.New(opts...)
	r.mon.Attach(r.s)
	lcfg := lua.Config{Print: r.print, Seed: cfg.seed, KillAfter: cfg.guard.after}
	if cfg.guard.virtual && r.vclk != nil {
		lcfg.AfterFunc = r.vclk.AfterVirtual
	}
	r.h = lua.NewHost(r.s, lcfg)
	RegisterAsync(r.h, filepath.Dir(cfg.scripts[0])) // hostasync.go
	if cfg.host == "rift" {
		r.rift = newRift(r)
	}
	return r, nil
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
	if r.stable {
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
		if r.rec != nil {
			r.rec.Mark()
		}
		r.frameStart = r.clk.Now()
		r.printed = false
		r.mon.BeginFrame()
		if r.stable {
			r.s.Pool().WaitIdle(context.Background()) // the watchdog ends a worker function that loops, on real time
		}
		r.runHooks()
		if r.rift != nil {
			r.rift.update()
		} else {
			r.schedulerFrame()
		}
		r.mon.EndFrame(r.st)
		if r.collect {
			r.collect = false
			r.collectNow()
		} else {
			r.pin()
		}
		r.out.Flush()
		took := r.clk.Since(r.frameStart)
		if r.worst == 0 || took > r.worstTook {
			r.worst, r.worstTook = r.frame, took
		}
		idle++
		if r.printed {
			idle = 0
		}
		switch {
		case r.player != nil && r.player.Err() != nil:
			return // no END line: the run is not the recorded one (Run says so)
		case r.done:
		case r.frame >= uint64(r.cfg.maxFrames):
			r.end("max")
			r.unfinished()
			return
		case r.cfg.idleFrames > 0 && idle >= r.cfg.idleFrames:
			r.end("idle")
			r.unfinished()
			return
		default:
			r.wait(took)
		}
	}
	r.end("done")
}

// runHooks calls the Sim.OnFrame functions registered before the frame
// began (range reads r.hooks once), each as its addon. A hook that the
// watchdog killed is removed: it would likely be killed every frame. So is
// a hook of a stopped addon, without a line: its stop was reported once.
func (r *run) runHooks() {
	var killed []*glua.LFunction
	for _, hk := range r.hooks {
		if hk.a.Err() != nil {
			killed = append(killed, hk.fn)
			continue
		}
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
	r.st = r.s.RunFrameBudget(budget)
	r.tw.Frame(r.st)
}

// wait lets time pass until the next frame is due: --frame-time after the
// current one began, which took, or at once when it ran longer. (A replay
// does not wait: its next reading is the recorded one after the wait.)
func (r *run) wait(took time.Duration) {
	left := r.frameTime() - took
	switch {
	case left <= 0:
	case r.vclk != nil:
		r.vclk.Add(left)
	case r.wall != nil:
		r.wall.Sleep(left)
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

// end prints the END line, and with --worst-frame the frame that lasted
// longest.
func (r *run) end(reason string) {
	r.line(fmt.Sprintf("%d\tEND\t%s", r.frame, reason))
	r.ended = true
	if r.cfg.worstFrame && r.worst > 0 {
		fmt.Fprintf(r.out, "\tworst frame %d: %v\n", r.worst, r.worstTook)
	}
}

// unfinished prints, after the END line of a run that a limit stopped, the
// tasks still unfinished, by addon (in name order) and state (pending,
// active, waiting, suspended): "\t3 tasks unfinished: Bags 2 waiting,
// Chat 1 suspended". Nothing when every task finished.
func (r *run) unfinished() {
	type group struct {
		owner string
		state int // index in states
	}
	states := []string{"pending", "active", "waiting", "suspended"}
	counts := map[group]int{}
	total := 0
	for h := range r.s.Tasks() {
		g := group{h.Owner(), int(h.State())} // Pending, Active, Waiting: 0, 1, 2
		if h.Suspended() {
			g.state = 3
		}
		counts[g]++
		total++
	}
	if total == 0 {
		return
	}
	groups := slices.SortedFunc(maps.Keys(counts), func(a, b group) int {
		return cmp.Or(strings.Compare(a.owner, b.owner), cmp.Compare(a.state, b.state))
	})
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %d %s", g.owner, counts[g], states[g.state])
	}
	noun := "tasks"
	if total == 1 {
		noun = "task"
	}
	fmt.Fprintf(r.out, "\t%d %s unfinished: %s\n", total, noun, strings.Join(parts, ", "))
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
func (r *run) print(addon, line string) {
	if !r.ended {
		r.mon.Print(addon, "", line)
		r.line(line)
	}
}

// errorLine prints an error of addon's code that is no task's (a script's
// main chunk, a hook, a handler).
func (r *run) errorLine(addon string, err error) {
	r.taskErrorLine(sched.TaskError{Owner: addon, Err: err})
}

// taskErrorLine prints an error as an ERROR line; with the RIFT preset, its
// message is Sim.Msg of the error. Continuation lines, each indented by a
// tab, follow: the message's other lines, if any, the task and where it
// was created, for a task's error, and the Lua traceback, when the error
// has one.
func (r *run) taskErrorLine(e sched.TaskError) {
	if r.ended {
		return
	}
	r.errorLines++
	msg := message(e.Err)
	if r.rift != nil {
		msg = stableMessage(r.rift.tostring(e.Owner, e.Err))
	}
	first, rest, _ := strings.Cut(msg, "\n")
	r.line(fmt.Sprintf("%d\tERROR [%s] %s", r.frame, e.Owner, first))
	r.indented(rest) // a message of several lines goes on as continuation lines
	switch {
	case e.Created != "":
		r.line(fmt.Sprintf("\ttask %s, created at %s", e.Task, e.Created))
	case e.Task != "":
		r.line("\tin " + e.Task)
	}
	r.indented(traceback(e.Err))
}

// trace passes the scheduler's events to the monitor and the trace file.
func (r *run) trace(e sched.Event) {
	r.mon.Trace(e)
	r.tw.Event(e)
}

// warnLine prints a warning (a task stopped because no code held its
// handle, or with --warn-after a slice that did not breathe and the
// escalation of an addon that keeps doing so) and the task's Lua
// traceback, if any, each line indented by a tab.
func (r *run) warnLine(w sched.Warning) {
	r.tw.Warning(w)
	if r.ended {
		return
	}
	r.mon.Warning(w)
	if w.Task == "" { // an owner's escalation stepping down
		r.line(fmt.Sprintf("%d\tWARN [%s] %s", r.frame, w.Owner, w.Message()))
	} else {
		r.line(fmt.Sprintf("%d\tWARN [%s] %s: %s", r.frame, w.Owner, w.Task, w.Message()))
	}
	r.indented(w.Traceback)
}

// indented prints each line of text indented by a tab.
func (r *run) indented(text string) {
	for l := range strings.Lines(text) {
		r.line("\t" + strings.TrimRight(l, "\n"))
	}
}

// line prints s and a line end; nothing once a replay diverged from the
// recorded run, whose lines it no longer prints.
func (r *run) line(s string) {
	if r.player != nil && r.player.Err() != nil {
		return
	}
	if r.stable {
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

// traceback is the Lua traceback an error carries, if any.
func traceback(err error) string {
	if le, ok := errors.AsType[*lua.LuaError](err); ok {
		return le.Traceback
	}
	if we, ok := errors.AsType[*lua.WatchdogError](err); ok {
		return we.Traceback
	}
	if ae, ok := errors.AsType[*glua.ApiError](err); ok {
		return ae.StackTrace
	}
	return ""
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
