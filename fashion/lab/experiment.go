package lab

import (
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
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
func quickened(cfg fashion.Config) fashion.Config {
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

// Data loads the data once per process (see fashion.Load).
var Data = sync.OnceValues(func() (*fashion.Data, error) { return fashion.Load("") })

// Must returns v, or panics with err: for notebook cells, where a failed
// step should stop the cell loudly.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 is Must for functions that return two values and an error.
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// NoError panics if err is not nil: for cells that call a Display function.
func NoError(err error) {
	if err != nil {
		panic(err)
	}
}

// runs is the notebook's run cache.
func runs() fashion.Cache { return fashion.Cache{Dir: fashion.DefaultRunsDir()} }

// Option is a setting of Experiment beyond its Config.
type Option func(*options) error

type options struct {
	seeds   int
	section string
	session *fashion.Session
}

// InSession trains in sess instead of a session of the experiment's own:
// a program that runs several experiments of the same model compiles its
// graphs once for all of them (the seeds of one experiment always share
// theirs). A notebook cell is a process of its own, so there is nothing to
// share between cells; this is for programs and tests.
func InSession(sess *fashion.Session) Option {
	return func(o *options) error {
		if sess == nil {
			return fmt.Errorf("lab: InSession(nil): want a session from fashion.NewSession")
		}
		o.session = sess
		return nil
	}
}

// Seeds trains the experiment with n seeds, cfg.Seed, cfg.Seed+1, ...,
// cfg.Seed+n−1 (initialization and shuffling; the validation/test split,
// SplitSeed, stays the same), each its own cached run, and reports the
// mean ± standard deviation over them. n is 1 to 20.
func Seeds(n int) Option {
	return func(o *options) error {
		if n < 1 || n > 20 {
			return fmt.Errorf("lab: Seeds(%d): want 1 to 20 seeds", n)
		}
		o.seeds = n
		return nil
	}
}

// Section says which section of the notebook the experiment belongs to,
// e.g. "Normalización": the comparison draws one panel per section.
func Section(name string) Option {
	return func(o *options) error {
		o.section = name
		return nil
	}
}

// Experiment trains cfg under a name, or reads back the stored run of the
// same configuration at once, and records it as a version of name (see
// Version): a new configuration adds a version, the same one as the latest
// adds nothing. While training it prints one line per epoch
// (fashion.FormatEpoch) and, in a notebook, draws live curves; then the
// cell shows the loss curves of this version against the name's previous
// versions and the baseline (grey), and one line with what changed since
// the previous version and how the best validation loss and the
// validation accuracy moved.
func Experiment(name string, cfg fashion.Config, opts ...Option) (*Version, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	o := options{seeds: 1}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	cfg = quickened(cfg) // validated once, by TrainCached
	data, err := Data()
	if err != nil {
		return nil, err
	}
	title := name
	if diff := cfg.Diff(fashion.DefaultConfig()); diff != "" {
		title += " (" + diff + ")"
	}
	if o.session == nil {
		o.session = fashion.NewSession()
		defer o.session.Close()
	}
	live := NewLivePlot(title)
	v := &Version{Name: name, Section: o.section, Config: cfg}
	for i := range o.seeds {
		c := cfg
		c.Seed = cfg.Seed + uint64(i)
		label := name
		if o.seeds > 1 {
			label = fmt.Sprintf("%s seed %d", name, c.Seed)
			live.Restart(fmt.Sprintf("%s, seed %d (%d of %d)", title, c.Seed, i+1, o.seeds))
		}
		run, err := trainOne(o.session, data, name, label, c, live, i == 0)
		if err != nil {
			return nil, err
		}
		v.Seeds, v.Keys, v.Runs = append(v.Seeds, c.Seed), append(v.Keys, run.Key), append(v.Runs, run)
	}
	if o.seeds > 1 {
		bestLoss, bestSD := v.BestValLoss()
		fmt.Printf("%s, %d seeds: best val loss %s; val accuracy %s; test accuracy %s (mean ± sd)\n",
			name, o.seeds, loss(bestLoss, bestSD), pct(v.ValAccuracy()), pct(v.TestAccuracy()))
	}
	ix, at, err := record(v)
	if err != nil {
		return nil, err
	}
	if cur := ix.Versions[at]; cur != v { // an unchanged re-run, or an older version chosen again
		cur.Runs = v.Runs
		v = cur
	}
	if err := showVersions(live, ix, at); err != nil {
		return nil, err
	}
	return v, nil
}

// trainOne trains (or reads back) one seed's run of the experiment name,
// labelled label in what it prints, printing its epochs;
// a stored run's epochs are printed for the first seed only (the others'
// would only repeat the story).
func trainOne(sess *fashion.Session, data *fashion.Data, name, label string, cfg fashion.Config, live *LivePlot, printStored bool) (*fashion.Run, error) {
	hooks := &fashion.Hooks{
		Backend: func(b *fashion.Backend) { fmt.Printf("%s: %s\n", label, b) },
		Epoch: func(e fashion.Epoch) error {
			fmt.Println(fashion.FormatEpoch(e, cfg.Epochs))
			return live.Update(e)
		},
	}
	run, cached, err := fashion.TrainCached(data, cfg, fashion.CacheOptions{Cache: runs(), Name: name, Hooks: hooks, Quick: Quick(), Session: sess})
	if err != nil {
		return nil, fmt.Errorf("lab: experiment %s: %w", label, err)
	}
	if cached {
		fmt.Printf("%s: stored run %s (trained %s on %s); not retrained\n",
			label, run.Key, run.Started.Format("2006-01-02 15:04"), run.Backend)
		if printStored {
			for _, e := range run.History {
				fmt.Println(fashion.FormatEpoch(e, run.Config.Epochs))
			}
		}
	}
	best, last := run.BestEpoch(), run.History[len(run.History)-1]
	fmt.Printf("%s: best val loss %.4f at epoch %d; final train/val loss %.4f/%.4f; val accuracy %.2f%%, test accuracy %.2f%% (epoch %d's weights); %.2f s/epoch\n",
		label, best.ValLoss, best.Epoch, last.TrainLoss, last.ValLoss, 100*run.KeptValAccuracy(), 100*run.TestAccuracy, run.KeptEpoch, run.SecondsPerEpoch)
	return run, nil
}

// maxShown is how many earlier versions a cell draws besides the current
// one: more would crowd the chart.
const maxShown = 3

// showVersions prints what changed from the previous version of the name
// (and how the results moved, also against the baseline), and replaces
// the live plot with the loss curves of the versions and the baseline.
func showVersions(live *LivePlot, ix *index, at int) error {
	cur := ix.Versions[at]
	var groups []figures.Group
	var base *Version
	if cur.Name != Baseline {
		var err error
		if base, err = latest(Baseline); err != nil {
			return err
		}
	}
	if base != nil {
		groups = append(groups, figures.Group{Name: Baseline, Histories: histories(base), Grey: true})
	}
	var earlier []*Version
	for i, v := range ix.Versions {
		if i != at {
			earlier = append(earlier, v)
		}
	}
	earlier = earlier[max(0, len(earlier)-maxShown):]
	if err := fillRuns(earlier); err != nil {
		return err
	}
	for k, v := range earlier {
		groups = append(groups, figures.Group{Name: fmt.Sprintf("v%d", v.N), Histories: histories(v), Dashed: true,
			Color: chart.Palette[(k+1)%len(chart.Palette)]})
	}
	groups = append(groups, figures.Group{Name: fmt.Sprintf("v%d (this cell)", cur.N), Histories: histories(cur), Color: chart.Palette[0]})

	if len(earlier) == 0 {
		fmt.Printf("%s v%d: the first version of %s\n", cur.Name, cur.N, cur.Name)
	} else {
		prev := earlier[len(earlier)-1]
		fmt.Println(changeLine(cur, prev, fmt.Sprintf("v%d", prev.N)))
	}
	if base != nil {
		fmt.Println(changeLine(cur, base, Baseline))
	}
	title := fmt.Sprintf("%s v%d", cur.Name, cur.N)
	switch {
	case len(earlier) > 0 && base != nil:
		title += ": against its earlier versions and the baseline"
	case len(earlier) > 0:
		title += ": against its earlier versions"
	case base != nil:
		title += ": against the baseline"
	}
	if len(cur.Seeds) > 1 {
		title += fmt.Sprintf(" (mean ± sd of %d seeds)", len(cur.Seeds))
	}
	svg, err := figures.VersionsSVG(title, groups)
	if err != nil {
		return err
	}
	return live.Show(svg)
}

// histories are the histories of a version's runs.
func histories(v *Version) [][]fashion.Epoch {
	h := make([][]fashion.Epoch, len(v.Runs))
	for i, r := range v.Runs {
		h[i] = r.History
	}
	return h
}

// changeLine says what differs in cur from prev (a previous version or the
// baseline, called what) and how the best validation loss and the
// validation accuracy moved, e.g.
//
//	dropout v2 vs v1: dropout=[0.5] (was dropout=[0.2]); best val loss 0.3312 → 0.3290 (-0.0022); val accuracy 88.96% → 89.20% (+0.24 points)
func changeLine(cur, prev *Version, what string) string {
	change := cur.Config.Diff(prev.Config)
	if change != "" {
		// A field left out of prev's JSON (an empty Dropout) has no
		// "name=value" of its own.
		was := prev.Config.Diff(cur.Config)
		if was == "" {
			was = "unset"
		}
		change += " (was " + was + ")"
	}
	// Against the baseline the seed counts are no change of the experiment.
	if len(cur.Seeds) != len(prev.Seeds) && prev.Name == cur.Name {
		if change != "" {
			change += ", "
		}
		change += fmt.Sprintf("%d seed(s), was %d", len(cur.Seeds), len(prev.Seeds))
	}
	if change == "" {
		change = "same settings"
		if !slices.Equal(cur.Keys, prev.Keys) {
			change += ", trained again (the data or the core code changed)"
		}
	}
	pl, _ := prev.BestValLoss()
	cl, _ := cur.BestValLoss()
	pa, _ := prev.ValAccuracy()
	ca, _ := cur.ValAccuracy()
	return fmt.Sprintf("%s v%d vs %s: %s; best val loss %.4f → %.4f (%+.4f); val accuracy %.2f%% → %.2f%% (%+.2f points)",
		cur.Name, cur.N, what, change, pl, cl, cl-pl, 100*pa, 100*ca, 100*(ca-pa))
}

// TestHalf returns the test half of the official test set as cfg's run saw
// it (raw images, for display and for Run.Evaluate).
func TestHalf(cfg fashion.Config) (*fashion.Set, error) {
	data, err := Data()
	if err != nil {
		return nil, err
	}
	return fashion.TestHalf(data, cfg)
}
