package showcase

import (
	"cmp"
	"html/template"
	"io"
	"os"
	"slices"
	"time"
)

// WriteReport writes the HTML report of what has run to the file at path.
func (sc *Showcase) WriteReport(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sc.Report(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Report writes a self-contained HTML page: the summary, the charts as
// inline SVG, the worst frames and the log of warnings and errors. It loads
// nothing from the network.
func (sc *Showcase) Report(out io.Writer) error {
	charts, err := sc.charts()
	if err != nil {
		return err
	}
	sum := sc.compare()
	var problems []comparison
	for _, p := range sum.problems {
		problems = append(problems, p.comparison)
	}
	return reportPage.Execute(out, map[string]any{
		"Simulated": seconds(sc.at),
		"Period":    dur(framePeriod),
		"Budget":    dur(budget),
		"Warn":      dur(warnAfter),
		"Kill":      dur(killAfter),
		"Addons":    addonRows(),
		"Frames":    sum.frames,
		"CPU":       sum.cpu,
		"Problems":  problems,
		"Charts":    charts,
		"Runs":      sc.runRows(),
		"Log":       sc.logRows(),
	})
}

func (sc *Showcase) charts() ([]template.HTML, error) {
	var charts []template.HTML
	for _, chart := range []func() (string, error){
		sc.frameChart,
		func() (string, error) { return sc.cpuChart(0) },
		func() (string, error) { return sc.cpuChart(1) },
		sc.taskChart,
	} {
		s, err := chart()
		if err != nil {
			return nil, err
		}
		charts = append(charts, template.HTML(s)) // gonum's SVG: no script, and no text of ours
	}
	return charts, nil
}

// The report's rows, with the fields its template reads.
type (
	addonRow struct{ Name, Lang, Job string }
	runRow   struct {
		Name  string
		Worst []frameRow // its worst frames, worst first
	}
	frameRow struct {
		N                        uint64
		At, Took, Tasks, Longest string
		Owner, Task              string // whose slice was the longest
	}
	logRow struct {
		at                           time.Duration
		At                           string
		Frame                        uint64
		Run, Kind, Owner, Task, Text string
	}
)

func addonRows() []addonRow {
	var rows []addonRow
	for _, a := range addons {
		rows = append(rows, addonRow{a.name, a.lang, a.job})
	}
	return rows
}

func (sc *Showcase) runRows() []runRow {
	var rows []runRow
	for _, w := range sc.runs {
		r := runRow{Name: w.name}
		for _, f := range w.rec.worstFrames(10) {
			r.Worst = append(r.Worst, frameRow{f.n, seconds(f.at), dur(f.took), dur(f.tasks), dur(f.longest), f.owner, f.task})
		}
		rows = append(rows, r)
	}
	return rows
}

// logRows are the warnings and errors of both runs, in time order.
func (sc *Showcase) logRows() []logRow {
	var rows []logRow
	for _, w := range sc.runs {
		for _, n := range w.rec.notes {
			if n.kind != notePrint {
				rows = append(rows, logRow{n.at, seconds(n.at), n.frame, w.name, n.kind.String(), n.owner, n.task, n.text})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b logRow) int { return cmp.Compare(a.at, b.at) })
	return rows
}

// worstFrames are the n longest frames, longest first.
func (r *recording) worstFrames(n int) []frameRec {
	fs := slices.Clone(r.frames)
	slices.SortStableFunc(fs, func(a, b frameRec) int { return cmp.Compare(b.took, a.took) })
	return fs[:min(n, len(fs))]
}

// The page is well-formed XML as well as HTML, so that a test can check it
// with encoding/xml.
var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>framesched showcase report</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
svg { max-width: 100%; height: auto; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.8em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.pair { display: flex; flex-wrap: wrap; gap: 1em; }
.WARN { color: #b36b00; } .ERROR { color: #c00; }
code { font-size: 0.95em; }
</style>
</head>
<body>
<h1>framesched showcase</h1>
<p>A simulated game host at 60 frames per second (a frame every {{.Period}}) runs six addons, in Go and in Lua,
for {{.Simulated}} of simulated time, twice: <b>naive</b>, where every job runs to completion in the frame that asked
for it, and under <b>framesched</b>, where the addons get {{.Budget}} of each frame and their tasks breathe between
chunks of work. Under framesched the watchdog warns about a slice of {{.Warn}} or more and interrupts a Lua slice at
{{.Kill}}. Work is simulated on a virtual clock, so every figure here is the same on any machine.</p>
<table>
<tr><th>addon</th><th>in</th><th>what it does</th></tr>
{{range .Addons}}<tr><td>{{.Name}}</td><td>{{.Lang}}</td><td>{{.Job}}</td></tr>
{{end}}</table>

<h2>Summary</h2>
<table>
<tr><th></th><th>naive</th><th>framesched</th></tr>
{{range .Frames}}<tr><td>{{.What}}</td><td class="n">{{.Naive}}</td><td class="n">{{.Framed}}</td></tr>
{{end}}<tr><th colspan="3">addon CPU</th></tr>
{{range .CPU}}<tr><td>{{.What}}</td><td class="n">{{.Naive}}</td><td class="n">{{.Framed}}</td></tr>
{{end}}<tr><th colspan="3">warnings and errors by addon</th></tr>
{{range .Problems}}<tr><td>{{.What}}</td><td>{{.Naive}}</td><td>{{.Framed}}</td></tr>
{{else}}<tr><td colspan="3">none</td></tr>
{{end}}</table>

<h2>Frames</h2>
<p>Each frame's time, host work and addons together, against the budget of a 60 fps frame.</p>
{{index .Charts 0}}

<h2>Addon CPU over time</h2>
<p>Run naively, each job's work lands in the frame that asked for it; under framesched it is spread over the frames that follow, a few milliseconds each.</p>
<div class="pair">
{{index .Charts 1}}
{{index .Charts 2}}
</div>

<h2>Tasks</h2>
<p>The unfinished tasks at the end of each frame. Most of them wait (Chatter's messages, for a few frames each) and cost nothing until their condition is met.</p>
{{index .Charts 3}}

<h2>Worst frames</h2>
{{range .Runs}}<h3>{{.Name}}</h3>
<table>
<tr><th>frame</th><th>at</th><th>frame time</th><th>addons' part</th><th>longest slice</th><th>addon</th><th>task</th></tr>
{{range .Worst}}<tr><td class="n">{{.N}}</td><td class="n">{{.At}}</td><td class="n">{{.Took}}</td><td class="n">{{.Tasks}}</td><td class="n">{{.Longest}}</td><td>{{.Owner}}</td><td><code>{{.Task}}</code></td></tr>
{{end}}</table>
{{end}}
<h2>Warnings and errors</h2>
<table>
<tr><th>at</th><th>frame</th><th>run</th><th></th><th>addon</th><th>task</th><th>message</th></tr>
{{range .Log}}<tr><td class="n">{{.At}}</td><td class="n">{{.Frame}}</td><td>{{.Run}}</td><td class="{{.Kind}}">{{.Kind}}</td><td>{{.Owner}}</td><td><code>{{.Task}}</code></td><td>{{.Text}}</td></tr>
{{else}}<tr><td colspan="7">none</td></tr>
{{end}}</table>
</body>
</html>
`))
