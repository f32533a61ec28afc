package lab

import (
	"math"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// fakeComparison is a comparison of three made-up experiments (the
// baseline, one seeded, one in no section), without training or data.
func fakeComparison() (*Comparison, []*Version) {
	run := func(shift float64) *fashion.Run {
		h := history(6)
		for i := range h {
			h[i].ValLoss += shift
			h[i].TrainAccuracy, h[i].ValAccuracy = 0.8+shift, 0.8+shift
		}
		return &fashion.Run{History: h, KeptEpoch: 5, TestAccuracy: 0.8 + shift, SecondsPerEpoch: 1}
	}
	base := &Version{Name: Baseline, N: 1, Config: fashion.DefaultConfig(), Seeds: []uint64{42}, Runs: []*fashion.Run{run(0)}}
	drop := &Version{Name: "dropout", N: 2, Section: "L2 y dropout", Config: fashion.DefaultConfig(), Seeds: []uint64{42, 43},
		Runs: []*fashion.Run{run(0.01), run(0.02)}}
	drop.Config.Dropout = []float64{0.5}
	adam := &Version{Name: "adam", N: 1, Config: fashion.DefaultConfig(), Seeds: []uint64{42}, Runs: []*fashion.Run{run(-0.01)}}
	adam.Config.Optimizer = "adam"
	exps := []*Version{base, drop, adam}
	cmp := &Comparison{Images: 5000}
	for _, v := range exps {
		r := ComparisonRow{Version: v, P: 0.03, baseline: v == base}
		r.Val, r.ValSD = v.ValAccuracy()
		r.Test, r.TestSD = v.TestAccuracy()
		r.BestValLoss, r.LossSD = v.BestValLoss()
		r.ValLo, r.ValHi, r.TestLo, r.TestHi = r.Val-0.01, r.Val+0.01, r.Test-0.01, r.Test+0.01
		if r.baseline {
			r.P = math.NaN()
		}
		cmp.Rows = append(cmp.Rows, r)
	}
	return cmp, exps
}

// TestComparisonSpanish: the comparison's charts and table speak Spanish;
// experiments without a section share the panel "otros".
func TestComparisonSpanish(t *testing.T) {
	cmp, exps := fakeComparison()
	sections, accuracy, err := cmp.charts(exps)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"baseline", "dropout", "adam"}
	d := noEnglish(t, "sections", sections, names...)
	for _, s := range []string{"Pérdida de validación por sección, frente a la línea base (gris)", "L2 y dropout", "otros",
		"pérdida de validación", "época"} {
		if !d.HasText(s) {
			t.Errorf("sections: text %q missing; texts %q", s, d.Texts)
		}
	}
	d = noEnglish(t, "accuracy", accuracy, names...)
	for _, s := range []string{"Exactitud sobre 5000 imágenes (Wilson 95 %); p: McNemar frente a la línea base",
		"exactitud (%)", "validación (Wilson 95 %)", "prueba (Wilson 95 %)", "prueba, media ± desviación estándar entre semillas",
		"prueba de la línea base", "p=0.03"} {
		if !d.HasText(s) {
			t.Errorf("accuracy: text %q missing; texts %q", s, d.Texts)
		}
	}
	md := cmp.Markdown()
	if !strings.HasPrefix(md, "| # | experimento | sección | difiere del ejercicio | semillas |") ||
		!strings.Contains(md, "| referencia |") || !strings.Contains(md, "p=0.03 (0 vs. 0)") || !strings.Contains(md, "Ordenada por exactitud de validación") {
		t.Errorf("table:\n%s", md)
	}
	for _, l := range strings.Split(md, "\n") {
		// The Diff column holds Config's field names (optimizer=adam).
		l = strings.NewReplacer("baseline", "", "dropout", "", "adam", "", "optimizer", "").Replace(l)
		if w := englishWords.FindString(l); w != "" {
			t.Errorf("table line %q has the English word %q", l, w)
		}
	}
	if h, row := cmp.Header(), cmp.Table()[0]; len(h) != len(row) {
		t.Errorf("%d header columns for rows of %d", len(h), len(row))
	}
}
