-- flags: --budget 10ms --frame-time 16ms --idle-frames 10
-- Installing a wait that closes a cycle of tasks waiting on each other is
-- refused with an error naming the cycle; through Task, Children, Result
-- and Start(cond), honouring And/Or. The refused task goes on.
local Task, Wait = blTasks.Task, blTasks.Wait

local function try(label, f, ...)
	local ok, err = pcall(f, ...)
	print(string.format("f%d %s: %s", Sim.Frame(), label, ok and "allowed" or Sim.Msg(err)))
end

-- Two tasks: a waits for b, b tries to wait for a.
local a, b
a = Task.Create(function(self) self:Wait(Wait.Task(b)) return "a" end)
b = Task.Create(function(self)
	try("b waits for a (a waits for b)", self.Wait, self, Wait.Task(a))
	try("b waits for a via And(Task(a), Frame)", self.Wait, self, Wait.Task(a) * Wait.Frame())
	try("b waits for a via Or(Task(a), Frame): a way out", self.Wait, self, Wait.Task(a) + Wait.Frame())
	try("b Result(a)", a.Result, a)
	return "b"
end)
a:Start()
b:Start()

-- Three tasks in a ring: x -> y -> z -> x.
local x, y, z
x = Task.Create(function(self) self:Wait(Wait.Task(y)) end)
y = Task.Create(function(self) self:Wait(Wait.Task(z)) end)
z = Task.Create(function(self)
	self:Wait(Wait.Frame()) -- x and y are waiting by now
	try("z waits for x (ring of three)", self.Wait, self, Wait.Task(x))
end)
x:Start(); y:Start(); z:Start()

-- A child waiting for its parent, whose wait is Children.
Task.Create(function(parent)
	local child = Task.Create(function(c)
		c:Wait(Wait.Frame()) -- the parent waits for its children by now
		try("child waits for its parent (parent waits for Children)", c.Wait, c, Wait.Task(parent))
		try("child Result(parent)", parent.Result, parent)
	end):Start()
	parent:Wait(Wait.Children())
	print(string.format("f%d parent: children done", Sim.Frame()))
end):Start()

-- Start with a condition that closes a cycle.
Task.Create(function(self)
	local p, q
	p = Task.Create(function(s) s:Wait(Wait.Frames(3)) end)
	q = Task.Create(function(s) end)
	p:Start(Wait.Task(q))
	try("q:Start(Task(p)) while p waits for q", q.Start, q, Wait.Task(p))
	print(string.format("f%d q after the refused start: %s", Sim.Frame(), q:Status()))
	q:Start()
	self:Wait(Wait.Task(p))
	print(string.format("f%d p finished after q ran", Sim.Frame()))
end):Start()

Sim.OnFrame(function(frame)
	if frame == 8 then
		print(string.format("a %s (%s), b %s (%s)", a:Status(), tostring(a:Error()), b:Status(), tostring(b:Error())))
		print(string.format("x %s, y %s, z %s", x:Status(), y:Status(), z:Status()))
		Sim.Done()
	end
end)
