package lab

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
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

// Experiment trains cfg under a name, or returns the stored run of the same
// configuration at once. While training it prints one line per epoch
// (fashion.FormatEpoch) and, in a notebook, draws live curves that end as a
// static chart.
func Experiment(name string, cfg fashion.Config) (*fashion.Run, error) {
	if name == "" {
		return nil, errors.New("lab: an experiment needs a name")
	}
	cfg = quickened(cfg)
	data, err := Data()
	if err != nil {
		return nil, err
	}
	title := name
	if diff := cfg.Diff(fashion.DefaultConfig()); diff != "" {
		title += " (" + diff + ")"
	}
	live := NewLivePlot(title)
	hooks := &fashion.Hooks{
		Backend: func(b *fashion.Backend) { fmt.Printf("%s: %s\n", name, b) },
		Epoch: func(e fashion.Epoch) error {
			fmt.Println(fashion.FormatEpoch(e, cfg.Epochs))
			return live.Update(e)
		},
	}
	run, cached, err := fashion.TrainCached(data, cfg, fashion.CacheOptions{Cache: runs(), Name: name, Hooks: hooks, Quick: Quick()})
	if err != nil {
		return nil, err
	}
	if cached {
		fmt.Printf("%s: stored run %s (trained %s on %s); not retrained\n",
			name, run.Key, run.Started.Format("2006-01-02 15:04"), run.Backend)
		for _, e := range run.History {
			fmt.Println(fashion.FormatEpoch(e, run.Config.Epochs))
		}
		err = live.DoneWith(run.History)
	} else {
		err = live.Done()
	}
	if err != nil {
		return nil, err
	}
	best, last := run.BestEpoch(), run.History[len(run.History)-1]
	fmt.Printf("%s: best val loss %.4f at epoch %d; final train/val loss %.4f/%.4f; test accuracy %.2f%% (epoch %d's weights); %.2f s/epoch\n",
		name, best.ValLoss, best.Epoch, last.TrainLoss, last.ValLoss, 100*run.TestAccuracy, run.KeptEpoch, run.SecondsPerEpoch)
	return run, nil
}

// Experiments returns the latest stored run of each name trained in the
// current mode (quick or full), in the order the names first appeared.
func Experiments() ([]*fashion.Run, error) {
	all, err := runs().Runs()
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(r *fashion.Run) bool { return r.Quick != Quick() })
	return fashion.LatestByName(all), nil
}

// StoredExperiment returns the latest stored run named name, with its
// weights.
func StoredExperiment(name string) (*fashion.Run, error) {
	all, err := Experiments()
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Name == name {
			return runs().Load(r.Key)
		}
	}
	return nil, fmt.Errorf("lab: no stored experiment named %q in %s (run its cell first)", name, fashion.DefaultRunsDir())
}

// BestExperiment returns, with its weights, the stored run with the highest
// validation accuracy at its kept epoch: the choice uses the validation half
// only, so the test half stays an unbiased estimate.
func BestExperiment() (*fashion.Run, error) {
	all, err := Experiments()
	if err != nil {
		return nil, err
	}
	best := fashion.BestByValidation(all)
	if best == nil {
		return nil, fmt.Errorf("lab: no stored experiments in %s (run the training cells first)", fashion.DefaultRunsDir())
	}
	fmt.Printf("best by validation accuracy: %s (%.2f%% at epoch %d)\n", best.Name, 100*best.KeptValAccuracy(), best.KeptEpoch)
	run, err := runs().Load(best.Key)
	if err != nil {
		return nil, err
	}
	run.Name = best.Name
	return run, nil
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
