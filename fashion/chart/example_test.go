package chart_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

// countClass is how many elements of an SVG carry a class.
func countClass(svg []byte, class string) int {
	return bytes.Count(svg, []byte(`class="`+class+`"`))
}

// A chart of any data: two series, one dashed, with a logarithmic Y axis.
// os.WriteFile can save the bytes as an .svg file; a notebook can show them
// as they are.
func ExampleLineChart() {
	c := &chart.LineChart{
		Title:  "learning rate schedule",
		XLabel: "epoch", YLabel: "learning rate",
		LogY: true,
		Series: []chart.Series{
			{Name: "step decay", X: []float64{0, 1, 2, 3}, Y: []float64{1e-2, 1e-2, 1e-3, 1e-3}},
			{Name: "constant", X: []float64{0, 3}, Y: []float64{1e-3, 1e-3}, Dashed: true},
		},
	}
	svg := c.SVG()
	fmt.Println(bytes.HasPrefix(svg, []byte("<svg ")), countClass(svg, "fm-series"), "series,",
		countClass(svg, "fm-legend-entry"), "legend entries")
	// Output:
	// true 2 series, 2 legend entries
}

// The mean over seeds of a validation loss with a band of ± one standard
// deviation, against a grey baseline, each line named at its end.
func ExampleLineChart_band() {
	epochs := []float64{1, 2, 3, 4}
	mean := []float64{0.60, 0.45, 0.40, 0.38}
	sd := []float64{0.05, 0.03, 0.02, 0.02}
	lower, upper := make([]float64, len(mean)), make([]float64, len(mean))
	for i := range mean {
		lower[i], upper[i] = mean[i]-sd[i], mean[i]+sd[i]
	}
	c := &chart.LineChart{
		Title: "validation loss, 5 seeds", XLabel: "epoch", YLabel: "loss",
		DirectLabels: true,
		Series: []chart.Series{
			{Name: "baseline", X: epochs, Y: []float64{0.62, 0.50, 0.46, 0.45}, Grey: true},
			{Name: "dropout", X: epochs, Y: mean, Lower: lower, Upper: upper},
		},
	}
	svg := c.SVG()
	fmt.Println(countClass(svg, "fm-band"), "band,", countClass(svg, "fm-direct-label"), "direct labels,",
		countClass(svg, "fm-legend-entry"), "legend entries")
	// Output:
	// 1 band, 2 direct labels, 0 legend entries
}

// One panel per technique, each against the baseline, on a shared Y range.
func ExampleSmallMultiples() {
	x := []float64{0, 1, 2}
	baseline := chart.Series{Name: "baseline", X: x, Y: []float64{85, 87, 88}, Grey: true}
	var panels []*chart.LineChart
	for i, name := range []string{"dropout", "batch norm", "augmentation", "wider"} {
		y := []float64{84 + float64(i), 87 + float64(i)/2, 89}
		panels = append(panels, &chart.LineChart{Title: name, Series: []chart.Series{baseline, {Name: name, X: x, Y: y}}})
	}
	m := &chart.SmallMultiples{Title: "validation accuracy (%)", Panels: panels, Columns: 2, SharedY: true}
	svg := m.SVG()
	fmt.Println(countClass(svg, "fm-panel"), "panels,", countClass(svg, "fm-series"), "lines")
	// Output:
	// 4 panels, 8 lines
}

// A 2×2 confusion matrix of a cat/dog classifier.
func ExampleHeatmap() {
	hm := &chart.Heatmap{
		Title:     "cats and dogs",
		Counts:    [][]int{{90, 10}, {5, 95}},
		RowLabels: []string{"cat", "dog"}, ColLabels: []string{"cat", "dog"},
		RowTitle: "true", ColTitle: "predicted", BoldDiagonal: true,
	}
	svg, err := hm.SVG()
	fmt.Println(countClass(svg, "fm-cell"), "cells", err)

	hm.RowLabels = []string{"cat"}
	_, err = hm.SVG()
	fmt.Println(err)
	// Output:
	// 4 cells <nil>
	// chart: 1 row labels for 2 rows
}

// Accuracies as bars labelled in percent.
func ExampleBars() {
	bars := &chart.Bars{
		Title:   "accuracy per class",
		Names:   []string{"Shirt", "Trouser", "Bag"},
		Values:  []float64{0.60, 0.97, 0.97},
		Percent: true,
	}
	svg, err := bars.SVG()
	fmt.Println(countClass(svg, "fm-bar"), "bars;", strings.Contains(string(svg), ">60.0%<"), err)
	// Output:
	// 3 bars; true <nil>
}

// Validation and test accuracy of each technique with their intervals, the
// baseline's value as a reference line and a p-value at the right.
func ExampleDotChart() {
	dc := &chart.DotChart{
		Title:  "accuracy over 5 seeds (mean ± sd)",
		XLabel: "accuracy (%)",
		Rows:   []string{"baseline", "dropout", "batch norm"},
		Series: []chart.DotSeries{
			{Name: "validation", Value: []float64{88.1, 89.0, 88.4},
				Low: []float64{87.8, 88.6, 87.9}, High: []float64{88.4, 89.4, 88.9}},
			{Name: "test", Value: []float64{87.5, 88.6, 87.7},
				Low: []float64{87.1, 88.3, 87.0}, High: []float64{87.9, 88.9, 88.4}},
		},
		Refs:  []chart.RefLine{{Value: 88.1, Label: "baseline"}},
		Notes: []string{"", "p=0.03", "p=0.41"},
	}
	svg, err := dc.SVG()
	fmt.Println(countClass(svg, "fm-dot"), "points,", countClass(svg, "fm-whisker"), "whiskers,",
		countClass(svg, "fm-ref"), "reference line,", countClass(svg, "fm-note"), "notes", err)
	// Output:
	// 6 points, 6 whiskers, 1 reference line, 2 notes <nil>
}

// The chart writes no words of its own: what stands for missing data comes
// from the caller, here in Spanish.
func ExampleTexts() {
	bars := &chart.Bars{
		Title:  "exactitud por clase",
		Names:  []string{"Camisa", "Bolso"},
		Values: []float64{0.60, math.NaN()},
		Texts:  chart.Texts{NoData: "sin datos", Missing: "n/d"},
	}
	svg, _ := bars.SVG()
	fmt.Println(strings.Contains(string(svg), ">n/d<"))
	bars.Names, bars.Values = nil, nil
	svg, _ = bars.SVG()
	fmt.Println(strings.Contains(string(svg), ">sin datos<"))
	// Output:
	// true
	// true
}

// One 28×28 image as a PNG, 2 screen pixels per image pixel.
func ExampleImagePNG() {
	img := make([]uint8, 28*28)
	img[0] = 255 // top-left pixel white, the rest black
	b, err := chart.ImagePNG(img, 28, 28, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	dec, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _, _, _ := dec.At(1, 1).RGBA()
	fmt.Println(dec.Bounds(), r>>8)
	// Output:
	// (0,0)-(56,56) 255
}

// A gallery of 8×8 images, 4 screen pixels per pixel, with a caption of
// two lines under each.
func ExampleImageGrid() {
	g := &chart.ImageGrid{
		Images: [][]uint8{make([]uint8, 8*8), make([]uint8, 8*8)},
		Width:  8, Height: 8,
		Captions: []string{"true: Coat\npred: Shirt", "true: Shirt\npred: T-shirt/top"},
		Columns:  5, Scale: 4,
	}
	svg, err := g.SVG()
	fmt.Println(countClass(svg, "fm-image"), "images,", countClass(svg, "fm-caption"), "caption lines", err)

	g.Captions = g.Captions[:1]
	_, err = g.SVG()
	fmt.Println(err)
	// Output:
	// 2 images, 4 caption lines <nil>
	// chart: 1 captions for 2 images
}

// A 4×2 image printed as numbers, one bracketed row per image row.
func ExampleMatrixText() {
	fmt.Print(chart.MatrixText([]uint8{0, 7, 255, 0, 12, 0, 0, 3}, 4))
	// Output:
	// [  0,   7, 255,   0]
	// [ 12,   0,   0,   3]
}

// Rows wider than 14 values are split in even lines: 16 values as 8 and 8.
func ExampleMatrixText_wide() {
	row := make([]uint8, 16)
	row[8] = 1
	fmt.Print(chart.MatrixText(row, 16))
	// Output:
	// [  0,   0,   0,   0,   0,   0,   0,   0,
	//    1,   0,   0,   0,   0,   0,   0,   0]
}
