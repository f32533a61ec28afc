package fashion_test

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// plotHistory is a made-up training history: loss falling, accuracy rising.
func plotHistory(epochs int) []fashion.Epoch {
	h := make([]fashion.Epoch, epochs)
	for i := range h {
		f := float64(i + 1)
		h[i] = fashion.Epoch{
			Epoch:         i,
			TrainLoss:     0.3 + 0.6/f,
			ValLoss:       0.36 + 0.5/f,
			TrainAccuracy: 0.9 - 0.2/f,
			ValAccuracy:   0.87 - 0.15/f,
		}
	}
	return h
}

// countClass is how many elements of an SVG carry a class.
func countClass(svg []byte, class string) int {
	return bytes.Count(svg, []byte(`class="`+class+`"`))
}

// The loss and accuracy curves of a run, side by side. In a notebook,
// fashion.DisplayCurves(title, run.History) shows them; os.WriteFile can
// save the bytes as an .svg file.
func ExampleCurvesSVG() {
	svg := fashion.CurvesSVG("MLP, 10 epochs", plotHistory(10))
	fmt.Println(bytes.HasPrefix(svg, []byte("<svg ")), countClass(svg, "fm-series"), "lines")
	// Output:
	// true 4 lines
}

// A chart of any data: two series, one dashed, with a logarithmic Y axis.
func ExampleLineChart() {
	chart := &fashion.LineChart{
		Title:  "learning rate schedule",
		XLabel: "epoch", YLabel: "learning rate",
		LogY: true,
		Series: []fashion.Series{
			{Name: "step decay", X: []float64{0, 1, 2, 3}, Y: []float64{1e-2, 1e-2, 1e-3, 1e-3}},
			{Name: "constant", X: []float64{0, 3}, Y: []float64{1e-3, 1e-3}, Dashed: true},
		},
	}
	svg := chart.SVG()
	fmt.Println(countClass(svg, "fm-series"), "series,", countClass(svg, "fm-legend-entry"), "legend entries")
	// Output:
	// 2 series, 2 legend entries
}

// Comparing the validation accuracy of several runs; the metric must be
// one of val_loss, train_loss, val_accuracy and train_accuracy.
func ExampleOverlaySVG() {
	names := []string{"lr 0.001", "lr 0.01"}
	histories := [][]fashion.Epoch{plotHistory(10), plotHistory(5)}
	svg, err := fashion.OverlaySVG("learning rates", "val_accuracy", names, histories)
	fmt.Println(countClass(svg, "fm-series"), err)

	_, err = fashion.OverlaySVG("learning rates", "accuracy", names, histories)
	fmt.Println(err)
	// Output:
	// 2 <nil>
	// fashion: unknown metric "accuracy" (want val_loss, train_loss, val_accuracy or train_accuracy)
}

// A confusion matrix, rows the true class and columns the predicted one;
// nil names means fashion.ClassNames.
func ExampleConfusionSVG() {
	var m [fashion.NumClasses][fashion.NumClasses]int
	for i := range m {
		m[i][i] = 90
		m[i][(i+1)%fashion.NumClasses] = 10
	}
	svg := fashion.ConfusionSVG("test set", m, nil)
	fmt.Println(countClass(svg, "fm-cell"), "cells")
	// Output:
	// 100 cells
}

// Per-class accuracy as bars labelled in percent.
func ExampleBarsSVG() {
	acc := []float64{0.85, 0.97, 0.80, 0.88, 0.82, 0.95, 0.60, 0.94, 0.97, 0.96}
	svg := fashion.BarsSVG("accuracy per class", fashion.ClassNames[:], acc, "%.1f%%")
	fmt.Println(countClass(svg, "fm-bar"), "bars;", strings.Contains(string(svg), ">60.0%<"))
	// Output:
	// 10 bars; true
}

// One image as a PNG, 2 screen pixels per image pixel.
func ExampleImagePNG() {
	img := make([]uint8, fashion.NumPixels)
	img[0] = 255 // top-left pixel white, the rest black
	b, err := fashion.ImagePNG(img, 2)
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

// A gallery of misclassified images: a caption of two lines under each.
func ExampleImageGridSVG() {
	images := [][]uint8{make([]uint8, fashion.NumPixels), make([]uint8, fashion.NumPixels)}
	captions := []string{"true: Coat\npred: Shirt", "true: Shirt\npred: T-shirt/top"}
	svg, err := fashion.ImageGridSVG(images, captions, 5, 0)
	fmt.Println(countClass(svg, "fm-image"), "images", err)

	_, err = fashion.ImageGridSVG(images, captions[:1], 5, 0)
	fmt.Println(err)
	// Output:
	// 2 images <nil>
	// fashion: 1 captions for 2 images
}

// An image printed as numbers, as the exercise shows it: each row of 28 in
// two lines.
func ExampleMatrixText() {
	img := make([]uint8, fashion.NumPixels)
	img[2] = 255
	img[fashion.Width+3] = 7
	lines := strings.Split(fashion.MatrixText(img), "\n")
	fmt.Printf("%q\n%q\n", lines[0][:20], lines[2][:20])
	// Output:
	// "[  0,   0, 255,   0,"
	// "[  0,   0,   0,   7,"
}
