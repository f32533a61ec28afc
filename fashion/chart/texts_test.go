package chart

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// TestNoWordsOfItsOwn: given no words (no titles, labels or names, zero
// Texts), no chart writes a word: only numbers, tick labels, percentages
// and the "#n" of unnamed series and bars. Given Texts, it writes them.
func TestNoWordsOfItsOwn(t *testing.T) {
	nan := math.NaN()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	draw := func(tx Texts) map[string][]byte {
		return map[string][]byte{
			"line, no data":      (&LineChart{Texts: tx}).SVG(),
			"line, unnamed":      (&LineChart{Texts: tx, Series: []Series{{X: []float64{0, 1}, Y: []float64{1, 2}}, {X: []float64{0}, Y: []float64{nan}}}}).SVG(),
			"line, direct":       (&LineChart{Texts: tx, DirectLabels: true, Series: []Series{{X: []float64{0, 1}, Y: []float64{1, 2}}}}).SVG(),
			"multiples, none":    (&SmallMultiples{Texts: tx}).SVG(),
			"multiples, panels":  (&SmallMultiples{Texts: tx, Panels: []*LineChart{{Texts: tx}, {Series: []Series{{X: []float64{1}, Y: []float64{1}}}}}}).SVG(),
			"dots, no rows":      must((&DotChart{Texts: tx}).SVG()),
			"dots, nothing":      must((&DotChart{Texts: tx, Rows: []string{""}, Series: []DotSeries{{Value: []float64{nan}}, {Value: []float64{nan}}}}).SVG()),
			"dots, unnamed":      must((&DotChart{Texts: tx, Rows: []string{""}, Series: []DotSeries{{Value: []float64{1}}, {Value: []float64{2}}}, Refs: []RefLine{{Value: 1.5}}}).SVG()),
			"heatmap, empty":     must((&Heatmap{Texts: tx}).SVG()),
			"heatmap, numbered":  must((&Heatmap{Texts: tx, Counts: [][]int{{1, 2}, {3, 4}}}).SVG()),
			"bars, empty":        must((&Bars{Texts: tx}).SVG()),
			"bars, missing":      must((&Bars{Texts: tx, Values: []float64{nan, 0.5}, Percent: true}).SVG()),
			"image grid, empty":  must((&ImageGrid{Texts: tx, Width: 2, Height: 2}).SVG()),
			"image grid, images": must((&ImageGrid{Texts: tx, Width: 2, Height: 2, Images: [][]uint8{{1, 2, 3, 4}}}).SVG()),
		}
	}
	neutral := regexp.MustCompile(`^[#0-9.,%+\-−e ]*$`)
	for name, svg := range draw(Texts{}) {
		d := parseSVG(t, svg)
		for _, s := range d.Texts {
			if !neutral.MatchString(s) {
				t.Errorf("%s, no Texts: wrote %q", name, s)
			}
		}
		if d.Classes["fm-nodata"] != 0 {
			t.Errorf("%s, no Texts: an empty no-data message", name)
		}
	}
	tx := Texts{NoData: "sin datos", Missing: "n/d"}
	for name, svg := range draw(tx) {
		d := parseSVG(t, svg)
		want := map[string]string{"line, no data": "sin datos", "multiples, none": "sin datos", "multiples, panels": "sin datos",
			"dots, no rows": "sin datos", "dots, nothing": "sin datos", "heatmap, empty": "sin datos", "bars, empty": "sin datos",
			"bars, missing": "n/d", "image grid, empty": "sin datos"}[name]
		if want != "" && !d.HasText(want) {
			t.Errorf("%s: %q missing; texts %q", name, want, d.Texts)
		}
		for _, s := range d.Texts {
			if !neutral.MatchString(s) && s != tx.NoData && s != tx.Missing {
				t.Errorf("%s: wrote %q", name, s)
			}
		}
	}
}

// TestTitleFits: a title too long for its drawing (a Spanish one is often
// longer than its English) is drawn smaller, to fit; a short one keeps its
// size.
func TestTitleFits(t *testing.T) {
	long := "dropout v2 frente a sus versiones anteriores y la línea base (media ± desviación estándar de 3 semillas)"
	for _, tc := range []struct {
		title string
		w     float64
		want  int
	}{
		{"short", 640, 16},
		{"", 100, 16},
		{long, 960, 14},
		{long, 100, 9}, // at least 9
	} {
		if got := fitTitle(tc.title, 16, tc.w); got != tc.want {
			t.Errorf("fitTitle(%d characters, 16, %g) = %d, want %d", len([]rune(tc.title)), tc.w, got, tc.want)
		}
		if got := fitTitle(tc.title, 16, tc.w); boldWidth*float64(got)*float64(len([]rune(tc.title))) > tc.w-16 && got > 9 {
			t.Errorf("%q at %d does not fit %g", tc.title, got, tc.w)
		}
	}
	b, err := (&Bars{Title: long, Values: []float64{1}}).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if s := parseSVG(t, b).WithClass("fm-title")[0]["font-size"]; s != strconv.Itoa(fitTitle(long, 16, 640)) || s == "16" {
		t.Errorf("long title drawn at font size %s", s)
	}
}
