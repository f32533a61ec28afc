package fashion

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// sources are the files that decide a run's numbers: their hash is the code
// version that keys the run cache, so a change to how data is prepared or a
// model trained retrains, while a change to plots or notebook helpers does
// not. A new file that affects training belongs in this list.
//
//go:embed config.go preprocess.go model.go optim.go schedule.go train.go
var sources embed.FS

// CodeVersion is a short hash of the sources that decide training results.
var CodeVersion = sync.OnceValue(func() string {
	h := sha256.New()
	names, _ := fs.Glob(sources, "*.go")
	sort.Strings(names)
	for _, name := range names {
		data, _ := sources.ReadFile(name)
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// RunKey identifies a training run by everything that determines it: the
// full Config, the data's checksum and the code version.
func RunKey(cfg Config, dataChecksum string) string {
	cfgJSON, _ := json.Marshal(cfg)
	h := sha256.Sum256(fmt.Appendf(nil, "%s\n%s\n%s", cfgJSON, dataChecksum, CodeVersion()))
	return hex.EncodeToString(h[:])[:16]
}

// Cache keeps finished runs, record and parameters, in a directory:
// <key>.json (the record) and <key>.params (the weights, gob-encoded). The
// parameters file is written first and the record, which holds its SHA-256,
// last, both atomically: a record is never visible before its weights, and
// weights that do not match their record are not trusted.
type Cache struct {
	Dir string
}

// DefaultRunsDir is where runs are kept: $FASHION_RUNS_DIR if set, else
// data/runs at the root of this repository when the working directory is
// inside it (a notebook runs from notebooks/), else ./data/runs.
func DefaultRunsDir() string {
	if dir := os.Getenv("FASHION_RUNS_DIR"); dir != "" {
		return dir
	}
	if root := RepoRoot(); root != "" {
		return filepath.Join(root, "data", "runs")
	}
	return filepath.Join("data", "runs")
}

// modulePath is this repository's Go module.
const modulePath = "github.com/fashion-gomlx/fashion-gomlx"

// RepoRoot returns the nearest directory at or above the working directory
// whose go.mod declares this module, or "".
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.HasPrefix(bytes.TrimSpace(data), []byte("module "+modulePath+"\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ErrNotCached is returned by Cache.Load when no usable run is stored.
var ErrNotCached = errors.New("run not in cache")

func (c Cache) paths(key string) (record, params string) {
	return filepath.Join(c.Dir, key+".json"), filepath.Join(c.Dir, key+".params")
}

// Load returns the stored run of key with its parameters. A missing,
// partial or corrupt entry is an error wrapping ErrNotCached.
func (c Cache) Load(key string) (*Run, error) {
	recPath, paramsPath := c.paths(key)
	if _, err := os.Stat(recPath); err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", recPath, ErrNotCached)
	}
	run, err := LoadRun(recPath)
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", err, ErrNotCached)
	}
	if run.Key != key {
		return nil, fmt.Errorf("fashion: %s holds the run %q, not %q: %w", recPath, run.Key, key, ErrNotCached)
	}
	data, err := os.ReadFile(paramsPath)
	if err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", paramsPath, ErrNotCached)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != run.ParamsSHA256 {
		return nil, fmt.Errorf("fashion: %s does not match its record (SHA-256): %w", paramsPath, ErrNotCached)
	}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&run.Params); err != nil {
		return nil, fmt.Errorf("fashion: %s: %v: %w", paramsPath, err, ErrNotCached)
	}
	return run, nil
}

// Store saves a run and its parameters under run.Key.
func (c Cache) Store(run *Run) error {
	if run.Key == "" || len(run.Params) == 0 {
		return errors.New("fashion: only a run with a key and parameters can be cached")
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := gob.NewEncoder(w).Encode(run.Params); err != nil {
		return fmt.Errorf("fashion: encoding parameters: %w", err)
	}
	w.Flush()
	sum := sha256.Sum256(buf.Bytes())
	run.ParamsSHA256 = hex.EncodeToString(sum[:])
	recPath, paramsPath := c.paths(run.Key)
	if err := writeFileAtomic(paramsPath, buf.Bytes()); err != nil {
		return err
	}
	return run.Save(recPath)
}

// Runs returns every readable record in the cache (without parameters),
// oldest first; unreadable files are skipped.
func (c Cache) Runs() ([]*Run, error) {
	names, err := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var runs []*Run
	for _, name := range names {
		if r, err := LoadRun(name); err == nil && r.Key != "" {
			runs = append(runs, r)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Started.Before(runs[j].Started) })
	return runs, nil
}

// CacheOptions configure TrainCached.
type CacheOptions struct {
	Cache Cache  // where runs are kept; Dir "" = DefaultRunsDir()
	Name  string // a label for the run (e.g. "dropout"), kept in its record
	Force bool   // retrain even if the run is stored
	Quick bool   // mark the run as a quick one (see QuickEnv)
	Hooks *Hooks // passed to Train when training
}

// TrainCached returns the stored run of cfg on this data and code if there is
// a valid one, else trains it and stores it. fromCache says which.
func TrainCached(d *Data, cfg Config, opts CacheOptions) (run *Run, fromCache bool, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, false, err
	}
	if opts.Cache.Dir == "" {
		opts.Cache.Dir = DefaultRunsDir()
	}
	key := RunKey(cfg, d.Checksum)
	if !opts.Force {
		run, err := opts.Cache.Load(key)
		if err == nil {
			if opts.Name != "" && run.Name != opts.Name {
				// Same run under a new label: record the label, keep the weights.
				run.Name = opts.Name
				if err := run.Save(filepath.Join(opts.Cache.Dir, key+".json")); err != nil {
					return nil, false, err
				}
			}
			return run, true, nil
		}
		if !errors.Is(err, ErrNotCached) {
			return nil, false, err
		}
	}
	run, err = Train(d, cfg, opts.Hooks)
	if err != nil {
		return nil, false, err
	}
	run.Key, run.Name, run.DataChecksum, run.CodeVersion, run.Quick = key, opts.Name, d.Checksum, CodeVersion(), opts.Quick
	if err := opts.Cache.Store(run); err != nil {
		return nil, false, err
	}
	return run, false, nil
}
