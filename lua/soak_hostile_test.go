package lua_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/framesched/framesched/lua"
)

// The hostile share of TestSoakMixed's load: every hostilePeriod frames a
// new generation of hostile addons, one per kind below, on a host of their
// own under new names (<kind>.<generation>); the previous generation's
// host is closed and dropped, and the scheduler forgets their names, once
// all their tasks have ended. A kind is a row: its code and the errors the
// host must report for it.

// hostileKind is a hostile addon: the main chunk it loads (named
// "hostile") and what the host must report of it. The watchdog's timers
// run on the mock clock (lua.Config.AfterFunc's default), which moves only
// by work: a loop that never ends works past KillAfter first (work(0.06)
// then a bare loop), or in it, as the slice would run in real time.
type hostileKind struct {
	name string
	opts lua.AddonOptions // TaskLimit 0 means hostileTaskLimit
	src  string
	load string   // the error its main chunk must end with (its first line), "" for none
	errs []string // the errors reported for it, in order: "<task>: <message>", {addon} for its name
}

const (
	hostilePeriod    = 500 // frames a generation lives
	hostileTaskLimit = 8
	killed           = "watchdog: a slice ran past 50ms without breathing"
)

var hostileKinds = []hostileKind{
	{name: "spin", src: `Task.Create(function() work(0.06) while true do end end):Start()`,
		errs: []string{"hostile:1: " + killed}},
	{name: "spin-after-breath", src: `Task.Create(function(self) self:Breath() while true do work(0.01) end end):Start()`,
		errs: []string{"hostile:1: " + killed}},
	{name: "spin-swallowing", src: `Task.Create(function() while true do pcall(function() while true do work(0.01) end end) end end):Start()`,
		errs: []string{"hostile:1: " + killed}},
	{name: "spin-load", src: `work(0.06) while true do end`, load: killed},
	{name: "error", src: `Task.Create(function(self) self:Breath() error("hostile error") end):Start()`,
		errs: []string{"hostile:1: hostile:1: hostile error"}},
	{name: "deadlock", src: `local h h = Task.Create(function(self) self:Wait(Wait.Task(h)) end):Start()`,
		errs: []string{`hostile:1: hostile:1: Wait: deadlock: "hostile:1" (owner {addon}) waits for "hostile:1"`}},
	{name: "flood", src: `Task.Create(function() while true do Task.Create(function(t) t:Wait(Wait.Frame()) end):Start() end end):Start()`,
		errs: []string{"hostile:1: hostile:1: Task.Create: owner's task limit reached"}},
	{name: "flood-load", src: `while true do Task.Create(function(t) t:Wait(Wait.Frame()) end):Start() end`,
		load: "hostile:1: Task.Create: owner's task limit reached"},
	{name: "predicate-spin", src: `
		local polls = 0 -- its first poll is in Wait, its second in the next frame
		Task.Create(function(self)
			self:Wait(Wait.Predicate(function()
				polls = polls + 1
				if polls == 2 then work(0.06) while true do end end
				return polls > 2
			end, "spin"))
		end):Start()`,
		errs: []string{"predicate spin: " + killed}},
	{name: "predicate-error", src: `
		local polls = 0
		Task.Create(function(self)
			self:Wait(Wait.Predicate(function()
				polls = polls + 1
				if polls == 2 then error("bad predicate") end
				return polls > 2
			end, "fail"))
		end):Start()`,
		errs: []string{"predicate fail: hostile:6: bad predicate"}},
	{name: "predicate-result", src: `
		Task.Create(function(self)
			self:Wait(Wait.Predicate(function() self:Result() end, "park") + Wait.Frame())
		end):Start()`,
		errs: []string{
			"predicate park: hostile:3: Result: cannot wait outside a task's own code (in a predicate or handler)",
			"predicate park: The task hasn't finished yet.", // polled outside the slice, as from the host
		}},
	{name: "handler-error", src: `blTasks.OnFinished(function() error("bad handler") end) Task.Create(function() end):Start()`,
		errs: []string{"OnFinished handler: hostile:1: bad handler"}},
	{name: "handler-spin", src: `blTasks.OnFinished(function() work(0.06) while true do end end) Task.Create(function() end):Start()`,
		errs: []string{"OnFinished handler: " + killed}},
	{name: "hog-local", opts: lua.AddonOptions{MemoryLimit: hostileMemory}, src: `
		Task.Create(function(self) local t = {} for i = 1, 1e7 do t[i] = {i} if i % 100 == 0 then self:Breath() end end end):Start()`,
		errs: []string{"hostile:2: memory: addon {addon} uses N KiB, over its limit of 256 KiB"}},
	{name: "hog-global", opts: lua.AddonOptions{MemoryLimit: hostileMemory}, src: `
		kept = {}
		Task.Create(function(self) for i = 1, 1e7 do kept[i] = string.rep("k", 100) .. i self:BreathShort() end end):Start()
		Task.Create(function(self) while true do self:Wait(Wait.Frame()) end end):Start()`,
		errs: []string{
			"hostile:3: memory: addon {addon} uses N KiB, over its limit of 256 KiB",
			"addon: addon stopped: memory: addon {addon} keeps N KiB of its 256 KiB limit once the code that went over has ended",
		}},
	{name: "hog-load", opts: lua.AddonOptions{MemoryLimit: hostileMemory}, src: `
		Task.Create(function(self) while true do self:Wait(Wait.Frame()) end end):Start()
		kept = {} for i = 1, 1e7 do kept[i] = {} end`,
		load: "memory: addon {addon} uses N KiB, over its limit of 256 KiB",
		errs: []string{"addon: addon stopped: memory: addon {addon} keeps N KiB of its 256 KiB limit once the code that went over has ended"}},
}

// hostileMemory is the memory limit of the hogs among the hostile kinds.
const hostileMemory = 256 << 10

// memFigures stands for the measured figures of memory errors, which
// depend on when the runtime's allocation counter triggered a measure.
var memFigures = regexp.MustCompile(`(uses|keeps) [0-9]+ KiB`)

func maskMemory(msg string) string { return memFigures.ReplaceAllString(msg, "$1 N KiB") }

// hostileGen is one generation of hostile addons.
type hostileGen struct {
	n    int
	host *lua.Host
	kind map[string]*hostileKind // by addon name
	errs map[string][]string     // reported, by addon name
}

// newGen makes the next generation of hostile addons and loads their code.
func (k *soak) newGen() {
	k.gens++
	g := &hostileGen{n: k.gens, kind: map[string]*hostileKind{}, errs: map[string][]string{},
		host: lua.NewHost(k.s, lua.Config{KillAfter: killAfter, Print: func(string, string) {}})}
	k.gen = g
	for i := range hostileKinds {
		kind := &hostileKinds[i]
		opts := kind.opts
		if opts.TaskLimit == 0 {
			opts.TaskLimit = hostileTaskLimit
		}
		name := fmt.Sprintf("%s.%d", kind.name, g.n)
		a, err := g.host.NewAddon(name, opts)
		if err != nil {
			k.t.Fatal(err)
		}
		k.globals(a)
		g.kind[name] = kind
		err = a.DoString("hostile", kind.src)
		got := ""
		if err != nil {
			got, _, _ = strings.Cut(maskMemory(err.Error()), "\n") // without the traceback
		}
		if got == killed {
			k.kills++
		}
		if got != expand(kind.load, name) {
			k.fail("%s: loading returned %q, want %q", name, got, kind.load)
		}
	}
}

// hostileError records an error the host reported for a hostile addon,
// and reports whether owner is one.
func (k *soak) hostileError(owner, what string) bool {
	g := k.gen
	if g == nil || g.kind[owner] == nil {
		return false
	}
	g.errs[owner] = append(g.errs[owner], maskMemory(what))
	if strings.HasSuffix(what, killed) {
		k.kills++
	}
	return true
}

// endGen checks that the generation's tasks have all ended with the errors
// expected, and closes its host.
func (k *soak) endGen() {
	g := k.gen
	live := map[string]int{}
	for h := range k.s.Tasks() {
		if g.kind[h.Owner()] != nil {
			live[h.Owner()]++
		}
	}
	for i := range hostileKinds {
		kind := &hostileKinds[i]
		name := fmt.Sprintf("%s.%d", kind.name, g.n)
		if live[name] > 0 {
			k.fail("%s: %d tasks live at the end of its generation", name, live[name])
		}
		got, want := strings.Join(g.errs[name], "\n\t"), expand(strings.Join(kind.errs, "\n\t"), name)
		if got != want {
			k.fail("%s reported:\n\t%s\nwant:\n\t%s", name, got, want)
		}
	}
	g.host.Close()
	for name := range g.kind {
		if err := k.s.ForgetOwner(name); err != nil {
			k.fail("%v", err)
		}
	}
	k.gen = nil
}

// expand is want with {addon} replaced by the addon's name.
func expand(want, addon string) string { return strings.ReplaceAll(want, "{addon}", addon) }
