package fashion

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
)

// Run is the record of one training run: what was trained, how it went and
// how it scored. It is saved as JSON (see Save and LoadRun).
type Run struct {
	Name            string           `json:"name,omitempty"`          // a label, e.g. "dropout" (see TrainCached)
	Key             string           `json:"key,omitempty"`           // cache key (see RunKey)
	DataChecksum    string           `json:"data_checksum,omitempty"` // Data.Checksum of the data trained on
	CodeVersion     string           `json:"code_version,omitempty"`  // CodeVersion of the code that trained it
	ParamsSHA256    string           `json:"params_sha256,omitempty"` // SHA-256 of the cached parameters file
	Quick           bool             `json:"quick,omitempty"`         // trained in the notebook's quick mode
	Config          Config           `json:"config"`
	Backend         string           `json:"backend"`        // the backend as a user names it: "go", "xla:cpu", "xla:cuda" (BackendName)
	BackendReason   string           `json:"backend_reason"` // why that backend ran, its plugin file and options
	Started         time.Time        `json:"started"`
	History         []Epoch          `json:"history"`
	TeacherKey      string           `json:"teacher_key,omitempty"` // the run key of the teacher distilled from (Config.Teacher)
	Technique       *TechniqueRecord `json:"technique,omitempty"`   // the Technique trained beside the Config, if any
	KeptEpoch       int              `json:"kept_epoch"`            // the epoch whose weights were kept (the best one with early stopping)
	StoppedEarly    bool             `json:"stopped_early"`         // early stopping ended the run before Config.Epochs
	TestLoss        float64          `json:"test_loss"`             // on the test half, with the kept weights
	TestAccuracy    float64          `json:"test_accuracy"`         // fraction in [0,1]
	TrainSeconds    float64          `json:"train_seconds"`         // all epochs, validation included
	SecondsPerEpoch float64          `json:"seconds_per_epoch"`

	// Files holds the SHA-256 of each file kept beside the cached run, by
	// name (Cache.PutFile): what later runs computed from it once, e.g. a
	// teacher's logits of the training set.
	Files map[string]string `json:"files,omitempty"`

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
	// Records written before runs named their backend as a user does hold
	// GoMLX's configuration, with the plugin's path: shown as today's.
	r.Backend, r.BackendReason = BackendName(r.Backend), withoutFolders(r.BackendReason)
	if len(r.History) == 0 {
		return nil, fmt.Errorf("fashion: %s: run record has no history", path)
	}
	if err := r.Config.Validate(); err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", path, err)
	}
	return &r, nil
}

// withoutFolders replaces each absolute path in s, a word that starts
// with a path separator, by its file name.
func withoutFolders(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.HasPrefix(w, "/") || strings.HasPrefix(w, `\`) {
			words[i] = filepath.Base(strings.ReplaceAll(w, `\`, "/"))
		}
	}
	return strings.Join(words, " ")
}

// writeFileAtomic is atomicfile.Write with the package's error prefix.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	return nil
}

// KeptValAccuracy is the validation accuracy of the epoch whose weights the
// run kept: what a choice between runs is made on, so that the test half
// stays an unbiased estimate.
func (r *Run) KeptValAccuracy() float64 { return r.History[r.KeptEpoch].ValAccuracy }

// BestByValidation returns the run with the highest KeptValAccuracy (the
// first of equals), or nil for none.
func BestByValidation(runs []*Run) *Run {
	var best *Run
	for _, r := range runs {
		if best == nil || r.KeptValAccuracy() > best.KeptValAccuracy() {
			best = r
		}
	}
	return best
}
