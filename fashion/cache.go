package fashion

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
	"github.com/fashion-gomlx/fashion-gomlx/internal/filelock"
)

// RunKey identifies a training run by everything that determines it: the
// full Config, the data's checksum and the code version.
func RunKey(cfg Config, dataChecksum string) string {
	return runKey(cfg, dataChecksum, "")
}

// RunKeyWith is RunKey for a run with a learner's technique beside cfg
// (nil: none, the same key as RunKey): the technique's name and the
// version of its code are part of the key (Technique.Version).
func RunKeyWith(cfg Config, dataChecksum string, tech *Technique) (string, error) {
	v, err := techniqueVersion(tech)
	if err != nil {
		return "", err
	}
	return runKey(cfg, dataChecksum, v), nil
}

func runKey(cfg Config, dataChecksum, techVersion string) string {
	cfgJSON, _ := json.Marshal(cfg)
	text := fmt.Appendf(nil, "%s\n%s\n%s", cfgJSON, dataChecksum, CodeVersion())
	if techVersion != "" { // runs without a technique keep their keys
		text = fmt.Appendf(text, "\ntechnique %s", techVersion)
	}
	h := sha256.Sum256(text)
	return hex.EncodeToString(h[:])[:16]
}

// Cache keeps finished runs in a directory, one entry per key:
// <key>/run.json (the record), <key>/params.gob (the weights,
// gob-encoded; the record holds their SHA-256) and any files computed
// from the run later (PutFile; the record holds their SHA-256 too). An entry is written whole in
// a temporary directory and renamed into place in one step, so a reader
// sees a complete entry or none. Two processes that train the same key at
// once (two machines on one shared runs directory) both build complete
// entries; the first rename wins, the second finds the place taken and
// returns the stored run, so the cache ends with one valid entry.
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

// ErrNotCached is returned by Cache.Load when no usable run is stored.
var ErrNotCached = errors.New("run not in cache")

func (c Cache) paths(key string) (record, params string) {
	return filepath.Join(c.Dir, key, recordFile), filepath.Join(c.Dir, key, paramsFile)
}

const (
	recordFile = "run.json"
	paramsFile = "params.gob"
)

// Record returns the stored record of key, without its parameters: what a
// reader that only shows a run needs, without reading every record (Runs)
// or the weights (Load). A missing or corrupt record is an error wrapping
// ErrNotCached.
func (c Cache) Record(key string) (*Run, error) {
	recPath, _ := c.paths(key)
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
	return run, nil
}

// Load returns the stored run of key with its parameters. A missing,
// partial or corrupt entry is an error wrapping ErrNotCached.
func (c Cache) Load(key string) (*Run, error) {
	run, err := c.Record(key)
	if err != nil {
		return nil, err
	}
	_, paramsPath := c.paths(key)
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

// Store saves a run and its parameters under run.Key, unless a valid entry
// is there already (another process stored the same run first): that one is
// kept and returned. The returned run is the one the cache now holds.
func (c Cache) Store(run *Run) (*Run, error) { return c.store(run, false) }

// Replace saves a run and its parameters under run.Key, replacing an
// existing entry, and returns run.
func (c Cache) Replace(run *Run) (*Run, error) { return c.store(run, true) }

// store is Store, or Replace when replace is true.
func (c Cache) store(run *Run, replace bool) (*Run, error) {
	if run.Key == "" || len(run.Params) == 0 {
		return nil, errors.New("fashion: only a run with a key and parameters can be cached")
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := gob.NewEncoder(w).Encode(run.Params); err != nil {
		return nil, fmt.Errorf("fashion: encoding parameters: %w", err)
	}
	w.Flush()
	sum := sha256.Sum256(buf.Bytes())
	run.ParamsSHA256 = hex.EncodeToString(sum[:])
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("fashion: %w", err)
	}
	tmp, err := os.MkdirTemp(c.Dir, "."+run.Key+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("fashion: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := writeFileAtomic(filepath.Join(tmp, paramsFile), buf.Bytes()); err != nil {
		return nil, err
	}
	if err := run.Save(filepath.Join(tmp, recordFile)); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("fashion: %w", err)
	}
	final := filepath.Join(c.Dir, run.Key)
	for attempt := 0; ; attempt++ {
		err := os.Rename(tmp, final)
		if err == nil {
			break
		}
		if _, statErr := os.Stat(final); statErr != nil || attempt == 3 {
			return nil, fmt.Errorf("fashion: storing %s: %w", final, err)
		}
		// The place is taken: another process stored this run first, or a
		// corrupt entry is in the way.
		if !replace {
			if stored, err := c.Load(run.Key); err == nil {
				return stored, nil
			}
		}
		// Move the old entry aside first: a rename cannot replace a
		// non-empty directory.
		old, err := os.MkdirTemp(c.Dir, "."+run.Key+".old*")
		if err != nil {
			return nil, fmt.Errorf("fashion: %w", err)
		}
		if err := os.Rename(final, filepath.Join(old, "entry")); err != nil && !os.IsNotExist(err) {
			os.RemoveAll(old)
			return nil, fmt.Errorf("fashion: replacing %s: %w", final, err)
		}
		defer os.RemoveAll(old)
	}
	_ = atomicfile.SyncDir(c.Dir)
	return run, nil
}

// PutFile keeps data as the file name of key's stored entry, beside its
// record, and its SHA-256 in the record (Run.Files), so that File can tell
// the file put there from a damaged, partial or foreign one: something
// computed from the run once and read back by later runs (the teacher's
// logits of the training set, Session.teacher). Both are written to
// temporary files and renamed into place, under a lock beside the record,
// so that two processes that put files at once keep both and a reader
// never trusts a file the record does not vouch for. name is a plain file
// name, not the record's or the parameters'. Replacing the entry (a run
// trained again) drops its files.
func (c Cache) PutFile(key, name string, data []byte) error {
	if err := checkEntryFileName(name); err != nil {
		return err
	}
	recPath, _ := c.paths(key)
	if _, err := os.Stat(recPath); err != nil {
		return fmt.Errorf("fashion: putting %s beside run %s: %w", name, key, ErrNotCached)
	}
	ctx, cancel := context.WithTimeout(context.Background(), entryLockWait)
	defer cancel()
	lock, err := filelock.Acquire(ctx, recPath+".lock")
	if err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	defer lock.Remove()
	run, err := c.Record(key)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(c.Dir, key, name), data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if run.Files == nil {
		run.Files = map[string]string{}
	}
	run.Files[name] = hex.EncodeToString(sum[:])
	return run.Save(recPath)
}

// entryLockWait bounds how long PutFile waits for another process's
// PutFile on the same entry, which takes milliseconds.
const entryLockWait = time.Minute

// File returns the file name that PutFile kept in key's entry. A missing
// record or file, a file that its record does not list, or one whose
// SHA-256 is not the listed one is an error wrapping ErrNotCached: the
// caller computes it again.
func (c Cache) File(key, name string) ([]byte, error) {
	if err := checkEntryFileName(name); err != nil {
		return nil, err
	}
	run, err := c.Record(key)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(c.Dir, key, name)
	want, ok := run.Files[name]
	if !ok {
		return nil, fmt.Errorf("fashion: %s is not listed in its run's record: %w", path, ErrNotCached)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", path, ErrNotCached)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
		return nil, fmt.Errorf("fashion: %s does not match its record (SHA-256): %w", path, ErrNotCached)
	}
	return data, nil
}

// checkEntryFileName accepts the names PutFile and File take.
func checkEntryFileName(name string) error {
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
		name == recordFile || name == paramsFile || strings.HasSuffix(name, ".lock") {
		return fmt.Errorf("fashion: %q is invalid as a cache entry's file: want a plain file name, not %s or %s", name, recordFile, paramsFile)
	}
	return nil
}

// Runs returns every readable record in the cache (without parameters),
// oldest first; unreadable entries are skipped.
func (c Cache) Runs() ([]*Run, error) {
	names, err := filepath.Glob(filepath.Join(c.Dir, "*", recordFile))
	if err != nil {
		return nil, err
	}
	var runs []*Run
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(filepath.Dir(name)), ".") {
			continue // an entry being written or replaced
		}
		if r, err := LoadRun(name); err == nil && r.Key != "" {
			runs = append(runs, r)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Started.Before(runs[j].Started) })
	return runs, nil
}

// CacheOptions configure TrainCached; its context is TrainCached's first
// argument.
type CacheOptions struct {
	Cache Cache  // where runs are kept; Dir "" = DefaultRunsDir()
	Name  string // a label for a run trained now (e.g. "dropout"), kept in its record
	Force bool   // retrain even if the run is stored, and replace it
	Quick bool   // mark the run as a quick one (the notebook's quick mode)
	Hooks *Hooks // passed to Train when training

	// Technique, if not nil, trains a learner's technique beside the
	// Config; its name and code are part of the run's key (RunKeyWith).
	Technique *Technique

	// Session, if not nil, trains in it: runs with the same graphs compile
	// once (see Session). Nil: a session of the run's own.
	Session *Session
}

// TrainCached returns the stored run of cfg on this data and code if there is
// a valid one, else trains it and stores it. fromCache says which. A stored
// run keeps the Name it was stored with; the returned copy carries
// opts.Name when one is given. Training stops between steps once ctx is
// done, and nothing is stored then.
func TrainCached(ctx context.Context, d *Data, cfg Config, opts CacheOptions) (run *Run, fromCache bool, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, false, err
	}
	if opts.Cache.Dir == "" {
		opts.Cache.Dir = DefaultRunsDir()
	}
	if opts.Technique != nil {
		if err := opts.Technique.Validate(); err != nil {
			return nil, false, err
		}
	}
	key, err := RunKeyWith(cfg, d.Checksum, opts.Technique)
	if err != nil {
		return nil, false, err
	}
	label := func(r *Run) *Run {
		if opts.Name != "" {
			r.Name = opts.Name
		}
		return r
	}
	if !opts.Force {
		run, err := opts.Cache.Load(key)
		if err == nil {
			return label(run), true, nil
		}
		if !errors.Is(err, ErrNotCached) {
			return nil, false, err
		}
	}
	sess := opts.Session
	if sess == nil {
		sess = NewSession()
		sess.RunsDir = opts.Cache.Dir
		defer sess.Close()
	}
	run, err = sess.trainValidated(ctx, d, cfg, opts.Technique, opts.Hooks)
	if err != nil {
		return nil, false, err
	}
	run.Key, run.Name, run.DataChecksum, run.CodeVersion, run.Quick = key, opts.Name, d.Checksum, CodeVersion(), opts.Quick
	store := opts.Cache.Store
	if opts.Force {
		store = opts.Cache.Replace
	}
	stored, err := store(run)
	if err != nil {
		return nil, false, err
	}
	// stored is another process's run when that one was stored first.
	return label(stored), stored != run, nil
}
