package figures_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// history is a made-up training history: loss falling, accuracy rising.
func history(epochs int) []fashion.Epoch {
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

// The loss and accuracy curves of a run, side by side; os.WriteFile can
// save the bytes as an .svg file, a notebook can show them.
func ExampleCurvesSVG() {
	svg := figures.CurvesSVG("MLP, 10 epochs", history(10))
	fmt.Println(bytes.HasPrefix(svg, []byte("<svg ")), countClass(svg, "fm-series"), "lines in",
		countClass(svg, "fm-panel"), "panels")
	// Output:
	// true 4 lines in 2 panels
}

// One of the two panels on its own, changed before drawing: here with a log
// scale.
func ExampleLabels_LossCurves() {
	c := figures.English.LossCurves("loss, log scale", history(10))
	c.LogY = true
	svg := c.SVG()
	fmt.Println(c.Series[0].Name, c.Series[1].Name, countClass(svg, "fm-series"))
	// Output:
	// train val 2
}

// Comparing the validation accuracy of several runs; the metric must be
// one of val_loss, train_loss, val_accuracy and train_accuracy.
func ExampleOverlaySVG() {
	names := []string{"lr 0.001", "lr 0.01"}
	histories := [][]fashion.Epoch{history(10), history(5)}
	svg, err := figures.OverlaySVG("learning rates", "val_accuracy", names, histories)
	fmt.Println(countClass(svg, "fm-series"), err)

	_, err = figures.OverlaySVG("learning rates", "accuracy", names, histories)
	fmt.Println(err)
	// Output:
	// 2 <nil>
	// figures: unknown metric "accuracy" (want val_loss, train_loss, val_accuracy or train_accuracy)
}

// A confusion matrix, rows the true class and columns the predicted one,
// labelled with fashion.ClassNames.
func ExampleConfusionSVG() {
	var m [fashion.NumClasses][fashion.NumClasses]int
	for i := range m {
		m[i][i] = 90
		m[i][(i+1)%fashion.NumClasses] = 10
	}
	svg := figures.ConfusionSVG("test set", m)
	fmt.Println(countClass(svg, "fm-cell"), "cells;", strings.Contains(string(svg), ">Ankle boot<"))
	// Output:
	// 100 cells; true
}

// The accuracy of each class (an evaluation's PerClass) as bars.
func ExamplePerClassBarsSVG() {
	acc := [fashion.NumClasses]float64{0.85, 0.97, 0.80, 0.88, 0.82, 0.95, 0.60, 0.94, 0.97, 0.96}
	svg := figures.PerClassBarsSVG("accuracy per class", acc)
	fmt.Println(countClass(svg, "fm-bar"), "bars;", strings.Contains(string(svg), ">60.0%<"))
	// Output:
	// 10 bars; true
}

// A gallery of misclassified images: a caption of two lines under each.
func ExampleImagesSVG() {
	images := [][]uint8{make([]uint8, fashion.NumPixels), make([]uint8, fashion.NumPixels)}
	captions := []string{"true: Coat\npred: Shirt", "true: Shirt\npred: T-shirt/top"}
	svg, err := figures.ImagesSVG(images, captions, 5)
	fmt.Println(countClass(svg, "fm-image"), "images", err)

	_, err = figures.ImagesSVG(images, captions[:1], 5)
	fmt.Println(err)
	// Output:
	// 2 images <nil>
	// chart: 1 captions for 2 images
}

// An image printed as numbers, as the exercise shows it: each row of 28 in
// two lines of 14.
func ExampleMatrixText() {
	img := make([]uint8, fashion.NumPixels)
	img[2] = 255
	img[14] = 9
	img[fashion.Width+3] = 7
	lines := strings.Split(figures.MatrixText(img), "\n")
	fmt.Printf("%q\n%q\n%q\n", lines[0][:20], lines[1][:10], lines[2][:20])
	// Output:
	// "[  0,   0, 255,   0,"
	// "   9,   0,"
	// "[  0,   0,   0,   7,"
}

// The mean ± sd over seeds of a metric per epoch: what a seeded
// experiment's line and band show.
func ExampleSeedCurve() {
	seed := func(losses ...float64) []fashion.Epoch {
		h := make([]fashion.Epoch, len(losses))
		for i, l := range losses {
			h[i] = fashion.Epoch{Epoch: i, ValLoss: l}
		}
		return h
	}
	epochs, mean, sd := figures.SeedCurve([][]fashion.Epoch{seed(0.50, 0.40), seed(0.54, 0.36), seed(0.52, 0.38)},
		func(e fashion.Epoch) float64 { return e.ValLoss })
	for i := range epochs {
		fmt.Printf("epoch %v: %.2f ± %.2f\n", epochs[i], mean[i], sd[i])
	}
	// Output:
	// epoch 0: 0.52 ± 0.02
	// epoch 1: 0.38 ± 0.02
}
