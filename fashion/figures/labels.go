package figures

import (
	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

// Labels are every word the figures write besides their caller's titles
// and names: axis labels, legends, panel titles, captions, class names, a
// table's header and what stands for missing data. Package figures has no
// language of its own: its figures are methods of Labels, and a notebook
// in Spanish passes Spanish Labels. English holds the English words, which
// the package-level functions (CurvesSVG, OverlaySVG, ConfusionSVG,
// PerClassBarsSVG, ImagesSVG, Misclassified, ComparisonHeader) use for
// `fashion report`. A field left "" writes nothing.
type Labels struct {
	// The curves of a history (CurvesSVG, LossCurves, AccuracyCurves).
	Epoch        string // the X axis of every curve, e.g. "epoch"
	Loss         string // the loss panel's title and Y axis, e.g. "loss"
	Accuracy     string // the accuracy panel's title, e.g. "accuracy"
	AccuracyAxis string // an axis of accuracy in percent, e.g. "accuracy (%)"
	Train, Val   string // the two lines, e.g. "train" and "val"

	// The metrics that OverlaySVG, SectionsSVG and VersionsSVG draw, as
	// axis labels and panel titles: "train_loss", "val_loss",
	// "train_accuracy" and "val_accuracy".
	TrainLoss, ValLoss         string // e.g. "train loss", "validation loss"
	TrainAccuracy, ValAccuracy string // e.g. "train accuracy (%)"

	// Classes name the classes in ConfusionSVG, PerClassBarsSVG and
	// Misclassified, e.g. fashion.ClassNames().
	Classes [fashion.NumClasses]string
	// TrueClass and PredictedClass name the confusion matrix's rows and
	// columns; TrueClassShare its colour scale, e.g. "share of the true
	// class".
	TrueClass, PredictedClass, TrueClassShare string
	// True and Predicted start the two lines of Misclassified's captions,
	// e.g. "true" and "pred": "true: Coat\npred: Shirt".
	True, Predicted string

	// AccuracyDotsSVG's series and reference line.
	ValWilson    string // e.g. "validation (Wilson 95%)"
	TestWilson   string // e.g. "test (Wilson 95%)"
	TestSeeds    string // e.g. "test, mean ± sd over seeds"
	BaselineTest string // the reference line, e.g. "baseline test"

	// ComparisonHeader heads the table of ComparisonRows, one name per
	// column.
	ComparisonHeader []string

	// NoImages stands for an empty gallery (ImagesSVG).
	NoImages string
	// Chart are the words the charts write for missing data: NoData on an
	// empty chart, Missing next to a bar that cannot be drawn.
	Chart chart.Texts
}

// English are the figures' words in English: those of `fashion report`
// (package study) and of the package-level functions.
var English = Labels{
	Epoch: "epoch", Loss: "loss", Accuracy: "accuracy", AccuracyAxis: "accuracy (%)", Train: "train", Val: "val",
	TrainLoss: "train loss", ValLoss: "validation loss",
	TrainAccuracy: "train accuracy (%)", ValAccuracy: "validation accuracy (%)",
	Classes:   fashion.ClassNames(),
	TrueClass: "true class", PredictedClass: "predicted class", TrueClassShare: "share of the true class",
	True: "true", Predicted: "pred",
	ValWilson: "validation (Wilson 95%)", TestWilson: "test (Wilson 95%)",
	TestSeeds: "test, mean ± sd over seeds", BaselineTest: "baseline test",
	ComparisonHeader: []string{"run", "differs from the exercise", "best val loss (epoch)",
		"final train loss", "final val loss", "test acc", "s/epoch"},
	NoImages: "no images",
	Chart:    chart.Texts{NoData: "no data", Missing: "n/a"},
}

// metricLabel is the label of a metric of the metrics table.
func (l *Labels) metricLabel(name string) string {
	switch name {
	case "train_loss":
		return l.TrainLoss
	case "val_loss":
		return l.ValLoss
	case "train_accuracy":
		return l.TrainAccuracy
	case "val_accuracy":
		return l.ValAccuracy
	}
	return ""
}
