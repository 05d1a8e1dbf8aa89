package showcase

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The report's charts, drawn with gonum/plot as SVG.

var (
	runColors   = [2]color.Color{color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x1f, 0x77, 0xb4, 0xff}}
	addonColors = []color.Color{
		color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff},
		color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	}
	budgetColor = color.Gray{0x40}
	dashes      = []vg.Length{vg.Points(5), vg.Points(3)}
)

// newPlot is a plot with the report's look: sans-serif text and a grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Typeface, f.Variant = "Liberation", "Sans"
	}
	p.Legend.Top = true
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

func line(p *plot.Plot, name string, xys plotter.XYs, c color.Color, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color, l.Width = c, vg.Points(1)
	if dashed {
		l.Dashes = dashes
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// frameChart is every frame's time in both runs against the frame budget,
// on a log scale so that the naive run's stalls and framesched's frames
// both show.
func (sc *Showcase) frameChart() (string, error) {
	p := newPlot("Frame time, each frame", "simulated time (s)", "frame time (ms, log scale)")
	p.Y.Scale = plot.LogScale{}
	top := 0.0
	for i, w := range sc.runs {
		xys := make(plotter.XYs, len(w.rec.frames))
		for j, f := range w.rec.frames {
			xys[j] = plotter.XY{X: f.at.Seconds(), Y: millis(f.took)}
			top = max(top, xys[j].Y)
		}
		if err := line(p, w.name, xys, runColors[i], false); err != nil {
			return "", err
		}
	}
	end := sc.at.Seconds()
	if err := line(p, "budget "+dur(framePeriod), plotter.XYs{{X: 0, Y: millis(framePeriod)}, {X: end, Y: millis(framePeriod)}},
		budgetColor, true); err != nil {
		return "", err
	}
	p.Y.Min, p.Y.Max = 5, math.Max(100, top*1.2)
	var ticks []plot.Tick
	for _, v := range []float64{5, 10, 16.7, 25, 50, 100, 250, 500, 1000, 2500} {
		if v <= p.Y.Max {
			ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprint(v)})
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = 0, end
	return svg(p, 9*vg.Inch, 3.6*vg.Inch)
}

// cpuChart is each addon's CPU over time in one run, in milliseconds per
// second of simulated time.
func (sc *Showcase) cpuChart(run int) (string, error) {
	w := sc.runs[run]
	p := newPlot("Addon CPU, "+w.name, "simulated time (s)", "CPU (ms per second)")
	const bucket = 500 * time.Millisecond
	var buckets [][]time.Duration // per bucket of simulated time, per addon
	for _, f := range w.rec.frames {
		b := int(f.at / bucket)
		for len(buckets) <= b {
			buckets = append(buckets, make([]time.Duration, len(addons)))
		}
		for i, d := range f.cpu {
			buckets[b][i] += d
		}
	}
	per := float64(time.Second) / float64(bucket)
	for i, a := range addons {
		xys := make(plotter.XYs, len(buckets))
		for b, cpu := range buckets {
			xys[b] = plotter.XY{X: (time.Duration(b)*bucket + bucket/2).Seconds(), Y: millis(cpu[i]) * per}
		}
		if err := line(p, a.name, xys, addonColors[i], false); err != nil {
			return "", err
		}
	}
	p.X.Min, p.X.Max, p.Y.Min = 0, sc.at.Seconds(), 0
	return svg(p, 4.5*vg.Inch, 3.2*vg.Inch)
}

// taskChart is the unfinished tasks at the end of each frame: by state
// under framesched, all of them in the naive run.
func (sc *Showcase) taskChart() (string, error) {
	p := newPlot("Tasks alive", "simulated time (s)", "tasks at the end of a frame")
	series := []struct {
		name   string
		run    int
		count  func(taskCounts) int
		c      color.Color
		dashed bool
	}{
		{"framesched: active", 1, func(n taskCounts) int { return n.active + n.pending }, addonColors[0], false},
		{"framesched: waiting", 1, func(n taskCounts) int { return n.waiting + n.suspended }, addonColors[1], false},
		{"naive: all", 0, taskCounts.alive, runColors[0], true},
	}
	for _, s := range series {
		frames := sc.runs[s.run].rec.frames
		xys := make(plotter.XYs, len(frames))
		for j, f := range frames {
			xys[j] = plotter.XY{X: f.at.Seconds(), Y: float64(s.count(f.counts))}
		}
		if err := line(p, s.name, xys, s.c, s.dashed); err != nil {
			return "", err
		}
	}
	p.X.Min, p.X.Max, p.Y.Min = 0, sc.at.Seconds(), 0
	return svg(p, 9*vg.Inch, 3*vg.Inch)
}
