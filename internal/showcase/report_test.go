package showcase

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	sc, _ := shared()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := sc.WriteReport(path); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// Well-formed (the page is XML as well as HTML), with the six charts
	// as inline SVG and nothing loaded from elsewhere.
	d := xml.NewDecoder(strings.NewReader(string(page)))
	var svgs, titles int
	var elements []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			elements = append(elements, se.Name.Local)
			switch se.Name.Local {
			case "svg":
				svgs++
			case "script", "link", "img", "iframe", "object":
				t.Errorf("report has a <%s> element", se.Name.Local)
			}
			for _, a := range se.Attr {
				if a.Name.Local == "src" || a.Name.Local == "href" {
					t.Errorf("report has %s=%q", a.Name.Local, a.Value)
				}
			}
		}
		if cd, ok := tok.(xml.CharData); ok && strings.Contains(string(cd), "Frame time, each frame") {
			titles++
		}
	}
	if svgs != 6 {
		t.Errorf("report has %d <svg> elements, want 6", svgs)
	}
	if titles != 1 {
		t.Errorf("report has the frame chart's title %d times, want 1", titles)
	}
	if elements[0] != "html" {
		t.Errorf("report's root element is <%s>, want <html>", elements[0])
	}
	if strings.Contains(string(page), "url(http") || strings.Contains(string(page), "@import") {
		t.Error("report loads a style from elsewhere")
	}

	// The worst frames name the task that ran longest in them.
	for _, want := range []string{
		"<td>Auctioneer</td><td><code>auctioneer.lua:12</code></td>",
		"<td>Codex</td><td><code>parse</code></td>",
		"watchdog: a slice ran past 50ms without breathing",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
