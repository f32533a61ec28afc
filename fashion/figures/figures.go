package figures

import (
	"fmt"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

// metric is one column of a history that OverlaySVG can draw.
type metric struct {
	label   string // the Y axis label
	percent bool   // a fraction, shown in percent
	get     func(fashion.Epoch) float64
}

// metrics are the metrics OverlaySVG knows.
var metrics = map[string]metric{
	"train_loss":     {"train loss", false, func(e fashion.Epoch) float64 { return e.TrainLoss }},
	"val_loss":       {"validation loss", false, func(e fashion.Epoch) float64 { return e.ValLoss }},
	"train_accuracy": {"train accuracy (%)", true, func(e fashion.Epoch) float64 { return e.TrainAccuracy }},
	"val_accuracy":   {"validation accuracy (%)", true, func(e fashion.Epoch) float64 { return e.ValAccuracy }},
}

// historySeries is one metric of a history against the epoch number.
func historySeries(name string, h []fashion.Epoch, get func(fashion.Epoch) float64, percent bool) chart.Series {
	s := chart.Series{Name: name, X: make([]float64, len(h)), Y: make([]float64, len(h))}
	for i, e := range h {
		s.X[i] = float64(e.Epoch)
		s.Y[i] = get(e)
		if percent {
			s.Y[i] *= 100
		}
	}
	return s
}

// LossCurves is the chart of training and validation loss per epoch.
func LossCurves(title string, h []fashion.Epoch) *chart.LineChart {
	return &chart.LineChart{
		Title: title, XLabel: "epoch", YLabel: "loss",
		Series: []chart.Series{
			historySeries("train", h, metrics["train_loss"].get, false),
			historySeries("val", h, metrics["val_loss"].get, false),
		},
	}
}

// AccuracyCurves is the chart of training and validation accuracy per
// epoch, in percent.
func AccuracyCurves(title string, h []fashion.Epoch) *chart.LineChart {
	return &chart.LineChart{
		Title: title, XLabel: "epoch", YLabel: "accuracy (%)",
		Series: []chart.Series{
			historySeries("train", h, metrics["train_accuracy"].get, true),
			historySeries("val", h, metrics["val_accuracy"].get, true),
		},
	}
}

// CurvesSVG renders the loss and the accuracy charts of a history side by
// side in one SVG (960×360), under title.
func CurvesSVG(title string, h []fashion.Epoch) []byte {
	const height = 360
	m := &chart.SmallMultiples{
		Title:      title,
		Panels:     []*chart.LineChart{LossCurves("loss", h), AccuracyCurves("accuracy", h)},
		Columns:    2,
		PanelWidth: 480, PanelHeight: height,
	}
	if title != "" {
		m.PanelHeight = height - 34 // the shared title's band
	}
	return m.SVG()
}

// checkOverlay validates OverlaySVG's arguments.
func checkOverlay(metric string, names []string, histories [][]fashion.Epoch) error {
	if _, ok := metrics[metric]; !ok {
		return fmt.Errorf("figures: unknown metric %q (want val_loss, train_loss, val_accuracy or train_accuracy)", metric)
	}
	if len(names) != len(histories) {
		return fmt.Errorf("figures: %d names for %d histories", len(names), len(histories))
	}
	return nil
}

// OverlaySVG renders one metric of several runs' histories in one chart, a
// series per run named by names. metric is one of "val_loss", "train_loss",
// "val_accuracy" or "train_accuracy" (accuracies are shown in percent). It
// fails for another metric or if names and histories differ in length.
func OverlaySVG(title, metric string, names []string, histories [][]fashion.Epoch) ([]byte, error) {
	if err := checkOverlay(metric, names, histories); err != nil {
		return nil, err
	}
	m := metrics[metric]
	c := &chart.LineChart{Title: title, XLabel: "epoch", YLabel: m.label}
	for i, h := range histories {
		c.Series = append(c.Series, historySeries(names[i], h, m.get, m.percent))
	}
	return c.SVG(), nil
}

// ConfusionSVG renders a confusion matrix ([true][predicted] counts) as a
// heat map labelled with fashion.ClassNames: each cell shows its count and
// is coloured by its share of the true class, the right answers in bold.
func ConfusionSVG(title string, m [fashion.NumClasses][fashion.NumClasses]int) []byte {
	rows := make([][]int, fashion.NumClasses)
	for r := range m {
		rows[r] = m[r][:]
	}
	hm := &chart.Heatmap{
		Title:  title,
		Counts: rows, RowLabels: fashion.ClassNames[:], ColLabels: fashion.ClassNames[:],
		RowTitle: "true class", ColTitle: "predicted class",
		ScaleLabel: "share of the true class", BoldDiagonal: true,
	}
	b, err := hm.SVG()
	if err != nil { // a square matrix with a name per class cannot fail
		panic(err)
	}
	return b
}

// PerClassBarsSVG renders the accuracy of each class (a fraction, as in
// fashion.Evaluation.PerClass) as horizontal bars named by
// fashion.ClassNames and labelled in percent on a 0–100% axis.
func PerClassBarsSVG(title string, perClass [fashion.NumClasses]float64) []byte {
	bars := &chart.Bars{Title: title, Names: fashion.ClassNames[:], Values: perClass[:], Percent: true, Format: "%.1f%%"}
	b, err := bars.SVG()
	if err != nil { // a name per class cannot fail
		panic(err)
	}
	return b
}

// ImagesSVG renders Fashion-MNIST images (each fashion.NumPixels bytes) in a
// grid of cols columns (cols <= 0: up to 10), three screen pixels per image
// pixel, with captions below (nil for none; "\n" separates lines). It fails
// if captions is not nil and differs in length from images, or if an image
// is not fashion.NumPixels bytes.
func ImagesSVG(images [][]uint8, captions []string, cols int) ([]byte, error) {
	return chart.ImageGridSVG(images, fashion.Width, fashion.Height, captions, cols, 3)
}

// MatrixText writes a 28×28 image's numbers as the exercise shows them
// (PyTorch's print of the image tensor): each row of 28 values in brackets,
// split in two lines of 14. A length that is not a multiple of 28 leaves a
// shorter last row.
func MatrixText(img []uint8) string {
	return chart.MatrixText(img, fashion.Width)
}
