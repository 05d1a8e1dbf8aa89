package monitor

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/framesched/framesched/sched"
)

// WriteReport writes the recording as a self-contained HTML page (see
// WriteReport, the function).
func (m *Monitor) WriteReport(w io.Writer) error { return WriteReport(w, Page{}, m) }

// logKept is how many lines of the log a report shows at most, the latest.
const logKept = 500

// WriteReport writes a self-contained HTML page on the runs, side by side:
// a summary, charts as inline SVG (frame times, the owners' part of each
// frame against their budget, each owner's CPU, the tasks by state), the
// worst frames with the slice that ran longest in each, and the log of
// warnings, errors and forwarded prints. The page defines every term it
// uses and loads nothing from elsewhere. Runs compared should have the same
// frame period.
func WriteReport(w io.Writer, page Page, runs ...*Monitor) error {
	if len(runs) == 0 {
		return fmt.Errorf("monitor: WriteReport needs a recording")
	}
	owners := page.ownerOrder(runs)
	charts, err := reportCharts(page, runs, owners)
	if err != nil {
		return err
	}
	period := runs[0].cfg.FramePeriod
	var budgets []runBudget
	for i, m := range runs {
		if m.cfg.Budget > 0 {
			budgets = append(budgets, runBudget{m.Name(), Millis(m.cfg.Budget), hex(runColor(i))})
		}
	}
	data := map[string]any{
		"Title":   page.title(),
		"About":   page.About,
		"Owner":   page.owner(),
		"Owners":  ownerRows(page),
		"Period":  Millis(period),
		"FPS":     fps(period),
		"Lost":    "A frame of " + Millis(3*period) + " loses " + Millis(2*period) + ".",
		"Budgets": budgets,
		"Runs":    runRows(runs),
		"Summary": summaryRows(runs, owners),
		"Cols":    len(runs) + 1,
		"Charts":  charts,
		"Log":     logRows(runs),
		"Legend": map[string]any{
			"Runs":   legendOf(runs, func(i int, m *Monitor) (string, string) { return m.Name(), hex(runColor(i)) }),
			"Owners": legendOf(owners, func(i int, o string) (string, string) { return o, hex(ownerColor(i)) }),
			"States": legendOf(taskStates, func(i int, s struct {
				name  string
				count func(sched.TaskCounts) int
			}) (string, string) {
				return s.name, hex(stateColors[i])
			}),
		},
	}
	return reportPage.Execute(w, data)
}

// reportCharts are the page's charts, as SVG elements.
func reportCharts(page Page, runs []*Monitor, owners []string) (map[string]any, error) {
	period := runs[0].cfg.FramePeriod
	frames, err := msChart("Frame time, each frame", "frame time (ms, log scale)", runs,
		func(f *Frame) float64 { return millis(f.Took) }, 1, []ref{{millis(period), dashes}})
	if err != nil {
		return nil, err
	}
	var budgets []ref
	for _, m := range runs {
		if m.cfg.Budget > 0 && !slices.ContainsFunc(budgets, func(r ref) bool { return r.ms == millis(m.cfg.Budget) }) {
			budgets = append(budgets, ref{millis(m.cfg.Budget), dots})
		}
	}
	tasks, err := msChart(capital(page.owner())+"s' part of each frame", "time (ms, log scale)", runs,
		func(f *Frame) float64 { return millis(f.Tasks) }, 0.1, budgets)
	if err != nil {
		return nil, err
	}
	cpu, err := cpuCharts(runs, owners, page.owner())
	if err != nil {
		return nil, err
	}
	counts, err := taskCharts(runs)
	if err != nil {
		return nil, err
	}
	html := func(ss ...string) []template.HTML {
		var out []template.HTML
		for _, s := range ss {
			out = append(out, template.HTML(s)) // gonum's SVG: no script, and text escaped by it
		}
		return out
	}
	return map[string]any{"Frames": html(frames)[0], "Tasks": html(tasks)[0], "CPU": html(cpu...), "Counts": html(counts...)}, nil
}

// The report's rows, with the fields its template reads.
type (
	legendItem struct{ Name, Color string }
	runBudget  struct{ Run, Budget, Color string }
	ownerRow   struct{ Name, About string }
	runRow     struct {
		Name, About, Color string
		Worst              []frameRow // its worst frames, worst first
	}
	frameRow struct {
		N                        uint64
		At, Took, Tasks, Longest string
		Owner, Task              string // whose slice was the longest
	}
	summaryRow struct {
		What   string
		Values []string // per run
		Head   bool     // a heading row
	}
	logRow struct {
		at                           time.Duration
		At                           string
		Frame                        uint64
		Run, Kind, Owner, Task, Text string
	}
)

func legendOf[T any](xs []T, f func(int, T) (string, string)) []legendItem {
	var out []legendItem
	for i, x := range xs {
		name, c := f(i, x)
		out = append(out, legendItem{name, c})
	}
	return out
}

func ownerRows(page Page) []ownerRow {
	var rows []ownerRow
	for _, o := range page.Owners {
		if o.About != "" {
			rows = append(rows, ownerRow{o.Name, o.About})
		}
	}
	return rows
}

func runRows(runs []*Monitor) []runRow {
	var rows []runRow
	for i, m := range runs {
		r := runRow{Name: m.Name(), About: m.cfg.About, Color: hex(runColor(i))}
		for _, f := range m.Worst() {
			r.Worst = append(r.Worst, frameRow{f.N, Seconds(f.At), Millis(f.Took), Millis(f.Tasks), Millis(f.Longest), f.Owner, f.Task})
		}
		rows = append(rows, r)
	}
	return rows
}

// summaryRows compare the runs' totals.
func summaryRows(runs []*Monitor, owners []string) []summaryRow {
	var sums []Summary
	for _, m := range runs {
		sums = append(sums, m.Total())
	}
	row := func(what string, f func(int, Summary) string) summaryRow {
		r := summaryRow{What: what}
		for i, s := range sums {
			r.Values = append(r.Values, f(i, s))
		}
		return r
	}
	period := runs[0].cfg.FramePeriod
	rows := []summaryRow{
		row("frames", func(_ int, s Summary) string { return fmt.Sprint(s.Frames) }),
		row("long frames (over "+Millis(period)+")", func(_ int, s Summary) string { return LongFrames(s) }),
		row("worst frame", func(_ int, s Summary) string { return WorstFrame(s) }),
		row("time lost to long frames", func(_ int, s Summary) string { return Millis(s.Lost) }),
		{What: "CPU", Head: true},
	}
	for _, o := range owners {
		rows = append(rows, row(o, func(i int, s Summary) string { return Millis(s.CPUOf(runs[i].Owner(o))) }))
	}
	rows = append(rows, summaryRow{What: "warnings and errors", Head: true})
	problems := len(rows)
	for _, o := range owners {
		r := row(o, func(i int, s Summary) string {
			j := runs[i].Owner(o)
			return Tally(s.WarningsOf(j), s.ErrorsOf(j))
		})
		if slices.ContainsFunc(r.Values, func(v string) bool { return v != "" }) {
			for i, v := range r.Values {
				r.Values[i] = cmp.Or(v, "-")
			}
			rows = append(rows, r)
		}
	}
	if len(rows) == problems {
		rows = append(rows, row("none", func(int, Summary) string { return "" }))
	}
	return rows
}

// LongFrames says how many frames were long, and what share of all, such
// as "45 (25.0%)".
func LongFrames(s Summary) string {
	if s.Frames == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%.1f%%)", s.Long, 100*float64(s.Long)/float64(s.Frames))
}

// WorstFrame says how long the worst frame was and when it began, such as
// "312.4ms at 2.5s", or "-" for no frame.
func WorstFrame(s Summary) string {
	if s.Worst.N == 0 {
		return "-"
	}
	return Millis(s.Worst.Took) + " at " + Seconds(s.Worst.At)
}

// logRows are the latest notes of the runs, in time order.
func logRows(runs []*Monitor) []logRow {
	var rows []logRow
	for _, m := range runs {
		for _, n := range m.Notes() {
			rows = append(rows, logRow{n.At, Seconds(n.At), n.Frame, m.Name(), n.Kind.String(), n.Owner, n.Task, n.Text})
		}
	}
	slices.SortStableFunc(rows, func(a, b logRow) int { return cmp.Compare(a.at, b.at) })
	return rows[max(0, len(rows)-logKept):]
}

// The page is well-formed XML as well as HTML, so that a test can check it
// with encoding/xml.
var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
svg { max-width: 100%; height: auto; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.8em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.pair { display: flex; flex-wrap: wrap; gap: 1em; }
.legend { margin: 0.3em 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 0.4em 1.4em; font-size: 0.95em; }
.key { display: inline-block; width: 1.6em; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 0.4em; }
.box { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; margin-right: 0.4em; }
.dashed { border-top-style: dashed; border-top-width: 2px; } .dotted { border-top-style: dotted; border-top-width: 3px; }
dt { font-weight: bold; margin-top: 0.5em; } dd { margin-left: 1.5em; }
.WARN { color: #b36b00; } .ERROR { color: #c00; } .print { color: #666; }
code { font-size: 0.95em; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .About}}<p>{{.}}</p>
{{end}}{{if .Owners}}<table>
<tr><th>{{.Owner}}</th><th>what it does</th></tr>
{{range .Owners}}<tr><td>{{.Name}}</td><td>{{.About}}</td></tr>
{{end}}</table>
{{end}}
<h2>Runs</h2>
<table>
{{range .Runs}}<tr><td><span class="key" style="border-color: {{.Color}}"></span><b>{{.Name}}</b></td><td>{{.About}}</td></tr>
{{end}}</table>

<h2>Terms</h2>
<dl>
<dt>frame</dt><dd>One pass of the host's loop: its own work and one call of the scheduler. A frame at {{.FPS}} fps lasts {{.Period}}.</dd>
<dt>frame time</dt><dd>How long a frame took, start to end, the host's work and the {{.Owner}}s' tasks together.</dd>
<dt>long frame</dt><dd>A frame that took longer than {{.Period}}: the picture stayed on screen for more than one refresh, and the game stuttered.</dd>
<dt>time lost to long frames</dt><dd>The sum, over the long frames, of what each took beyond {{.Period}}: how far the run fell behind a steady {{.FPS}} fps. {{.Lost}}</dd>
<dt>budget</dt><dd>The time the host gives the {{.Owner}}s' tasks in each frame, and nothing else: the scheduler runs tasks until it is spent, and a task that breathes is parked until the next frame when the frame has no room left.{{range .Budgets}} {{.Run}}: {{.Budget}} a frame.{{else}} No run here had one.{{end}}</dd>
<dt>{{.Owner}}s' part</dt><dd>The time the scheduler ran the {{.Owner}}s' tasks in a frame; a task that does not breathe can take it past the budget.</dd>
<dt>slice</dt><dd>A task's run from being resumed to its next Breath, wait or end; the longest slice of a frame, and whose it was, say what made a frame long.</dd>
<dt>CPU</dt><dd>The time an {{.Owner}}'s tasks ran; the CPU charts show milliseconds of it in each second, summed over half a second per bar.</dd>
<dt>warning</dt><dd>What the scheduler's watchdog reports: a slice that ran too long without breathing, an {{.Owner}} throttled or suspended for it, a task stopped because nothing held its handle.</dd>
<dt>error</dt><dd>A task that failed: an error raised or returned, or a task stopped by the watchdog.</dd>
</dl>

<h2>Summary</h2>
<table>
<tr><th></th>{{range .Runs}}<th>{{.Name}}</th>{{end}}</tr>
{{range .Summary}}{{if .Head}}<tr><th colspan="{{$.Cols}}">{{.What}}</th></tr>
{{else}}<tr><td>{{.What}}</td>{{range .Values}}<td class="n">{{.}}</td>{{end}}</tr>
{{end}}{{end}}</table>

<h2>Frames</h2>
<p>Each frame's time, drawn as a step that lasts as long as the frame, on a log scale so that short and very long frames both show. Above the dashed line a frame is long.</p>
<ul class="legend">{{range .Legend.Runs}}<li><span class="key" style="border-color: {{.Color}}"></span>{{.Name}}</li>{{end}}<li><span class="key dashed" style="border-color: #303030"></span>a frame at {{.FPS}} fps, {{.Period}}</li></ul>
{{.Charts.Frames}}

<h2>The {{.Owner}}s' part of each frame</h2>
<p>The time the scheduler ran the {{.Owner}}s' tasks in each frame, against their budget (dotted); the rest of the frame is the host's own work. Frames where no task ran are drawn at 0.1ms.</p>
<ul class="legend">{{range .Legend.Runs}}<li><span class="key" style="border-color: {{.Color}}"></span>{{.Name}}</li>{{end}}{{range .Budgets}}<li><span class="key dotted" style="border-color: #303030"></span>budget of {{.Run}}, {{.Budget}}</li>{{end}}</ul>
{{.Charts.Tasks}}

<h2>CPU by {{.Owner}}</h2>
<p>Each {{.Owner}}'s CPU in milliseconds per second of the run, a bar per half second, stacked; the charts share their scales.</p>
<ul class="legend">{{range .Legend.Owners}}<li><span class="box" style="background: {{.Color}}"></span>{{.Name}}</li>{{end}}</ul>
<div class="pair">
{{range .Charts.CPU}}{{.}}
{{end}}</div>

<h2>Tasks</h2>
<p>The tasks that had not finished at the end of each frame, by state. A waiting task costs nothing until its condition is met; a suspended one does not run until resumed. The charts share their scales.</p>
<ul class="legend">{{range .Legend.States}}<li><span class="key" style="border-color: {{.Color}}"></span>{{.Name}}</li>{{end}}</ul>
<div class="pair">
{{range .Charts.Counts}}{{.}}
{{end}}</div>

<h2>Worst frames</h2>
{{range .Runs}}<h3>{{.Name}}</h3>
<table>
<tr><th>frame</th><th>began at</th><th>frame time</th><th>{{$.Owner}}s' part</th><th>longest slice</th><th>{{$.Owner}}</th><th>task</th></tr>
{{range .Worst}}<tr><td class="n">{{.N}}</td><td class="n">{{.At}}</td><td class="n">{{.Took}}</td><td class="n">{{.Tasks}}</td><td class="n">{{.Longest}}</td><td>{{.Owner}}</td><td><code>{{.Task}}</code></td></tr>
{{else}}<tr><td colspan="7">no frame</td></tr>
{{end}}</table>
{{end}}
<h2>Log</h2>
<p>Warnings, errors, and the lines the {{.Owner}}s printed, in time order.</p>
<table>
<tr><th>at</th><th>frame</th><th>run</th><th></th><th>{{.Owner}}</th><th>task</th><th>message</th></tr>
{{range .Log}}<tr><td class="n">{{.At}}</td><td class="n">{{.Frame}}</td><td>{{.Run}}</td><td class="{{.Kind}}">{{.Kind}}</td><td>{{.Owner}}</td><td><code>{{.Task}}</code></td><td>{{.Text}}</td></tr>
{{else}}<tr><td colspan="7">none</td></tr>
{{end}}</table>
</body>
</html>
`))
