package sched_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/framesched/framesched/sched"
)

// records is a slog.Handler that keeps every record, as "LEVEL msg
// key=value..." lines in the order the attributes were given.
type records struct{ lines *[]string }

func (records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) WithAttrs([]slog.Attr) slog.Handler     { return r }
func (r records) WithGroup(string) slog.Handler          { return r }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	line := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	*r.lines = append(*r.lines, line)
	return nil
}

// logged makes slog.Default keep its records for the rest of the test.
func logged(t *testing.T) *[]string {
	var lines []string
	old := slog.Default()
	slog.SetDefault(slog.New(records{&lines}))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &lines
}

// With no error or warning handler, task errors and warnings, and the
// panics of the host's other hooks, are logged with slog.Default, with
// their owner, task and frame.
func TestDefaultHandlersLog(t *testing.T) {
	bubble(t, func(t *testing.T) {
		lines := logged(t)
		clk := clock.NewMock()
		s := sched.New(sched.WithClock(clk), sched.WithWatchdog(20*time.Millisecond, nil))
		defer s.Close()
		s.OnFinished(func(e sched.FinishEvent) {
			if e.Task.Name() == "hook" {
				panic("subscriber bug")
			}
		})
		s.Go("Map", "decode", func(t *sched.Self) (any, error) {
			t.SetTraceback(func() string { return "at tile 7" })
			clk.Add(30 * time.Millisecond)
			t.Breath()
			return nil, errors.New("corrupt tile 7")
		})
		s.Go("Map", "hook", func(*sched.Self) (any, error) { return nil, nil })
		for range 3 {
			s.RunFrame()
		}
		want := []string{
			"WARN task warning owner=Map task=decode frame=1 warning=slice ran 30ms without breathing traceback=at tile 7",
			"ERROR task failed owner=host task=finished subscriber frame=2 err=panic: subscriber bug",
			"ERROR task failed owner=Map task=decode frame=3 err=corrupt tile 7",
		}
		got := slices.Clone(*lines)
		for i, l := range got {
			got[i], _, _ = strings.Cut(l, "\n") // a panic's stack follows its value
		}
		if !slices.Equal(got, want) {
			t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// A host's handlers replace the logging; WithWatchdog with a nil function
// keeps the warning handler given with WithWarningHandler.
func TestHandlersReplaceLogging(t *testing.T) {
	bubble(t, func(t *testing.T) {
		lines := logged(t)
		var warns, errs int
		clk := clock.NewMock()
		s := sched.New(sched.WithClock(clk),
			sched.WithWarningHandler(func(sched.Warning) { warns++ }),
			sched.WithWatchdog(20*time.Millisecond, nil),
			sched.WithErrorHandler(func(sched.TaskError) { errs++ }))
		defer s.Close()
		s.Go("Map", "decode", func(t *sched.Self) (any, error) {
			clk.Add(30 * time.Millisecond)
			t.Breath()
			return nil, errors.New("corrupt tile 7")
		})
		s.RunFrame()
		s.RunFrame()
		if warns != 1 || errs != 1 || len(*lines) != 0 {
			t.Errorf("handlers got %d warnings and %d errors, slog %q; want 1, 1 and nothing", warns, errs, *lines)
		}
	})
}
