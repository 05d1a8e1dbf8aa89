package showcase

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// The live view on a terminal, with Bubble Tea: the runs go on in steps of
// simulated time on a goroutine of their own, which sends a snapshot of
// each step to the view.

const (
	liveStep  = 100 * time.Millisecond // simulated time per step
	chartRows = 6
	chartTop  = 2 * framePeriod // frames longer than this fill the chart's column
	logLines  = 8
	barFull   = 0.5 // the share of CPU a full bar shows
)

// liveTick is the real time between steps: the view plays the game at
// twice its speed. Tests make it shorter.
var liveTick = 50 * time.Millisecond

// Live runs the showcase to the end, or until q is pressed, with a live
// view on the terminal (in, out), then writes the summary to out.
func (sc *Showcase) Live(in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tea.NewProgram(&liveModel{width: 100}, tea.WithInput(in), tea.WithOutput(out))
	stepped := make(chan struct{})
	go func() {
		defer close(stepped)
		var sent [2]int // notes sent, per run
		tick := time.NewTicker(liveTick)
		defer tick.Stop()
		for more := true; more; {
			more = sc.step(liveStep)
			p.Send(sc.snapshot(&sent))
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		p.Send(liveEnd{})
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

// liveSnap is what the view shows of a step.
type liveSnap struct {
	at, total time.Duration
	runs      [2]runSnap
	notes     []string // the runs' log lines since the previous snapshot
}

type runSnap struct {
	name          string
	recent        []time.Duration // the last frames' times, oldest first
	frames, over  int
	worst         time.Duration
	cpu           []float64 // per addon: its share of the last second of simulated time
	counts        taskCounts
	warns, errors int
}

// liveEnd says that the runs have reached their end.
type liveEnd struct{}

// maxRecent is how many frames a snapshot keeps for the chart.
const maxRecent = 240

func (sc *Showcase) snapshot(sent *[2]int) liveSnap {
	snap := liveSnap{at: sc.at, total: sc.total}
	var notes []runNote // new since the previous snapshot
	for i, w := range sc.runs {
		fs := w.rec.frames
		rs := runSnap{name: w.name, frames: len(fs), cpu: make([]float64, len(addons))}
		for _, f := range fs[max(0, len(fs)-maxRecent):] {
			rs.recent = append(rs.recent, f.took)
		}
		all := window{frames: fs, notes: w.rec.notes}
		rs.over, rs.worst = all.over(), all.worst().took
		if len(fs) > 0 {
			rs.counts = fs[len(fs)-1].counts
		}
		for _, f := range w.rec.since(sc.at - time.Second).frames {
			for a, d := range f.cpu {
				rs.cpu[a] += d.Seconds()
			}
		}
		for _, n := range w.rec.notes {
			switch n.kind {
			case noteWarning:
				rs.warns++
			case noteError:
				rs.errors++
			}
		}
		for _, n := range w.rec.notes[sent[i]:] {
			notes = append(notes, runNote{w.name, n})
		}
		sent[i] = len(w.rec.notes)
		snap.runs[i] = rs
	}
	slices.SortStableFunc(notes, func(a, b runNote) int { return cmp.Compare(a.at, b.at) })
	for _, n := range notes {
		kind := n.kind.String()
		if n.kind == notePrint {
			kind = ""
		}
		line := fmt.Sprintf("%5.1fs %-10s %-5s [%s] %s", n.at.Seconds(), n.run, kind, n.owner, n.text)
		snap.notes = append(snap.notes, styleOf(n.kind).Render(line))
	}
	return snap
}

// runNote is a note and the run it is from.
type runNote struct {
	run string
	note
}

// liveModel is the Bubble Tea model of the live view.
type liveModel struct {
	width int
	snap  liveSnap
	log   []string // the last logLines log lines
}

func (m *liveModel) Init() tea.Cmd { return nil }

func (m *liveModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "esc", "ctrl+c":
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case liveSnap:
		m.snap = msg
		m.log = append(m.log, msg.notes...)
		m.log = m.log[max(0, len(m.log)-logLines):]
	case liveEnd:
		return m, tea.Quit
	}
	return m, nil
}

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	dimStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	okStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	overStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	warnStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	barStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("4"))
)

func styleOf(k noteKind) lipgloss.Style {
	return [...]lipgloss.Style{notePrint: dimStyle, noteWarning: warnStyle, noteError: overStyle}[k]
}

func (m *liveModel) View() tea.View {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s of %s simulated, %d fps   %s\n\n", titleStyle.Render("framesched showcase"),
		seconds(m.snap.at), seconds(m.snap.total), fps, dimStyle.Render("q quits"))
	width := max(20, m.width-2)
	m.frames(&b, width)
	m.cpu(&b)
	m.tasks(&b)
	b.WriteString(titleStyle.Render("\nlog") + "\n")
	for _, l := range m.log {
		b.WriteString(truncate(l, width) + "\n")
	}
	return tea.NewView(b.String())
}

// frames draws each run's frame times.
func (m *liveModel) frames(b *strings.Builder, width int) {
	about := [2]string{"every job runs to completion in the frame that asked for it",
		"addons get " + dur(budget) + " a frame; the watchdog warns at " + dur(warnAfter) + ", stops Lua at " + dur(killAfter)}
	for i, r := range m.snap.runs {
		if r.name == "" {
			continue
		}
		b.WriteString(truncate(titleStyle.Render(r.name)+"  "+dimStyle.Render(about[i]), width) + "\n")
		fmt.Fprintf(b, "frames %d   over %s %s   worst %s\n", r.frames, dur(framePeriod),
			overStyle.Render(fmt.Sprint(r.over)), dur(r.worst))
		b.WriteString(chart(r.recent, width))
	}
}

// cpu draws each addon's share of the last second in each run.
func (m *liveModel) cpu(b *strings.Builder) {
	b.WriteString("\n" + titleStyle.Render("addon CPU in the last second") +
		dimStyle.Render(fmt.Sprintf("  a full bar is %.0f%%", 100*barFull)) + "\n")
	fmt.Fprintf(b, "%-18s %-26s %-26s\n", "", "naive", "framesched")
	for a, ad := range addons {
		fmt.Fprintf(b, "%-11s %-6s", ad.name, ad.lang)
		for _, r := range m.snap.runs {
			if r.cpu != nil {
				fmt.Fprintf(b, " %s %5.1f%%", barStyle.Render(bar(r.cpu[a]/barFull, 18)), 100*r.cpu[a])
			}
		}
		b.WriteByte('\n')
	}
}

// tasks counts each run's tasks by state, and its warnings and errors.
func (m *liveModel) tasks(b *strings.Builder) {
	b.WriteString(titleStyle.Render(fmt.Sprintf("\n%-18s %-26s %-26s", "tasks", "naive", "framesched")) + "\n")
	for _, row := range []struct {
		what string
		n    func(runSnap) int
	}{
		{"active", func(r runSnap) int { return r.counts.active }},
		{"waiting", func(r runSnap) int { return r.counts.waiting }},
		{"suspended, pending", func(r runSnap) int { return r.counts.suspended + r.counts.pending }},
		{"warnings", func(r runSnap) int { return r.warns }},
		{"errors", func(r runSnap) int { return r.errors }},
	} {
		fmt.Fprintf(b, "%-18s %-26d %-26d\n", row.what, row.n(m.snap.runs[0]), row.n(m.snap.runs[1]))
	}
}

// blocks are the eighths of a character cell, bottom up.
var blocks = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// chart draws the frame times as columns, the latest on the right, from 0
// to chartTop, with the budget of a frame as a dotted line.
func chart(frames []time.Duration, width int) string {
	frames = frames[max(0, len(frames)-width):]
	pad := width - len(frames)
	cell := chartTop / chartRows
	budgetRow := int(framePeriod / cell) // the row whose bottom edge is the budget
	var b strings.Builder
	for row := chartRows - 1; row >= 0; row-- {
		lo := time.Duration(row) * cell
		var run strings.Builder // a run of cells of one style
		var style *lipgloss.Style
		flush := func() {
			if run.Len() > 0 {
				b.WriteString(style.Render(run.String()))
				run.Reset()
			}
		}
		for col := range width {
			ch, st := " ", &dimStyle
			if col >= pad {
				d := frames[col-pad]
				st = &okStyle
				if d > framePeriod {
					st = &overStyle
				}
				ch = blocks[min(8, max(0, int((d-lo)*8/cell)))]
			}
			if ch == " " && row == budgetRow {
				ch, st = "┈", &dimStyle
			}
			if st != style {
				flush()
				style = st
			}
			run.WriteString(ch)
		}
		flush()
		b.WriteByte('\n')
	}
	return b.String()
}

// bar draws a share from 0 to 1 in width cells, to an eighth of a cell.
func bar(share float64, width int) string {
	eighths := int(share*float64(width*8) + 0.5)
	eighths = min(max(eighths, 0), width*8)
	left := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	s := strings.Repeat("█", eighths/8) + left[eighths%8]
	return s + strings.Repeat(" ", width-lipgloss.Width(s))
}

// truncate cuts a styled line to width cells.
func truncate(s string, width int) string {
	return lipgloss.NewStyle().MaxWidth(width).Render(s)
}
