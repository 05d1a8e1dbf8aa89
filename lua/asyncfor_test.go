package lua_test

import (
	"context"
	"testing"

	"github.com/framesched/framesched/lua"
	"github.com/framesched/framesched/sched"
)

// Async.For: a parallel for whose body is a worker function, called per
// chunk with its bounds.

const forDefs = `
	Async = blTasks.Async
	Async.Define("bounds", "return function(...) return table.concat({...}, ',') end")
	Async.Define("sum", [[return function(lo1, hi1, lo2, hi2, lo3, hi3, scale)
		local s = 0
		for i = lo1, hi1 do for j = lo2, hi2 do for k = lo3, hi3 do s = s + (i * 100 + j * 10 + k) * scale end end end
		return s
	end]])
	function list(...) return "[" .. table.concat({...}, " ") .. "]" end
	function serial(n1, n2, n3, scale)
		local s = 0
		for i = 1, n1 do for j = 1, n2 do for k = 1, n3 do s = s + (i * 100 + j * 10 + k) * scale end end end
		return s
	end
	function total(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end
`

// The range is cut as sched.ParallelFor cuts it, on a pool of 3: uneven,
// empty and smaller-than-pool ranges in 1, 2 and 3 dimensions; the chunks'
// results come back in chunk order, and their sum is the serial loop's.
func TestAsyncForChunks(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(3))
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, forDefs+`
			Task.Create(function(self)
				print(list(Async.For("bounds", {10}, "x")))
				print(list(Async.For("bounds", {2})))
				print(select("#", Async.For("bounds", {0})), select("#", Async.For("bounds", {5, 0, 2})))
				print(list(Async.For("bounds", {2, 5})))
				print(list(Async.For("bounds", {2, 2, 2})))
				print(list(Async.For("bounds", {1, 1, 1})))
				print(list(Async.For("bounds", {4, 7, 2})))
				print(total(Async.For("sum", {7, 5, 3}, 2)) == serial(7, 5, 3, 2), serial(7, 5, 3, 2))
				print(total(Async.For("sum", {1, 1, 11}, 1)) == serial(1, 1, 11, 1))
				print(try(Async.For, "bounds", {1, 2, 3, 4}), try(Async.For, "bounds", {-1}), try(Async.For, "bounds", {1.5}))
				print(frame())
			end):Start()
			print(try(Async.For, "bounds", {3}))`)
		e.workFrames(20)
		checkLines(t, e.out, []string{
			"Async.For: only in a task's own code, which it parks (Async.Call or Async.Send elsewhere)",
			"[1,4,x 5,7,x 8,10,x]",
			"[1,1 2,2]",
			"0\t0",
			"[1,2,1,2 1,2,3,4 1,2,5,5]",
			"[1,1,1,2,1,2 2,2,1,2,1,2]",
			"[1,1,1,1,1,1]",
			"[1,2,1,7,1,2 3,3,1,7,1,2 4,4,1,7,1,2]",
			"true\t90720",
			"true",
			"Async.For: bad argument #2 (a list of 1 to 3 extents expected, got 4)\t" +
				"Async.For: bad argument #2 (extent #1: a whole number from 0 to 2^31-1 expected)\t" +
				"Async.For: bad argument #2 (extent #1: a whole number from 0 to 2^31-1 expected)",
			"9",
		})
		e.checkNoErrors()
	})
}

// An error in one chunk cancels the others (here one that would loop for
// ever) and is Async.For's error, with the worker's traceback.
func TestAsyncForError(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(2))
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, forDefs+`
			Async.Define("bad", "return function(lo, hi) if lo == 1 then error('chunk ' .. lo .. ' broke') end while true do end end")
			Task.Create(function(self)
				local ok, err = pcall(Async.For, "bad", {10})
				print(ok, (string.match(try(error, err, 0), "[^\n]*")))
				print(string.find(err, "worker stack traceback", 1, true) ~= nil)
				print(list(Async.For("bounds", {4})))
			end):Start()`)
		e.workFrames(4)
		checkLines(t, e.out, []string{
			`false	Async.For: worker function "bad" failed: bad:1: chunk 1 broke`,
			"true",
			"[1,2 3,4]",
		})
		e.checkNoErrors()
	})
}

// Stopping the task ends its chunks: workers looping for ever are
// interrupted, and the pool goes idle; the worker states work on.
func TestAsyncForStop(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{}, sched.WithWorkers(2))
		a := e.addon("A", lua.AddonOptions{})
		e.run(a, forDefs+`
			Async.Define("spin", "return function() while true do end end")
			h = Task.Create(function(self)
				print("for")
				Async.For("spin", {2})
				print("never")
			end):Start()`)
		e.s.RunFrame() // and no more: the mock clock would wait for the chunks, which never block
		e.run(a, `print(h:Why()) h:Stop("enough") print(h:Status())`)
		if err := e.s.Pool().WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.workFrames(2)
		e.run(a, `print(list(Async.Call("bounds", 1, 2)))`)
		checkLines(t, e.out, []string{"for", `Future "parallel-for" [pending]`, "finished", "[1,2]"})
		e.checkNoErrors()
	})
}
