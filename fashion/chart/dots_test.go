package chart

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

// studyDots is a dot chart like a study's summary: techniques, validation
// and test accuracy with mean ± sd, the baseline as a reference line.
func studyDots() DotChart {
	nan := math.NaN()
	return DotChart{
		Title: nastyTitle, XLabel: "accuracy (%)",
		Rows: []string{"baseline", "dropout & <more>", "batch norm", "no data here"},
		Series: []DotSeries{
			{Name: "validation", Value: []float64{88, 89, 87.5, nan},
				Low: []float64{87.5, 88.2, 86, 1}, High: []float64{88.5, 89.8, 89, 2}},
			{Name: "test", Value: []float64{87.6, 88.9, 87, nan},
				Low: []float64{87, nan, 86.5, 1}, High: []float64{88.2, 89.1, 87.5, 2}},
		},
		Refs:  []RefLine{{Value: 88, Label: "baseline"}, {Value: nan, Label: "hidden"}},
		Notes: []string{"", "p=0.03", "p=0.4", ""},
	}
}

func TestDotChart(t *testing.T) {
	c := studyDots()
	b, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if got := d.Classes["fm-dot"]; got != 6 { // 3 rows × 2 series
		t.Errorf("%d dots, want 6", got)
	}
	if got := d.Classes["fm-whisker"]; got != 5 { // the test series has no interval on row 1
		t.Errorf("%d whiskers, want 5", got)
	}
	if got := d.Classes["fm-legend-entry"]; got != 2 {
		t.Errorf("%d legend entries, want 2", got)
	}
	if got := d.Classes["fm-ref"]; got != 1 {
		t.Errorf("%d reference lines, want 1 (the NaN one is skipped)", got)
	}
	if got := strings.Join(d.TextsOf["fm-name"], "|"); got != strings.Join(c.Rows, "|") {
		t.Errorf("row labels %q, want %q in order", got, c.Rows)
	}
	if got := strings.Join(d.TextsOf["fm-note"], "|"); got != "p=0.03|p=0.4" {
		t.Errorf("notes %q", got)
	}
	for _, s := range []string{nastyTitle, "accuracy (%)", "baseline", "validation", "test"} {
		if !d.HasText(s) {
			t.Errorf("text %q missing; texts %q", s, d.Texts)
		}
	}
	if d.HasText("hidden") {
		t.Errorf("label of a NaN reference drawn")
	}

	// The two series differ in colour and marker shape.
	dots := d.WithClass("fm-dot") // series by series: 3 validation points, then 3 test ones
	if dots[0]["_elem"] == dots[3]["_elem"] || dots[0]["fill"] == dots[3]["fill"] {
		t.Errorf("series look alike: %v %v", dots[0], dots[3])
	}
	// Whiskers are centred on their series' row position and span low..high.
	whiskers := d.WithClass("fm-whisker")
	x0 := func(a map[string]string) float64 { // first M x of the path
		f := strings.FieldsFunc(a["d"], func(r rune) bool { return strings.ContainsRune("MVH ", r) })
		v, _ := strconv.ParseFloat(f[0], 64)
		return v
	}
	cx, _ := strconv.ParseFloat(dots[0]["cx"], 64) // validation, row 0: a circle at 88
	if lo := x0(whiskers[0]); !(lo < cx) {
		t.Errorf("whisker starts at %g, right of its point %g", lo, cx)
	}
	// The series of a row are nudged apart, each whisker at its point's height.
	f := strings.FieldsFunc(whiskers[0]["d"], func(r rune) bool { return strings.ContainsRune("MVH ", r) })
	wy, _ := strconv.ParseFloat(f[1], 64)
	cy, _ := strconv.ParseFloat(dots[0]["cy"], 64)
	ry, _ := strconv.ParseFloat(dots[3]["y"], 64)
	rh, _ := strconv.ParseFloat(dots[3]["height"], 64)
	if math.Abs(wy+3-cy) > 0.11 || math.Abs(ry+rh/2-cy-8) > 0.11 {
		t.Errorf("row 0: whisker at y=%g, validation point at %g, test point at %g; want equal, equal+8", wy+3, cy, ry+rh/2)
	}
	// The reference at 88 goes through the baseline's validation point.
	ref := d.WithClass("fm-ref")[0]
	if ref["x1"] != dots[0]["cx"] || ref["x1"] != ref["x2"] || ref["stroke"] != Grey {
		t.Errorf("reference line %v, validation point at %s", ref, dots[0]["cx"])
	}
	// Rows go down the page.
	var lastY float64
	for i, a := range d.WithClass("fm-name") {
		y, _ := strconv.ParseFloat(a["y"], 64)
		if i > 0 && y <= lastY {
			t.Errorf("row %d at y=%g, above row %d", i, y, i-1)
		}
		lastY = y
	}
	b2, _ := c.SVG()
	if !bytes.Equal(b, b2) {
		t.Errorf("two renders differ")
	}
}

func TestDotChartInputs(t *testing.T) {
	tests := []struct {
		name      string
		chart     DotChart
		wantErr   string
		dots      int
		legend    int
		wantTexts []string
	}{
		{"values per row", DotChart{Rows: []string{"a", "b"}, Series: []DotSeries{{Value: []float64{1}}}}, "has 1 values for 2 rows", 0, 0, nil},
		{"only Low", DotChart{Rows: []string{"a"}, Series: []DotSeries{{Value: []float64{1}, Low: []float64{0}}}}, "only one of Low and High", 0, 0, nil},
		{"short High", DotChart{Rows: []string{"a"}, Series: []DotSeries{{Value: []float64{1}, Low: []float64{0}, High: []float64{}}}}, "1 lows and 0 highs", 0, 0, nil},
		{"notes", DotChart{Rows: []string{"a"}, Notes: []string{"x", "y"}}, "2 notes for 1 rows", 0, 0, nil},
		{"one unnamed series: no legend", DotChart{Rows: []string{"a", "b"}, Series: []DotSeries{{Value: []float64{1, 2}}}}, "", 2, 0, []string{"a", "b"}},
		{"four series, unnamed ones numbered", DotChart{Rows: []string{"r"}, Series: []DotSeries{
			{Value: []float64{1}}, {Value: []float64{2}}, {Name: "c", Value: []float64{3}}, {Value: []float64{4}, Color: "#123456"}}},
			"", 4, 4, []string{"#1", "#2", "c", "#4"}},
		{"nothing finite", DotChart{Rows: []string{"a"}, Series: []DotSeries{{Value: []float64{math.NaN()}}}, Texts: Texts{NoData: "sin datos"}}, "", 0, 0, []string{"sin datos"}},
		{"no rows", DotChart{Title: "t", Texts: Texts{NoData: "sin datos"}}, "", 0, 0, []string{"t", "sin datos"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.chart.SVG()
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Classes["fm-dot"]; got != tc.dots {
				t.Errorf("%d dots, want %d", got, tc.dots)
			}
			if got := d.Classes["fm-legend-entry"]; got != tc.legend {
				t.Errorf("%d legend entries, want %d", got, tc.legend)
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("text %q missing; texts %q", s, d.Texts)
				}
			}
			shapes := map[string]bool{}
			for _, a := range d.WithClass("fm-dot") {
				shapes[a["_elem"]+a["fill"]] = true
			}
			if tc.legend == 4 && len(shapes) != 4 {
				t.Errorf("%d distinct markers for 4 series", len(shapes))
			}
		})
	}
}
