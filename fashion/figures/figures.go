package figures

import (
	"fmt"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

// metric is one column of a history that OverlaySVG can draw.
// Labels.metricLabel names it.
type metric struct {
	percent bool // a fraction, shown in percent
	get     func(fashion.Epoch) float64
}

// metrics are the metrics OverlaySVG knows.
var metrics = map[string]metric{
	"train_loss":     {false, func(e fashion.Epoch) float64 { return e.TrainLoss }},
	"val_loss":       {false, func(e fashion.Epoch) float64 { return e.ValLoss }},
	"train_accuracy": {true, func(e fashion.Epoch) float64 { return e.TrainAccuracy }},
	"val_accuracy":   {true, func(e fashion.Epoch) float64 { return e.ValAccuracy }},
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
func (l *Labels) LossCurves(title string, h []fashion.Epoch) *chart.LineChart {
	return &chart.LineChart{
		Title: title, XLabel: l.Epoch, YLabel: l.Loss, Texts: l.Chart,
		Series: []chart.Series{
			historySeries(l.Train, h, metrics["train_loss"].get, false),
			historySeries(l.Val, h, metrics["val_loss"].get, false),
		},
	}
}

// AccuracyCurves is the chart of training and validation accuracy per
// epoch, in percent.
func (l *Labels) AccuracyCurves(title string, h []fashion.Epoch) *chart.LineChart {
	return &chart.LineChart{
		Title: title, XLabel: l.Epoch, YLabel: l.AccuracyAxis, Texts: l.Chart,
		Series: []chart.Series{
			historySeries(l.Train, h, metrics["train_accuracy"].get, true),
			historySeries(l.Val, h, metrics["val_accuracy"].get, true),
		},
	}
}

// CurvesSVG renders the loss and the accuracy charts of a history side by
// side in one SVG (960×360), under title.
func (l *Labels) CurvesSVG(title string, h []fashion.Epoch) []byte {
	const height = 360
	m := &chart.SmallMultiples{
		Title:      title,
		Panels:     []*chart.LineChart{l.LossCurves(l.Loss, h), l.AccuracyCurves(l.Accuracy, h)},
		Columns:    2,
		PanelWidth: 480, PanelHeight: height,
		Texts: l.Chart,
	}
	if title != "" {
		m.PanelHeight = height - 34 // the shared title's band
	}
	return m.SVG()
}

// CurvesSVG is English.CurvesSVG.
func CurvesSVG(title string, h []fashion.Epoch) []byte { return English.CurvesSVG(title, h) }

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
func (l *Labels) OverlaySVG(title, metric string, names []string, histories [][]fashion.Epoch) ([]byte, error) {
	if err := checkOverlay(metric, names, histories); err != nil {
		return nil, err
	}
	m := metrics[metric]
	c := &chart.LineChart{Title: title, XLabel: l.Epoch, YLabel: l.metricLabel(metric), Texts: l.Chart}
	for i, h := range histories {
		c.Series = append(c.Series, historySeries(names[i], h, m.get, m.percent))
	}
	return c.SVG(), nil
}

// OverlaySVG is English.OverlaySVG.
func OverlaySVG(title, metric string, names []string, histories [][]fashion.Epoch) ([]byte, error) {
	return English.OverlaySVG(title, metric, names, histories)
}

// ConfusionSVG renders a confusion matrix ([true][predicted] counts) as a
// heat map labelled with the class names: each cell shows its count and
// is coloured by its share of the true class, the right answers in bold.
func (l *Labels) ConfusionSVG(title string, m [fashion.NumClasses][fashion.NumClasses]int) []byte {
	rows := make([][]int, fashion.NumClasses)
	for r := range m {
		rows[r] = m[r][:]
	}
	hm := &chart.Heatmap{
		Title:  title,
		Counts: rows, RowLabels: l.Classes[:], ColLabels: l.Classes[:],
		RowTitle: l.TrueClass, ColTitle: l.PredictedClass,
		ScaleLabel: l.TrueClassShare, BoldDiagonal: true, Texts: l.Chart,
	}
	b, err := hm.SVG()
	if err != nil { // a square matrix with a name per class cannot fail
		panic(err)
	}
	return b
}

// ConfusionSVG is English.ConfusionSVG.
func ConfusionSVG(title string, m [fashion.NumClasses][fashion.NumClasses]int) []byte {
	return English.ConfusionSVG(title, m)
}

// PerClassBarsSVG renders the accuracy of each class (a fraction, as in
// fashion.Evaluation.PerClass) as horizontal bars named by the class names
// and labelled in percent on a 0–100% axis.
func (l *Labels) PerClassBarsSVG(title string, perClass [fashion.NumClasses]float64) []byte {
	bars := &chart.Bars{Title: title, Names: l.Classes[:], Values: perClass[:], Percent: true, Format: "%.1f%%", Texts: l.Chart}
	b, err := bars.SVG()
	if err != nil { // a name per class cannot fail
		panic(err)
	}
	return b
}

// PerClassBarsSVG is English.PerClassBarsSVG.
func PerClassBarsSVG(title string, perClass [fashion.NumClasses]float64) []byte {
	return English.PerClassBarsSVG(title, perClass)
}

// ImagesSVG renders Fashion-MNIST images (each fashion.NumPixels bytes) in a
// grid of cols columns (cols <= 0: up to 10), three screen pixels per image
// pixel, with captions below (nil for none; "\n" separates lines), or
// NoImages for none. It fails if captions is not nil and differs in length
// from images, or if an image is not fashion.NumPixels bytes.
func (l *Labels) ImagesSVG(images [][]uint8, captions []string, cols int) ([]byte, error) {
	g := &chart.ImageGrid{Images: images, Width: fashion.Width, Height: fashion.Height,
		Captions: captions, Columns: cols, Scale: 3, Texts: chart.Texts{NoData: l.NoImages}}
	return g.SVG()
}

// ImagesSVG is English.ImagesSVG.
func ImagesSVG(images [][]uint8, captions []string, cols int) ([]byte, error) {
	return English.ImagesSVG(images, captions, cols)
}

// MatrixText writes a 28×28 image's numbers as the exercise shows them
// (PyTorch's print of the image tensor): each row of 28 values in brackets,
// split in two lines of 14. A length that is not a multiple of 28 leaves a
// shorter last row.
func MatrixText(img []uint8) string {
	return chart.MatrixText(img, fashion.Width)
}
