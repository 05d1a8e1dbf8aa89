package lua_test

import (
	"fmt"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// The Lua share of TestSoakMixed's load: well-behaved addons that run jobs
// through the blTasks API when the host calls spawn(kind, id, n, chunks).
// Each job's OnFinished handler reports how it ended with report(id, how,
// value), which the soak compares with what it expects.

// wellBehaved are the addons that must lose no task and report no error.
var wellBehaved = []struct {
	name string
	opts lua.AddonOptions
}{
	{"Bags", lua.AddonOptions{}},
	{"Quests", lua.AddonOptions{BudgetShare: 0.3}},
	{"Map", lua.AddonOptions{Trusted: true}},
}

// luaJobs is the script of every well-behaved addon. A leaf works chunks
// chunks, breathing in turn at the three levels, through pcall and
// coroutine.yield, then waits on one of conds, and returns i*i+1.
const luaJobs = `
local Task, Wait = blTasks.Task, blTasks.Wait
-- roots maps a job's task to its id until it finishes. gopher-lua never
-- drops a key set to nil from a table (yuin/gopher-lua#214): each would
-- keep its task, and the task its Lua thread, so the table is rebuilt
-- every 16 removals.
local roots, removed = {}, 0

blTasks.OnFinished(function(task, how, err)
	local id = roots[task]
	if id == nil then return end
	roots[task] = nil
	removed = removed + 1
	if removed == 16 then
		local t = {}
		for k, v in pairs(roots) do t[k] = v end
		roots, removed = t, 0
	end
	if how == "returned" then report(id, how, task:Result()) else report(id, how, err) end
end)

local conds = {
	function() return Wait.Frame() end,
	function() return Wait.Timespan(0.02) end,
	function() return Wait.Frames(2) + Wait.Timespan(0.5) end,
	function() return Wait.Frame() * Wait.Timespan(0.01) end,
	function() return Wait.Or(Wait.Frames(3), Wait.Timespan(0.03)) end,
}

local function leaf(i, chunks, cond, prev)
	return function(self)
		for c = 1, chunks do
			work(0.0002 * (c % 5 + 1))
			if c % 4 == 0 then self:Breath()
			elseif c % 4 == 1 then self:BreathShort()
			elseif c % 4 == 2 then pcall(self.BreathLong, self)
			else coroutine.yield() end
		end
		if prev and i % 2 == 0 then
			self:Wait(Wait.Task(prev) * Wait.Frame())
		else
			self:Wait(conds[cond]())
		end
		return i * i + 1
	end
end

local function children(n, chunks, id)
	local kids = {}
	for i = 1, n do
		kids[i] = Task.Create(leaf(i, chunks, (i + id) % #conds + 1, kids[i - 1])):Start()
	end
	return kids
end

local jobs = {}

-- A root waits for its children and sums their results.
function jobs.tree(id, n, chunks)
	return Task.Create(function(self)
		local kids = children(n, chunks, id)
		self:Wait(Wait.Children())
		local sum = 0
		for i, kid in ipairs(kids) do sum = sum + kid:Result() end
		return sum
	end)
end

-- A root gets each pending child's result with Result, which starts it and waits.
function jobs.result(id, n, chunks)
	return Task.Create(function(self)
		local sum = 0
		for i = 1, n do
			sum = sum + Task.Create(leaf(i, chunks, (i + id) % #conds + 1)):Result()
		end
		return sum
	end)
end

-- A root stops itself while its children wait forever.
function jobs.stop(id, n, chunks)
	return Task.Create(function(self)
		for i = 1, n do
			Task.Create(function(kid) kid:Wait(Wait.Frames(1e12)) end):Start()
		end
		self:Wait(Wait.Timespan(0.03))
		self:Stop("soak stop")
	end)
end

-- A child abandons itself and outlives its parent, which returns once the
-- child has left it: the child is the job.
function jobs.abandon(id, n, chunks)
	Task.Create(function(self)
		roots[Task.Create(function(kid)
			kid:Abandon()
			kid:Wait(Wait.Frames(n))
			return n
		end):Start()] = id
		self:Wait(Wait.Children())
	end):Start()
end

-- A root sorts with a comparator that breathes.
function jobs.sort(id, n, chunks)
	return Task.Create(function(self)
		local t = {}
		for i = 1, n * 10 do t[i] = n * 10 - i + 1 end
		table.sort(t, function(a, b) work(0.00005) self:BreathShort() return a < b end)
		return t[1] + t[#t]
	end)
end

-- Tasks nothing holds: one scoped and waiting forever, one never started.
-- The collector stops both.
function jobs.drop(id, n, chunks)
	Task.Create(function(self) self:Wait(Wait.Frames(1e12)) end):Scope():Start()
	Task.Create(function() end)
end

function spawn(kind, id, n, chunks)
	local root = jobs[kind](id, n, chunks)
	if root then roots[root:Start()] = id end
end
`

// luaKinds are the jobs of luaJobs and how each must end, from n.
var luaKinds = []struct {
	name    string
	how     string
	want    func(n int) string
	dropped int // tasks it leaves to the collector
}{
	{"tree", "returned", func(n int) string { return fmt.Sprint(leafSum(n)) }, 0},
	{"result", "returned", func(n int) string { return fmt.Sprint(leafSum(n)) }, 0},
	{"stop", "stopped", func(int) string { return "soak stop" }, 0},
	{"abandon", "returned", func(n int) string { return fmt.Sprint(n) }, 0},
	{"sort", "returned", func(n int) string { return fmt.Sprint(n*10 + 1) }, 0},
	{"drop", "", nil, 2},
}

// luaJob is what a Lua job must report.
type luaJob struct {
	addon, how, want string
}

// newWellBehaved makes the well-behaved addons on k's host.
func (k *soak) newWellBehaved() {
	for _, wb := range wellBehaved {
		a, err := k.host.NewAddon(wb.name, wb.opts)
		if err != nil {
			k.t.Fatal(err)
		}
		k.globals(a)
		L := a.State()
		L.SetGlobal("report", L.NewFunction(func(L *glua.LState) int {
			k.report(a.Name(), int(L.CheckNumber(1)), L.CheckString(2), L.Get(3).String())
			return 0
		}))
		if err := a.DoString(wb.name, luaJobs); err != nil {
			k.t.Fatalf("%s: %v", wb.name, err)
		}
		k.addons = append(k.addons, a)
	}
}

// fillPools has each well-behaved addon run poolSize tasks at once that
// end cleanly, so that its pool of Lua threads is full: the pools, bounded,
// otherwise grow with the most tasks an addon ever ran at once, and each
// thread costs about 8 KiB.
func (k *soak) fillPools() {
	for _, a := range k.addons {
		if err := a.DoString("fill", fmt.Sprintf(`for i = 1, %d do Task.Create(function(self) self:Wait(Wait.Frame()) end):Start() end`, poolSize)); err != nil {
			k.t.Fatalf("%s: %v", a.Name(), err)
		}
	}
}

// poolSize is the most threads an addon keeps for its next tasks (see
// lua.Addon's pool).
const poolSize = 64

// spawnLua has one well-behaved addon start one job of a kind drawn from
// the seeded source.
func (k *soak) spawnLua() {
	a := k.addons[k.rng.IntN(len(k.addons))]
	kind := luaKinds[k.rng.IntN(len(luaKinds))]
	n, chunks := 1+k.rng.IntN(4), 1+k.rng.IntN(8)
	k.nextID++
	id := k.nextID
	if kind.want != nil {
		k.luaJobs[id] = luaJob{a.Name(), kind.how, kind.want(n)}
	}
	k.dropped += kind.dropped
	spawn := a.State().GetGlobal("spawn")
	if err := a.Call(spawn, glua.LString(kind.name), glua.LNumber(id), glua.LNumber(n), glua.LNumber(chunks)); err != nil {
		k.t.Fatalf("%s: spawn %s: %v", a.Name(), kind.name, err)
	}
}

// report is a Lua job's end, which must be the one expected of it.
func (k *soak) report(addon string, id int, how, value string) {
	want, ok := k.luaJobs[id]
	delete(k.luaJobs, id)
	k.f.luaJobs++
	if got := (luaJob{addon, how, value}); !ok || got != want {
		k.fail("Lua job %d reported %+v, want %+v (expected: %v)", id, got, want, ok)
	}
}
