-- flags: --budget 10ms --frame-time 16ms --idle-frames 5
-- Every misuse raises a Lua error naming the function and the problem,
-- caught here with pcall; the scheduler goes on unharmed.
local Task, Wait = blTasks.Task, blTasks.Wait

local function try(label, f, ...)
	local ok, err = pcall(f, ...)
	print(string.format("f%d %-34s %s", Sim.Frame(), label, ok and "ok (no error)" or Sim.Msg(err)))
end

local function idle(self) self:Wait(Wait.Frames(3)) end

-- Outside any task.
local a = Task.Create(idle)
try("abandon pending", a.Abandon, a)
try("Result outside, pending", a.Result, a)
a:Start()
try("start twice", a.Start, a)
try("Result outside, unfinished", a.Result, a)
try("Breath outside any task", a.Breath, a)
try("BreathShort outside any task", a.BreathShort, a)
try("BreathLong outside any task", a.BreathLong, a)
try("Wait on a pending task", Task.Create(idle).Wait, Task.Create(idle), Wait.Frame())
try("suspend", a.Suspend, a)
try("suspend a suspended task", a.Suspend, a)
try("abandon a suspended task", a.Abandon, a)
a:Resume()
local done = Task.Create(function() end):Start()

-- Bad argument types.
try("Task.Create(nil)", Task.Create, nil)
try("Task.Create(42)", Task.Create, 42)
try("Task.Create(fn, 7)", Task.Create, idle, 7)
try("Task.Create(fn, other owner)", Task.Create, idle, "someone_else")
try("Start(42)", Task.Create(idle).Start, Task.Create(idle), 42)
try("a.Start({})", a.Start, {})
try("a.Stop(nil)", a.Stop, nil)
try("Stop({}): the default reason", Task.Create(idle).Stop, Task.Create(idle), {})
try("Wait.Task(42)", Wait.Task, 42)
try("Wait.Frames(-1)", Wait.Frames, -1)
try("Wait.Frames(1.5)", Wait.Frames, 1.5)
try("Wait.Frames('x')", Wait.Frames, "x")
try("Wait.Timespan('soon')", Wait.Timespan, "soon")
try("Wait.Timespan(-1)", Wait.Timespan, -1)
try("Wait.Timestamp(nil)", Wait.Timestamp)
try("Wait.And()", Wait.And)
try("Wait.Or(Frame, 3)", Wait.Or, Wait.Frame(), 3)
try("Frame + 1", function() return Wait.Frame() + 1 end)
try("Frame * 'x'", function() return Wait.Frame() * "x" end)
try("Wait.Predicate(true)", Wait.Predicate, true)
try("Wait.Signal('s')", Wait.Signal, "s")
try("Wait.NoSuchKind", function() return Wait.NoSuchKind() end)
try("blTasks.OnFinished(1)", blTasks.OnFinished, 1)

-- Inside a task.
local other = Task.Create(idle):Start()
Task.Create(function(self)
	try("wait on another task's (allowed)", other.Wait, other, Wait.Frame())
	try("Breath on another task's handle", other.Breath, other)
	local pending = Task.Create(idle)
	try("wait on a pending task's handle", pending.Wait, pending, Wait.Frame())
	try("Breath on a pending task's handle", pending.Breath, pending)
	try("own result", self.Result, self)
	try("self:Wait(nil)", self.Wait, self, nil)
	try("self:Wait(42)", self.Wait, self, 42)
	try("self:Wait()", self.Wait, self)
	try("start self (already running)", self.Start, self)
	try("abandon pending (inside)", Task.Create(idle).Abandon, Task.Create(idle))
	self:Wait(Wait.Frames(4))
	try("stop a finished task", done.Stop, done)
	try("Result of finished, ok", done.Result, done)
	print("f" .. Sim.Frame() .. " the misuse task still works; a is " .. a:Status())
	Sim.Done()
end):Start()
