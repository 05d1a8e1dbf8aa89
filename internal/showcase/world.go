package showcase

import (
	"math/rand/v2"
	"time"

	"github.com/framesched/framesched/internal/runner"
	"github.com/framesched/framesched/internal/vclock"
	"github.com/framesched/framesched/lua"
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
	rec    *recording
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
		rec:      newRecording(),
		budget:   naiveBudget,
		host:     rand.New(rand.NewPCG(seed, 1)),
		events:   events,
		handlers: map[string][]func(event){},
	}
	w.start = w.clk.Now()
	opts := []sched.Option{
		sched.WithClock(w.clk),
		// The showcase's addons keep their tasks' handles; were one dropped,
		// the task would be stopped when Go's collector noticed, which is not
		// at the same point of every run.
		sched.WithManualCollect(),
		sched.WithTrace(w.trace),
		sched.WithErrorHandler(func(e sched.TaskError) {
			w.tw.Error(e)
			w.rec.note(w.now(), e.Frame, noteError, e.Owner, e.Task, message(e.Err))
		}),
	}
	if framesched {
		w.name, w.budget, w.kill, w.tw = "framesched", budget, killAfter, tw
		opts = append(opts, sched.WithWatchdog(warnAfter, func(wn sched.Warning) {
			w.tw.Warning(wn)
			msg := wn.Message()
			if wn.Kind == sched.SlowSlice {
				msg = "slice ran " + dur(wn.Took) + " without breathing"
			}
			w.rec.note(w.now(), wn.Frame, noteWarning, wn.Owner, wn.Task, msg)
		}))
	}
	w.s = sched.New(opts...)
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
	w.rec.note(w.now(), w.frame, notePrint, addon, task, line)
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
	w.rec.beginFrame(w.frame, start.Sub(w.start))
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
	w.rec.endFrame(took, st.Used, w.count())
	if took < framePeriod {
		w.clk.Add(framePeriod - took)
	}
}

// count counts the unfinished tasks by state.
func (w *world) count() taskCounts {
	var n taskCounts
	for h := range w.s.Tasks() {
		switch {
		case h.Suspended():
			n.suspended++
		case h.State() == sched.Pending:
			n.pending++
		case h.State() == sched.Waiting:
			n.waiting++
		default:
			n.active++
		}
	}
	return n
}

// trace charges every slice to its owner and to the frame.
func (w *world) trace(e sched.Event) {
	w.tw.Event(e)
	if e.Kind == sched.EventSlice {
		w.rec.slice(e.Owner, e.Task, e.Took)
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
