package monitor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Live is the live terminal view of one or more runs, a Bubble Tea model:
// run it with tea.NewProgram and send it a Snapshot (TakeSnapshot) as often
// as it should change. q, Esc and Ctrl+C quit. Each run's chart shows its
// frame times over the same span of time as the others', a column per four
// frame periods (the header says how long) showing the longest frame that
// overlaps it. It fits the terminal: from 80x24 up, panels grow with the
// window, and on a small one the log goes first, then owners fold, then
// chart rows.
type Live struct {
	page          Page
	width, height int
	snap          Snapshot
}

// NewLive returns a live view that shows nothing until the first snapshot.
func NewLive(page Page) *Live { return &Live{page: page, width: 80, height: 24} }

// Init does nothing: the view waits for snapshots.
func (v *Live) Init() tea.Cmd { return nil }

// Update takes a Snapshot, the window's size, and the keys that quit.
func (v *Live) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "esc", "ctrl+c":
			return v, tea.Quit
		}
	case tea.WindowSizeMsg:
		v.width, v.height = msg.Width, msg.Height
	case Snapshot:
		v.snap = msg
	}
	return v, nil
}

// View renders the latest snapshot to the window's size.
func (v *Live) View() tea.View { return tea.NewView(v.Render(v.width, v.height)) }

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	dimStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	okStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	overStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	warnStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	barStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("4"))
)

func noteStyle(k NoteKind) lipgloss.Style {
	return [...]lipgloss.Style{Print: dimStyle, Warning: warnStyle, Error: overStyle}[k]
}

const (
	labelWidth  = 7   // the charts' y labels, "33.3ms│"
	colFrames   = 4   // a chart column spans this many frame periods
	barFull     = 0.5 // the share of CPU a full bar shows
	minRows     = 2   // the fewest rows a chart gets
	goodRows    = 4   // the rows a chart keeps while owners can fold
	maxRows     = 10  // the most
	figureWidth = 7   // the CPU table's figures, " 12.3%"
)

// Render is the view at a width and height, in lines of at most width
// cells, at most height of them.
func (v *Live) Render(width, height int) string {
	width, height = max(width, 40), max(height, 10)
	s := v.snap
	owners := v.ownerOrder()
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	if len(s.Runs) == 0 {
		add(titleStyle.Render(v.page.title()) + "  " + s.Status + "   " + dimStyle.Render("q quits"))
		return fit(lines, width, height)
	}
	period := s.Runs[0].Period
	colSpan := colFrames * period
	add(titleStyle.Render(v.page.title()) + "  " + s.Status + "   " + dimStyle.Render("column "+Millis(colSpan)+", q quits"))

	runs := len(s.Runs)
	fixed := 1 + runs + 1 + 4 // the header, a line per run, the time axis, the CPU table's other lines
	rows, shown, logLines := layout(height-fixed, height, runs, len(owners))
	logLines = min(logLines, len(s.Notes))
	about := logLines >= runs+4 // room for a line on each run too
	if about {
		logLines -= runs
	}

	cols := width - labelWidth
	end := time.Duration(0)
	for _, r := range s.Runs {
		end = max(end, r.At)
	}
	for _, r := range s.Runs {
		add(titleStyle.Render(fmt.Sprintf("%-11s", r.Name)) + fmt.Sprintf(" long %s of %d  worst %s  lost %s",
			overStyle.Render(fmt.Sprint(r.Total.Long)), r.Total.Frames, Millis(r.Total.Worst.Took), Millis(r.Total.Lost)))
		if about && r.About != "" {
			add(dimStyle.Render("            " + r.About))
		}
		add(chart(r.Frames, end, colSpan, cols, rows, period)...)
	}
	add(timeAxis(cols, colSpan))
	add(v.cpuTable(owners, shown, width)...)
	if logLines > 0 {
		for _, n := range s.Notes[len(s.Notes)-min(logLines, len(s.Notes)):] {
			kind := n.Kind.String()
			if n.Kind == Print {
				kind = ""
			}
			add(noteStyle(n.Kind).Render(fmt.Sprintf("%5.1fs %-10s %-5s [%s] %s", n.At.Seconds(), n.Run, kind, n.Owner, n.Text)))
		}
	}
	return fit(lines, width, height)
}

// layout shares room lines between the charts (rows each), the owners'
// lines of the CPU table (shown of owners, the others summed on one line)
// and the log. As room shrinks, the log goes first, then owners fold until
// three are left, then chart rows go from four down to two, then the rest
// of the owners fold.
func layout(room, height, runs, owners int) (rows, shown, logLines int) {
	rowsFor := func(shown, logLines int) int {
		used := shown + logLines
		if shown < owners {
			used++
		}
		return (room - used) / runs
	}
	logLines, shown = max(0, 2+(height-24)/4), owners
	if rowsFor(shown, logLines) < goodRows {
		logLines = 0
	}
	if rowsFor(shown, 0) < goodRows {
		shown = min(owners, max(3, room-goodRows*runs-1))
	}
	rows = rowsFor(shown, logLines)
	if rows < minRows {
		rows = minRows
		shown = min(owners, max(0, room-runs*rows-1))
	}
	rows = min(rows, maxRows)
	used := runs*rows + shown
	if shown < owners {
		used++
	}
	return rows, shown, max(0, room-used)
}

// fit cuts the lines to width cells and height lines.
func fit(lines []string, width, height int) string {
	cut := lipgloss.NewStyle().MaxWidth(width)
	var b strings.Builder
	for i, l := range lines[:min(len(lines), height)] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(cut.Render(l))
	}
	return b.String()
}

// ownerOrder is the page's owners, then those the runs saw.
func (v *Live) ownerOrder() []string {
	var names []string
	for _, o := range v.page.Owners {
		names = append(names, o.Name)
	}
	for _, r := range v.snap.Runs {
		for _, name := range r.Owners {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// blocks are the eighths of a character cell, bottom up.
var blocks = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// chart draws frame times as bars: each column is a span of colSpan ending
// at end for the last, and shows the longest frame that overlaps it, so a
// long frame is as wide as the time it took. The scale goes from 0 to two
// frame periods, labelled on the left, with the frame period as a dotted
// line; longer frames fill their column.
func chart(frames []FrameTime, end, colSpan time.Duration, cols, rows int, period time.Duration) []string {
	start := end - time.Duration(cols)*colSpan
	tall := make([]time.Duration, cols) // per column, 0 for no frame
	for _, f := range frames {
		from, to := f.At-start, f.At+f.Took-start
		for c := max(0, int(from/colSpan)); c < cols && time.Duration(c)*colSpan < to; c++ {
			tall[c] = max(tall[c], f.Took)
		}
	}
	top := 2 * period
	cell := top / time.Duration(rows)
	periodRow := int(period / cell) // the row whose bottom edge is the period
	out := make([]string, rows)
	for row := rows - 1; row >= 0; row-- {
		label := ""
		switch row {
		case periodRow:
			label = Millis(period)
		case rows - 1:
			label = Millis(top)
		case 0:
			label = "0"
		}
		var b strings.Builder
		b.WriteString(dimStyle.Render(fmt.Sprintf("%*s│", labelWidth-1, label)))
		var run strings.Builder // a run of cells of one style
		var style *lipgloss.Style
		for _, d := range tall {
			ch, st := " ", &dimStyle
			if d > 0 {
				st = &okStyle
				if d > period {
					st = &overStyle
				}
				ch = blocks[min(8, max(0, int((d-time.Duration(row)*cell)*8/cell)))]
			}
			if ch == " " && row == periodRow {
				ch, st = "┈", &dimStyle
			}
			if st != style && run.Len() > 0 {
				b.WriteString(style.Render(run.String()))
				run.Reset()
			}
			style = st
			run.WriteString(ch)
		}
		if run.Len() > 0 {
			b.WriteString(style.Render(run.String()))
		}
		out[rows-1-row] = b.String()
	}
	return out
}

// timeAxis labels the charts' columns with the seconds before the latest
// frame, "now" at the right.
func timeAxis(cols int, colSpan time.Duration) string {
	line := []rune(strings.Repeat(" ", labelWidth+cols))
	put := func(at int, s string) {
		at = max(0, min(at, len(line)-len(s)))
		copy(line[at:], []rune(s))
	}
	put(0, "   time")
	put(labelWidth+cols-3, "now")
	span := time.Duration(cols) * colSpan
	step := time.Second
	for span/step > time.Duration(cols/8) {
		step *= 2
	}
	for back := step; back < span-colSpan*4; back += step {
		col := labelWidth + cols - int(back/colSpan) - 1
		put(col-1, fmt.Sprintf("-%ds", int(back/time.Second)))
	}
	return dimStyle.Render(string(line))
}

// cpuTable is each owner's share of the last second in each run, the
// owners' longest part of a frame, the tasks by state, the warnings and
// errors; shown owners get a line, the others one together.
func (v *Live) cpuTable(owners []string, shown, width int) []string {
	runs := v.snap.Runs
	nameWidth := 14
	colWidth := min(40, max(figureWidth+4, (width-nameWidth)/len(runs)))
	barWidth := min(24, colWidth-figureWidth-1)
	cell := func(s string) string { return s + strings.Repeat(" ", max(1, colWidth-lipgloss.Width(s))) }
	row := func(what string, f func(r RunSnapshot) string) string {
		var b strings.Builder
		b.WriteString(fmt.Sprintf("%-*.*s", nameWidth, nameWidth-1, what))
		for _, r := range runs {
			b.WriteString(cell(f(r)))
		}
		return strings.TrimRight(b.String(), " ")
	}
	share := func(r RunSnapshot, names []string) float64 {
		sum := 0.0
		for _, name := range names {
			if i := slices.Index(r.Owners, name); i >= 0 {
				sum += r.CPU[i]
			}
		}
		return sum
	}
	cpu := func(names []string) func(RunSnapshot) string {
		return func(r RunSnapshot) string {
			s := share(r, names)
			return barStyle.Render(bar(s/barFull, barWidth)) + fmt.Sprintf(" %5.1f%%", 100*s)
		}
	}
	word := v.page.owner()
	out := []string{titleStyle.Render(row("CPU, last 1s", func(r RunSnapshot) string { return r.Name })) +
		dimStyle.Render(fmt.Sprintf("  full bar %.0f%%", 100*barFull))}
	for _, name := range owners[:shown] {
		out = append(out, row(name, cpu([]string{name})))
	}
	if shown < len(owners) {
		out = append(out, row(fmt.Sprintf("%d more", len(owners)-shown), cpu(owners[shown:])))
	}
	out = append(out,
		row(word+"s' part", func(r RunSnapshot) string {
			if r.Budget == 0 {
				return "max " + Millis(r.Part) + ", no budget"
			}
			return "max " + Millis(r.Part) + " of " + Millis(r.Budget)
		}),
		row("tasks", func(r RunSnapshot) string {
			n := r.Total.Counts
			return fmt.Sprintf("%d run, %d wait, %d susp", n.Active+n.Pending, n.Waiting, n.Suspended)
		}),
		row("warn, errors", func(r RunSnapshot) string {
			w, e := 0, 0
			for i := range r.Total.Warnings {
				w, e = w+r.Total.Warnings[i], e+r.Total.Errors[i]
			}
			return warnStyle.Render(fmt.Sprint(w)) + ", " + overStyle.Render(fmt.Sprint(e))
		}))
	return out
}

// bar draws a share from 0 to 1 in width cells, to an eighth of a cell.
func bar(share float64, width int) string {
	eighths := int(share*float64(width*8) + 0.5)
	eighths = min(max(eighths, 0), width*8)
	left := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	s := strings.Repeat("█", eighths/8) + left[eighths%8]
	return s + strings.Repeat(" ", width-lipgloss.Width(s))
}
