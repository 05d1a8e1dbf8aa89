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
// Lines that begin with a tab continue the line above, so that a tool
// reading the output can keep reading the first line alone. After an ERROR
// line come the message's other lines if it has several, "\ttask <name>,
// created at <file.lua:line of the Task.Create call>" for a task's error
// ("\tin <what>" for a handler's), then the Lua traceback, if the error
// has one. After the END line of a run that max or idle stopped with tasks
// unfinished: "\t3 tasks unfinished: Bags 2 waiting, Chat 1 suspended"
// (by addon in name order, then state: pending, active, waiting,
// suspended); with --worst-frame, "\tworst frame 6: 32.097604ms", the
// frame that lasted longest, from its start to the end of its work.
//
// Each frame starts --frame-time after the previous one began, or at once
// when that one ran longer, and gives the scheduler --budget. They default
// to the demo's 4 ms at 60 frames per second (time.Second/60, 16.666666
// ms; 16.667 ms on the virtual clock), and with --host rift to RIFT's 50 ms
// every 100 ms; flags given win.
//
// Exit statuses: 0 the run ended; 1 a script failed to load (it is
// reported, and the run ends before its first frame), or the --record or
// --replay file could not be written or read; 2 bad flags; 3 with
// --fail-on-error, the run printed an ERROR line (a task's error or a
// hook's, handler's or main chunk's); 4 --replay of another run than the
// one recorded, or a replay that diverged from it (on stderr: where).
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
// --record FILE keeps every reading of a real-clock run's clock, and
// --replay FILE runs the same scripts with the same flags on those readings
// instead of a clock: the recorded run again, stalls included, byte for
// byte, on any machine (record.go; the clocks and the file's format are
// package internal/replay's). A reading is each call of the run's clock:
// the scheduler's (frame starts, slices, Breath, waits), Sim.Now, Sim.Ms,
// Sim.Work's end (it spins on the real clock unrecorded, then reads the
// run's clock once), os.time, os.clock and the runner's own (each frame's
// length); each frame's start is marked, so that a replay that diverges is
// caught by the next frame's start at the latest, and prints nothing after
// (no END line; on stderr, the frame and what diverged). Recorded and replayed runs are stable
// as --virtual ones are (one pool worker, waited for at each frame's start;
// handles collected only by collectgarbage; addresses numbered); a replay
// does not wait between frames. The recording names the flags that change
// what scripts see and each script's SHA-256, and a replay refuses other
// ones. Not recorded: the watchdog's kills (real-time timers) and the order
// of readings between the frame and worker functions (Async.Call) that read
// os.time or os.clock; a file Async.readFile reads that changed makes a
// replay diverge, or not, depending on what the scripts do with it.
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
