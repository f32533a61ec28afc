package fashion

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Config holds every setting of a training run. The zero value is not useful:
// start from DefaultConfig and change what the experiment is about.
//
// Config is plain data (JSON-serializable) so that a run record says exactly
// what produced it.
type Config struct {
	// Hidden lists the hidden layer widths. Default [120 72 48], the exercise's
	// 784-120-72-48-10 MLP. Each width must be in 1..8192; 0 to 16 layers.
	Hidden []int `json:"hidden"`

	// Activation after each hidden layer. Default "relu". Valid: see Activations.
	Activation string `json:"activation"`

	// Init is the weight initialization. Default "pytorch" (uniform ±1/sqrt(fan_in)
	// for weights and biases, as torch.nn.Linear, which the exercise used).
	// Valid: see Inits.
	Init string `json:"init"`

	// Epochs to train. Default 40, the exercise's EPOCHS. Valid: 1..10000.
	Epochs int `json:"epochs"`

	// BatchSize of training steps. Default 128, the exercise's BATCH_SIZE.
	// The last batch of an epoch is smaller (60000 = 468·128 + 96), as with
	// PyTorch's DataLoader(drop_last=False), so an epoch has 469 steps.
	// Valid: 1..60000.
	BatchSize int `json:"batch_size"`

	// Optimizer name. Default "rmsprop" with PyTorch's semantics (momentum, no
	// bias correction), as torch.optim.RMSprop in the exercise. Valid: see Optimizers.
	Optimizer string `json:"optimizer"`

	// LR is the learning rate. Default 1e-4, the exercise's (its first try, 0.1,
	// diverged). Valid: (0, 10].
	LR float64 `json:"lr"`

	// Momentum of RMSprop (and SGD). Default 0.9, the exercise's. Valid: [0, 1).
	Momentum float64 `json:"momentum"`

	// Alpha is RMSprop's smoothing constant for the square average. Default
	// 0.99, PyTorch's default. Valid: [0, 1).
	Alpha float64 `json:"alpha"`

	// Eps is added to the optimizer's denominator. Default 1e-8, PyTorch's
	// RMSprop default. Valid: (0, 1].
	Eps float64 `json:"eps"`

	// Seed drives weight initialization and the per-epoch shuffling: the same
	// seed gives the same history on the same backend. Default 42.
	Seed uint64 `json:"seed"`

	// SplitSeed drives the stratified validation/test split of the official
	// test set. Default 42, the exercise's random_state.
	SplitSeed uint64 `json:"split_seed"`

	// TrainLimit, if > 0, trains on a class-balanced subset of that many
	// training images (quick runs, CI). Default 0: all 60000. Valid: 0..60000.
	TrainLimit int `json:"train_limit,omitempty"`

	// EvalBatchSize is the batch size of evaluation passes; it changes speed,
	// not results. Default 1000. Valid: 1..60000.
	EvalBatchSize int `json:"eval_batch_size"`

	// Backend selects where the graphs run. Default "auto": $GOMLX_BACKEND if
	// set, else XLA if a PJRT plugin is installed, else the pure-Go backend.
	// Valid: "auto", "go", "go:<options>", "xla", "xla:<plugin>". See NewBackend.
	Backend string `json:"backend"`
}

// Activations are the valid values of Config.Activation.
var Activations = []string{"relu"}

// Inits are the valid values of Config.Init.
var Inits = []string{"pytorch"}

// Optimizers are the valid values of Config.Optimizer.
var Optimizers = []string{"rmsprop"}

// DefaultConfig returns the exercise's settings: MLP 784-120-72-48-10 with
// ReLU, PyTorch's default initialization, RMSprop(lr=1e-4, momentum=0.9),
// batch 128, 40 epochs.
func DefaultConfig() Config {
	return Config{
		Hidden:        []int{120, 72, 48},
		Activation:    "relu",
		Init:          "pytorch",
		Epochs:        40,
		BatchSize:     128,
		Optimizer:     "rmsprop",
		LR:            1e-4,
		Momentum:      0.9,
		Alpha:         0.99,
		Eps:           1e-8,
		Seed:          42,
		SplitSeed:     42,
		EvalBatchSize: 1000,
		Backend:       "auto",
	}
}

// Validate reports every invalid field, each error naming the field, the
// value and what is valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, value any, valid string) {
		errs = append(errs, fmt.Errorf("fashion: Config.%s = %v is invalid: want %s", field, value, valid))
	}
	if len(c.Hidden) > 16 {
		bad("Hidden", c.Hidden, "at most 16 hidden layers")
	}
	for i, h := range c.Hidden {
		if h < 1 || h > 8192 {
			bad(fmt.Sprintf("Hidden[%d]", i), h, "a width in 1..8192")
		}
	}
	oneOf := func(field, value string, valid []string) {
		if !slices.Contains(valid, value) {
			bad(field, fmt.Sprintf("%q", value), "one of "+strings.Join(valid, ", "))
		}
	}
	oneOf("Activation", c.Activation, Activations)
	oneOf("Init", c.Init, Inits)
	oneOf("Optimizer", c.Optimizer, Optimizers)
	intIn := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(field, v, fmt.Sprintf("an integer in %d..%d", lo, hi))
		}
	}
	intIn("Epochs", c.Epochs, 1, 10000)
	intIn("BatchSize", c.BatchSize, 1, 60000)
	intIn("TrainLimit", c.TrainLimit, 0, 60000)
	intIn("EvalBatchSize", c.EvalBatchSize, 1, 60000)
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !finite(c.LR) || c.LR <= 0 || c.LR > 10 {
		bad("LR", c.LR, "a number in (0, 10]")
	}
	if !finite(c.Momentum) || c.Momentum < 0 || c.Momentum >= 1 {
		bad("Momentum", c.Momentum, "a number in [0, 1)")
	}
	if !finite(c.Alpha) || c.Alpha < 0 || c.Alpha >= 1 {
		bad("Alpha", c.Alpha, "a number in [0, 1)")
	}
	if !finite(c.Eps) || c.Eps <= 0 || c.Eps > 1 {
		bad("Eps", c.Eps, "a number in (0, 1]")
	}
	if err := validateBackendName(c.Backend); err != nil {
		bad("Backend", fmt.Sprintf("%q", c.Backend), err.Error())
	}
	return errors.Join(errs...)
}
