package lab

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
)

// Comparison is what DisplayComparison shows, one row per experiment,
// sorted by mean validation accuracy (what the choice is made on), best
// first.
type Comparison struct {
	Rows []ComparisonRow
	// Images is the size of the validation and of the test half, the n
	// of the Wilson intervals.
	Images int
}

// ComparisonRow is one experiment of a Comparison. Accuracies are
// fractions; sd is NaN for one seed.
type ComparisonRow struct {
	Version             *Version
	Val, ValSD          float64 // validation accuracy at the kept epoch, over seeds
	Test, TestSD        float64 // test accuracy, over seeds
	ValLo, ValHi        float64 // Wilson 95% of Val on Images
	TestLo, TestHi      float64 // Wilson 95% of Test on Images
	BestValLoss, LossSD float64
	OnlyThis, OnlyBase  int     // test images right for this run only / for the baseline's only (first seeds)
	P                   float64 // McNemar's exact p against the baseline; NaN for the baseline or without one
	SecondsPerEpoch     float64
	baseline            bool // the baseline's own row
}

// Compare scores the experiments against the baseline (the one named
// Baseline, if among them): intervals, seed spread and, on the test half,
// McNemar's exact test of the first seed's run against the baseline's
// first seed's run on the same images. The test predictions it needs are
// computed from the stored weights once and kept next to the notebook's
// index.
func Compare(exps []*Version) (*Comparison, error) {
	if len(exps) == 0 {
		return nil, errors.New("lab: no experiments to compare (run the training cells first)")
	}
	test, err := TestHalf(exps[0].Config)
	if err != nil {
		return nil, err
	}
	var base []bool
	if i := slices.IndexFunc(exps, func(v *Version) bool { return v.Name == Baseline }); i >= 0 {
		if base, err = correctOnTest(exps[i], test); err != nil {
			return nil, err
		}
	}
	cmp := &Comparison{Images: test.Len()}
	for _, v := range exps {
		if len(v.Runs) == 0 {
			return nil, fmt.Errorf("lab: experiment %s v%d has no runs loaded", v.Name, v.N)
		}
		r := ComparisonRow{Version: v, P: math.NaN(), baseline: v.Name == Baseline}
		r.Val, r.ValSD = v.ValAccuracy()
		r.Test, r.TestSD = v.TestAccuracy()
		r.BestValLoss, r.LossSD = v.BestValLoss()
		if r.ValLo, r.ValHi, err = stats.Wilson95(r.Val, test.Len()); err != nil {
			return nil, err
		}
		if r.TestLo, r.TestHi, err = stats.Wilson95(r.Test, test.Len()); err != nil {
			return nil, err
		}
		for _, run := range v.Runs {
			r.SecondsPerEpoch += run.SecondsPerEpoch / float64(len(v.Runs))
		}
		if base != nil && !r.baseline {
			this, err := correctOnTest(v, test)
			if err != nil {
				return nil, err
			}
			if r.OnlyThis, r.OnlyBase, err = stats.Discordant(this, base); err != nil {
				return nil, err
			}
			if r.P, err = stats.McNemarExact(r.OnlyThis, r.OnlyBase); err != nil {
				return nil, err
			}
		}
		cmp.Rows = append(cmp.Rows, r)
	}
	slices.SortStableFunc(cmp.Rows, func(a, b ComparisonRow) int {
		switch {
		case a.Val > b.Val:
			return -1
		case a.Val < b.Val:
			return 1
		}
		return 0
	})
	return cmp, nil
}

// correctOnTest says which test images the first seed's run of v gets
// right.
func correctOnTest(v *Version, test *fashion.Set) ([]bool, error) {
	pred, err := testPredictions(v, test)
	if err != nil {
		return nil, err
	}
	ok := make([]bool, len(pred))
	for i, p := range pred {
		ok[i] = p == test.Labels[i]
	}
	return ok, nil
}

// testPredictions are the predicted classes of the first seed's run of v
// on the test half: read from predictionsDir, or computed from the stored
// weights and kept there (one digit per image), so that a comparison
// re-run evaluates nothing.
func testPredictions(v *Version, test *fashion.Set) ([]uint8, error) {
	path := filepath.Join(predictionsDir(), v.Keys[0]+".txt")
	if data, err := os.ReadFile(path); err == nil {
		if pred, ok := parsePredictions(data, test.Len()); ok {
			return pred, nil
		}
		// A damaged file is recomputed, never trusted.
	}
	run, err := loadRun(v, 0)
	if err != nil {
		return nil, err
	}
	ev, err := run.Evaluate(test)
	if err != nil {
		return nil, fmt.Errorf("lab: evaluating %s v%d on the test half: %w", v.Name, v.N, err)
	}
	pred := make([]uint8, len(ev.Predictions))
	digits := make([]byte, len(ev.Predictions))
	for i, p := range ev.Predictions {
		pred[i], digits[i] = uint8(p), byte('0'+p)
	}
	if err := atomicfile.Write(path, digits); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return pred, nil
}

// parsePredictions reads n class digits.
func parsePredictions(data []byte, n int) ([]uint8, bool) {
	if len(data) != n {
		return nil, false
	}
	pred := make([]uint8, n)
	for i, c := range data {
		if c < '0' || c >= '0'+fashion.NumClasses {
			return nil, false
		}
		pred[i] = c - '0'
	}
	return pred, true
}

// Header is the header of the comparison's table (Table), in Spanish:
// the notebook's table of experiments, not figures.ComparisonHeader (the
// report's table of runs).
func (c *Comparison) Header() []string {
	return []string{"#", "experimento", "sección", "difiere del ejercicio", "semillas",
		"exactitud (validación)", "exactitud (prueba)", "prueba 95 % (Wilson)", "McNemar vs. línea base", "mejor pérdida (validación)", "s/época"}
}

// Table gives one row of Header per experiment, in the comparison's
// order.
func (c *Comparison) Table() [][]string {
	rows := make([][]string, len(c.Rows))
	for i, r := range c.Rows {
		v := r.Version
		diff := v.fromExercise()
		if diff == "" {
			diff = "—"
		}
		section := v.Section
		if section == "" {
			section = "—"
		}
		p := "referencia"
		if !r.baseline {
			p = "—"
			if !math.IsNaN(r.P) {
				p = fmt.Sprintf("%s (%d vs. %d)", figures.FormatP(r.P), r.OnlyThis, r.OnlyBase)
			}
		}
		rows[i] = []string{fmt.Sprint(i + 1), fmt.Sprintf("%s v%d", v.Name, v.N), section, diff, fmt.Sprint(len(v.Seeds)),
			pct(r.Val, r.ValSD), pct(r.Test, r.TestSD), fmt.Sprintf("%.1f–%.1f%%", 100*r.TestLo, 100*r.TestHi), p,
			loss(r.BestValLoss, r.LossSD), fmt.Sprintf("%.2f", r.SecondsPerEpoch)}
	}
	return rows
}

// Markdown is the comparison table in Markdown, with a note on reading it
// (in Spanish).
func (c *Comparison) Markdown() string {
	var b strings.Builder
	b.WriteString(figures.MarkdownAligned(c.Header(), c.Table(), 4))
	fmt.Fprintf(&b, "\nOrdenada por exactitud de validación (la media entre semillas donde hay varias: ± es su desviación estándar muestral). "+
		"Intervalos de Wilson al 95 %% sobre las %d imágenes de prueba; la prueba exacta de McNemar empareja el entrenamiento "+
		"de la primera semilla con el de la línea base sobre las mismas imágenes de prueba (entre paréntesis: imágenes que "+
		"acierta solo el entrenamiento, solo la línea base).\n", c.Images)
	return b.String()
}

// Panels groups the experiments by section for Labels.SectionsSVG: one
// panel per section in the order the sections first appear in exps, each
// with the baseline in grey and the section's experiments. Experiments
// without a section share a panel "otros".
func Panels(exps []*Version) []figures.Panel {
	var base *Version
	var order []string
	bySection := map[string][]*Version{}
	for _, v := range exps {
		if v.Name == Baseline {
			base = v
			continue
		}
		s := v.Section
		if s == "" {
			s = "otros"
		}
		if _, ok := bySection[s]; !ok {
			order = append(order, s)
		}
		bySection[s] = append(bySection[s], v)
	}
	panels := make([]figures.Panel, len(order))
	for i, s := range order {
		panels[i].Title = s
		if base != nil {
			panels[i].Groups = append(panels[i].Groups, figures.Group{Name: Baseline, Histories: histories(base), Grey: true})
		}
		for _, v := range bySection[s] {
			panels[i].Groups = append(panels[i].Groups, figures.Group{Name: v.Name, Histories: histories(v)})
		}
	}
	return panels
}

// DisplayComparison shows the experiments side by side: the validation
// loss as small multiples, one panel per section against the grey
// baseline (mean ± sd bands for seeded experiments); a dot chart of
// validation and test accuracy with Wilson 95% intervals, the seed spread
// and McNemar's p against the baseline; and the table sorted by
// validation accuracy. Outside a notebook it prints the table.
func DisplayComparison(exps []*Version) error {
	cmp, err := Compare(exps)
	if err != nil {
		return err
	}
	sections, accuracy, err := cmp.charts(exps)
	if err != nil {
		return err
	}
	if err := DisplaySVG(sections); err != nil {
		return err
	}
	if err := DisplaySVG(accuracy); err != nil {
		return err
	}
	return DisplayMarkdown(cmp.Markdown())
}

// charts are the comparison's charts, in Spanish: the validation loss by
// section (of exps, the experiments compared) and the dot chart of
// accuracies.
func (c *Comparison) charts(exps []*Version) (sections, accuracy []byte, err error) {
	sections, err = Spanish.SectionsSVG("Pérdida de validación por sección, frente a la línea base (gris)", "val_loss", Panels(exps))
	if err != nil {
		return nil, nil, err
	}
	dots := make([]figures.AccuracyRow, len(c.Rows))
	reference := math.NaN()
	for i, r := range c.Rows {
		dots[i] = figures.AccuracyRow{Name: r.Version.Name, Val: r.Val, ValLo: r.ValLo, ValHi: r.ValHi,
			Test: r.Test, TestLo: r.TestLo, TestHi: r.TestHi, TestSD: r.TestSD, P: r.P}
		if r.baseline {
			reference = r.Test
		}
	}
	title := fmt.Sprintf("Exactitud sobre %d imágenes (Wilson 95 %%); p: McNemar frente a la línea base", c.Images)
	accuracy, err = Spanish.AccuracyDotsSVG(title, dots, reference)
	if err != nil {
		return nil, nil, err
	}
	return sections, accuracy, nil
}

// DisplayEvaluation evaluates a run on its test half and shows the test
// accuracy, the confusion matrix, the accuracy of each class and a gallery
// of misclassified images; outside a notebook it prints the figures.
func DisplayEvaluation(run *fashion.Run, gallery int) (*fashion.Evaluation, error) {
	test, err := TestHalf(run.Config)
	if err != nil {
		return nil, err
	}
	ev, err := run.Evaluate(test)
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: exactitud de prueba %.2f%% (%d imágenes), pérdida %.4f\n", run.Name, 100*ev.Accuracy, test.Len(), ev.Loss)
	if err := DisplayConfusion("Matriz de confusión: "+run.Name, ev.Confusion); err != nil {
		return nil, err
	}
	if err := DisplaySVG(Spanish.PerClassBarsSVG("Exactitud por clase: "+run.Name, ev.PerClass)); err != nil {
		return nil, err
	}
	images, captions := Spanish.Misclassified(test, ev, gallery)
	if err := DisplayImages(images, captions, 8); err != nil {
		return nil, err
	}
	if !InNotebook() {
		for c, acc := range ev.PerClass {
			fmt.Printf("  %-12s %.1f%%\n", Spanish.Classes[c], 100*acc)
		}
	}
	return ev, nil
}
