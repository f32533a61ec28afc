package chart

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestLineChartSVG(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name      string
		chart     LineChart
		paths     int // series drawn
		bands     int // band shapes drawn
		noData    bool
		wantTexts []string
	}{
		{
			name: "one series",
			chart: LineChart{Title: "Loss", XLabel: "epoch", YLabel: "loss",
				Series: []Series{{Name: "train", X: []float64{0, 1, 2}, Y: []float64{1, 0.5, 0.25}}}},
			paths: 1, wantTexts: []string{"Loss", "epoch", "loss", "train"},
		},
		{
			name: "three series, dashed, escaped text",
			chart: LineChart{Title: nastyTitle, XLabel: "x & y", YLabel: "<y>",
				Series: []Series{
					{Name: "a<1>", X: []float64{0, 1}, Y: []float64{1, 2}},
					{Name: `"b"`, X: []float64{0, 1}, Y: []float64{2, 1}, Dashed: true},
					{Name: "c&d", X: []float64{0, 1, 2}, Y: []float64{3, 3, 3}},
				}},
			paths: 3, wantTexts: []string{nastyTitle, "x & y", "<y>", "a<1>", `"b"`, "c&d"},
		},
		{
			name: "NaN and Inf points skipped",
			chart: LineChart{Series: []Series{
				{Name: "gaps", X: []float64{0, 1, 2, 3, 4}, Y: []float64{1, nan, 2, inf, 3}},
				{Name: "bad x", X: []float64{nan, 1}, Y: []float64{1, 2}},
			}},
			paths: 2, wantTexts: []string{"gaps", "bad x"},
		},
		{
			name:   "no series",
			chart:  LineChart{Title: "empty", Texts: Texts{NoData: "no data"}},
			noData: true, wantTexts: []string{"empty", "no data"},
		},
		{
			name:   "only empty and NaN series",
			chart:  LineChart{Series: []Series{{Name: "e"}, {Name: "n", X: []float64{0}, Y: []float64{nan}}}, Texts: Texts{NoData: "sin datos"}},
			noData: true, wantTexts: []string{"e", "n", "sin datos"},
		},
		{
			name: "log Y skips non-positive values",
			chart: LineChart{LogY: true, Width: 300, Height: 200,
				Series: []Series{{Name: "l", X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, -1, 0.001}}}},
			paths: 1, wantTexts: []string{"l", "1", "0.01"},
		},
		{
			name: "unnamed series and one point",
			chart: LineChart{Series: []Series{
				{X: []float64{5}, Y: []float64{7}},
				{X: []float64{1, 2, 3}, Y: []float64{4, 5}}, // extra X ignored
			}},
			paths: 2, wantTexts: []string{"#1", "#2"},
		},
		{
			name: "band with a gap, and a one-point band",
			chart: LineChart{Series: []Series{
				{Name: "mean", X: []float64{0, 1, 2, 3, 4}, Y: []float64{1, 2, 3, 4, 5},
					Lower: []float64{0.5, 1.5, nan, 3.5, 4.5}, Upper: []float64{1.5, 2.5, 3.5, 4.5, 5.5}},
				{Name: "one", X: []float64{2}, Y: []float64{2}, Lower: []float64{1}, Upper: []float64{3}},
			}},
			paths: 2, bands: 3, wantTexts: []string{"mean", "one"},
		},
		{
			name: "band without a line",
			chart: LineChart{Series: []Series{
				{Name: "only band", X: []float64{0, 1}, Y: []float64{nan, nan}, Lower: []float64{0, 1}, Upper: []float64{1, 2}},
			}},
			bands: 1, wantTexts: []string{"only band"},
		},
		{
			name: "grey baseline",
			chart: LineChart{Series: []Series{
				{Name: "baseline", X: []float64{0, 1}, Y: []float64{1, 1}, Grey: true, Dashed: true},
				{Name: "new", X: []float64{0, 1}, Y: []float64{1, 2}},
			}},
			paths: 2, wantTexts: []string{"baseline", "new"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.chart.SVG()
			d := parseSVG(t, b)
			if got := d.Classes["fm-series"]; got != tc.paths {
				t.Errorf("%d series paths, want %d", got, tc.paths)
			}
			if got := d.Classes["fm-band"]; got != tc.bands {
				t.Errorf("%d band shapes, want %d", got, tc.bands)
			}
			if got, want := d.Classes["fm-legend-entry"], len(tc.chart.Series); got != want {
				t.Errorf("%d legend entries, want %d", got, want)
			}
			if got := d.Classes["fm-nodata"] > 0; got != tc.noData {
				t.Errorf("no-data message shown: %v, want %v", got, tc.noData)
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("text %q missing; texts: %q", s, d.Texts)
				}
			}
			wantW, wantH := tc.chart.Width, tc.chart.Height
			if wantW == 0 {
				wantW, wantH = 640, 360
			}
			if d.RootAttr("width") != strconv.Itoa(wantW) || d.RootAttr("height") != strconv.Itoa(wantH) {
				t.Errorf("size %sx%s, want %dx%d", d.RootAttr("width"), d.RootAttr("height"), wantW, wantH)
			}
			for _, p := range d.Attrs["path"] {
				if strings.Contains(p["d"], "NaN") || strings.Contains(p["d"], "Inf") {
					t.Errorf("path with a non-finite coordinate: %q", p["d"])
				}
			}
			if !bytes.Equal(b, tc.chart.SVG()) {
				t.Errorf("two renders differ")
			}
		})
	}
}

func TestLineChartGaps(t *testing.T) {
	c := LineChart{Series: []Series{{Name: "g", X: []float64{0, 1, 2, 3, 4}, Y: []float64{1, 2, math.NaN(), 3, 4}}}}
	d := parseSVG(t, c.SVG())
	for _, p := range d.WithClass("fm-series") {
		if got := strings.Count(p["d"], "M"); got != 2 {
			t.Errorf("path %q has %d runs, want 2 around the NaN", p["d"], got)
		}
		if got := strings.Count(p["d"], "L"); got != 2 {
			t.Errorf("path %q has %d segments, want 2", p["d"], got)
		}
	}
	if got := d.Elems["circle"]; got != 4 {
		t.Errorf("%d markers, want one per finite point (4)", got)
	}
}

// TestLineChartColors checks that Palette goes to the plain series in order,
// skipping grey and coloured ones, and that the legend matches the lines.
func TestLineChartColors(t *testing.T) {
	xy := func(y float64) ([]float64, []float64) { return []float64{0, 1}, []float64{y, y + 1} }
	var s [5]Series
	for i := range s {
		s[i].Name = "s" + strconv.Itoa(i)
		s[i].X, s[i].Y = xy(float64(i))
	}
	s[0].Grey = true
	s[2].Color = `#123456" onload="x`
	s[3].Grey, s[3].Color = true, "#abcdef"
	c := LineChart{Series: s[:]}
	d := parseSVG(t, c.SVG())
	// Lines are drawn greys first, then the rest, each in the given order.
	wantOrder := []string{"s0", "s3", "s1", "s2", "s4"}
	wantColor := map[string]string{"s0": Grey, "s1": Palette[0], "s2": s[2].Color, "s3": "#abcdef", "s4": Palette[1]}
	wantWidth := map[string]string{"s0": "1.5", "s1": "2", "s2": "2", "s3": "1.5", "s4": "2"}
	paths := d.WithClass("fm-series")
	if len(paths) != len(wantOrder) {
		t.Fatalf("%d series paths, want %d", len(paths), len(wantOrder))
	}
	lines := d.Attrs["line"]
	legend := map[string]map[string]string{} // the legend's line of each name
	// Legend lines are the last len(s) <line> elements, in series order.
	for i, a := range lines[len(lines)-len(s):] {
		legend[s[i].Name] = a
	}
	for i, p := range paths {
		name := wantOrder[i]
		if p["stroke"] != wantColor[name] || p["stroke-width"] != wantWidth[name] {
			t.Errorf("path %d: stroke %q width %s, want %s's %q %s", i, p["stroke"], p["stroke-width"], name, wantColor[name], wantWidth[name])
		}
		if l := legend[name]; l["stroke"] != wantColor[name] || l["stroke-width"] != wantWidth[name] {
			t.Errorf("legend of %s: stroke %q width %s, want %q %s", name, l["stroke"], l["stroke-width"], wantColor[name], wantWidth[name])
		}
	}
}

func TestLineChartBand(t *testing.T) {
	c := LineChart{Series: []Series{{Name: "m", X: []float64{0, 1, 2}, Y: []float64{5, 5, 5},
		Lower: []float64{4, 3, 4}, Upper: []float64{6, 9, 6}}}}
	d := parseSVG(t, c.SVG())
	bands := d.WithClass("fm-band")
	if len(bands) != 1 || bands[0]["fill"] != Palette[0] || !strings.HasSuffix(bands[0]["d"], "Z") {
		t.Fatalf("bands %v, want one closed path in %s", bands, Palette[0])
	}
	// 3 points along the top, 3 back along the bottom.
	if got := strings.Count(bands[0]["d"], "L") + strings.Count(bands[0]["d"], "M"); got != 6 {
		t.Errorf("band path %q has %d points, want 6", bands[0]["d"], got)
	}
	// The band widens the Y axis to hold 9, beyond the line's 5.
	if !d.HasText("9") && !d.HasText("10") {
		t.Errorf("Y ticks %q do not reach the band's top", d.Texts)
	}
	// The legend shows the band behind the line.
	if d.Attrs["rect"][len(d.Attrs["rect"])-1]["fill-opacity"] == "" {
		t.Errorf("legend entry has no band swatch")
	}
	// The band's top edge is above (smaller y than) the line.
	line := d.WithClass("fm-series")[0]["d"]
	yOf := func(path string, i int) float64 {
		f := strings.FieldsFunc(path, func(r rune) bool { return r == 'M' || r == 'L' || r == ' ' || r == 'Z' })
		v, _ := strconv.ParseFloat(f[2*i+1], 64)
		return v
	}
	if !(yOf(bands[0]["d"], 1) < yOf(line, 1) && yOf(bands[0]["d"], 4) > yOf(line, 1)) {
		t.Errorf("band %q does not surround line %q at x=1", bands[0]["d"], line)
	}
}

func TestLineChartDirectLabels(t *testing.T) {
	c := LineChart{DirectLabels: true, Series: []Series{
		{Name: "a", X: []float64{0, 1, 2}, Y: []float64{1, 2, 3}},
		{Name: "b", X: []float64{0, 1, 2}, Y: []float64{1, 2, 3.001}}, // ends where a ends
		{Name: "ref", X: []float64{0, 2}, Y: []float64{2, 2}, Grey: true},
		{Name: "empty"},
	}}
	d := parseSVG(t, c.SVG())
	if got := d.Classes["fm-legend-entry"]; got != 0 {
		t.Errorf("%d legend entries with direct labels, want 0", got)
	}
	labels := d.WithClass("fm-direct-label")
	if got := d.TextsOf["fm-direct-label"]; len(labels) != 3 || strings.Join(got, " ") != "b a ref" {
		t.Fatalf("direct labels %q, want b a ref (top to bottom, none for the empty series)", got)
	}
	colors := map[string]string{"a": Palette[0], "b": Palette[1], "ref": Grey}
	var ys []float64
	for i, name := range d.TextsOf["fm-direct-label"] {
		if labels[i]["fill"] != colors[name] {
			t.Errorf("label %s fill %s, want %s", name, labels[i]["fill"], colors[name])
		}
		y, _ := strconv.ParseFloat(labels[i]["y"], 64)
		ys = append(ys, y)
	}
	if ys[1]-ys[0] < 12.9 {
		t.Errorf("labels of lines ending together overlap: y %v", ys)
	}
	// Labels sit right of the plot's last x, inside the SVG.
	for _, l := range labels {
		x, _ := strconv.ParseFloat(l["x"], 64)
		if x+textWidth("ref", 12) > 640 || x < 500 {
			t.Errorf("label at x=%s", l["x"])
		}
	}
}

func TestLineChartYRange(t *testing.T) {
	c := LineChart{YMin: 0, YMax: 100, Series: []Series{{Name: "acc", X: []float64{0, 1}, Y: []float64{80, 90}}}}
	d := parseSVG(t, c.SVG())
	for _, s := range []string{"0", "100"} {
		if !d.HasText(s) {
			t.Errorf("tick %s missing from a 0-100 axis: %q", s, d.Texts)
		}
	}
	// Data beyond the range widen it; a log range with YMin <= 0 is ignored.
	c = LineChart{YMin: 0, YMax: 1, Series: []Series{{X: []float64{0, 1}, Y: []float64{0.5, 3}}}}
	if d := parseSVG(t, c.SVG()); !d.HasText("3") {
		t.Errorf("axis not widened to the data: %q", d.Texts)
	}
	c = LineChart{LogY: true, YMin: 0, YMax: 1000, Series: []Series{{X: []float64{0, 1}, Y: []float64{1, 2}}}}
	if d := parseSVG(t, c.SVG()); d.HasText("1000") {
		t.Errorf("log axis used YMin 0: %q", d.Texts)
	}
}

func TestSmallMultiples(t *testing.T) {
	panel := func(title string, y0 float64) *LineChart {
		return &LineChart{Title: title, Series: []Series{
			{Name: "baseline", X: []float64{0, 1, 2}, Y: []float64{1, 1, 1}, Grey: true},
			{Name: title, X: []float64{0, 1, 2}, Y: []float64{y0, y0 + 1, y0 + 2}},
		}}
	}
	tests := []struct {
		name          string
		m             SmallMultiples
		panels        int
		wantW, wantH  int
		wantTexts     []string
		wantNoData    bool
		wantSameTicks bool
	}{
		{"five in rows of 2", SmallMultiples{Title: nastyTitle, Columns: 2, PanelWidth: 300, PanelHeight: 200,
			Panels: []*LineChart{panel("a", 0), panel("b", 10), panel("c", 20), panel("d", 30), panel("e", 40)}},
			5, 600, 34 + 3*200, []string{nastyTitle, "a", "e", "baseline"}, false, false},
		{"default layout, nil panel", SmallMultiples{Panels: []*LineChart{panel("a", 0), nil, panel("c", 5), panel("d", 1)}},
			3, 1200, 600, []string{"a", "c", "d"}, false, false},
		{"shared Y", SmallMultiples{SharedY: true, Panels: []*LineChart{panel("low", 0), panel("high", 50)}},
			2, 800, 300, []string{"low", "high"}, false, true},
		{"no panels", SmallMultiples{Title: "t", Texts: Texts{NoData: "no data"}}, 0, 400, 94, []string{"t", "no data"}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.m.SVG()
			d := parseSVG(t, b)
			if got := d.Classes["fm-panel"]; got != tc.panels {
				t.Errorf("%d panels, want %d", got, tc.panels)
			}
			if got := d.Classes["fm-series"]; got != 2*tc.panels {
				t.Errorf("%d series, want %d", got, 2*tc.panels)
			}
			if d.RootAttr("width") != strconv.Itoa(tc.wantW) || d.RootAttr("height") != strconv.Itoa(tc.wantH) {
				t.Errorf("size %sx%s, want %dx%d", d.RootAttr("width"), d.RootAttr("height"), tc.wantW, tc.wantH)
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("text %q missing; texts %q", s, d.Texts)
				}
			}
			if got := d.Classes["fm-nodata"] > 0; got != tc.wantNoData {
				t.Errorf("no data shown %v, want %v", got, tc.wantNoData)
			}
			if tc.wantSameTicks {
				// Both panels' Y axes span 0 to 52, widened to 60.
				n := 0
				for _, s := range d.TextsOf[""] {
					if s == "60" {
						n++
					}
				}
				if n != 2 {
					t.Errorf("tick 60 on %d panels, want 2: %q", n, d.TextsOf[""])
				}
				// The panels themselves are not changed.
				if tc.m.Panels[0].YMax != 0 {
					t.Errorf("SharedY changed a panel: YMax %g", tc.m.Panels[0].YMax)
				}
			}
			if !bytes.Equal(b, tc.m.SVG()) {
				t.Errorf("two renders differ")
			}
		})
	}
	// Panel translations: row by row.
	m := SmallMultiples{Title: "x", Columns: 2, PanelWidth: 100, PanelHeight: 50,
		Panels: []*LineChart{panel("a", 0), panel("b", 0), panel("c", 0)}}
	var got []string
	for _, g := range parseSVG(t, m.SVG()).WithClass("fm-panel") {
		got = append(got, g["transform"])
	}
	if want := "translate(0 34) translate(100 34) translate(0 84)"; strings.Join(got, " ") != want {
		t.Errorf("panel transforms %q, want %q", got, want)
	}
}
