package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
	"github.com/fashion-gomlx/fashion-gomlx/internal/filelock"
)

// Baseline is the name of the experiment every other one is compared with:
// the exercise's settings.
const Baseline = "baseline"

// Version is one configuration an experiment's name was trained with. A
// cell that runs Experiment(name, cfg) with a configuration the name has
// not had adds a version; the runs themselves stay in the run cache, the
// notebook's index (see IndexDir) only lists their keys, so forgetting a
// version deletes no run and the study's runs never enter the index.
type Version struct {
	Name string `json:"name"`
	// N numbers the name's versions 1, 2, ... in the order they were
	// first trained; forgetting one does not renumber the others.
	N int `json:"version"`
	// Trained is when the version was first run; Ran when a cell last
	// chose it (re-running a configuration the name had before makes
	// that version the latest again, without a duplicate).
	Trained time.Time `json:"trained"`
	Ran     time.Time `json:"ran"`
	// Section is the notebook section the cell is in (see Section).
	Section string `json:"section,omitempty"`
	// Config is the configuration as trained (reduced in quick mode),
	// with the first seed.
	Config fashion.Config `json:"config"`
	// Technique is the learner's technique trained beside Config (see
	// WithTechnique), nil for none.
	Technique *fashion.TechniqueRecord `json:"technique,omitempty"`
	// Seeds and Keys give each seed's run: Seeds[i] was trained as the
	// cache entry Keys[i].
	Seeds []uint64 `json:"seeds"`
	Keys  []string `json:"keys"`

	// Runs are the records of Keys (with the weights when Experiment
	// returns them, without when read back from the index).
	Runs []*fashion.Run `json:"-"`
}

// fromExercise says how v differs from the exercise (Config.Diff against
// DefaultConfig), with its technique, if any: "" for the exercise itself.
func (v *Version) fromExercise() string {
	diff := v.Config.Diff(fashion.DefaultConfig())
	if v.Technique != nil {
		diff = strings.TrimPrefix(diff+", técnica "+v.Technique.Name, ", ")
	}
	return diff
}

// index is one name's file in IndexDir.
type index struct {
	Name     string     `json:"name"`
	Versions []*Version `json:"versions"`
}

// IndexDir is where the notebook keeps the versions of its experiments, one
// file per name (<name>.json): <runs dir>/notebook, or notebook-quick in
// quick mode, so quick and full experiments never mix.
func IndexDir() string {
	dir := "notebook"
	if Quick() {
		dir = "notebook-quick"
	}
	return filepath.Join(fashion.DefaultRunsDir(), dir)
}

// predictionsDir keeps the test-half predictions of runs, by key (both
// modes: a key says everything about its run).
func predictionsDir() string {
	return filepath.Join(fashion.DefaultRunsDir(), "notebook", "predictions")
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// checkName rejects names that cannot be a file name of the index.
func checkName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("lab: experiment name %q is invalid: want 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", name)
	}
	return nil
}

func indexPath(name string) string { return filepath.Join(IndexDir(), name+".json") }

// readIndex reads a name's index; a name never run has an empty one.
func readIndex(name string) (*index, error) {
	data, err := os.ReadFile(indexPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return &index{Name: name}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	var ix index
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("lab: %s is not an experiment index: %w", indexPath(name), err)
	}
	if ix.Name != name {
		return nil, fmt.Errorf("lab: %s holds the experiment %q, not %q", indexPath(name), ix.Name, name)
	}
	return &ix, nil
}

// writeIndex writes a name's index atomically, or removes it when no
// version is left.
func writeIndex(ix *index) error {
	if len(ix.Versions) == 0 {
		if err := os.Remove(indexPath(ix.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("lab: %w", err)
		}
		return nil
	}
	data, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	if err := atomicfile.Write(indexPath(ix.Name), append(data, '\n')); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	return nil
}

// indexLockWait bounds how long a change to a name's index waits for
// another process's change to it. A change holds the lock for one read
// and one write of a small file, so a wait this long means the holder is
// stuck (a lock is never left behind by a process that died: the kernel
// releases it).
var indexLockWait = 30 * time.Second

// lockPath is the lock file of name's index.
func lockPath(name string) string { return indexPath(name) + ".lock" }

// lockedIndex takes the exclusive lock of name's index (see
// internal/filelock), so that two notebooks or scripts changing one name
// at once cannot lose each other's change, and reads the index under it.
// done releases the lock; when the name then has no index (forgotten, or
// a change that failed) it removes the lock file too, so a forgotten name
// leaves nothing behind. create makes the index's directory; without it
// (forgetting), no directory means no index, and nothing is locked.
func lockedIndex(name string, create bool) (ix *index, done func(), err error) {
	if create {
		if err := os.MkdirAll(IndexDir(), 0o755); err != nil {
			return nil, nil, fmt.Errorf("lab: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), indexLockWait)
	defer cancel()
	l, err := filelock.Acquire(ctx, lockPath(name))
	if !create && errors.Is(err, fs.ErrNotExist) {
		return &index{Name: name}, func() {}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lab: the index of %q is being changed by another notebook or script: %w", name, err)
	}
	done = func() {
		// An error releasing loses nothing: the index is written (or
		// not) by now, and closing the file releases the lock anyway.
		if _, err := os.Stat(indexPath(name)); errors.Is(err, fs.ErrNotExist) {
			_ = l.Remove()
		} else {
			_ = l.Unlock()
		}
	}
	if ix, err = readIndex(name); err != nil {
		done()
		return nil, nil, err
	}
	return ix, done, nil
}

// record adds v (runs trained or read back now) to its name's index and
// returns the index and v's place in it. The same keys as the latest
// version are no new version (an unchanged re-run); the same keys as an
// older version make that one the latest again.
func record(v *Version) (*index, int, error) {
	ix, done, err := lockedIndex(v.Name, true)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	now := time.Now().UTC()
	i := slices.IndexFunc(ix.Versions, func(old *Version) bool { return slices.Equal(old.Keys, v.Keys) })
	switch {
	case i >= 0 && i == len(ix.Versions)-1:
		old := ix.Versions[i]
		if old.Section == v.Section {
			return ix, i, nil // nothing to write: a cell re-run as it was
		}
		old.Section = v.Section
	case i >= 0:
		old := ix.Versions[i]
		old.Ran, old.Section = now, v.Section
		ix.Versions = append(slices.Delete(ix.Versions, i, i+1), old)
	default:
		n := 0
		for _, old := range ix.Versions {
			n = max(n, old.N)
		}
		v.N, v.Trained, v.Ran = n+1, now, now
		ix.Versions = append(ix.Versions, v)
	}
	if err := writeIndex(ix); err != nil {
		return nil, 0, err
	}
	return ix, slices.IndexFunc(ix.Versions, func(old *Version) bool { return slices.Equal(old.Keys, v.Keys) }), nil
}

// fillRuns reads the records of the versions' keys from the run cache, by
// key: a runs directory shared with a sweep may hold thousands of records.
func fillRuns(versions []*Version) error {
	for _, v := range versions {
		if len(v.Runs) == len(v.Keys) {
			continue
		}
		v.Runs = make([]*fashion.Run, len(v.Keys))
		for i, k := range v.Keys {
			r, err := runs().Record(k)
			if err != nil {
				return fmt.Errorf("lab: %s v%d: run %s is not in %s (deleted from the cache? run the cell again, or lab.ForgetVersion(%q, %d)): %w",
					v.Name, v.N, k, runs().Dir, v.Name, v.N, err)
			}
			r.Name = v.Name // a run shared with another name or the study keeps its first label
			v.Runs[i] = r
		}
	}
	return nil
}

// Versions returns the versions of an experiment of this notebook, oldest
// first (the last is the latest), with their run records.
func Versions(name string) ([]*Version, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	ix, err := readIndex(name)
	if err != nil {
		return nil, err
	}
	if len(ix.Versions) == 0 {
		return nil, fmt.Errorf("lab: no experiment named %q in %s (run its cell first)", name, IndexDir())
	}
	if err := fillRuns(ix.Versions); err != nil {
		return nil, err
	}
	return ix.Versions, nil
}

// Forget drops an experiment name and all its versions from the notebook.
// Its runs stay in the run cache (other names and the study may share
// them, and re-running the cell then costs nothing); no other name is
// touched.
func Forget(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	ix, done, err := lockedIndex(name, false)
	if err != nil {
		return err
	}
	defer done()
	if len(ix.Versions) == 0 {
		return fmt.Errorf("lab: Forget: no experiment named %q in %s", name, IndexDir())
	}
	ix.Versions = nil
	return writeIndex(ix)
}

// ForgetVersion drops version n of an experiment name from the notebook,
// as Forget does for all of them.
func ForgetVersion(name string, n int) error {
	if err := checkName(name); err != nil {
		return err
	}
	ix, done, err := lockedIndex(name, false)
	if err != nil {
		return err
	}
	defer done()
	i := slices.IndexFunc(ix.Versions, func(v *Version) bool { return v.N == n })
	if i < 0 {
		have := make([]string, len(ix.Versions))
		for j, v := range ix.Versions {
			have[j] = fmt.Sprint(v.N)
		}
		return fmt.Errorf("lab: ForgetVersion: %q has no version %d (versions: %s)", name, n, strings.Join(have, ", "))
	}
	ix.Versions = slices.Delete(ix.Versions, i, i+1)
	return writeIndex(ix)
}

// Experiments returns the latest version of each experiment this notebook
// defined (in the current mode, quick or full), in the order the names
// were first trained, with their run records. Runs in the cache that no
// cell trained (the study's, say) are not among them.
func Experiments() ([]*Version, error) {
	files, err := filepath.Glob(filepath.Join(IndexDir(), "*.json"))
	if err != nil {
		return nil, err
	}
	type named struct {
		first time.Time
		v     *Version
	}
	var latest []named
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if checkName(name) != nil {
			continue // not an index file (e.g. a temporary one)
		}
		ix, err := readIndex(name)
		if err != nil {
			return nil, err
		}
		if len(ix.Versions) == 0 {
			continue
		}
		first := ix.Versions[0].Trained
		for _, v := range ix.Versions {
			if v.Trained.Before(first) {
				first = v.Trained
			}
		}
		latest = append(latest, named{first, ix.Versions[len(ix.Versions)-1]})
	}
	slices.SortStableFunc(latest, func(a, b named) int { return a.first.Compare(b.first) })
	out := make([]*Version, len(latest))
	for i, l := range latest {
		out[i] = l.v
	}
	if err := fillRuns(out); err != nil {
		return nil, err
	}
	return out, nil
}

// latest returns the latest version of name, or nil if the notebook has
// none.
func latest(name string) (*Version, error) {
	ix, err := readIndex(name)
	if err != nil || len(ix.Versions) == 0 {
		return nil, err
	}
	v := ix.Versions[len(ix.Versions)-1]
	if err := fillRuns([]*Version{v}); err != nil {
		return nil, err
	}
	return v, nil
}

// StoredExperiment returns, with its weights, the first seed's run of the
// latest version of the experiment name.
func StoredExperiment(name string) (*fashion.Run, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	v, err := latest(name)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("lab: no experiment named %q in %s (run its cell first)", name, IndexDir())
	}
	return loadRun(v, 0)
}

// loadRun loads run i of v with its weights, named after v.
func loadRun(v *Version, i int) (*fashion.Run, error) {
	r, err := runs().Load(v.Keys[i])
	if err != nil {
		return nil, err
	}
	r.Name = v.Name
	return r, nil
}

// BestExperiment returns, with its weights, the run chosen on validation
// accuracy alone, so that the test half stays an unbiased estimate: the
// notebook's experiment whose latest version has the highest mean
// validation accuracy (at the kept epoch) over its seeds, and of that
// version the seed with the highest.
func BestExperiment() (*fashion.Run, error) {
	exps, err := Experiments()
	if err != nil {
		return nil, err
	}
	if len(exps) == 0 {
		return nil, fmt.Errorf("lab: no experiments in %s (run the training cells first)", IndexDir())
	}
	best := exps[0]
	for _, v := range exps[1:] {
		if m, _ := v.ValAccuracy(); m > first(best.ValAccuracy()) {
			best = v
		}
	}
	i := 0
	for j, r := range best.Runs {
		if r.KeptValAccuracy() > best.Runs[i].KeptValAccuracy() {
			i = j
		}
	}
	m, sd := best.ValAccuracy()
	fmt.Printf("El mejor por exactitud de validación: %s v%d (%s con %d semilla(s)); su semilla %d: %.2f%% en la época %d\n",
		best.Name, best.N, pct(m, sd), len(best.Runs), best.Seeds[i], 100*best.Runs[i].KeptValAccuracy(), best.Runs[i].KeptEpoch)
	return loadRun(best, i)
}

func first(a, _ float64) float64 { return a }

// over is the mean and sample sd of a metric over a version's runs.
func (v *Version) over(get func(*fashion.Run) float64) (mean, sd float64) {
	xs := make([]float64, len(v.Runs))
	for i, r := range v.Runs {
		xs[i] = get(r)
	}
	return stats.MeanSD(xs)
}

// ValAccuracy is the mean and sample standard deviation over the seeds of
// the validation accuracy at the kept epoch (sd NaN for one seed).
func (v *Version) ValAccuracy() (mean, sd float64) {
	return v.over(func(r *fashion.Run) float64 { return r.KeptValAccuracy() })
}

// TestAccuracy is the mean and sample standard deviation over the seeds of
// the test accuracy.
func (v *Version) TestAccuracy() (mean, sd float64) {
	return v.over(func(r *fashion.Run) float64 { return r.TestAccuracy })
}

// BestValLoss is the mean and sample standard deviation over the seeds of
// each run's lowest validation loss.
func (v *Version) BestValLoss() (mean, sd float64) {
	return v.over(func(r *fashion.Run) float64 { return r.BestEpoch().ValLoss })
}

// pct writes a fraction's mean ± sd in percent ("89.12%" for one seed).
func pct(mean, sd float64) string {
	if math.IsNaN(sd) {
		return fmt.Sprintf("%.2f%%", 100*mean)
	}
	return fmt.Sprintf("%.2f ± %.2f%%", 100*mean, 100*sd)
}

// loss writes a loss's mean ± sd.
func loss(mean, sd float64) string {
	if math.IsNaN(sd) {
		return fmt.Sprintf("%.4f", mean)
	}
	return fmt.Sprintf("%.4f ± %.4f", mean, sd)
}
