package showcase

import (
	"io"
	"strconv"

	"github.com/framesched/framesched/monitor"
)

// Report writes the monitor's self-contained HTML page on both runs (see
// monitor.WriteReport).
func (sc *Showcase) Report(out io.Writer) error {
	return monitor.WriteReport(out, sc.page(), sc.runs[0].mon, sc.runs[1].mon)
}

// page is what the report and the live view say about the showcase.
func (sc *Showcase) page() monitor.Page {
	p := monitor.Page{
		Title: "framesched showcase",
		Owner: "addon",
		About: []string{
			"A simulated game host at " + strconv.Itoa(fps) + " frames per second (a frame every " + dur(framePeriod) + ") runs six addons, in Go and in Lua, for " +
				seconds(sc.at) + " of simulated time, twice: naive, where every job runs to completion in the frame that asked for it, " +
				"and under framesched, where the addons get a budget of " + dur(budget) + " of each frame and their tasks breathe between chunks of work. " +
				"Under framesched the watchdog warns about a slice of " + dur(warnAfter) + " or more and interrupts a Lua slice at " + dur(killAfter) + ".",
			"Each frame the host does " + dur(hostWork) + " to " + dur(hostWork+hostJitter) + " of its own work besides the addons'. " +
				"Work is simulated on a virtual clock, so every figure here is the same on any machine.",
		},
	}
	for _, a := range addons {
		p.Owners = append(p.Owners, monitor.Owner{Name: a.name, About: a.lang + ": " + a.job})
	}
	return p
}
