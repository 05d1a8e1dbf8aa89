package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/internal/replay"
)

// --record FILE keeps every reading of a real-clock run's clock (package
// replay), and --replay FILE runs the same scripts with the same flags on
// those readings: the scheduler's (frame starts, slices, Breath, waits),
// Sim.Now, Sim.Ms, Sim.Work's end, os.time and os.clock, the runner's own
// (each frame's length, the wait for the next), in order, and a mark at
// each frame's start. Both runs are stable as a --virtual one is (one pool
// worker waited for at each frame's start, handles collected only by
// collectgarbage, addresses numbered), so the replay prints what the
// recorded run printed, byte for byte, and its frames last what they
// lasted. What the run reads of the real clock through timers (the
// watchdog's kill after 5 s) is not recorded.

// recorder is what a --record or --replay run needs of its clock besides
// clock.Clock: a mark at each frame's start.
type recorder interface {
	clock.Clock
	Mark()
}

// openRecording makes the clock of a --record or --replay run.
func (r *run) openRecording() error {
	lines := runLines(r.cfg)
	if r.cfg.record != "" {
		f, err := os.Create(r.cfg.record)
		if err != nil {
			return fmt.Errorf("--record: %w", err)
		}
		rec, err := replay.NewRecorder(f, clock.New(), lines)
		if err != nil {
			f.Close()
			return fmt.Errorf("--record: %w", err)
		}
		r.rec, r.recFile, r.clk = rec, f, rec
		return nil
	}
	f, err := os.Open(r.cfg.replay)
	if err != nil {
		return fmt.Errorf("--replay: %w", err)
	}
	defer f.Close()
	rec, err := replay.Read(f)
	if err != nil {
		return fmt.Errorf("--replay %s: %w", r.cfg.replay, err)
	}
	if err := rec.Check(lines); err != nil {
		return fmt.Errorf("--replay %s: %w", r.cfg.replay, err)
	}
	p := replay.NewPlayer(rec, clock.New())
	r.player, r.rec, r.clk = p, p, p
	return nil
}

// runLines identifies a run for --record and --replay: the flags that
// change what the scripts see, one a line, then each script's name and
// SHA-256. (A flag added to config that does so belongs here.)
func runLines(cfg config) []string {
	lines := []string{
		fmt.Sprintf("--budget=%v", cfg.budget),
		fmt.Sprintf("--frame-time=%v", cfg.frameTime),
		fmt.Sprintf("--max-frames=%d", cfg.maxFrames),
		fmt.Sprintf("--idle-frames=%d", cfg.idleFrames),
		fmt.Sprintf("--warn-after=%v", cfg.warnAfter),
		fmt.Sprintf("--seed=%d", cfg.seed),
		fmt.Sprintf("--addon=%s", cfg.addon),
		fmt.Sprintf("--host=%s", cfg.host),
		fmt.Sprintf("--memory=%d", cfg.memory),
	}
	for _, path := range cfg.scripts {
		src, err := os.ReadFile(path)
		sum := sha256.Sum256(src)
		what := "sha256:" + hex.EncodeToString(sum[:])
		if err != nil {
			what = "unreadable"
		}
		lines = append(lines, filepath.Base(path)+" "+what)
	}
	return lines
}

// closeRecording ends a --record run's recording, or checks that a
// --replay run read the whole recording.
func (r *run) closeRecording() error {
	switch {
	case r.recFile != nil:
		err := r.rec.(*replay.Recorder).Close()
		if cerr := r.recFile.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	case r.player != nil:
		if err := r.player.End(); err != nil {
			return fmt.Errorf("--replay %s, frame %d: %w", r.cfg.replay, r.frame, err)
		}
	}
	return nil
}

// isReplayMismatch reports whether err says that a --replay could not
// replay: another run, or one that diverged.
func isReplayMismatch(err error) bool {
	return errors.Is(err, replay.ErrOtherRun) || errors.Is(err, replay.ErrDiverged)
}
