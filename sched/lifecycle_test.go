package sched_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/framesched/framesched/internal/leak"
	"github.com/framesched/framesched/sched"
)

// targetBody logs "begin", gets into the state st (parked on a Breath,
// waiting two frames, suspended by itself, or finished), then logs "after"
// and returns "done"; its deferred function logs "deferred".
func targetBody(w *world, p *probe, st string) sched.Body {
	return func(t *sched.Self) (any, error) {
		defer p.log("deferred")
		p.log("begin")
		switch st {
		case "parked":
			w.work(3 * ms) // of a 10ms budget: past BreathLong's 20%
			t.BreathLong()
		case "waiting":
			t.Wait(w.s.Frames(2))
		case "suspended":
			t.Suspend()
		case "finished":
			return "done", nil
		}
		p.log("after")
		return "done", nil
	}
}

// TestControlInEveryState applies Stop, Suspend and Resume to a task in each
// state, from the host and from another task of the same owner, and checks
// the error, what the task ran, and that it ends as it should: stopped, or
// finishing normally once resumed (a failed call changes nothing).
func TestControlInEveryState(t *testing.T) {
	states := []struct {
		name      string
		state     sched.State
		suspended bool
		begun     []string // the target's log in this state
		stop      error    // what Stop, Suspend and Resume return
		suspend   error
		resume    error
	}{
		{"pending", sched.Pending, false, nil, nil, sched.ErrNotStarted, sched.ErrNotSuspended},
		{"ready", sched.Active, false, nil, nil, nil, sched.ErrNotSuspended},
		{"parked", sched.Active, false, []string{"begin"}, nil, nil, sched.ErrNotSuspended},
		{"waiting", sched.Waiting, false, []string{"begin"}, nil, nil, sched.ErrNotSuspended},
		{"suspended", sched.Active, true, []string{"begin"}, nil, sched.ErrSuspended, nil},
		{"finished", sched.Finished, false, []string{"begin", "deferred"}, sched.ErrFinished, sched.ErrFinished, sched.ErrFinished},
	}
	ops := []struct {
		name string
		do   func(*sched.Task) error
		want func(st int) error
	}{
		{"Stop", func(h *sched.Task) error { return h.Stop("") }, func(i int) error { return states[i].stop }},
		{"Suspend", (*sched.Task).Suspend, func(i int) error { return states[i].suspend }},
		{"Resume", (*sched.Task).Resume, func(i int) error { return states[i].resume }},
	}
	for i, st := range states {
		for _, from := range []string{"host", "another task"} {
			for _, op := range ops {
				t.Run(st.name+"/from "+from+"/"+op.name, func(t *testing.T) {
					bubble(t, func(t *testing.T) {
						w := newWorld(t, 10*ms)
						var p probe
						var target *sched.Task
						var gotState sched.State
						var gotSuspended bool
						var err error
						var logAtReturn []string
						apply := func() {
							gotState, gotSuspended = target.State(), target.Suspended()
							err = op.do(target)
							logAtReturn = p.snapshot()
						}
						makeTarget := func() {
							if st.name == "pending" {
								target = w.create("Addon", "target", targetBody(w, &p, st.name))
							} else {
								target = w.start("Addon", "target", targetBody(w, &p, st.name))
							}
						}
						controller := func(*sched.Self) (any, error) { apply(); return nil, nil }
						switch {
						case from == "host":
							makeTarget()
							if st.name != "pending" && st.name != "ready" {
								w.s.RunFrame()
							}
							apply()
						case st.name == "ready": // the controller runs first
							w.start("Addon", "controller", controller)
							makeTarget()
							w.s.RunFrame()
						default: // the target gets into its state, then the controller runs
							makeTarget()
							w.start("Addon", "controller", controller)
							w.s.RunFrame()
						}

						if gotState != st.state || gotSuspended != st.suspended {
							t.Fatalf("target before %s: got %v, suspended %v; want %v, suspended %v",
								op.name, gotState, gotSuspended, st.state, st.suspended)
						}
						want := op.want(i)
						if !errors.Is(err, want) {
							t.Fatalf("%s: got error %v, want %v", op.name, err, want)
						}
						stopped := op.name == "Stop" && want == nil
						wantLog := st.begun
						if stopped && len(st.begun) > 0 {
							wantLog = append(slices.Clone(st.begun), "deferred") // before Stop returned
						}
						if !slices.Equal(logAtReturn, wantLog) {
							t.Errorf("target log when %s returned: got %v, want %v", op.name, logAtReturn, wantLog)
						}

						if op.name == "Suspend" && want == nil {
							w.frames(3)
							if got := p.snapshot(); !slices.Equal(got, st.begun) || !target.Suspended() {
								t.Errorf("3 frames after Suspend: target log %v, suspended %v; want %v, true", got, target.Suspended(), st.begun)
							}
						}
						// Let the target go on, whatever happened.
						if target.State() == sched.Pending {
							if err := target.Start(); err != nil {
								t.Fatalf("Start: %v", err)
							}
						}
						if target.Suspended() {
							if err := target.Resume(); err != nil {
								t.Fatalf("Resume: %v", err)
							}
						}
						w.frames(4)

						if !target.Finished() {
							t.Fatalf("target after 4 more frames: %v, want finished", target.State())
						}
						res, resErr := target.Result()
						switch {
						case stopped:
							if reason, ok := stopReason(resErr); !ok || reason != sched.DefaultStopReason || !errors.Is(resErr, sched.ErrStopped) || res != nil {
								t.Errorf("target Result: got %v, %v; want <nil>, a StopError %q", res, resErr, sched.DefaultStopReason)
							}
						default:
							wantLog = []string{"begin", "after", "deferred"}
							if st.name == "finished" {
								wantLog = st.begun
							}
							if res != "done" || resErr != nil {
								t.Errorf("target Result: got %v, %v; want done, <nil>", res, resErr)
							}
						}
						if got := p.snapshot(); !slices.Equal(got, wantLog) {
							t.Errorf("target log at the end: got %v, want %v", got, wantLog)
						}
					})
				})
			}
		}
	}
}

func TestStartMisuse(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) *sched.Task
		want  error
	}{
		{"started twice", func(w *world) *sched.Task {
			return w.start("Addon", "t", ret(nil))
		}, sched.ErrStarted},
		{"started while parked", func(w *world) *sched.Task {
			h := w.start("Addon", "t", func(t *sched.Self) (any, error) { w.work(3 * ms); t.BreathLong(); return nil, nil })
			w.s.RunFrame()
			return h
		}, sched.ErrStarted},
		{"started while waiting", func(w *world) *sched.Task {
			h := w.start("Addon", "t", func(t *sched.Self) (any, error) { t.Wait(w.s.Frames(5)); return nil, nil })
			w.s.RunFrame()
			return h
		}, sched.ErrStarted},
		{"finished", func(w *world) *sched.Task {
			h := w.start("Addon", "t", ret(nil))
			w.s.RunFrame()
			return h
		}, sched.ErrFinished},
		{"stopped while pending", func(w *world) *sched.Task {
			h := w.create("Addon", "t", ret(nil))
			if err := h.Stop(""); err != nil {
				w.t.Fatalf("Stop: %v", err)
			}
			return h
		}, sched.ErrFinished},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*ms)
				h := tt.setup(w)
				if err := h.Start(); !errors.Is(err, tt.want) {
					t.Errorf("Start: got %v, want %v", err, tt.want)
				}
				if err := h.StartWhen(w.s.NextFrame()); !errors.Is(err, tt.want) {
					t.Errorf("StartWhen: got %v, want %v", err, tt.want)
				}
			})
		})
	}
}

func TestStopReason(t *testing.T) {
	bubble(t, func(t *testing.T) {
		w := newWorld(t, 10*ms)
		h := w.start("Addon", "t", loop(w, ms, short))
		w.s.RunFrame()
		if err := h.Stop("quota exceeded"); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		err := h.Err()
		if reason, ok := stopReason(err); !ok || reason != "quota exceeded" || err.Error() != "quota exceeded" {
			t.Errorf("Err: got %#v, want a *StopError with reason %q", err, "quota exceeded")
		}
		if !errors.Is(err, sched.ErrStopped) {
			t.Errorf("errors.Is(%v, ErrStopped) = false", err)
		}
		// A stop is not an error of the owner's code.
		if st := w.s.RunFrame(); st.Errors != 0 || len(w.errs) != 0 || w.s.Owners()[0].Errors != 0 {
			t.Errorf("a stop was reported as an error: frame %+v, handler %v, owners %+v", st, w.errs, w.s.Owners())
		}
	})
}

func TestStopItself(t *testing.T) {
	tests := []struct {
		name       string
		stop       func(*sched.Self)
		wantReason string
	}{
		{"Self.Stop", func(t *sched.Self) { t.Stop("done early") }, "done early"},
		{"its own handle", func(t *sched.Self) { t.Handle().Stop("") }, sched.DefaultStopReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*ms)
				var p probe
				h := w.start("Addon", "quitter", func(t *sched.Self) (any, error) {
					defer p.log("deferred")
					p.log("before")
					tt.stop(t)
					p.log("after Stop")
					return "unreachable", nil
				})
				w.start("Addon", "other", func(*sched.Self) (any, error) { p.log("other ran"); return nil, nil })
				st := w.s.RunFrame()

				if got, want := p.snapshot(), []string{"before", "deferred", "other ran"}; !slices.Equal(got, want) {
					t.Errorf("log: got %v, want %v", got, want)
				}
				res, err := h.Result()
				if reason, ok := stopReason(err); !ok || reason != tt.wantReason || res != nil {
					t.Errorf("Result: got %v, %v; want <nil>, a stop %q", res, err, tt.wantReason)
				}
				if st.Finished != 2 || st.Errors != 0 {
					t.Errorf("frame: %d finished, %d errors; want 2, 0", st.Finished, st.Errors)
				}
			})
		})
	}
}

// A body may recover the panic that unwinds a stopped task; the next
// checkpoint it reaches unwinds it again, so it never gets past that call.
func TestStoppedTaskThatRecoversIsUnwoundAgain(t *testing.T) {
	again := []struct {
		name string
		call func(w *world, t *sched.Self)
	}{
		{"Breath", func(_ *world, t *sched.Self) { t.Breath() }},
		{"BreathShort", func(_ *world, t *sched.Self) { t.BreathShort() }},
		{"BreathLong", func(_ *world, t *sched.Self) { t.BreathLong() }},
		{"BreathFor", func(_ *world, t *sched.Self) { t.BreathFor(ms) }},
		{"Wait", func(w *world, t *sched.Self) { t.Wait(w.s.NextFrame()) }},
		{"Wait on a met condition", func(_ *world, t *sched.Self) { t.Wait(nil) }},
		{"Suspend", func(_ *world, t *sched.Self) { t.Suspend() }},
		{"Stop", func(_ *world, t *sched.Self) { t.Stop("again") }},
	}
	stoppers := []struct {
		name  string
		park  func(w *world, t *sched.Self) // where the task is stopped
		frame bool                          // stopped by the host after a frame
	}{
		{"stopped by the host while parked", func(w *world, t *sched.Self) { w.work(3 * ms); t.BreathLong() }, true},
		{"stopped by itself", func(_ *world, t *sched.Self) { t.Stop("") }, false},
	}
	for _, stopper := range stoppers {
		for _, tt := range again {
			t.Run(stopper.name+"/"+tt.name, func(t *testing.T) {
				bubble(t, func(t *testing.T) {
					w := newWorld(t, 10*ms)
					var p probe
					h := w.start("Addon", "stubborn", func(t *sched.Self) (any, error) {
						defer p.log("deferred")
						func() {
							defer func() { p.log("recovered: %v", recover() != nil) }()
							stopper.park(w, t)
							p.log("after the stop")
						}()
						p.log("goes on after recover")
						tt.call(w, t)
						p.log("after %s", tt.name)
						return "unreachable", nil
					})
					w.s.RunFrame()
					if stopper.frame {
						if err := h.Stop(""); err != nil {
							t.Fatalf("Stop: %v", err)
						}
					}
					w.frames(2)
					want := []string{"recovered: true", "goes on after recover", "deferred"}
					if got := p.snapshot(); !slices.Equal(got, want) {
						t.Errorf("log: got %v, want %v", got, want)
					}
					if reason, ok := stopReason(h.Err()); !ok || reason != sched.DefaultStopReason {
						t.Errorf("Err: got %v, want a stop %q", h.Err(), sched.DefaultStopReason)
					}
				})
			})
		}
	}
}

func TestStopTheTaskThatIsStoppingYou(t *testing.T) {
	bubble(t, func(t *testing.T) {
		// b is parked; a stops b; b's deferred function stops a, which is
		// running (it is in the middle of its Stop call).
		w := newWorld(t, 10*ms)
		var p probe
		var a *sched.Task
		b := w.start("Addon", "b", func(t *sched.Self) (any, error) {
			defer func() {
				p.log("b deferred")
				a.Stop("stopped by b")
			}()
			w.work(3 * ms)
			t.BreathLong() // parks
			p.log("b after Breath")
			return nil, nil
		})
		a = w.start("Addon", "a", func(*sched.Self) (any, error) {
			defer p.log("a deferred")
			p.log("a stops b")
			b.Stop("stopped by a")
			p.log("a after Stop")
			return nil, nil
		})
		w.start("Addon", "c", func(*sched.Self) (any, error) { p.log("c ran in frame %d", w.s.Frame()); return nil, nil })
		st := w.s.RunFrame()

		for _, tt := range []struct {
			h    *sched.Task
			want string
		}{{a, "stopped by b"}, {b, "stopped by a"}} {
			if reason, ok := stopReason(tt.h.Err()); !ok || reason != tt.want {
				t.Errorf("%s Err: got %v, want a stop %q", tt.h.Name(), tt.h.Err(), tt.want)
			}
		}
		for _, line := range []string{"a stops b", "b deferred", "a deferred", "c ran in frame 1"} {
			if !p.has(line) {
				t.Errorf("log %v lacks %q", p.lines, line)
			}
		}
		for _, line := range []string{"a after Stop", "b after Breath"} {
			if p.has(line) {
				t.Errorf("log %v has %q: a stopped task ran its own code", p.lines, line)
			}
		}
		if st.Finished != 3 || st.Errors != 0 {
			t.Errorf("frame: %d finished, %d errors; want 3, 0", st.Finished, st.Errors)
		}
	})
}

// The deferred functions of a stopped task run to the end, even when they
// stop another task.
func TestDeferredFunctionOfStoppedTaskRunsToTheEnd(t *testing.T) {
	for _, by := range []string{"the host", "itself", "another task"} {
		t.Run("stopped by "+by, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*ms)
				var p probe
				helper := w.start("Addon", "helper", func(t *sched.Self) (any, error) {
					t.Wait(w.s.Timespan(time.Hour))
					return nil, nil
				})
				h := w.start("Addon", "user of a helper", func(t *sched.Self) (any, error) {
					defer func() {
						p.log("cleanup begins")
						p.log("stopping helper: %v", helper.Stop("no longer needed"))
						p.log("cleanup ends")
					}()
					if by == "itself" {
						t.Stop("")
					}
					w.work(3 * ms)
					t.BreathLong() // parks
					return nil, nil
				})
				if by == "another task" {
					w.start("Addon", "stopper", func(*sched.Self) (any, error) { return nil, h.Stop("") })
				}
				w.s.RunFrame()
				if by == "the host" {
					if err := h.Stop(""); err != nil {
						t.Fatalf("Stop: %v", err)
					}
				}
				if reason, ok := stopReason(h.Err()); !ok || reason != sched.DefaultStopReason {
					t.Fatalf("Err: got %v, want a stop %q", h.Err(), sched.DefaultStopReason)
				}
				want := []string{"cleanup begins", "stopping helper: <nil>", "cleanup ends"}
				if got := p.snapshot(); !slices.Equal(got, want) {
					t.Errorf("deferred function ran: %v, want %v", got, want)
				}
				if reason, ok := stopReason(helper.Err()); !ok || reason != "no longer needed" {
					t.Errorf("helper Err: got %v, want a stop %q", helper.Err(), "no longer needed")
				}
			})
		})
	}
}

func TestSuspend(t *testing.T) {
	t.Run("suspended by the host, it does not run until resumed", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*ms)
			var ran []uint64
			h := w.start("Addon", "ticker", func(t *sched.Self) (any, error) {
				for {
					ran = append(ran, w.s.Frame())
					t.Wait(w.s.NextFrame())
				}
			})
			w.s.RunFrame()
			if err := h.Suspend(); err != nil {
				t.Fatalf("Suspend: %v", err)
			}
			w.frames(3)
			if err := h.Resume(); err != nil {
				t.Fatalf("Resume: %v", err)
			}
			w.frames(2)
			if want := []uint64{1, 5, 6}; !slices.Equal(ran, want) {
				t.Errorf("ran in frames %v, want %v", ran, want)
			}
		})
	})

	t.Run("suspending itself, it parks at once and goes on after Resume", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			w := newWorld(t, 10*ms)
			var p probe
			h := w.start("Addon", "napper", func(t *sched.Self) (any, error) {
				p.log("before Suspend in frame %d", w.s.Frame())
				t.Suspend()
				p.log("after Suspend in frame %d", w.s.Frame())
				return nil, nil
			})
			w.start("Addon", "other", func(*sched.Self) (any, error) { p.log("other ran"); return nil, nil })
			w.frames(3)
			if got, want := p.snapshot(), []string{"before Suspend in frame 1", "other ran"}; !slices.Equal(got, want) {
				t.Errorf("log: got %v, want %v", got, want)
			}
			if h.State() != sched.Active || !h.Suspended() {
				t.Errorf("napper: got %v, suspended %v; want active, suspended", h.State(), h.Suspended())
			}
			if got, want := w.turns(1)[0], "napper suspended"; got != want {
				t.Errorf("napper's slice: got %q, want %q", got, want)
			}
			if err := h.Resume(); err != nil {
				t.Fatalf("Resume: %v", err)
			}
			w.s.RunFrame()
			if got, want := p.snapshot()[2:], []string{"after Suspend in frame 4"}; !slices.Equal(got, want) {
				t.Errorf("after Resume: got %v, want %v", got, want)
			}
		})
	})

	// A wait that is met while the task is suspended still holds when it is
	// resumed: the task runs in the frame after Resume, not before.
	waits := []struct {
		name       string
		wait       func(w *world, t *sched.Self)
		resumeAt   uint64 // Resume after this frame
		wantRanIn  uint64
		clockAfter time.Duration // the host moves the clock after frame 1
	}{
		{"next frame, met while suspended", func(w *world, t *sched.Self) { t.Wait(w.s.Frames(1)) }, 3, 4, 0},
		{"timespan, met while suspended", func(w *world, t *sched.Self) { t.Wait(w.s.Timespan(5 * ms)) }, 3, 4, 10 * ms},
		{"frames, not met yet at Resume", func(w *world, t *sched.Self) { t.Wait(w.s.Frames(5)) }, 2, 6, 0},
		{"timespan, not met yet at Resume", func(w *world, t *sched.Self) { t.Wait(w.s.Timespan(time.Hour)) }, 2, 0, 10 * ms},
	}
	for _, tt := range waits {
		t.Run("waiting on "+tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				w := newWorld(t, 10*ms)
				var ranIn uint64
				h := w.start("Addon", "waiter", func(t *sched.Self) (any, error) {
					tt.wait(w, t)
					ranIn = w.s.Frame()
					return nil, nil
				})
				w.s.RunFrame()
				if err := h.Suspend(); err != nil {
					t.Fatalf("Suspend: %v", err)
				}
				if h.State() != sched.Waiting || !h.Suspended() {
					t.Errorf("after Suspend: got %v, suspended %v; want waiting, suspended", h.State(), h.Suspended())
				}
				w.work(tt.clockAfter)
				for w.s.Frame() < tt.resumeAt {
					w.s.RunFrame()
				}
				if ranIn != 0 {
					t.Fatalf("ran in frame %d while suspended", ranIn)
				}
				if err := h.Resume(); err != nil {
					t.Fatalf("Resume: %v", err)
				}
				if ranIn != 0 {
					t.Fatalf("ran inside Resume, in frame %d", ranIn)
				}
				w.frames(6)
				if ranIn != tt.wantRanIn {
					t.Errorf("ran in frame %d, want %d", ranIn, tt.wantRanIn)
				}
			})
		})
	}
}

func TestCloseStopsEverything(t *testing.T) {
	bubble(t, func(t *testing.T) {
		before := len(leak.TaskGoroutines())
		w := newWorld(t, 10*ms)
		var p probe
		body := func(name string, park func(t *sched.Self)) sched.Body {
			return func(t *sched.Self) (any, error) {
				defer p.log("%s deferred", name)
				park(t)
				p.log("%s went on", name)
				return nil, nil
			}
		}
		hs := []*sched.Task{
			w.start("Addon", "parked", body("parked", func(t *sched.Self) { w.work(3 * ms); t.BreathLong() })),
			w.start("Addon", "timer", body("timer", func(t *sched.Self) { t.Wait(w.s.Timespan(time.Hour)) })),
			w.start("Addon", "suspended", body("suspended", func(t *sched.Self) { t.Suspend() })),
			w.create("Addon", "pending", body("pending", func(*sched.Self) {})),
		}
		var closeErr error
		w.start("Addon", "closer", func(*sched.Self) (any, error) {
			closeErr = w.s.Close()
			return nil, nil
		})
		w.s.RunFrame()
		if !errors.Is(closeErr, sched.ErrInTask) {
			t.Errorf("Close from a task: got %v, want ErrInTask", closeErr)
		}
		hs = append(hs, w.start("Addon", "ready", body("ready", func(*sched.Self) {})))
		if err := hs[2].Suspend(); !errors.Is(err, sched.ErrSuspended) {
			t.Fatalf("suspended task: Suspend got %v, want ErrSuspended", err)
		}

		if got := len(leak.TaskGoroutines()); got <= before {
			t.Fatalf("task goroutines with tasks parked: got %d, want more than %d", got, before)
		}
		if err := w.s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for _, h := range hs {
			if reason, ok := stopReason(h.Err()); !ok || reason != "scheduler closed" {
				t.Errorf("%s: Err %v, want a stop %q", h.Name(), h.Err(), "scheduler closed")
			}
		}
		want := []string{"parked deferred", "timer deferred", "suspended deferred"}
		if got := p.snapshot(); !slices.Equal(got, want) {
			t.Errorf("log: got %v, want %v", got, want)
		}
		if _, err := w.s.Create("Addon", "late", ret(nil)); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("Create after Close: got %v, want ErrClosed", err)
		}
		if _, err := w.s.Go("Addon", "late", ret(nil)); !errors.Is(err, sched.ErrClosed) {
			t.Errorf("Go after Close: got %v, want ErrClosed", err)
		}
		if st := w.s.RunFrame(); st.Frame != 1 || st.Resumed != 0 {
			t.Errorf("RunFrame after Close: got %+v, want frame 1 and nothing run", st)
		}
		if got := len(leak.TaskGoroutines()); got != before {
			t.Errorf("task goroutines after Close: got %d, want %d as before any task", got, before)
		}
	})
}
