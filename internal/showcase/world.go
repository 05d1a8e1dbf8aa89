package showcase

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/framesched/framesched/internal/runner"
	"github.com/framesched/framesched/internal/vclock"
	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/monitor"
	"github.com/framesched/framesched/sched"
	"github.com/framesched/framesched/tracefile"
)

// The simulated game host.
const (
	fps         = 60
	framePeriod = time.Second / fps // a frame that takes longer is over budget: it drops a frame
	hostWork    = 9 * time.Millisecond
	hostJitter  = 2 * time.Millisecond

	// Under framesched, addons get this much of each frame, the watchdog
	// warns about a slice this long, and a Lua slice this long is
	// interrupted.
	budget    = 4 * time.Millisecond
	warnAfter = 10 * time.Millisecond
	killAfter = 50 * time.Millisecond

	// A naive host has no budget: every job runs to completion in the frame
	// that asked for it. The same scheduler with a budget no job reaches
	// does exactly that, and keeps the accounting the same for both runs.
	naiveBudget = time.Hour
)

// world is one run of the game: a virtual clock, a scheduler, the Lua host
// and the addons, driven a frame at a time. Like the scheduler it is
// single-goroutine.
type world struct {
	name   string // "naive" or "framesched"
	clk    *vclock.Clock
	s      *sched.Scheduler
	lh     *lua.Host
	mon    *monitor.Monitor
	start  time.Time
	budget time.Duration
	kill   time.Duration // the Lua watchdog's threshold; 0 in the naive run
	host   *rand.Rand    // the host's own work per frame

	frame    uint64
	events   []event // the game's events, in time order
	next     int     // the first event not fired yet
	handlers map[string][]func(event)

	tw *tracefile.Writer // records the framesched run; nil records nothing
}

// newWorld builds a run with every addon loaded; framesched says whether
// the host budgets its frames, and tw records that run.
func newWorld(framesched bool, events []event, data []byte, seed uint64, tw *tracefile.Writer) (*world, error) {
	w := &world{
		name:     "naive",
		clk:      vclock.New(time.Unix(0, 0)),
		budget:   naiveBudget,
		host:     rand.New(rand.NewPCG(seed, 1)),
		events:   events,
		handlers: map[string][]func(event){},
	}
	w.start = w.clk.Now()
	cfg := monitor.Config{Name: "naive", About: "every job runs to completion in the frame that asked for it", FramePeriod: framePeriod}
	if framesched {
		w.name, w.budget, w.kill = "framesched", budget, killAfter
		cfg = monitor.Config{Name: w.name, FramePeriod: framePeriod, Budget: budget,
			About: "addons get " + monitor.Millis(budget) + " a frame; the watchdog warns at " + monitor.Millis(warnAfter) +
				" and stops Lua at " + monitor.Millis(killAfter)}
	}
	w.mon = monitor.New(cfg)
	opts := append([]sched.Option{
		sched.WithClock(w.clk),
		// The showcase's addons keep their tasks' handles; were one dropped,
		// the task would be stopped when Go's collector noticed, which is not
		// at the same point of every run.
		sched.WithManualCollect(),
	}, w.mon.Options()...)
	if framesched {
		w.tw = tw
		opts = append(opts, sched.WithWatchdog(warnAfter, func(wn sched.Warning) { w.mon.Warning(wn); tw.Warning(wn) }),
			sched.WithTrace(func(e sched.Event) { w.mon.Trace(e); tw.Event(e) }),
			sched.WithErrorHandler(func(e sched.TaskError) { w.mon.Error(e); tw.Error(e) }))
	}
	w.s = sched.New(opts...)
	w.mon.Attach(w.s)
	// The watchdog's kill timer runs on virtual time, so that whether a
	// slice is interrupted does not depend on how busy the machine is. A Lua
	// loop that never calls Sim.Work is never interrupted: none of the
	// showcase's addons has one.
	w.lh = lua.NewHost(w.s, lua.Config{Seed: seed, KillAfter: w.kill, AfterFunc: w.clk.AfterVirtual, Print: w.luaPrint})
	runner.RegisterAsync(w.lh, "") // sha256, deflate, inflate: QuestLog tags its log
	for _, a := range addons {
		if err := a.install(w, data); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

// luaPrint notes a line a Lua addon printed.
func (w *world) luaPrint(addon, line string) {
	task := ""
	if self := w.s.Current(); self != nil {
		task = self.Name()
	}
	w.mon.Print(addon, task, line)
}

// now is the simulated time since the run began.
func (w *world) now() time.Duration { return w.clk.Since(w.start) }

// on subscribes f to the game's events of that name.
func (w *world) on(name string, f func(event)) {
	w.handlers[name] = append(w.handlers[name], f)
}

// advance runs frames until the simulated time reaches until.
func (w *world) advance(until time.Duration) {
	for w.now() < until {
		w.runFrame()
	}
}

// runFrame runs one frame: the game's events due by its start go to the
// addons, the scheduler runs their tasks within the budget, the host does
// its own work, and the frame waits for the next one unless it ran long.
func (w *world) runFrame() {
	start := w.clk.Now()
	w.frame++
	w.mon.BeginFrame()
	for ; w.next < len(w.events) && w.events[w.next].at <= start.Sub(w.start); w.next++ {
		ev := w.events[w.next]
		for _, f := range w.handlers[ev.name] {
			f(ev)
		}
	}
	st := w.s.RunFrameBudget(w.budget)
	w.tw.Frame(st)
	w.clk.Add(hostWork + time.Duration(w.host.Int64N(int64(hostJitter))))
	took := w.clk.Since(start)
	w.mon.EndFrame(st)
	if took < framePeriod {
		w.clk.Add(framePeriod - took)
	}
}

// work is simulated CPU work of the running code: the virtual clock moves
// on, so the scheduler charges it to the running task and its frame.
func (w *world) work(d time.Duration) { w.clk.Add(d) }

// close stops every task and closes the Lua states.
func (w *world) close() {
	w.s.Close()
	w.lh.Close()
}

// problems counts the warnings and errors of s by addon, such as
// "Auctioneer: 1 warning, 1 error; QuestLog: 1 error".
func (w *world) problems(s monitor.Summary) string {
	var parts []string
	for _, a := range addons {
		i := w.mon.Owner(a.name)
		if t := monitor.Tally(s.WarningsOf(i), s.ErrorsOf(i)); t != "" {
			parts = append(parts, a.name+": "+t)
		}
	}
	return strings.Join(parts, "; ")
}

// firstNotes are the first warning and the first error of an addon.
func (w *world) firstNotes(owner string) []monitor.Note {
	var out []monitor.Note
	var seen [monitor.Error + 1]bool
	for _, n := range w.mon.Notes() {
		if n.Owner == owner && n.Kind != monitor.Print && !seen[n.Kind] {
			seen[n.Kind] = true
			out = append(out, n)
		}
	}
	return out
}
