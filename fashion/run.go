package fashion

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Run is the record of one training run: what was trained, how it went and
// how it scored. It is saved as JSON (see Save and LoadRun).
type Run struct {
	Name            string    `json:"name,omitempty"`          // a label, e.g. "dropout" (see TrainCached)
	Key             string    `json:"key,omitempty"`           // cache key (see RunKey)
	DataChecksum    string    `json:"data_checksum,omitempty"` // Data.Checksum of the data trained on
	CodeVersion     string    `json:"code_version,omitempty"`  // CodeVersion of the code that trained it
	ParamsSHA256    string    `json:"params_sha256,omitempty"` // SHA-256 of the cached parameters file
	Quick           bool      `json:"quick,omitempty"`         // trained in the notebook's quick mode
	Config          Config    `json:"config"`
	Backend         string    `json:"backend"`        // backend configuration, e.g. "go:ops_sequential"
	BackendReason   string    `json:"backend_reason"` // why that backend ran
	Started         time.Time `json:"started"`
	History         []Epoch   `json:"history"`
	KeptEpoch       int       `json:"kept_epoch"`    // the epoch whose weights were kept (the best one with early stopping)
	StoppedEarly    bool      `json:"stopped_early"` // early stopping ended the run before Config.Epochs
	TestLoss        float64   `json:"test_loss"`     // on the test half, with the kept weights
	TestAccuracy    float64   `json:"test_accuracy"` // fraction in [0,1]
	TrainSeconds    float64   `json:"train_seconds"` // all epochs, validation included
	SecondsPerEpoch float64   `json:"seconds_per_epoch"`

	// Params are the trained model's variables (weights, biases,
	// normalization parameters and running averages); not part of the JSON
	// record, which stays small and readable.
	Params []Param `json:"-"`
}

// Param is one model variable.
type Param struct {
	Scope  string    `json:"scope"` // e.g. "/model/hidden_0"
	Name   string    `json:"name"`  // e.g. "weights"
	Dims   []int     `json:"dims"`
	Values []float32 `json:"values"` // row-major
}

// BestEpoch returns the epoch with the lowest validation loss.
func (r *Run) BestEpoch() Epoch {
	best := r.History[0]
	for _, e := range r.History[1:] {
		if e.ValLoss < best.ValLoss {
			best = e
		}
	}
	return best
}

// params copies the model's variables to the host.
func (t *trainer) params() ([]Param, error) {
	var ps []Param
	for v := range t.ctx.InAbsPath(context.RootScope + modelScope).IterVariablesInScope() {
		value, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("fashion: reading %s: %w", v.ScopeAndName(), err)
		}
		values, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, fmt.Errorf("fashion: reading %s: %w", v.ScopeAndName(), err)
		}
		ps = append(ps, Param{Scope: v.Scope(), Name: v.Name(), Dims: value.Shape().Dimensions, Values: values})
	}
	return ps, nil
}

// loadParams sets the model's variables (creating missing ones) from ps.
func (t *trainer) loadParams(ps []Param) error {
	return setParams(t.ctx, ps)
}

func setParams(ctx *context.Context, ps []Param) error {
	for _, p := range ps {
		if !strings.HasPrefix(p.Scope, context.RootScope+modelScope) {
			return fmt.Errorf("fashion: parameter %s/%s is outside the model scope", p.Scope, p.Name)
		}
		size := 1
		for _, d := range p.Dims {
			size *= d
		}
		if size != len(p.Values) {
			return fmt.Errorf("fashion: parameter %s/%s has %d values for dims %v", p.Scope, p.Name, len(p.Values), p.Dims)
		}
		value := tensors.FromFlatDataAndDimensions(p.Values, p.Dims...)
		sctx := ctx.InAbsPath(p.Scope).Checked(false)
		if v := sctx.GetVariable(p.Name); v != nil {
			if err := v.SetValue(value); err != nil {
				return err
			}
			continue
		}
		sctx.VariableWithValue(p.Name, value)
	}
	return nil
}

// Save writes the run record as indented JSON to path, creating its
// directory. It writes a temporary file and renames it, so a reader never
// sees a half-written record.
func (r *Run) Save(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("fashion: encoding run record: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// LoadRun reads a run record written by Save.
func LoadRun(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fashion: reading run record: %w", err)
	}
	// Fields a record lacks (written before they existed) keep their defaults.
	r := Run{Config: DefaultConfig()}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("fashion: %s: not a run record: %w", path, err)
	}
	if len(r.History) == 0 {
		return nil, fmt.Errorf("fashion: %s: run record has no history", path)
	}
	if err := r.Config.Validate(); err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", path, err)
	}
	return &r, nil
}

// writeFileAtomic writes data to a temporary file next to path, syncs it and
// renames it over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("fashion: writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("fashion: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("fashion: writing %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return errors.Join(fmt.Errorf("fashion: saving %s", path), err)
	}
	return nil
}
