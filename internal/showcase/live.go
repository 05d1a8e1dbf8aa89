package showcase

import (
	"context"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/framesched/framesched/monitor"
)

// The live view on a terminal is the monitor's (monitor.Live): the runs go
// on in steps of simulated time on a goroutine of their own, which sends a
// snapshot of both runs after each step.

// liveStep is the simulated time per step.
const liveStep = 100 * time.Millisecond

// liveTick is the real time between steps: the view plays the game at
// twice its speed. Tests make it shorter.
var liveTick = 50 * time.Millisecond

// Live runs the showcase to the end, or until q is pressed, with a live
// view on the terminal (in, out), then writes the summary to out.
func (sc *Showcase) Live(in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tea.NewProgram(monitor.NewLive(sc.page()), tea.WithInput(in), tea.WithOutput(out))
	stepped := make(chan struct{})
	go func() {
		defer close(stepped)
		tick := time.NewTicker(liveTick)
		defer tick.Stop()
		for more := true; more; {
			more = sc.step(liveStep)
			p.Send(sc.snapshot())
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		p.Quit()
	}()
	_, err := p.Run()
	cancel() // the runs stop where they are when q was pressed
	<-stepped
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	sc.Summary(out)
	return nil
}

// snapshot is what the live view shows of both runs now.
func (sc *Showcase) snapshot() monitor.Snapshot {
	return monitor.TakeSnapshot(fmt.Sprintf("%s of %s simulated, %d fps", seconds(sc.at), seconds(sc.total), fps),
		sc.runs[0].mon, sc.runs[1].mon)
}
