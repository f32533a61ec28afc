package chart

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// samples are one drawing of each kind, with most options on.
func samples(t *testing.T) map[string][]byte {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	curve := func(a, rate, sd float64) Series {
		s := Series{X: x}
		for _, v := range x {
			m := a + 0.5*math.Exp(-v/rate)
			s.Y = append(s.Y, m)
			s.Lower, s.Upper = append(s.Lower, m-sd), append(s.Upper, m+sd)
		}
		return s
	}
	base := curve(0.35, 3, 0)
	base.Name, base.Grey, base.Lower, base.Upper = "baseline", true, nil, nil
	tech := curve(0.3, 2, 0.02)
	tech.Name = "dropout"
	other := curve(0.32, 4, 0.01)
	other.Name, other.Dashed = "weight decay", true
	band := &LineChart{Title: "validation loss, mean ± sd of 5 seeds", XLabel: "epoch", YLabel: "loss",
		DirectLabels: true, Series: []Series{base, tech, other}}
	var panels []*LineChart
	for i, name := range []string{"dropout", "batch norm", "augmentation", "wider", "deeper"} {
		s := curve(0.28+0.02*float64(i), 2+float64(i), 0.015)
		s.Name = name
		panels = append(panels, &LineChart{Title: name, XLabel: "epoch", Series: []Series{base, s}, DirectLabels: true})
	}
	multiples := &SmallMultiples{Title: "validation loss per technique", Panels: panels, Columns: 3, SharedY: true}
	nan := math.NaN()
	dots := &DotChart{
		Title: "accuracy over 5 seeds (mean ± sd)", XLabel: "accuracy (%)",
		Rows: []string{"baseline", "dropout", "batch norm", "augmentation", "wider"},
		Series: []DotSeries{
			{Name: "validation", Value: []float64{88.1, 89.0, 88.4, 89.3, 88.0},
				Low: []float64{87.8, 88.6, 87.9, 89.0, 87.2}, High: []float64{88.4, 89.4, 88.9, 89.6, 88.8}},
			{Name: "test", Value: []float64{87.5, 88.6, 87.7, 88.9, nan},
				Low: []float64{87.1, 88.3, 87.0, 88.5, nan}, High: []float64{87.9, 88.9, 88.4, 89.3, nan}},
		},
		Refs:  []RefLine{{Value: 88.1, Label: "baseline"}},
		Notes: []string{"", "p=0.03", "p=0.41", "p=0.002", "n/a"},
	}
	hm := &Heatmap{Title: "confusion", Counts: [][]int{{50, 3, 0}, {4, 40, 9}, {0, 12, 38}},
		RowLabels: []string{"cat", "dog", "fox"}, ColLabels: []string{"cat", "dog", "fox"},
		RowTitle: "true", ColTitle: "predicted", BoldDiagonal: true}
	bars := &Bars{Title: "accuracy", Names: []string{"a", "b", "c"}, Values: []float64{0.9, 0.75, nan}, Percent: true}
	img := make([]uint8, 16*12)
	for i := range img {
		img[i] = uint8(i * 5)
	}
	return map[string][]byte{
		"band.svg":      band.SVG(),
		"multiples.svg": multiples.SVG(),
		"dots.svg":      must(dots.SVG()),
		"heatmap.svg":   must(hm.SVG()),
		"bars.svg":      must(bars.SVG()),
		"grid.svg": must((&ImageGrid{Images: [][]uint8{img, img, img}, Width: 16, Height: 12,
			Captions: []string{"one", "two\nlines", "three"}, Columns: 2, Scale: 4}).SVG()),
	}
}

// TestDeterministic renders every kind of drawing twice. With
// FASHION_PLOT_SAMPLES=dir it writes them there, to look at them.
func TestDeterministic(t *testing.T) {
	a, b := samples(t), samples(t)
	for name, s := range a {
		parseSVG(t, s)
		if !bytes.Equal(s, b[name]) {
			t.Errorf("%s differs between renders", name)
		}
	}
	if dir := os.Getenv("FASHION_PLOT_SAMPLES"); dir != "" {
		for name, s := range a {
			if err := os.WriteFile(filepath.Join(dir, name), s, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
