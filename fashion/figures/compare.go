package figures

import (
	"fmt"
	"math"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
)

// Group is one experiment drawn as one line: the runs of its seeds, whose
// metric is averaged per epoch, with a band of ± one sample standard
// deviation where two or more seeds reached the epoch (early stopping can
// end seeds at different epochs). One history draws a plain line.
type Group struct {
	Name      string
	Histories [][]fashion.Epoch
	Grey      bool   // a reference (the baseline): grey, thinner, under the others
	Dashed    bool   // e.g. an earlier version
	Color     string // "" takes the next colour of chart.Palette
}

// SeedCurve is a metric of several histories (the seeds of one experiment)
// per epoch: the epochs any of them reached, the mean over those that
// reached each, and the sample standard deviation (NaN where only one did).
// get reads the metric of an epoch.
func SeedCurve(histories [][]fashion.Epoch, get func(fashion.Epoch) float64) (epochs, mean, sd []float64) {
	byEpoch := map[int][]float64{}
	last := -1
	for _, h := range histories {
		for _, e := range h {
			byEpoch[e.Epoch] = append(byEpoch[e.Epoch], get(e))
			last = max(last, e.Epoch)
		}
	}
	for ep := 0; ep <= last; ep++ {
		xs, ok := byEpoch[ep]
		if !ok {
			continue
		}
		m, s := stats.MeanSD(xs)
		epochs, mean, sd = append(epochs, float64(ep)), append(mean, m), append(sd, s)
	}
	return epochs, mean, sd
}

// series is the group's line for a metric of the metrics table.
func (g Group) series(m metric) chart.Series {
	x, mean, sd := SeedCurve(g.Histories, m.get)
	scale := 1.0
	if m.percent {
		scale = 100
	}
	s := chart.Series{Name: g.Name, X: x, Y: make([]float64, len(x)), Grey: g.Grey, Dashed: g.Dashed, Color: g.Color}
	band := false
	lo, hi := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		s.Y[i] = scale * mean[i]
		lo[i], hi[i] = scale*(mean[i]-sd[i]), scale*(mean[i]+sd[i]) // NaN leaves a gap
		band = band || !math.IsNaN(sd[i])
	}
	if band {
		s.Lower, s.Upper = lo, hi
	}
	return s
}

// groupsChart is one metric of groups in a chart with direct labels,
// labelled ylabel.
func (l *Labels) groupsChart(title, ylabel, metricName string, groups []Group) (*chart.LineChart, error) {
	m, ok := metrics[metricName]
	if !ok {
		return nil, fmt.Errorf("figures: unknown metric %q (want val_loss, train_loss, val_accuracy or train_accuracy)", metricName)
	}
	c := &chart.LineChart{Title: title, XLabel: l.Epoch, YLabel: ylabel, DirectLabels: true, Texts: l.Chart}
	for i, g := range groups {
		if len(g.Histories) == 0 {
			return nil, fmt.Errorf("figures: group %d (%q) has no runs", i, g.Name)
		}
		c.Series = append(c.Series, g.series(m))
	}
	return c, nil
}

// VersionsSVG renders the training and validation loss of groups side by
// side (960×360; the panels titled TrainLoss and ValLoss, on a Loss axis),
// each group a line labelled at its end: the versions of one experiment
// and the baseline, as a notebook cell shows them after a re-run. It fails
// if a group has no runs.
func (l *Labels) VersionsSVG(title string, groups []Group) ([]byte, error) {
	train, err := l.groupsChart(l.TrainLoss, l.Loss, "train_loss", groups)
	if err != nil {
		return nil, err
	}
	val, err := l.groupsChart(l.ValLoss, l.Loss, "val_loss", groups)
	if err != nil {
		return nil, err
	}
	m := &chart.SmallMultiples{Title: title, Panels: []*chart.LineChart{train, val}, Columns: 2,
		PanelWidth: 480, PanelHeight: 330, SharedY: true, Texts: l.Chart}
	return m.SVG(), nil
}

// Panel is one chart of SectionsSVG: a section's experiments.
type Panel struct {
	Title  string
	Groups []Group
}

// SectionsSVG renders one metric as small multiples, a panel per section
// (two columns, a shared Y range), each group labelled at the end of its
// line: the comparison of a notebook's sections, each against the same
// grey baseline, instead of every run in one crowded chart. It fails for
// an unknown metric (see OverlaySVG) or a group without runs.
func (l *Labels) SectionsSVG(title, metricName string, panels []Panel) ([]byte, error) {
	m := &chart.SmallMultiples{Title: title, Columns: 2, PanelWidth: 480, PanelHeight: 300, SharedY: true, Texts: l.Chart}
	for _, p := range panels {
		c, err := l.groupsChart(p.Title, l.metricLabel(metricName), metricName, p.Groups)
		if err != nil {
			return nil, fmt.Errorf("%w (panel %q)", err, p.Title)
		}
		m.Panels = append(m.Panels, c)
	}
	return m.SVG(), nil
}

// AccuracyRow is one experiment of AccuracyDotsSVG; accuracies are
// fractions.
type AccuracyRow struct {
	Name string
	// Val and Test are the accuracies (means over seeds), each with its
	// Wilson 95% interval on the images it was measured on.
	Val, ValLo, ValHi    float64
	Test, TestLo, TestHi float64
	// TestSD is the sample standard deviation of the test accuracy over
	// seeds; NaN for one seed.
	TestSD float64
	// P is McNemar's exact p-value against the baseline on the same test
	// images; NaN where there is none (the baseline itself).
	P float64
}

// AccuracyDotsSVG renders validation and test accuracy per row (in the
// order given) as a dot chart in percent: each with its Wilson 95%
// interval, the test accuracy of seeded rows also with mean ± sd over the
// seeds, a dashed line at the reference (the baseline's test accuracy,
// NaN for none) and McNemar's p-value at the right of each row.
func (l *Labels) AccuracyDotsSVG(title string, rows []AccuracyRow, reference float64) ([]byte, error) {
	n := len(rows)
	names, notes := make([]string, n), make([]string, n)
	val := chart.DotSeries{Name: l.ValWilson, Value: make([]float64, n), Low: make([]float64, n), High: make([]float64, n)}
	test := chart.DotSeries{Name: l.TestWilson, Value: make([]float64, n), Low: make([]float64, n), High: make([]float64, n)}
	seeds := chart.DotSeries{Name: l.TestSeeds, Value: make([]float64, n), Low: make([]float64, n), High: make([]float64, n)}
	anySeeds := false
	for i, r := range rows {
		names[i] = r.Name
		val.Value[i], val.Low[i], val.High[i] = 100*r.Val, 100*r.ValLo, 100*r.ValHi
		test.Value[i], test.Low[i], test.High[i] = 100*r.Test, 100*r.TestLo, 100*r.TestHi
		seeds.Value[i], seeds.Low[i], seeds.High[i] = math.NaN(), math.NaN(), math.NaN()
		if !math.IsNaN(r.TestSD) {
			anySeeds = true
			seeds.Value[i], seeds.Low[i], seeds.High[i] = 100*r.Test, 100*(r.Test-r.TestSD), 100*(r.Test+r.TestSD)
		}
		notes[i] = FormatP(r.P)
	}
	c := &chart.DotChart{Title: title, XLabel: l.AccuracyAxis, Rows: names, Series: []chart.DotSeries{val, test},
		Notes: notes, Width: 760, Texts: l.Chart}
	if anySeeds {
		c.Series = append(c.Series, seeds)
	}
	if !math.IsNaN(reference) {
		c.Refs = []chart.RefLine{{Value: 100 * reference, Label: l.BaselineTest}}
	}
	return c.SVG()
}

// FormatP writes a p-value for a table or a chart's note: "p=0.031",
// "p<0.001", "" for NaN (no test).
func FormatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return ""
	case p < 0.001:
		return "p<0.001"
	case p < 0.01:
		return fmt.Sprintf("p=%.3f", p)
	}
	return fmt.Sprintf("p=%.2f", p)
}
