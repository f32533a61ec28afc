package fashion

// Helpers for the GoNB notebook, where every cell runs as a new process:
// runs live in the cache (data/runs) between cells, and each cell is a few
// lines that say what differs from the defaults.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
)

// QuickEnv names the environment variable that makes notebook experiments
// quick (a 2000-image subset, at most 2 epochs): set it to 1 to check the
// notebook end to end in a few minutes, as CI does.
const QuickEnv = "FASHION_QUICK"

// Quick reports whether $FASHION_QUICK asks for quick experiments.
func Quick() bool {
	v := os.Getenv(QuickEnv)
	return v != "" && v != "0" && v != "false"
}

// quickened returns cfg reduced for quick mode.
func quickened(cfg Config) Config {
	if !Quick() {
		return cfg
	}
	cfg.Epochs = min(cfg.Epochs, 2)
	if cfg.TrainLimit == 0 || cfg.TrainLimit > 2000 {
		cfg.TrainLimit = 2000
	}
	cfg.WarmupEpochs = min(cfg.WarmupEpochs, float64(cfg.Epochs)/2)
	return cfg
}

// NotebookData loads the data once per process (see Load).
var NotebookData = sync.OnceValues(func() (*Data, error) { return Load("") })

// Must returns v, or panics with err: for notebook cells, where a failed
// step should stop the cell loudly.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Experiment trains cfg under a name, or returns the stored run of the same
// configuration at once. While training it prints one line per epoch as the
// exercise does and, in a notebook, draws live curves that end as a static
// chart.
func Experiment(name string, cfg Config) (*Run, error) {
	if name == "" {
		return nil, errors.New("fashion: an experiment needs a name")
	}
	cfg = quickened(cfg)
	data, err := NotebookData()
	if err != nil {
		return nil, err
	}
	title := name
	if diff := ConfigDiff(cfg); diff != "" {
		title += " (" + diff + ")"
	}
	live := NewLivePlot(title)
	printEpoch := func(e Epoch) {
		fmt.Printf("Epoca actual : %d/%d  Train loss : %.4f  Val loss : %.4f  Diff: %6.1f  Val acc : %.2f%%  (%.1f s)\n",
			e.Epoch, cfg.Epochs, e.TrainLoss, e.ValLoss, e.Diff, 100*e.ValAccuracy, e.Seconds)
	}
	hooks := &Hooks{
		Backend: func(b *Backend) { fmt.Printf("%s: %s\n", name, b) },
		Epoch: func(e Epoch) error {
			printEpoch(e)
			return live.Update(e)
		},
	}
	run, cached, err := TrainCached(data, cfg, CacheOptions{Name: name, Hooks: hooks, Quick: Quick()})
	if err != nil {
		return nil, err
	}
	if cached {
		fmt.Printf("%s: stored run %s (trained %s on %s); not retrained\n",
			name, run.Key, run.Started.Format("2006-01-02 15:04"), shortConfig(run.Backend))
		for _, e := range run.History {
			printEpoch(e)
		}
		live.DoneWith(run.History)
	} else {
		live.Done()
	}
	best := run.BestEpoch()
	fmt.Printf("%s: best val loss %.4f at epoch %d; final train/val loss %.4f/%.4f; test accuracy %.2f%% (epoch %d's weights); %.2f s/epoch\n",
		name, best.ValLoss, best.Epoch, run.History[len(run.History)-1].TrainLoss, run.History[len(run.History)-1].ValLoss,
		100*run.TestAccuracy, run.KeptEpoch, run.SecondsPerEpoch)
	return run, nil
}

// Experiments returns the latest stored run of each name trained in the
// current mode (quick or full), in the order the names first appeared.
func Experiments() ([]*Run, error) {
	runs, err := Cache{Dir: DefaultRunsDir()}.Runs()
	if err != nil {
		return nil, err
	}
	latest := map[string]*Run{}
	var order []string
	for _, r := range runs {
		if r.Name == "" || r.Quick != Quick() {
			continue
		}
		if _, seen := latest[r.Name]; !seen {
			order = append(order, r.Name)
		}
		latest[r.Name] = r
	}
	out := make([]*Run, len(order))
	for i, name := range order {
		out[i] = latest[name]
	}
	return out, nil
}

// StoredExperiment returns the latest stored run named name, with its
// weights.
func StoredExperiment(name string) (*Run, error) {
	runs, err := Experiments()
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.Name == name {
			return Cache{Dir: DefaultRunsDir()}.Load(r.Key)
		}
	}
	return nil, fmt.Errorf("fashion: no stored experiment named %q in %s (run its cell first)", name, DefaultRunsDir())
}

// ConfigDiff lists the settings of cfg that differ from DefaultConfig, as
// "name=value" pairs with the JSON names (backend and eval batch size,
// which do not change results, are left out).
func ConfigDiff(cfg Config) string {
	var a, b map[string]any
	ja, _ := json.Marshal(cfg)
	jb, _ := json.Marshal(DefaultConfig())
	_ = json.Unmarshal(ja, &a)
	_ = json.Unmarshal(jb, &b)
	var keys []string
	for k := range a {
		if k != "backend" && k != "eval_batch_size" && !reflect.DeepEqual(a[k], b[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v, _ := json.Marshal(a[k])
		parts[i] = k + "=" + strings.Trim(string(v), `"`)
	}
	return strings.Join(parts, " ")
}

// comparisonHeader and comparisonRows are the comparison table of runs:
// what differs from the defaults, best validation loss and its epoch, final
// losses, test accuracy and speed.
var comparisonHeader = []string{"run", "differs from the exercise", "best val loss (epoch)",
	"final train loss", "final val loss", "test acc", "s/epoch"}

func comparisonRows(runs []*Run) [][]string {
	rows := make([][]string, len(runs))
	for i, r := range runs {
		best, last := r.BestEpoch(), r.History[len(r.History)-1]
		diff := ConfigDiff(r.Config)
		if diff == "" {
			diff = "—"
		}
		rows[i] = []string{r.Name, diff, fmt.Sprintf("%.4f (%d)", best.ValLoss, best.Epoch),
			fmt.Sprintf("%.4f", last.TrainLoss), fmt.Sprintf("%.4f", last.ValLoss),
			fmt.Sprintf("%.2f%%", 100*r.TestAccuracy), fmt.Sprintf("%.2f", r.SecondsPerEpoch)}
	}
	return rows
}

// ComparisonMarkdown is the comparison table of runs in Markdown.
func ComparisonMarkdown(runs []*Run) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(comparisonHeader, " | ") + " |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|\n")
	for _, row := range comparisonRows(runs) {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// DisplayComparison shows the validation-loss curves of runs in one chart
// and their table; outside a notebook it prints the table.
func DisplayComparison(runs []*Run) error {
	if len(runs) == 0 {
		return errors.New("fashion: no runs to compare (run the training cells first)")
	}
	names := make([]string, len(runs))
	histories := make([][]Epoch, len(runs))
	for i, r := range runs {
		names[i], histories[i] = r.Name, r.History
	}
	if err := DisplayOverlay("Validation loss", "val_loss", names, histories); err != nil {
		return err
	}
	table := ComparisonMarkdown(runs)
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(table)
	} else {
		fmt.Print(table)
	}
	return nil
}

// TestSplit returns the test half of the official test set as the run saw
// it: raw images (for display) and standardized tensors (for the model).
func TestSplit(cfg Config) (*Set, *Tensors, error) {
	data, err := NotebookData()
	if err != nil {
		return nil, nil, err
	}
	_, test, err := SplitHalves(data.Test, cfg.SplitSeed)
	if err != nil {
		return nil, nil, err
	}
	return test, NewTensors(test), nil
}

// Misclassified returns up to n test images the model got wrong, with
// captions "true: X / pred: Y".
func Misclassified(test *Set, ev *Evaluation, n int) (images [][]uint8, captions []string) {
	for i, p := range ev.Predictions {
		if len(images) == n {
			break
		}
		if truth := test.Labels[i]; int32(truth) != p {
			images = append(images, test.Image(i))
			captions = append(captions, "true: "+ClassNames[truth]+"\npred: "+ClassNames[p])
		}
	}
	return images, captions
}

// DisplayEvaluation evaluates a run on its test half and shows the test
// accuracy, the confusion matrix, the accuracy of each class and a gallery
// of misclassified images; outside a notebook it prints the figures.
func DisplayEvaluation(run *Run, gallery int) (*Evaluation, error) {
	test, tensors, err := TestSplit(run.Config)
	if err != nil {
		return nil, err
	}
	ev, err := run.Evaluate(tensors)
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: test accuracy %.2f%% (%d images), loss %.4f\n", run.Name, 100*ev.Accuracy, tensors.Len(), ev.Loss)
	DisplayConfusion("Confusion matrix: "+run.Name, ev.Confusion)
	DisplayBars("Accuracy per class: "+run.Name, ClassNames[:], ev.PerClass[:], "%.1f%%")
	images, captions := Misclassified(test, ev, gallery)
	if err := DisplayImages(images, captions, 8); err != nil {
		return nil, err
	}
	if !gonbui.IsNotebook {
		for c, acc := range ev.PerClass {
			fmt.Printf("  %-12s %.1f%%\n", ClassNames[c], 100*acc)
		}
	}
	return ev, nil
}

// Must2 is Must for functions that return two values and an error.
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// IndexOf returns the index of the first example of class label, or -1.
func (s *Set) IndexOf(label uint8) int {
	for i, l := range s.Labels {
		if l == label {
			return i
		}
	}
	return -1
}

// Sample returns the first n images (fewer if the set is smaller) with
// their class names as captions.
func (s *Set) Sample(n int) (images [][]uint8, captions []string) {
	for i := range min(n, s.Len()) {
		images = append(images, s.Image(i))
		captions = append(captions, ClassNames[s.Labels[i]])
	}
	return images, captions
}

// BestExperiment returns, with its weights, the stored run with the highest
// validation accuracy at its kept epoch: the choice uses the validation half
// only, so the test half stays an unbiased estimate.
func BestExperiment() (*Run, error) {
	runs, err := Experiments()
	if err != nil {
		return nil, err
	}
	var best *Run
	for _, r := range runs {
		if best == nil || r.History[r.KeptEpoch].ValAccuracy > best.History[best.KeptEpoch].ValAccuracy {
			best = r
		}
	}
	if best == nil {
		return nil, fmt.Errorf("fashion: no stored experiments in %s (run the training cells first)", DefaultRunsDir())
	}
	fmt.Printf("best by validation accuracy: %s (%.2f%% at epoch %d)\n", best.Name, 100*best.History[best.KeptEpoch].ValAccuracy, best.KeptEpoch)
	return Cache{Dir: DefaultRunsDir()}.Load(best.Key)
}
