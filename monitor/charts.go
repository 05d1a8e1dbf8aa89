package monitor

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/framesched/framesched/sched"
)

// The report's charts, drawn with gonum/plot as SVG. Values hold from one
// moment to the next, so every series is drawn as steps or bars: a line
// from one frame's value to the next would show values nothing had. The
// legends are the page's (see report.go), outside the plots.

var (
	runColors = []color.Color{color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x1f, 0x77, 0xb4, 0xff},
		color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}}
	ownerColors = []color.Color{
		color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff},
		color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
		color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff},
		color.RGBA{0x17, 0xbe, 0xcf, 0xff},
	}
	stateColors = []color.Color{color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}}
	refColor    = color.Gray{0x30}
	dashes      = []vg.Length{vg.Points(5), vg.Points(3)}
	dots        = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
)

func runColor(i int) color.Color   { return runColors[i%len(runColors)] }
func ownerColor(i int) color.Color { return ownerColors[i%len(ownerColors)] }

// hex is c as a CSS colour, for the page's legends.
func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// newPlot is a plot with the report's look: sans-serif text and a grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Typeface, f.Variant = "Liberation", "Sans"
	}
	p.Add(plotter.NewGrid())
	return p
}

// svg renders p as an SVG element for inclusion in an HTML page.
func svg(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	return s[strings.Index(s, "<svg"):], nil // without the XML declaration
}

// addLine adds a line through xys, dashed or dotted as given.
func addLine(p *plot.Plot, xys plotter.XYs, c color.Color, width vg.Length, dash []vg.Length) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color, l.Width, l.Dashes = c, width, dash
	p.Add(l)
	return nil
}

// steps are the points of a step line through the frames' values: each
// frame's value holds from its start to the next frame's start (the last
// one's to its end), and the line goes straight up or down between frames.
// Values are clamped to at least floor (for a log scale).
func steps(frames []Frame, value func(*Frame) float64, floor float64) plotter.XYs {
	xys := make(plotter.XYs, 0, 2*len(frames))
	for i := range frames {
		f := &frames[i]
		end := f.At + f.Took
		if i+1 < len(frames) {
			end = frames[i+1].At
		}
		y := max(value(f), floor)
		if n := len(xys); n > 0 && xys[n-1].Y == y {
			xys[n-1].X = end.Seconds() // the same value goes on: extend the step
			continue
		}
		xys = append(xys, plotter.XY{X: f.At.Seconds(), Y: y}, plotter.XY{X: end.Seconds(), Y: y})
	}
	return xys
}

// span is the time the runs' kept frames cover, from the earliest start to
// the latest end, in seconds.
func span(runs []*Monitor) (from, to float64) {
	from = math.Inf(1)
	for _, m := range runs {
		if fs := m.Frames(); len(fs) > 0 {
			from = min(from, fs[0].At.Seconds())
			to = max(to, (fs[len(fs)-1].At + fs[len(fs)-1].Took).Seconds())
		}
	}
	if math.IsInf(from, 1) {
		from = 0
	}
	return from, max(to, from+1e-3)
}

// logTicks mark a log scale of milliseconds drawn on a linear axis (see
// msChart) from lo to hi: powers of ten, also 2 and 5 times them over less
// than three decades, and the marks (the frame period, the budgets), but
// no tick too near a mark to be read.
func logTicks(lo, hi float64, marks ...float64) plot.Ticker {
	var values []float64
	for p := 0.01; p <= hi; p *= 10 {
		values = append(values, p)
		if hi/lo < 1000 {
			values = append(values, 2*p, 5*p)
		}
	}
	inRange := func(v float64) bool { return v >= lo && v <= hi }
	var ticks []plot.Tick
	for _, v := range values {
		near := slices.ContainsFunc(marks, func(m float64) bool { return inRange(m) && max(m/v, v/m) < 1.6 })
		if inRange(v) && !near {
			ticks = append(ticks, plot.Tick{Value: math.Log10(v), Label: trimFloat(v)})
		}
	}
	for _, m := range marks {
		if inRange(m) {
			ticks = append(ticks, plot.Tick{Value: math.Log10(m), Label: trimFloat(m)})
		}
	}
	return plot.ConstantTicks(ticks)
}

func trimFloat(v float64) string {
	if v < 1 {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}

// msChart is a step chart of a value of every frame of each run, in
// milliseconds on a log scale from floor, with horizontal reference lines.
// The scale is drawn as the log of the values on a linear axis: gonum's
// LogScale places the axis label by the linear middle of the range, which
// pads the plot with blank space.
func msChart(title, ylabel string, runs []*Monitor, value func(*Frame) float64, floor float64, refs []ref) (string, error) {
	p := newPlot(title, "time since the start (s)", ylabel)
	top := floor * 10
	for i, m := range runs {
		xys := steps(m.Frames(), value, floor)
		for j := range xys {
			top = max(top, xys[j].Y)
			xys[j].Y = math.Log10(xys[j].Y)
		}
		if err := addLine(p, xys, runColor(i), vg.Points(1), nil); err != nil {
			return "", err
		}
	}
	from, to := span(runs)
	var marks []float64
	for _, r := range refs {
		top = max(top, r.ms)
		marks = append(marks, r.ms)
		y := math.Log10(r.ms)
		if err := addLine(p, plotter.XYs{{X: from, Y: y}, {X: to, Y: y}}, refColor, vg.Points(1.2), r.dash); err != nil {
			return "", err
		}
	}
	top *= 1.3
	p.X.Min, p.X.Max = from, to
	p.Y.Min, p.Y.Max = math.Log10(floor), math.Log10(top)
	p.Y.Tick.Marker = logTicks(floor, top, marks...)
	return svg(p, 11*vg.Inch, 3.4*vg.Inch)
}

// ref is a horizontal reference line of a chart, at ms milliseconds.
type ref struct {
	ms   float64
	dash []vg.Length
}

// intTicks marks whole numbers only, 1, 2 or 5 times a power of ten apart,
// for charts of counts.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for (hi-lo)/step > 6 {
		switch d := step / math.Pow(10, math.Floor(math.Log10(step))); d {
		case 2:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return ticks
}

// bars is a plotter of stacked bars: bar i spans [x[i], x[i]+width] and
// stacks its values bottom up in colors' order.
type bars struct {
	x      []float64
	width  float64
	stacks [][]float64
	colors []color.Color
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, stack := range b.stacks {
		x0, x1 := trX(b.x[i]), trX(b.x[i]+b.width)
		base := 0.0
		for k, v := range stack {
			if v <= 0 {
				continue
			}
			y0, y1 := trY(base), trY(base+v)
			base += v
			c.FillPolygon(b.colors[k], c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
		}
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	if len(b.x) == 0 {
		return 0, 1, 0, 1
	}
	return b.x[0], b.x[len(b.x)-1] + b.width, 0, b.top()
}

func (b *bars) top() float64 {
	top := 0.0
	for _, s := range b.stacks {
		sum := 0.0
		for _, v := range s {
			sum += v
		}
		top = max(top, sum)
	}
	return top
}

// cpuBucket is the span of time a bar of the CPU charts sums up.
const cpuBucket = 500 * time.Millisecond

// cpuBars are each owner's CPU in a run in milliseconds per second, per
// cpuBucket of time, stacked in the order of owners. A bucket the kept
// frames cover in part (the run's first and last) is divided by the part.
func cpuBars(m *Monitor, owners []string) *bars {
	b := &bars{width: cpuBucket.Seconds()}
	for i := range owners {
		b.colors = append(b.colors, ownerColor(i))
	}
	fs := m.Frames()
	if len(fs) == 0 {
		return b
	}
	start, end := fs[0].At, fs[len(fs)-1].At+fs[len(fs)-1].Took
	first := int(start / cpuBucket)
	for _, f := range fs {
		k := int(f.At/cpuBucket) - first
		for len(b.stacks) <= k {
			b.x = append(b.x, (time.Duration(first+len(b.stacks)) * cpuBucket).Seconds())
			b.stacks = append(b.stacks, make([]float64, len(owners)))
		}
		for j, name := range owners {
			b.stacks[k][j] += millis(f.CPUOf(m.Owner(name)))
		}
	}
	for k, stack := range b.stacks {
		from := time.Duration(first+k) * cpuBucket
		covered := min(end, from+cpuBucket) - max(start, from)
		for j := range stack {
			if covered > 0 {
				stack[j] /= covered.Seconds()
			}
		}
	}
	return b
}

// cpuCharts are the owners' CPU over time, a chart per run, all on the
// same scales.
func cpuCharts(runs []*Monitor, owners []string, word string) ([]string, error) {
	var all []*bars
	top := 1.0
	for _, m := range runs {
		b := cpuBars(m, owners)
		all = append(all, b)
		top = max(top, b.top())
	}
	from, to := span(runs)
	var out []string
	for i, m := range runs {
		p := newPlot(capital(word)+" CPU, "+m.Name(), "time since the start (s)", "CPU (ms in each second)")
		p.Add(all[i])
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = from, to, 0, top*1.05
		s, err := svg(p, 5.4*vg.Inch, 3.2*vg.Inch)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// taskStates are the series of the task charts, in stateColors' order.
var taskStates = []struct {
	name  string
	count func(sched.TaskCounts) int
}{
	{"active or pending", func(n sched.TaskCounts) int { return n.Active + n.Pending }},
	{"waiting", func(n sched.TaskCounts) int { return n.Waiting }},
	{"suspended", func(n sched.TaskCounts) int { return n.Suspended }},
}

// taskCharts are the unfinished tasks by state at the end of each frame, a
// chart per run, on the same scales, with whole-number ticks.
func taskCharts(runs []*Monitor) ([]string, error) {
	top := 1
	for _, m := range runs {
		for _, f := range m.Frames() {
			top = max(top, f.Counts.Alive())
		}
	}
	from, to := span(runs)
	var out []string
	for _, m := range runs {
		p := newPlot("Tasks, "+m.Name(), "time since the start (s)", "tasks at the end of a frame")
		for k, st := range taskStates {
			xys := steps(m.Frames(), func(f *Frame) float64 { return float64(st.count(f.Counts)) }, 0)
			if err := addLine(p, xys, stateColors[k], vg.Points(1), nil); err != nil {
				return nil, err
			}
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = from, to, 0, float64(top)*1.1
		p.Y.Tick.Marker = intTicks{}
		s, err := svg(p, 5.4*vg.Inch, 3*vg.Inch)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
