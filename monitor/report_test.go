package monitor_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/framesched/framesched/monitor"
)

// TestReport: the page comparing two recordings is well-formed (XML as
// well as HTML), self-contained, has its six charts, defines its terms and
// names the slice that made the worst frame long.
func TestReport(t *testing.T) {
	record(t, func(m *monitor.Monitor) {
		var b bytes.Buffer
		page := monitor.Page{Title: "test report", Owner: "addon", Owners: []monitor.Owner{{Name: "A", About: "works long"}}}
		if err := monitor.WriteReport(&b, page, m, m); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		svgs := checkSelfContained(t, html)
		if len(svgs) != 6 {
			t.Errorf("report has %d charts, want 6", len(svgs))
		}
		for _, want := range []string{
			"<title>test report</title>",
			"<dt>budget</dt>", "<dt>time lost to long frames</dt>", "<dt>long frame</dt>",
			"<td>A</td><td>works long</td>",
			"<td class=\"n\">30.0ms</td><td>A</td><td><code>long</code></td>", // the worst frame's longest slice
			"slice ran 30.0ms without breathing",
			"budget of test, 4.0ms",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("report lacks %q", want)
			}
		}
	})
}

// checkSelfContained fails t unless page is well-formed XML with nothing
// loaded from elsewhere, and returns its <svg> elements' texts.
func checkSelfContained(t *testing.T, page string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	var root string
	var svgs []string
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
		}
		switch se.Name.Local {
		case "svg":
			if err := d.Skip(); err != nil {
				t.Fatal(err)
			}
			svgs = append(svgs, page[offset:d.InputOffset()])
		case "script", "link", "img", "iframe", "object", "embed":
			t.Errorf("report has a <%s> element", se.Name.Local)
		}
		for _, a := range se.Attr {
			if a.Name.Local == "src" || a.Name.Local == "href" {
				t.Errorf("report has %s=%q", a.Name.Local, a.Value)
			}
		}
	}
	if root != "html" {
		t.Errorf("report's root element is <%s>, want <html>", root)
	}
	for _, bad := range []string{"url(", "@import", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("report has %q", bad)
		}
	}
	if n := strings.Count(page, "http://"); n != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`)+strings.Count(page, `xmlns:xlink="http://www.w3.org/1999/xlink"`) {
		t.Errorf("report has an http:// address other than SVG's namespaces")
	}
	return svgs
}

// TestChartsHaveNoRamps: every line of every chart goes straight across or
// straight up or down, so no chart joins two frames' values with a ramp
// showing values no frame had.
func TestChartsHaveNoRamps(t *testing.T) {
	if ramp := firstRamp("M0,0L10,0L10,5L12,7"); ramp == "" {
		t.Fatal("the check misses a ramp")
	}
	record(t, func(m *monitor.Monitor) {
		var b bytes.Buffer
		if err := monitor.WriteReport(&b, monitor.Page{}, m, m); err != nil {
			t.Fatal(err)
		}
		for i, svg := range checkSelfContained(t, b.String()) {
			paths := pathData.FindAllStringSubmatch(svg, -1)
			if len(paths) < 10 {
				t.Errorf("chart %d has %d paths, too few to be a chart", i, len(paths))
			}
			for _, p := range paths {
				if ramp := firstRamp(p[1]); ramp != "" {
					t.Errorf("chart %d has a ramp, %s, in path %.200s", i, ramp, p[1])
				}
			}
		}
	})
}

var (
	pathData = regexp.MustCompile(`<path d="([^"]*)"`)
	command  = regexp.MustCompile(`([MLZ])(?:([-\d.e+]+),([-\d.e+]+))?`)
)

// firstRamp is the first segment of an SVG path made of M, L and Z
// commands that is neither horizontal nor vertical, or "" for none; a path
// with another command (a curve, an arc) is a ramp too.
func firstRamp(d string) string {
	if strings.ContainsAny(d, "QCAHVqcahvlm") {
		return "a curve or a relative command"
	}
	var x, y string
	for _, c := range command.FindAllStringSubmatch(d, -1) {
		if c[1] == "L" && c[2] != x && c[3] != y {
			return "(" + x + "," + y + ") to (" + c[2] + "," + c[3] + ")"
		}
		if c[1] != "Z" {
			x, y = c[2], c[3]
		}
	}
	return ""
}

func TestReportNeedsARecording(t *testing.T) {
	if err := monitor.WriteReport(io.Discard, monitor.Page{}); err == nil {
		t.Error("WriteReport of no recording: no error")
	}
}
