package study

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// committedVariants are the study's variants from the committed notebook.
func committedVariants(t *testing.T) []Variant {
	t.Helper()
	vs, _, err := LoadVariants(filepath.Join("..", "..", NotebookFile))
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestVariantsValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range committedVariants(t) {
		if seen[v.Name] {
			t.Errorf("variant %q appears twice", v.Name)
		}
		seen[v.Name] = true
		if err := v.Config.Validate(); err != nil {
			t.Errorf("variant %s (%s): %v", v.Name, v.Cell, err)
		}
	}
	if !seen["baseline"] {
		t.Error("no baseline variant")
	}
}

func TestGoEdits(t *testing.T) {
	variant := func(edit func(c *fashion.Config)) Variant {
		c := fashion.DefaultConfig()
		edit(&c)
		return Variant{Config: c}
	}
	for _, tc := range []struct {
		name string
		v    Variant
		want []string
	}{
		{"baseline", variant(func(*fashion.Config) {}), nil},
		{"dropout", variant(func(c *fashion.Config) { c.Dropout = []float64{0.2} }), []string{"cfg.Dropout = []float64{0.2}"}},
		{"l2", variant(func(c *fashion.Config) { c.L2 = 1e-3 }), []string{"cfg.L2 = 0.001"}},
		{"leaky_relu", variant(func(c *fashion.Config) { c.Activation, c.Init = "leaky_relu", "he_normal" }),
			[]string{`cfg.Activation = "leaky_relu"`, `cfg.Init = "he_normal"`}},
		{"sgd_nesterov", variant(func(c *fashion.Config) { c.Optimizer, c.LR, c.Nesterov = "sgd", 0.05, true }),
			[]string{`cfg.Optimizer = "sgd"`, "cfg.LR = 0.05", "cfg.Nesterov = true"}},
		{"wide", variant(func(c *fashion.Config) { c.Hidden = []int{1024, 512, 256} }), []string{"cfg.Hidden = []int{1024, 512, 256}"}},
		{"backend", variant(func(c *fashion.Config) { c.Backend = "go" }), nil},
	} {
		if got := tc.v.GoEdits(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: GoEdits() = %q, want %q", tc.name, got, tc.want)
		}
	}
	// Every variant differs from the baseline in exactly the fields its
	// edits name.
	for _, v := range committedVariants(t) {
		if d := v.Config.Diff(fashion.DefaultConfig()); (d == "") != (len(v.GoEdits()) == 0) {
			t.Errorf("%s: diff %q but edits %q", v.Name, d, v.GoEdits())
		}
	}
}

// TestNewRowSeeds: accuracies are the mean and sample sd over the seeds'
// runs: test 0.88, 0.89, 0.90 give 0.89 ± 0.01 (deviations ∓0.01, 0:
// √(0.0002/2) = 0.01).
func TestNewRowSeeds(t *testing.T) {
	run := func(acc float64) *fashion.Run {
		return &fashion.Run{TestAccuracy: acc, History: []fashion.Epoch{{ValLoss: 0.3, ValAccuracy: acc - 0.01}}}
	}
	row := NewRow(Variant{Name: "x"}, run(0.88), run(0.89), run(0.90))
	if row.Seeds != 3 || !near(row.TestAccuracy, 0.89) || !near(row.TestAccuracySD, 0.01) || !near(row.ValAccuracy, 0.88) {
		t.Errorf("row %+v: want 3 seeds, test 0.89 ± 0.01, val 0.88", row)
	}
	if one := NewRow(Variant{Name: "y"}, run(0.88)); one.TestAccuracySD != 0 || one.Seeds != 1 {
		t.Errorf("one seed: sd %v, seeds %d; want 0 and 1", one.TestAccuracySD, one.Seeds)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// TestHeadline: a variant beats the baseline by more than the spread when
// the means differ by more than the two sds together.
func TestHeadline(t *testing.T) {
	rows := []Row{
		{Name: "baseline", Seeds: 3, TestAccuracy: 0.887, TestAccuracySD: 0.002},
		{Name: "combined", Seeds: 3, TestAccuracy: 0.895, TestAccuracySD: 0.003}, // +0.8 > 0.5
		{Name: "dropout", Seeds: 3, TestAccuracy: 0.890, TestAccuracySD: 0.002},  // +0.3 < 0.4
		{Name: "adam", Seeds: 3, TestAccuracy: 0.880, TestAccuracySD: 0.001},     // −0.7 < −0.3
		{Name: "l2", Seeds: 1, TestAccuracy: 0.95},                               // one seed: not judged
	}
	h := Headline(rows)
	for _, w := range []string{"than their spread (difference of the means > the sum of the two sample sds): combined (+0.80 points, spread 0.50).",
		"Within the spread: dropout (+0.30 points, spread 0.40).", "Below it by more than the spread: adam (-0.70 points, spread 0.30)."} {
		if !strings.Contains(h, w) {
			t.Errorf("headline lacks %q:\n%s", w, h)
		}
	}
	if strings.Contains(h, "l2 (") {
		t.Errorf("headline judges a one-seed variant:\n%s", h)
	}
	if Headline(rows[1:]) != "" {
		t.Error("a headline without a seeded baseline")
	}
}

// TestStoredRuns: the study's runs are found by their configs' keys, so a
// notebook version stored later under a variant's name (dropout 0.5 as
// "dropout") is not taken for the variant, variants never stored are left
// out, and a corrupt entry is an error naming the variant.
func TestStoredRuns(t *testing.T) {
	cache := fashion.Cache{Dir: t.TempDir()}
	store := func(name string, cfg fashion.Config, started time.Time) *fashion.Run {
		t.Helper()
		r := &fashion.Run{Name: name, Config: cfg, Key: fashion.RunKey(cfg, fashion.DataChecksum()), Started: started,
			History: []fashion.Epoch{{ValLoss: 0.5, ValAccuracy: 0.8}},
			Params:  []fashion.Param{{Scope: "/model/output", Name: "biases", Dims: []int{1}, Values: []float32{1}}}}
		stored, err := cache.Store(r)
		if err != nil {
			t.Fatal(err)
		}
		return stored
	}
	base := Variant{Name: "baseline", Config: fashion.DefaultConfig(), Seeds: 3}
	dropout := Variant{Name: "dropout", Config: fashion.DefaultConfig(), Seeds: 3}
	dropout.Config.Dropout = []float64{0.2}
	l2 := Variant{Name: "l2", Config: fashion.DefaultConfig(), Seeds: 1}
	l2.Config.L2 = 1e-3
	variants := []Variant{base, dropout, l2}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	storedDropout := store("dropout", dropout.Config, now)
	other := dropout.Config
	other.Dropout = []float64{0.5}
	store("dropout", other, now.Add(time.Hour)) // a later notebook version under the same name
	storedBase := store("baseline", base.Config, now)

	runs, err := StoredRuns(cache, variants)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range runs {
		keys = append(keys, r.Key)
	}
	if want := []string{storedBase.Key, storedDropout.Key}; !slices.Equal(keys, want) {
		t.Errorf("StoredRuns keys %v, want %v (baseline, then the study's dropout)", keys, want)
	}

	if err := os.WriteFile(filepath.Join(cache.Dir, storedDropout.Key, "run.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := StoredRuns(cache, variants); err == nil || !strings.Contains(err.Error(), "variant dropout") {
		t.Errorf("corrupt entry: error %v, want one naming variant dropout", err)
	}
}

// TestWithEpochs: every variant stays valid with any number of epochs
// (fashion study -epochs), the settings bounded by the epochs shrinking
// with them and no further.
func TestWithEpochs(t *testing.T) {
	variants := committedVariants(t)
	for _, v := range variants {
		for _, epochs := range []int{1, 2, 5, 9, 10, 40, 120} {
			got := v.WithEpochs(epochs).Config
			if err := got.Validate(); err != nil {
				t.Errorf("variant %s with %d epochs: %v", v.Name, epochs, err)
			}
			if got.Epochs != epochs {
				t.Errorf("variant %s with %d epochs: Epochs = %d", v.Name, epochs, got.Epochs)
			}
			if want := min(v.Config.SWAEpochs, epochs); got.SWAEpochs != want {
				t.Errorf("variant %s with %d epochs: SWAEpochs = %d, want %d", v.Name, epochs, got.SWAEpochs, want)
			}
			if want := min(v.Config.WarmupEpochs, float64(epochs)/2); got.WarmupEpochs != want {
				t.Errorf("variant %s with %d epochs: WarmupEpochs = %g, want %g", v.Name, epochs, got.WarmupEpochs, want)
			}
		}
		if got := v.WithEpochs(0); got.Config.Epochs != v.Config.Epochs {
			t.Errorf("variant %s: WithEpochs(0) changed Epochs to %d", v.Name, got.Config.Epochs)
		}
	}
	swa := variants[slices.IndexFunc(variants, func(v Variant) bool { return v.Name == "swa" })]
	if swa.Config.SWAEpochs != 10 || swa.WithEpochs(3).Config.SWAEpochs != 3 {
		t.Errorf("swa: SWAEpochs %d, with 3 epochs %d; want 10 and 3", swa.Config.SWAEpochs, swa.WithEpochs(3).Config.SWAEpochs)
	}
}
