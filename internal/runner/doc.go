// Package runner is the headless script runner, `demo run [flags]
// script.lua...`: it loads each script as a Lua addon (package lua) on a
// frame-budget scheduler (package sched), runs frames, prints what the
// scripts print and every error, and ends with one END line:
//
//	$ go run ./cmd/demo run --virtual --budget 10ms --frame-time 16ms examples/breath.lua
//	frame 1: items 1-3, 4 of 10 ms used
//	...
//	frame 7: items 19-20, 3 of 10 ms used
//	indexed 20 items by frame 7
//	7	END	done
//
// Errors read "<frame>\tERROR [<addon>] <message>"; the END line is
// "<frame>\tEND\t<reason>", reason done (a script called Sim.Done), max
// (--max-frames) or idle (--idle-frames frames in a row printed nothing).
// Each frame starts --frame-time after the previous one began, or at once
// when that one ran longer, and gives the scheduler --budget. A script that
// fails to load is reported and ends the run before its first frame (exit
// status 1).
//
// Every addon has the blTasks API and a global Sim:
//
//	Sim.Frame()       the current frame number (0 while scripts load)
//	Sim.Now()         seconds since the run started
//	Sim.Ms()          whole milliseconds since the current frame began
//	Sim.Work(s)       s seconds of simulated CPU work, charged to the running code
//	Sim.Done()        end the run after this frame
//	Sim.OnFrame(fn)   call fn(frame) as the addon at the start of every frame, before tasks
//	Sim.Msg(err)      tostring(err), each [%w_%-%./]*%.lua:%d+: as "<pos>: ", 0x%x+ as "<addr>"
//	Sim.Addon()       the name of the addon whose code calls it
//
// and four async functions (lua.Host.RegisterAsync; hostasync.go) whose
// work runs on the scheduler's pool: in a task the call parks it, elsewhere
// it blocks:
//
//	blTasks.Async.readFile(path)  the bytes of path, relative to the first script's directory
//	                              (absolute paths, .. escapes, symlinks out of it, files over 16 MiB refused)
//	blTasks.Async.sha256(s)       the SHA-256 of s in lower-case hex
//	blTasks.Async.deflate(s)      s compressed, raw DEFLATE (s at most 16 MiB)
//	blTasks.Async.inflate(s)      raw DEFLATE decompressed; output over 16 MiB refused
//
// With --virtual the clock is virtual, in whole microseconds: time moves
// only by the frame cadence (--frame-time rounded to microseconds) and
// Sim.Work (floor(s*1e6 + 0.5) microseconds), and Sim.Now is the
// microseconds divided by 1e6. The output is then the same on every run,
// byte for byte (as long as scripts print no addresses: Sim.Msg; the pool
// has one worker, waited for before each frame, so work submitted in a
// frame is applied at the next one's start), and
// collectgarbage("collect")
// stops the tasks whose handles were dropped before it returns (see
// collect.go). Without it the clock is real and Sim.Work spins. In both, a
// Lua slice that runs 5 s of real time without breathing is interrupted by
// the watchdog, and so is a main chunk, a Sim.OnFrame hook, a handler or a
// predicate that runs 5 s, so a script that loops forever does not hang the
// run: it gets an ERROR line "watchdog: a slice ran past 5s without
// breathing"; a killed main chunk is a load failure, and a killed
// Sim.OnFrame hook is removed ("... (Sim.OnFrame hook removed)").
//
// --trace FILE writes the scheduler's frames, slices, waits, warnings and
// errors to FILE as a trace for ui.perfetto.dev (package tracefile; with
// --virtual, the same file on every run). The file is created before the
// scripts load; one that cannot be is a flag error (exit status 2), and an
// error writing it is reported on stderr when the run ends.
//
// --host rift follows RIFT_HOST.md (see rift.go): it adds the
// parts of RIFT's addon API that blTasks code uses, Inspect, Utility,
// Command.Event and Event, and changes the frame: after the hooks it fires
// Event.System.Update.Begin, whose first handler is the scheduler's frame
// (with no budget while Inspect.System.Watchdog() is 0.05 or less), then
// Event.System.Update.End. A single script runs as the addon Scenario
// (without --addon), ERROR lines carry Sim.Msg of the error, and a
// --virtual run's os.time() starts at 1700000000.
package runner
