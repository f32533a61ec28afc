package figures

import (
	"math"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// TestSeedCurve: per epoch, the mean and sample sd over the seeds that
// reached it. Seed a has losses 1.0, 0.8, 0.6; seed b 1.2, 0.6 (stopped
// early): epoch 0 mean 1.1, sd |1.0−1.2|/√2 = 0.141421; epoch 1 mean 0.7,
// sd 0.141421; epoch 2 only a: 0.6, sd NaN.
func TestSeedCurve(t *testing.T) {
	mk := func(losses ...float64) []fashion.Epoch {
		h := make([]fashion.Epoch, len(losses))
		for i, l := range losses {
			h[i] = fashion.Epoch{Epoch: i, ValLoss: l}
		}
		return h
	}
	x, mean, sd := SeedCurve([][]fashion.Epoch{mk(1.0, 0.8, 0.6), mk(1.2, 0.6)}, func(e fashion.Epoch) float64 { return e.ValLoss })
	wantMean, wantSD := []float64{1.1, 0.7, 0.6}, []float64{0.141421, 0.141421, math.NaN()}
	if len(x) != 3 || x[2] != 2 {
		t.Fatalf("epochs %v, want 0 1 2", x)
	}
	for i := range x {
		okSD := math.Abs(sd[i]-wantSD[i]) < 1e-6 || (math.IsNaN(sd[i]) && math.IsNaN(wantSD[i]))
		if math.Abs(mean[i]-wantMean[i]) > 1e-12 || !okSD {
			t.Errorf("epoch %d: %v ± %v, want %v ± %v", i, mean[i], sd[i], wantMean[i], wantSD[i])
		}
	}
	// A band only where two seeds reached the epoch; one history, no band.
	s := Group{Name: "g", Histories: [][]fashion.Epoch{mk(1.0, 0.8, 0.6), mk(1.2, 0.6)}}.series(metrics["val_loss"])
	if len(s.Lower) != 3 || !math.IsNaN(s.Lower[2]) || math.Abs(s.Upper[0]-(1.1+0.141421)) > 1e-6 {
		t.Errorf("band %v–%v", s.Lower, s.Upper)
	}
	if one := (Group{Histories: [][]fashion.Epoch{mk(1, 2)}}).series(metrics["val_loss"]); one.Lower != nil {
		t.Errorf("one seed drew a band: %v", one.Lower)
	}
}

func TestVersionsAndSectionsSVG(t *testing.T) {
	h := testHistory(8)
	groups := []Group{{Name: "baseline", Histories: [][]fashion.Epoch{h}, Grey: true},
		{Name: "v1", Histories: [][]fashion.Epoch{h, testHistory(6)}, Dashed: true}, {Name: "v2 (this cell)", Histories: [][]fashion.Epoch{h}}}
	svg, err := English.VersionsSVG(nastyTitle, groups)
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, svg)
	if d.Classes["fm-panel"] != 2 || d.Classes["fm-series"] != 6 || d.Classes["fm-band"] == 0 {
		t.Errorf("versions: %d panels, %d series, %d bands; want 2, 6 and the seeded group's band", d.Classes["fm-panel"], d.Classes["fm-series"], d.Classes["fm-band"])
	}
	for _, s := range []string{nastyTitle, "train loss", "validation loss", "loss", "v2 (this cell)", "baseline"} {
		if !d.HasText(s) {
			t.Errorf("versions: text %q missing", s)
		}
	}
	svg, err = English.SectionsSVG("sections", "val_loss", []Panel{{"Normalización", groups[:2]}, {"Optimizadores", groups[1:]}, {"Early stopping", groups[:1]}})
	if err != nil {
		t.Fatal(err)
	}
	d = parseSVG(t, svg)
	if d.Classes["fm-panel"] != 3 || d.Classes["fm-direct-label"] != 5 || !d.HasText("Optimizadores") {
		t.Errorf("sections: %d panels, %d direct labels; want 3 and 5", d.Classes["fm-panel"], d.Classes["fm-direct-label"])
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"group without runs", second(English.VersionsSVG("t", []Group{{Name: "empty"}})), `group 0 ("empty") has no runs`},
		{"unknown metric", second(English.SectionsSVG("t", "loss", []Panel{{"p", groups}})), `unknown metric "loss"`},
		{"panel named", second(English.SectionsSVG("t", "val_loss", []Panel{{"Normalización", []Group{{Name: "x"}}}})), `panel "Normalización"`},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func second(_ []byte, err error) error { return err }

func TestAccuracyDotsSVG(t *testing.T) {
	rows := []AccuracyRow{
		{Name: "combined", Val: 0.9, ValLo: 0.89, ValHi: 0.91, Test: 0.895, TestLo: 0.886, TestHi: 0.903, TestSD: 0.002, P: 0.0004},
		{Name: "baseline", Val: 0.885, ValLo: 0.876, ValHi: 0.894, Test: 0.887, TestLo: 0.878, TestHi: 0.896, TestSD: math.NaN(), P: math.NaN()},
		{Name: "l2", Val: 0.88, ValLo: 0.871, ValHi: 0.889, Test: 0.882, TestLo: 0.873, TestHi: 0.891, TestSD: math.NaN(), P: 0.21},
	}
	svg, err := English.AccuracyDotsSVG("acc", rows, 0.887)
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, svg)
	// Validation and test for 3 rows, and the seed spread of the one seeded row.
	if d.Classes["fm-dot"] != 7 || d.Classes["fm-whisker"] != 7 || d.Classes["fm-ref"] != 1 {
		t.Errorf("%d dots, %d whiskers, %d reference lines; want 7, 7, 1", d.Classes["fm-dot"], d.Classes["fm-whisker"], d.Classes["fm-ref"])
	}
	for _, s := range []string{"p<0.001", "p=0.21", "combined", "test, mean ± sd over seeds", "baseline test"} {
		if !d.HasText(s) {
			t.Errorf("text %q missing", s)
		}
	}
	for _, tc := range []struct {
		p    float64
		want string
	}{{math.NaN(), ""}, {0.0004, "p<0.001"}, {0.0042, "p=0.004"}, {0.031, "p=0.03"}, {1, "p=1.00"}} {
		if got := FormatP(tc.p); got != tc.want {
			t.Errorf("FormatP(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
