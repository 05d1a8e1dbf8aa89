package waitcond

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestSignalCond(t *testing.T) {
	e := &env{}
	s := NewSignal("loot")
	s.Fire()
	before := s.Cond()
	if before.Met(e) {
		t.Errorf("made after a fire: met before the next fire")
	}
	s.Fire()
	after := s.Cond()
	if !before.Met(e) {
		t.Errorf("made before a fire: unmet after it")
	}
	if after.Met(e) {
		t.Errorf("made after the last fire: met")
	}
	s.Fire()
	if !before.Met(e) || !after.Met(e) {
		t.Errorf("after a third fire: got %v, %v, want both met", before.Met(e), after.Met(e))
	}
	if got := s.Fired(); got != 3 {
		t.Errorf("Fired() = %d, want 3", got)
	}
	if got := s.Name(); got != "loot" {
		t.Errorf("Name() = %q, want %q", got, "loot")
	}
	var zero Signal
	c := zero.Cond()
	zero.Fire()
	if !c.Met(e) || zero.Name() != "" {
		t.Errorf("zero Signal: Met() = %v, Name() = %q, want true and empty", c.Met(e), zero.Name())
	}
}

func TestSignalWatchOrderAndCancel(t *testing.T) {
	s := NewSignal("s")
	var log []string
	watch := func(name string) func() {
		return s.Watch(func() { log = append(log, name) })
	}
	watch("a")
	cancelB := watch("b")
	watch("c")
	fire := func() {
		s.Fire()
		log = append(log, "|")
	}
	fire()
	cancelB()
	cancelB() // a second cancel does nothing
	fire()
	cancelD := watch("d")
	fire()
	cancelD()
	watch("e")
	fire()
	want := "a b c | a c | a c d | a c e |"
	if got := strings.Join(log, " "); got != want {
		t.Errorf("calls: got %q, want %q", got, want)
	}
}

// TestSignalWatchersChangeDuringFire pins what a watcher may do to its own
// signal while Fire calls it.
func TestSignalWatchersChangeDuringFire(t *testing.T) {
	tests := []struct {
		name string
		// during is called by each of the watchers a, b and c of s.
		during func(s *Signal, name string, cancel map[string]func(), log *[]string)
		want   string // calls over two fires
	}{
		{"nothing", nil, "a b c | a b c"},
		{"a cancels b", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "a" {
				cancel["b"]()
			}
		}, "a c | a c"},
		{"a cancels itself", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "a" {
				cancel["a"]()
			}
		}, "a b c | b c"},
		{"b cancels itself and c", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "b" {
				cancel["b"]()
				cancel["c"]()
			}
		}, "a b | a"},
		{"b cancels itself, c and a", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "b" {
				cancel["b"]()
				cancel["c"]()
				cancel["a"]()
			}
		}, "a b |"},
		{"c watches d", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "c" && cancel["d"] == nil {
				cancel["d"] = s.Watch(func() { *log = append(*log, "d") })
			}
		}, "a b c | a b c d"},
		{"c cancels itself and watches d", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "c" && cancel["d"] == nil {
				cancel["c"]()
				cancel["d"] = s.Watch(func() { *log = append(*log, "d") })
			}
		}, "a b c | a b d"},
		{"b fires again once", func(s *Signal, name string, cancel map[string]func(), log *[]string) {
			if name == "b" && s.Fired() == 1 {
				*log = append(*log, "(")
				s.Fire()
				*log = append(*log, ")")
			}
		}, "a b ( a b c ) c | a b c"},
	}
	for _, tt := range tests {
		s := NewSignal("s")
		var log []string
		cancel := map[string]func(){}
		for _, name := range []string{"a", "b", "c"} {
			cancel[name] = s.Watch(func() {
				log = append(log, name)
				if tt.during != nil {
					tt.during(s, name, cancel, &log)
				}
			})
		}
		s.Fire()
		log = append(log, "|")
		s.Fire()
		if got := strings.Join(log, " "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSignalModel compares Fire with a naive model over random programs in
// which watchers cancel watchers and register new ones while Fire runs.
func TestSignalModel(t *testing.T) {
	const max = 40 // watchers per run
	rng := rand.New(rand.NewPCG(3, 4))
	for run := range 500 {
		// acts[i] is what watcher i does each time it is called: cancel
		// watcher j if it exists, or (j == -1) register the next watcher.
		acts := make([][]int, max)
		for i := range acts {
			for range rng.IntN(3) {
				acts[i] = append(acts[i], rng.IntN(i+4)-1)
			}
		}

		s := NewSignal("s")
		var cancels []func()
		var got []int
		var add func()
		add = func() {
			if len(cancels) == max {
				return
			}
			i := len(cancels)
			cancels = append(cancels, s.Watch(func() {
				got = append(got, i)
				for _, j := range acts[i] {
					if j == -1 {
						add()
					} else if j < len(cancels) {
						cancels[j]()
					}
				}
			}))
		}

		// The model: a slice of live flags in registration order; Fire
		// calls the watchers that existed when it began and are live at
		// their turn.
		var live []bool
		var want []int
		modelAdd := func() {
			if len(live) < max {
				live = append(live, true)
			}
		}
		modelFire := func() {
			for i, n := 0, len(live); i < n; i++ {
				if !live[i] {
					continue
				}
				want = append(want, i)
				for _, j := range acts[i] {
					if j == -1 {
						modelAdd()
					} else if j < len(live) {
						live[j] = false
					}
				}
			}
		}

		var ops []string
		for range 20 {
			switch op := rng.IntN(4); {
			case op == 0:
				add()
				modelAdd()
				ops = append(ops, "watch")
			case op == 1 && len(live) > 0:
				j := rng.IntN(len(live))
				cancels[j]()
				live[j] = false
				ops = append(ops, fmt.Sprint("cancel ", j))
			default:
				s.Fire()
				modelFire()
				ops = append(ops, "fire")
				if !slices.Equal(got, want) {
					t.Fatalf("run %d after %v:\n got calls %v\nwant calls %v", run, ops, got, want)
				}
			}
		}
	}
}

func TestSignalWatchNilPanics(t *testing.T) {
	defer func() {
		if got, want := recover(), "waitcond: Watch with a nil func"; got != want {
			t.Errorf("panic: got %v, want %q", got, want)
		}
	}()
	NewSignal("s").Watch(nil)
}

func TestSignalWatcherSeesCondMet(t *testing.T) {
	s := NewSignal("s")
	c := s.Cond()
	var got bool
	s.Watch(func() { got = c.Met(&env{}) })
	s.Fire()
	if !got {
		t.Errorf("Met from a watcher during Fire: got false, want true")
	}
}
