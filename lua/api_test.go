package lua_test

import (
	"errors"
	"testing"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/waitcond"
)

// The blTasks API as a script sees it. Tasks started by the script (outside
// any task) run from frame 1; the clock moves frameGap between frames.

func TestTaskLifecycle(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "Create and Start return the handle, the function gets its task first",
			src: `
				h = Task.Create(function(self, x) print("run", frame(), self == h, x) end)
				print(type(h), h:Status(), h:Finished())
				print(rawequal(h:Start(), h), h:Status())`,
			frames: 1,
			after:  `print(h, h:Status(), h:Finished())`,
			want: []string{
				"userdata\tpending\tfalse",
				"true\tactive",
				"run\t1\ttrue\tnil",
				"Task \"A:2\" (owner A) finished\tfinished\ttrue",
			},
		},
		{
			name: "calls chain",
			src: `
				h = Task.Create(function(self)
					print(rawequal(self:Breath(), self), rawequal(self:BreathShort(), self), rawequal(self:BreathLong(), self))
					print(rawequal(self:Wait(Wait.Frame()), self), frame())
					self:Wait(Wait.Frames(5))
				end):Start()`,
			frames: 2,
			after: `
				print(rawequal(h:Suspend(), h), h:Status())
				print(rawequal(h:Resume(), h), h:Status())
				print(rawequal(h:Abandon(), h), h:Parent())
				print(rawequal(h:Stop(), h), h:Status(), h:Error())`,
			want: []string{
				"true\ttrue\ttrue",
				"true\t2",
				"true\tsuspended",
				"true\twaiting",
				"true\tnil",
				"true\tfinished\tTask stopped.",
			},
		},
		{
			name: "Current inside and outside a task",
			src: `
				print("outside", Task.Current())
				local h
				h = Task.Create(function(self)
					local c = Task.Current()
					print("inside", c == self, c == h, c:Status(), c:Name(), c:Owner())
					self:Wait(Wait.Frame())
					print("later", Task.Current() == h)
				end):Start()`,
			frames: 2,
			after:  `print("after", Task.Current())`,
			want: []string{
				"outside\tnil",
				"inside\ttrue\ttrue\tactive\tA:4\tA",
				"later\ttrue",
				"after\tnil",
			},
		},
		{
			name: "Result with several values, from outside once finished",
			src: `
				h = Task.Create(function() return 1, "two", nil, false end):Start()
				print(h:Finished())`,
			frames: 1,
			after:  `print(h:Finished(), h:Result())`,
			want: []string{
				"false",
				"true\t1\ttwo\tnil\tfalse",
			},
		},
		{
			name:   "Result of a task that returned nothing",
			src:    `h = Task.Create(function() end):Start()`,
			frames: 1,
			after:  `print(select("#", h:Result()))`,
			want:   []string{"0"},
		},
		{
			name: "Result inside a task starts a pending task and waits for it",
			src: `
				local q
				local p = Task.Create(function(self)
					print("p starts", frame(), self:Parent() == q)
					self:Wait(Wait.Frames(2))
					return "p done", 42
				end)
				q = Task.Create(function(self)
					print("q asks", p:Status())
					print("q got", p:Result())
					print("q at", frame(), p:Status())
				end):Start()`,
			frames: 5,
			want: []string{
				"q asks\tpending",
				"p starts\t1\ttrue",
				"q got\tp done\t42",
				"q at\t3\tfinished",
			},
		},
		{
			// The error raised is the task's error as it stands, like
			// error(msg, 0): no second position in front of it.
			name: "Result of a failed task raises its error",
			src: `
				f = Task.Create(function() error("boom") end):Start()
				g = Task.Create(function() error("plain", 0) end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Task(f) * Wait.Task(g))
					print(f:Status(), f:Error(), g:Error())
					print(select(2, pcall(f.Result, f)))
					print(select(2, pcall(g.Result, g)))
				end):Start()`,
			frames: 2,
			after:  `print(select(2, pcall(f.Result, f)))`,
			want: []string{
				"finished\tA:2: boom\tplain",
				"A:2: boom",
				"plain",
				"A:2: boom",
			},
			errs: []string{"A A:2: A:2: boom", "A A:3: plain"},
		},
		{
			name: "Result outside a task on an unfinished task",
			src: `
				h = Task.Create(function(self) self:Wait(Wait.Frame()) return "r" end)
				print(try(h.Result, h))
				h:Start()
				print(try(h.Result, h))`,
			frames: 1,
			after: `
				print(try(h.Result, h))
				print(h:Status())`,
			want: []string{
				"The task hasn't finished yet.",
				"The task hasn't finished yet.",
				"The task hasn't finished yet.",
				"waiting",
			},
		},
		{
			name: "a task asking its own result",
			src: `
				Task.Create(function(self)
					print(try(self.Result, self))
					print(try(function() return Task.Current():Result() end))
					print(self:Status())
				end):Start()`,
			frames: 1,
			want: []string{
				"Result: a task can't get its own result",
				"Result: a task can't get its own result",
				"active",
			},
		},
		{
			name: "Stop with a message, from another task and from outside",
			src: `
				h1 = Task.Create(function(self) self:Wait(Wait.Frames(10)); print("not reached") end):Start()
				h2 = Task.Create(function(self) self:Wait(Wait.Frames(10)); print("not reached") end):Start()
				Task.Create(function(self)
					print(rawequal(h1:Stop("enough"), h1), h1:Status(), h1:Error(), h1:Finished())
					print(try(h1.Result, h1))
				end):Start()`,
			frames: 1,
			after: `
				h2:Stop()
				print(h2:Status(), h2:Error(), try(h2.Result, h2))`,
			want: []string{
				"true\tfinished\tenough\ttrue",
				"enough",
				"finished\tTask stopped.\tTask stopped.",
			},
		},
		{
			name: "a task stopping itself does not return from Stop",
			src: `
				h = Task.Create(function(self)
					print("before")
					self:Stop("bye")
					print("not reached")
				end):Start()`,
			frames: 2,
			after:  `print(h:Status(), h:Error())`,
			want:   []string{"before", "finished\tbye"},
		},
		{
			name: "a child stopping its parent ends both, and the frame goes on",
			src: `
				blTasks.OnFinished(function(t, how, err) print("finished", t:Name(), how, err, frame()) end)
				Task.Create(function(self)
					local parent = self
					Task.Create(function(c)
						parent:Stop("by child")
						print("not reached")
					end):Start()
					self:Wait(Wait.Frames(5))
					print("not reached either")
				end):Start()
				Task.Create(function(self)
					for i = 1, 3 do print("other", frame()) self:Wait(Wait.Frame()) end
				end):Start()`,
			frames: 4,
			want: []string{
				"other\t1",
				"finished\tA:5\tstopped\tParent finished.\t1", // the child's event first, as in blTasks
				"finished\tA:3\tstopped\tby child\t1",
				"other\t2",
				"other\t3",
				"finished\tA:12\treturned\tnil\t4",
			},
		},
		{
			name: "Suspend and Resume from outside",
			src: `
				h = Task.Create(function(self)
					for i = 1, 3 do
						print("tick", i, frame())
						self:Wait(Wait.Frame())
					end
				end):Start()`,
			frames: 1,
			after: `
				h:Suspend()
				print(h:Status())`,
			want: []string{"tick\t1\t1", "suspended"},
		},
		{
			name: "a task suspending itself parks until resumed",
			src: `
				h = Task.Create(function(self)
					print("suspending", frame())
					self:Suspend()
					print("resumed", frame())
				end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Frames(3))
					print("status", h:Status())
					h:Resume()
				end):Start()`,
			frames: 6,
			want: []string{
				"suspending\t1",
				"status\tsuspended",
				"resumed\t4",
			},
		},
		{
			name: "Abandon keeps a task running when its parent finishes",
			src: `
				Task.Create(function(self)
					local kept = Task.Create(function(c) c:Wait(Wait.Frames(2)); print("abandoned one done", frame()) end):Start()
					local other = Task.Create(function(c) c:Wait(Wait.Frames(2)); print("not reached") end):Start()
					print(kept:Parent() == self, #self:Children())
					kept:Abandon()
					print(kept:Parent(), #self:Children())
					other:Stop() -- its handle is local; keep the test about Abandon
				end):Start()`,
			frames: 4,
			want: []string{
				"true\t2",
				"nil\t1",
				"abandoned one done\t3",
			},
		},
		{
			name: "children are stopped when their parent finishes",
			src: `
				Task.Create(function(self)
					c = Task.Create(function(c) c:Wait(Wait.Frames(2)); print("not reached") end):Start()
				end):Start()`,
			frames: 3,
			after:  `print(c:Status(), c:Error())`,
			want:   []string{"finished\tParent finished."},
		},
	})
}

func TestTaskInspection(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "Status, Error, Owner, Name, Parent, Children, Stats, Why",
			src: `
				kids = {}
				p = Task.Create(function(self)
					for i = 1, 2 do
						kids[i] = Task.Create(function(c) c:Wait(Wait.Frames(5)) end):Start()
					end
					work(0.002)
					self:Wait(Wait.Children())
					print("children done", frame())
				end):Start()`,
			frames: 1,
			after: `
				print(p:Status(), p:Error(), p:Owner(), p:Name(), p:Parent())
				local ch = p:Children()
				print(#ch, ch[1] == kids[1], ch[2] == kids[2], kids[1]:Parent() == p)
				local st = p:Stats()
				print(st.cpu, st.slices, st.longest)
				print(p:Why())
				print(kids[1]:Why())
				print(kids[1]:Stats().slices, kids[1]:Name())`,
			want: []string{
				"waiting\tnil\tA\tA:3\tnil",
				"2\ttrue\ttrue\ttrue",
				"0.002\t1\t0.002",
				"Children [2 unfinished]",
				"Frame 6 [5 frames left]",
				"1\tA:5",
			},
		},
		{
			name: "a stopped task's error, a failed task's error",
			src: `
				a = Task.Create(function() error("bad", 0) end):Start()
				b = Task.Create(function() return "fine" end):Start()`,
			frames: 1,
			after:  `print(a:Status(), a:Error(), b:Error())`,
			want:   []string{"finished\tbad\tnil"},
			errs:   []string{"A A:2: bad"},
		},
		{
			name: "tostring of a task and a condition",
			src: `
				local h = Task.Create(function() end)
				print(tostring(h))
				print(tostring(Wait.Frames(2) + Wait.Children()))`,
			want: []string{
				`Task "A:2" (owner A) pending`,
				"Condition Or(Frame 2, Children)",
			},
		},
	})
}

func TestWaitConditions(t *testing.T) {
	runCases(t, []luaCase{
		{
			name: "Frame and Frames",
			src: `
				Task.Create(function(self)
					print("start", frame())
					self:Wait(Wait.Frame())
					print("Frame", frame())
					self:Wait(Wait.Frames(3))
					print("Frames(3)", frame())
					self:Wait(Wait.Frames(0))
					print("Frames(0)", frame())
				end):Start()`,
			frames: 6,
			want:   []string{"start\t1", "Frame\t2", "Frames(3)\t5", "Frames(0)\t5"},
		},
		{
			name: "Timespan and Timestamp follow the clock",
			src: `
				Task.Create(function(self)
					print("start", frame(), os.clock())
					self:Wait(Wait.Timespan(0.05))
					print("Timespan", frame(), os.clock())
					self:Wait(Wait.Timestamp(0.1))
					print("Timestamp", frame(), os.clock())
					self:Wait(Wait.Timestamp(0))
					print("past Timestamp", frame())
				end):Start()`,
			frames: 10,
			want: []string{
				"start\t1\t0",
				"Timespan\t5\t0.064",
				"Timestamp\t8\t0.112",
				"past Timestamp\t8",
			},
		},
		{
			name: "Task, Task(nil) and Children",
			src: `
				local a = Task.Create(function(self) self:Wait(Wait.Frames(2)); print("a done", frame()) end):Start()
				Task.Create(function(self)
					print(try(Wait.Task, nil)) -- an error, as in blTasks: it hides typos
					print("Task(nil)", frame())
					self:Wait(Wait.Task(a))
					print("Task(a)", frame(), a:Finished())
					Task.Create(function(c) c:Wait(Wait.Frames(2)) end):Start()
					Task.Create(function(c) c:Wait(Wait.Frames(3)) end):Start()
					self:Wait(Wait.Children())
					print("Children", frame())
					self:Wait(Wait.Children())
					print("no children", frame())
				end):Start()`,
			frames: 8,
			want: []string{
				"Wait.Task: bad argument #1 (task expected, got nil)",
				"Task(nil)\t1",
				"a done\t3",
				"Task(a)\t3\ttrue",
				"Children\t6",
				"no children\t6",
			},
		},
		{
			name: "Signal",
			src: `
				local sig = blTasks.Signal("ready")
				print(sig:Name(), tostring(sig:Cond()))
				Task.Create(function(self)
					self:Wait(Wait.Signal(sig))
					print("woke", frame())
					self:Wait(sig:Cond())
					print("woke again", frame())
				end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Frames(2))
					print("fire", frame())
					print(rawequal(sig:Fire(), sig))
					self:Wait(Wait.Frames(2))
					print("fire", frame())
					sig:Fire()
				end):Start()`,
			frames: 8,
			want: []string{
				"ready\tCondition Signal \"ready\"",
				"fire\t3",
				"true",
				"woke\t4",
				"fire\t5",
				"woke again\t6",
			},
		},
		{
			name: "Predicate is polled",
			src: `
				flag = false
				Task.Create(function(self)
					self:Wait(Wait.Predicate(function() return flag end, "flag"))
					print("flag seen", frame())
				end):Start()
				Task.Create(function(self)
					self:Wait(Wait.Frames(2))
					print("set", frame())
					flag = true
				end):Start()`,
			frames: 6,
			want:   []string{"set\t3", "flag seen\t4"},
		},
		{
			name: "And, Or, + and *",
			src: `
				local function after(n) return Task.Create(function(self) self:Wait(Wait.Frames(n)) end):Start() end
				local a2, a4 = after(2), after(4)
				Task.Create(function(self)
					self:Wait(Wait.Or(Wait.Task(a2), Wait.Task(a4)))
					print("Or", frame())
					self:Wait(Wait.And(Wait.Task(a2), Wait.Task(a4)))
					print("And", frame())
				end):Start()
				local b2, b4 = after(2), after(4)
				Task.Create(function(self)
					self:Wait(Wait.Task(b2) + Wait.Task(b4))
					print("+", frame())
					self:Wait(Wait.Task(b2) * Wait.Task(b4))
					print("*", frame())
					self:Wait(Wait.Frames(1) * (Wait.Frames(50) + Wait.Frames(2)))
					print("nested", frame())
					self:Wait(Wait.And(Wait.Frame(), Wait.Or(Wait.Frames(2)), Wait.Frames(3)))
					print("three", frame())
				end):Start()`,
			frames: 12,
			want: []string{
				"Or\t3",
				"+\t3",
				"And\t5",
				"*\t5",
				"nested\t7",
				"three\t10",
			},
		},
		{
			name: "Start with a condition",
			src: `
				Task.Create(function() print("started", frame()) end):Start(Wait.Frames(2))
				h = Task.Create(function() end)
				h:Start(Wait.Frames(3))
				print(h:Status(), h:Why())`,
			frames: 4,
			want:   []string{"waiting\tFrame 3 [3 frames left]", "started\t2"}, // Frames(n) counts from frame 0
		},
		{
			name: "an unknown condition kind",
			src: `
				print(try(function() return Wait.Nope() end))
				print(try(function() return Wait.Nope end))`,
			want: []string{"Wait.Nope: no such condition", "Wait.Nope: no such condition"},
		},
	})
}

func TestOnFinished(t *testing.T) {
	runCases(t, []luaCase{{
		name: "returned, failed and stopped tasks, until cancelled",
		src: `
			cancel = blTasks.OnFinished(function(t, how, err) print("finished", t:Name(), how, err, t:Status()) end)
			Task.Create(function() return 1 end):Start()
			Task.Create(function() error("bad", 0) end):Start()
			local s = Task.Create(function(self) self:Wait(Wait.Frame()) end):Start()
			Task.Create(function() s:Stop("halt") end):Start()`,
		frames: 2,
		after: `
			cancel()
			h = Task.Create(function() end):Start()`,
		want: []string{
			"finished\tA:3\treturned\tnil\tfinished",
			"finished\tA:4\tfailed\tbad\tfinished",
			"finished\tA:5\tstopped\thalt\tfinished",
			"finished\tA:6\treturned\tnil\tfinished",
		},
		errs: []string{"A A:4: bad"},
	}})
}

// TestOnFinishedStoppedAddon: a stopped addon's code does not run, so its
// OnFinished handlers are not called for the tasks its stop stops; nor is
// each of them reported as a failed handler: the stop is reported once.
func TestOnFinishedStoppedAddon(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			blTasks.OnFinished(function(t, how) print("finished", t:Name(), how) end)
			for i = 1, 3 do Task.Create(function(self) self:Wait(Wait.Frame()) self:Wait(Wait.Frame()) end):Start() end`)
		e.frames(1)
		a.Stop(errors.New("bye"))
		e.frames(2)
		checkLines(t, e.out, nil)
		checkLines(t, e.errLines(), []string{"A addon: addon stopped: bye"})
		for h := range e.s.Tasks() {
			t.Errorf("task %s of the stopped addon is live", h)
		}
	})
}

func TestRequire(t *testing.T) {
	runCases(t, []luaCase{{
		name: "require returns the global table",
		src: `
			print(require("blTasks") == blTasks, require("blTasks").Task == Task)
			print((try(require, "os"):match("^[^\n]*")))`,
		want: []string{"true\ttrue", `module os not found:`},
	}})
}

func TestCustomGlobalName(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{Global: "Tasks"})
		a, err := e.h.NewAddon("A", lua.AddonOptions{})
		if err != nil {
			t.Fatal(err)
		}
		e.run(a, `print(blTasks, require("Tasks") == Tasks, type(Tasks.Task.Create))`)
		checkLines(t, e.out, []string{"nil\ttrue\tfunction"})
	})
}

func TestHostCondition(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		signals := map[string]*waitcond.Signal{}
		e.h.RegisterCondition("Event", func(L *glua.LState) *waitcond.Cond {
			name := L.CheckString(1)
			if signals[name] == nil {
				signals[name] = waitcond.NewSignal(name)
			}
			return signals[name].Cond()
		})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			Task.Create(function(self)
				self:Wait(Wait.Event("loot") + Wait.Frames(100))
				print("loot", frame())
			end):Start()
			print(try(function() return Wait.Event() end))`)
		e.frames(2)
		signals["loot"].Fire()
		e.frames(2)
		// a kind registered after the addon was made is seen too
		e.h.RegisterCondition("Soon", func(L *glua.LState) *waitcond.Cond { return e.s.Frames(1) })
		e.run(a, `
			Task.Create(function(self)
				self:Wait(Wait.Soon())
				print("soon", frame())
			end):Start()`)
		e.frames(3)
		checkLines(t, e.out, []string{
			"bad argument #1 to Event (string expected, got nil)",
			"loot\t3",
			"soon\t6",
		})
		e.checkNoErrors()
	})
}

// Suspend from outside keeps a task from running over frames; Resume lets it
// go on. A wait met while suspended must still be met when resumed: a
// predicate that flipped back keeps the task waiting.
func TestSuspendResume(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, `
			ticker = Task.Create(function(self)
				for i = 1, 3 do
					print("tick", i, frame())
					self:Wait(Wait.Frame())
				end
			end):Start()
			flag = false
			watcher = Task.Create(function(self)
				self:Wait(Wait.Predicate(function() return flag end, "flag"))
				print("flag seen", frame())
			end):Start()`)
		e.frames(1)
		e.run(a, `ticker:Suspend() watcher:Suspend() flag = true print(ticker:Status(), watcher:Status())`)
		e.frames(2)
		e.run(a, `flag = false ticker:Resume() watcher:Resume() print(ticker:Status(), watcher:Status())`)
		e.frames(2)
		e.run(a, `flag = true`)
		e.frames(2)
		checkLines(t, e.out, []string{
			"tick\t1\t1",
			"suspended\tsuspended",
			"active\twaiting", // the ticker's frame came while it was suspended
			"tick\t2\t4",
			"tick\t3\t5",
			"flag seen\t6",
		})
		e.checkNoErrors()
	})
}
