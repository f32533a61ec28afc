package fashion

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Run is the record of one training run: what was trained, how it went and
// how it scored. It is saved as JSON (see Save and LoadRun).
type Run struct {
	Config          Config    `json:"config"`
	Backend         string    `json:"backend"`        // backend configuration, e.g. "go:ops_sequential"
	BackendReason   string    `json:"backend_reason"` // why that backend ran
	Started         time.Time `json:"started"`
	History         []Epoch   `json:"history"`
	TestLoss        float64   `json:"test_loss"`     // on the test half, after the last epoch
	TestAccuracy    float64   `json:"test_accuracy"` // fraction in [0,1]
	TrainSeconds    float64   `json:"train_seconds"` // all epochs, validation included
	SecondsPerEpoch float64   `json:"seconds_per_epoch"`

	// Weights of the trained model, layer by layer; omitted from the JSON
	// record (see SaveWeights) to keep it small and readable.
	Weights []LayerWeights `json:"-"`
}

// LayerWeights are one dense layer's parameters.
type LayerWeights struct {
	In, Out int
	W       []float32 // [In,Out] row-major
	B       []float32 // [Out]
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

// weights copies the model's variables to the host.
func (t *trainer) weights() ([]LayerWeights, error) {
	var out []LayerWeights
	for _, l := range t.model.layers {
		wt, err := l.weights.Value()
		if err != nil {
			return nil, err
		}
		bt, err := l.biases.Value()
		if err != nil {
			return nil, err
		}
		dims := wt.Shape().Dimensions
		w, err := tensors.CopyFlatData[float32](wt)
		if err != nil {
			return nil, err
		}
		b, err := tensors.CopyFlatData[float32](bt)
		if err != nil {
			return nil, err
		}
		out = append(out, LayerWeights{In: dims[0], Out: dims[1], W: w, B: b})
	}
	return out, nil
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
	var r Run
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
