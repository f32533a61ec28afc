// Package study is the techniques study: the exercise's baseline, one
// variant per technique and combinations (Variants: the notebook's
// experiment cells, read by ReadNotebook, and a few of the study's own),
// trained through the run cache by "fashion study" and the notebook alike,
// their results table (Row, Markdown) and the self-contained HTML report
// (ReportHTML).
package study

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
)

// Variant is one configuration of the study: the exercise's baseline with
// one technique changed, or a combination.
type Variant struct {
	Name   string // short identifier, e.g. "dropout"
	About  string // what it changes, in a few words
	Config fashion.Config
	// Seeds is how many seeds the variant is trained with (Config.Seed,
	// +1, ...): the cell's lab.Seeds(n), 1 without. The headline variants
	// have 3, so that their difference from the baseline can be set
	// against their spread.
	Seeds int
	// Cell is the notebook cell that defines the variant (its
	// Experiment.Where), "" for one of the study's own (studyOnly).
	Cell string
}

// notebookOnly are the notebook's experiment cells that the study does not
// train, by cell id, and why: a name trains one variant, so another
// version of it in the notebook (its story of re-running a cell with other
// settings) is marked here.
var notebookOnly = map[string]string{
	"cell-30": `the re-run of "dropout" with 0.5 of "Volver a ejecutar una celda: versiones": another version of the name, not the study's`,
}

// ownVariant is a variant of the study's own, listed after the notebook's
// variant named after (at the end where the notebook has no such variant).
type ownVariant struct {
	after string
	v     Variant
}

// studyOnly are the variants that "fashion study" trains and the notebook
// does not show (combinations that the study's report compares).
func studyOnly() []ownVariant {
	v := func(name, about string, edit func(c *fashion.Config)) Variant {
		c := fashion.DefaultConfig()
		edit(&c)
		return Variant{Name: name, About: about, Config: c, Seeds: 1}
	}
	adamw := func(c *fashion.Config) { c.Optimizer, c.LR, c.WeightDecay = "adamw", 1e-3, 0.05 }
	return []ownVariant{
		{"early_stop", v("dropout_plateau", "dropout 0.2 + plateau ×0.3 (RMSprop of the exercise)", func(c *fashion.Config) {
			c.Dropout = []float64{0.2}
			c.Schedule, c.Gamma, c.Patience = "plateau", 0.3, 2
		})},
		{"early_stop", v("dropout_step", "dropout 0.2 + step decay ×0.3 every 10 epochs", func(c *fashion.Config) {
			c.Dropout = []float64{0.2}
			c.Schedule, c.StepSize, c.Gamma = "step", 10, 0.3
		})},
		{"combined", v("combined_plateau", "AdamW + batch norm + dropout 0.2 + He + plateau ×0.3", func(c *fashion.Config) {
			adamw(c)
			c.Norm, c.Dropout, c.Init = "batch", []float64{0.2}, "he_normal"
			c.Schedule, c.Gamma, c.Patience = "plateau", 0.3, 2
		})},
		{"combined", v("combined_dropout3", "AdamW + batch norm + dropout 0.3 + He + cosine, 60 epochs", func(c *fashion.Config) {
			adamw(c)
			c.Epochs = 60
			c.Norm, c.Dropout, c.Init = "batch", []float64{0.3}, "he_normal"
			c.Schedule, c.WarmupEpochs, c.ScheduleBy = "cosine", 2, "step"
		})},
	}
}

// about says in words what a notebook variant changes; Variants adds the
// cell's values (Config.Diff), which are not repeated here so that editing
// a cell cannot make its description wrong.
var about = map[string]string{
	"baseline":         "the exercise: RMSprop lr 1e-4 momentum 0.9",
	"l2":               "L2 on the weights",
	"dropout":          "dropout after each hidden layer",
	"max_norm_builtin": "max-norm on every unit's incoming weights, with dropout (the dropout paper's recipe)",
	"l2_dropout":       "L2 and dropout",
	"batchnorm":        "batch norm before each activation",
	"layernorm":        "layer norm before each activation",
	"he":               "He (Kaiming) normal initialization",
	"leaky_relu":       "LeakyReLU with He init",
	"elu":              "ELU with He init",
	"selu":             "SELU with LeCun normal init",
	"gelu":             "GELU with He init",
	"silu":             "SiLU (swish) with He init",
	"tanh":             "tanh with Xavier normal init",
	"sgd_nesterov":     "SGD with Nesterov momentum",
	"adam":             "Adam",
	"adamw":            "AdamW with weight decay",
	"step_lr":          "step decay of the learning rate",
	"cosine":           "cosine annealing with warm-up",
	"onecycle":         "one-cycle schedule",
	"plateau":          "learning rate cut after epochs without improvement",
	"early_stop":       "early stopping",
	"combined":         "AdamW + batch norm + dropout + He + cosine",
	"combined_wide":    "the combination on a wider MLP",
	"shift":            "training images shifted by a few pixels",
	"flip":             "training images mirrored left to right half of the time",
	"erase":            "random erasing",
	"label_smoothing":  "label smoothing",
	"mixup":            "mixup",
	"ema":              "moving average of the weights",
	"swa":              "weights averaged over the last epochs (SWA)",
	"distill":          "distilled from the CNN teacher",
	// The winner by validation accuracy of the search of docs/sweep.md
	// (sweeps/examples/search.json, Ray Tune with ASHA, 60 trials).
	"sweep_best":      "the 2026-12-07 search's winner (docs/sweep.md)",
	"sweep_best_wide": "the search's winner on the wider MLP",
}

// Variants returns the study's configurations: one per experiment cell of
// the notebook (its .ipynb JSON; see ReadNotebook), its name, its Config
// and its seeds, but for the cells that notebookOnly marks or that
// ReadNotebook skips (returned, with the reason); and the study's own
// variants (studyOnly) among them. The notebook is the one definition of
// the experiments' settings: the study and the notebook share their runs
// in the cache. A cell that cannot be read, two cells that train one name
// or a cell that trains a name of studyOnly are errors naming the cells.
func Variants(notebook []byte) ([]Variant, []Skipped, error) {
	exps, skipped, err := ReadNotebook(notebook)
	if err != nil {
		return nil, nil, err
	}
	var vs []Variant
	var errs []error
	own := studyOnly()
	cells := map[string]string{} // variant name → the cell that trains it
	for _, e := range exps {
		if why, ok := notebookOnly[e.ID]; ok {
			skipped = append(skipped, Skipped{Cell: e.Cell, ID: e.ID, Name: e.Name, Reason: "notebook only: " + why})
			continue
		}
		if c, dup := cells[e.Name]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both train %q: the study trains one variant per name; mark one in notebookOnly (fashion/study/study.go) or rename it", c, e.Where(), e.Name))
			continue
		}
		if slices.ContainsFunc(own, func(o ownVariant) bool { return o.v.Name == e.Name }) {
			errs = append(errs, fmt.Errorf("%s trains %q, a variant of the study's own (studyOnly in fashion/study/study.go): rename one", e.Where(), e.Name))
			continue
		}
		cells[e.Name] = e.Where()
		desc := about[e.Name]
		if d := e.Config.Diff(fashion.DefaultConfig()); d != "" {
			desc = strings.TrimSpace(desc + " (" + d + ")")
		}
		vs = append(vs, Variant{Name: e.Name, About: desc, Config: e.Config, Seeds: e.Seeds, Cell: e.Where()})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	for _, o := range own {
		i := slices.IndexFunc(vs, func(v Variant) bool { return v.Name == o.after })
		if i < 0 {
			vs = append(vs, o.v)
			continue
		}
		// After the named variant and the study's own already placed there.
		for i+1 < len(vs) && vs[i+1].Cell == "" {
			i++
		}
		vs = slices.Insert(vs, i+1, o.v)
	}
	return vs, skipped, nil
}

// LoadVariants is Variants of the notebook at path (NotebookFile under
// fashion.RepoRoot(), usually).
func LoadVariants(path string) ([]Variant, []Skipped, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("study: the notebook: %w", err)
	}
	vs, skipped, err := Variants(data)
	if err != nil {
		return nil, nil, fmt.Errorf("study: %s: %w", path, err)
	}
	return vs, skipped, nil
}

// WithEpochs returns the variant trained for epochs epochs instead of its
// own ("fashion study -epochs"), with the settings bounded by the epochs
// shrunk to fit them, as fashion/lab's quick mode does: the cosine warm-up
// to at most half of them, and SWA's averaged epochs to at most all of
// them (the "swa" variant averages the last 10, which a shorter run does
// not have). epochs < 1 leaves the variant as it is.
func (v Variant) WithEpochs(epochs int) Variant {
	if epochs < 1 {
		return v
	}
	c := &v.Config
	c.Epochs = epochs
	c.WarmupEpochs = min(c.WarmupEpochs, float64(epochs)/2)
	c.SWAEpochs = min(c.SWAEpochs, epochs)
	return v
}

// Row is one line of the study's results.
type Row struct {
	Name            string         `json:"name"`
	About           string         `json:"about"`
	Hidden          []int          `json:"hidden"`
	Seeds           int            `json:"seeds"`
	TestAccuracy    float64        `json:"test_accuracy"`    // mean over seeds
	TestAccuracySD  float64        `json:"test_accuracy_sd"` // sample sd over seeds; 0 for one seed
	ValAccuracy     float64        `json:"val_accuracy"`     // at the kept epoch, mean over seeds
	ValAccuracySD   float64        `json:"val_accuracy_sd"`
	BestValLoss     float64        `json:"best_val_loss"`
	BestEpoch       int            `json:"best_epoch"`
	KeptEpoch       int            `json:"kept_epoch"`
	Epochs          int            `json:"epochs"`
	FinalTrainLoss  float64        `json:"final_train_loss"`
	FinalValLoss    float64        `json:"final_val_loss"`
	SecondsPerEpoch float64        `json:"seconds_per_epoch"`
	Backend         string         `json:"backend"`
	Config          fashion.Config `json:"config"`
}

// NewRow summarizes a variant's runs, one per seed (the first seed's for
// the epochs and losses, the mean and sample sd over seeds for the
// accuracies).
func NewRow(v Variant, runs ...*fashion.Run) Row {
	r := runs[0]
	best, last := r.BestEpoch(), r.History[len(r.History)-1]
	test, val := make([]float64, len(runs)), make([]float64, len(runs))
	for i, run := range runs {
		test[i], val[i] = run.TestAccuracy, run.KeptValAccuracy()
	}
	row := Row{
		Name: v.Name, About: v.About, Hidden: r.Config.Hidden, Seeds: len(runs),
		BestValLoss: best.ValLoss, BestEpoch: best.Epoch, KeptEpoch: r.KeptEpoch,
		Epochs: len(r.History), FinalTrainLoss: last.TrainLoss, FinalValLoss: last.ValLoss,
		SecondsPerEpoch: r.SecondsPerEpoch, Backend: r.Backend, Config: r.Config,
	}
	row.TestAccuracy, row.TestAccuracySD = stats.MeanSD(test)
	row.ValAccuracy, row.ValAccuracySD = stats.MeanSD(val)
	// JSON has no NaN: one seed measures no spread, written 0.
	if len(runs) == 1 {
		row.TestAccuracySD, row.ValAccuracySD = 0, 0
	}
	return row
}

// accuracy writes a row's mean test or validation accuracy, with ± sd
// where it has several seeds.
func accuracy(mean, sd float64, seeds int) string {
	if seeds < 2 {
		return fmt.Sprintf("%.2f%%", 100*mean)
	}
	return fmt.Sprintf("%.2f ± %.2f%%", 100*mean, 100*sd)
}

// Markdown renders study rows as a Markdown table.
func Markdown(rows []Row) string {
	var b strings.Builder
	b.WriteString("| variant | what changes | hidden | seeds | val acc | test acc | test 95% (Wilson) | best val loss (epoch) | final train / val loss | s/epoch | backend |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		hidden := strings.Trim(strings.ReplaceAll(fmt.Sprint(r.Hidden), " ", "-"), "[]")
		lo, hi, _ := stats.Wilson95(r.TestAccuracy, TestImages)
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %.1f–%.1f%% | %.4f (%d) | %.4f / %.4f | %.2f | %s |\n",
			r.Name, r.About, hidden, r.Seeds, accuracy(r.ValAccuracy, r.ValAccuracySD, r.Seeds),
			accuracy(r.TestAccuracy, r.TestAccuracySD, r.Seeds), 100*lo, 100*hi,
			r.BestValLoss, r.BestEpoch, r.FinalTrainLoss, r.FinalValLoss, r.SecondsPerEpoch, r.Backend)
	}
	return b.String()
}

// TestImages is the size of the test half, the n of the Wilson intervals.
const TestImages = 5000

// Headline compares each seeded variant with the seeded baseline on test
// accuracy: a variant beats the baseline by more than its spread when the
// difference of the means exceeds the sum of the two sample standard
// deviations (so that neither seed-to-seed noise alone could make it). It
// returns one Markdown paragraph per verdict, "" when the rows have no
// seeded baseline.
func Headline(rows []Row) string {
	i := slices.IndexFunc(rows, func(r Row) bool { return r.Name == "baseline" })
	if i < 0 || rows[i].Seeds < 2 {
		return ""
	}
	base := rows[i]
	var beat, within, below []string
	for _, r := range rows {
		if r.Name == base.Name || r.Seeds < 2 {
			continue
		}
		d, spread := r.TestAccuracy-base.TestAccuracy, r.TestAccuracySD+base.TestAccuracySD
		desc := fmt.Sprintf("%s (%+.2f points, spread %.2f)", r.Name, 100*d, 100*spread)
		switch {
		case d > spread:
			beat = append(beat, desc)
		case d < -spread:
			below = append(below, desc)
		default:
			within = append(within, desc)
		}
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "none"
		}
		return strings.Join(xs, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Headline (%d seeds each).** The baseline's test accuracy is %s. ", base.Seeds, accuracy(base.TestAccuracy, base.TestAccuracySD, base.Seeds))
	fmt.Fprintf(&b, "Beat it by more than their spread (difference of the means > the sum of the two sample sds): %s. ", list(beat))
	fmt.Fprintf(&b, "Within the spread: %s. Below it by more than the spread: %s. ", list(within), list(below))
	b.WriteString("The other variants have one seed: their differences from the baseline are to be read against the Wilson interval of one accuracy on 5000 images (about ±0.9 points) and the seed spread above.\n")
	return b.String()
}

// StoredRuns returns the stored run of each of variants in cache, in
// their order: the entry under the key of the variant's exact Config (its
// first seed), as "fashion study" trained it. Runs are found by key, not by
// name, because the notebook stores other versions under the same names
// (a "dropout" with 0.5, say) and those are not the study's. Variants not
// stored yet are left out; a corrupt entry is an error.
func StoredRuns(cache fashion.Cache, variants []Variant) ([]*fashion.Run, error) {
	var runs []*fashion.Run
	for _, v := range variants {
		r, err := cache.Load(fashion.RunKey(v.Config, fashion.DataChecksum()))
		if errors.Is(err, fashion.ErrNotCached) {
			if _, statErr := os.Stat(filepath.Join(cache.Dir, fashion.RunKey(v.Config, fashion.DataChecksum()))); statErr != nil {
				continue // never stored
			}
		}
		if err != nil {
			return nil, fmt.Errorf("study: variant %s: %w", v.Name, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// GoEdits are the Go statements that turn fashion.DefaultConfig() (named
// cfg) into the variant's Config, one per changed field in the order of
// Config's fields: the cfg.X lines of a notebook cell that trains it
// ("fashion study -list-json" prints them).
func (v Variant) GoEdits() []string {
	var edits []string
	got, base := reflect.ValueOf(v.Config), reflect.ValueOf(fashion.DefaultConfig())
	for i := range got.NumField() {
		f := got.Type().Field(i)
		a, b := got.Field(i).Interface(), base.Field(i).Interface()
		if f.Name == "Backend" || reflect.DeepEqual(a, b) {
			continue
		}
		edits = append(edits, fmt.Sprintf("cfg.%s = %s", f.Name, goLiteral(a)))
	}
	return edits
}

// goLiteral writes a Config field's value as Go source: %#v's form, except
// that float64 values print as short decimals (0.001, not 0.001 with type
// noise) and slices of them likewise.
func goLiteral(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []float64:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return "[]float64{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%#v", v)
}
