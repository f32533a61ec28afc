package fashion

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
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

	// Activation after each hidden layer (after its normalization, before its
	// dropout). Default "relu". Valid: see Activations.
	Activation string `json:"activation"`

	// LeakySlope is the negative slope of "leaky_relu". Default 0.01, as
	// PyTorch (GoMLX's fixed LeakyRelu uses 0.3). Valid: [0, 1).
	LeakySlope float64 `json:"leaky_slope"`

	// Init is the weight initialization. Default "pytorch" (uniform ±1/√fan_in
	// for weights and biases, as torch.nn.Linear, which the exercise used).
	// The others start biases at zero: "he_normal" and "he_uniform" (Kaiming,
	// with the gain of the activation: √2 for ReLU, √(2/(1+slope²)) for leaky
	// ReLU), "xavier_normal" and "xavier_uniform" (Glorot, gain 1),
	// "lecun_normal" (std 1/√fan_in, for SELU). Valid: see Inits.
	Init string `json:"init"`

	// Norm normalizes each hidden layer's output before its activation: "none"
	// (default, the exercise), "batch" (batch norm: batch statistics in
	// training, running averages with momentum 0.1 in evaluation, ε 1e-5, as
	// PyTorch's BatchNorm1d) or "layer" (layer norm over the features).
	Norm string `json:"norm"`

	// Dropout rates after each hidden layer's activation, active in training
	// only, with inverted scaling 1/(1−p). Empty (default): none; one value:
	// every hidden layer; else one value per hidden layer. Valid: each in [0, 1).
	Dropout []float64 `json:"dropout,omitempty"`

	// L2 adds L2·Σw² over the weight matrices (not the biases) to the
	// training loss: classic L2 regularization, coupled with the optimizer
	// (Adam scales it by its adaptive step). Default 0. Valid: [0, 1].
	L2 float64 `json:"l2"`

	// MaxNorm c constrains every unit's incoming weight vector to an L2 norm
	// of at most c after each update (scaling it back when longer): the
	// max-norm regularization of the dropout paper (Srivastava et al. 2014,
	// section 5.1, where c was 3 to 4), on every layer's weight matrix, the
	// output layer's too. Default 0: off. Valid: [0, 100].
	MaxNorm float64 `json:"max_norm,omitempty"`

	// WeightDecay is AdamW's decoupled weight decay: each step subtracts
	// LR·WeightDecay·p from every parameter, outside the adaptive step (as
	// torch.optim.AdamW). Only with Optimizer "adamw"; default 0. Valid: [0, 1].
	WeightDecay float64 `json:"weight_decay"`

	// Epochs to train. Default 40, the exercise's EPOCHS. Valid: 1..10000.
	Epochs int `json:"epochs"`

	// BatchSize of training steps. Default 128, the exercise's BATCH_SIZE.
	// The last batch of an epoch is smaller (60000 = 468·128 + 96), as with
	// PyTorch's DataLoader(drop_last=False), so an epoch has 469 steps.
	// Valid: 1..60000.
	BatchSize int `json:"batch_size"`

	// Optimizer name, each with PyTorch's semantics. Default "rmsprop"
	// (momentum, no bias correction), as torch.optim.RMSprop in the exercise;
	// "sgd" (momentum, optional Nesterov), "adam", "adamw". Valid: see Optimizers.
	Optimizer string `json:"optimizer"`

	// LR is the learning rate. Default 1e-4, the exercise's (its first try, 0.1,
	// diverged). Valid: (0, 10].
	LR float64 `json:"lr"`

	// Momentum of RMSprop and SGD. Default 0.9, the exercise's. Valid: [0, 1).
	Momentum float64 `json:"momentum"`

	// Nesterov momentum for SGD. Default false.
	Nesterov bool `json:"nesterov"`

	// Beta1 and Beta2 are Adam's and AdamW's moment decays. Defaults 0.9 and
	// 0.999, PyTorch's. Valid: [0, 1).
	Beta1 float64 `json:"beta1"`
	Beta2 float64 `json:"beta2"`

	// Alpha is RMSprop's smoothing constant for the square average. Default
	// 0.99, PyTorch's default. Valid: [0, 1).
	Alpha float64 `json:"alpha"`

	// Eps is added to the optimizer's denominator. Default 1e-8, PyTorch's
	// RMSprop and Adam default. Valid: (0, 1].
	Eps float64 `json:"eps"`

	// Schedule of the learning rate: "constant" (default, the exercise);
	// "step" (×Gamma every StepSize epochs); "exponential" (×Gamma per epoch);
	// "cosine" (linear warm-up over WarmupEpochs from LR/100 to LR, then
	// cosine annealing to MinLR); "onecycle" (PyTorch's OneCycleLR: from
	// MaxLR/25 up to MaxLR over the first 30% of training, then down to
	// MaxLR/25/1e4, both by cosine); "plateau" (×Gamma when the validation
	// loss has not improved by 1e-4 relative for Patience epochs, as
	// ReduceLROnPlateau). Valid: see Schedules.
	Schedule string `json:"schedule"`

	// ScheduleBy is when the rate changes: "epoch" (default; the value of the
	// epoch's start all epoch long) or "step" (continuously, each step at its
	// fractional epoch). "plateau" always changes between epochs.
	ScheduleBy string `json:"schedule_by"`

	// StepSize is the period in epochs of the "step" schedule. Default 10. Valid: 1..10000.
	StepSize int `json:"step_size"`

	// Gamma is the factor of "step", "exponential" and "plateau". Default 0.1
	// (for "exponential" try 0.9). Valid: (0, 1].
	Gamma float64 `json:"gamma"`

	// WarmupEpochs of the "cosine" schedule. Default 0. Valid: [0, Epochs).
	WarmupEpochs float64 `json:"warmup_epochs"`

	// MinLR is where "cosine" ends. Default 0. Valid: [0, LR].
	MinLR float64 `json:"min_lr"`

	// MaxLR is the peak of "onecycle". Default 0: 10·LR. Valid: 0 or (0, 10].
	MaxLR float64 `json:"max_lr"`

	// Patience is the number of epochs without improvement that "plateau"
	// waits before lowering the rate. Default 2. Valid: 0..1000.
	Patience int `json:"patience"`

	// EarlyStop stops training after this many epochs without an improvement
	// of the validation loss by more than EarlyStopDelta, and restores the
	// weights of the best epoch (Run.KeptEpoch says which). Default 0: off.
	// Valid: 0..10000.
	EarlyStop int `json:"early_stop"`

	// EarlyStopDelta is the least decrease of the validation loss that counts
	// as an improvement. Default 0. Valid: [0, 1].
	EarlyStopDelta float64 `json:"early_stop_delta"`

	// Beyond the exercise: regularizers that act on the data, the targets or
	// the weights' trajectory (the notebook's "Más allá del ejercicio").

	// Shift moves each training image by up to this many pixels along each
	// axis, drawn per example and per step, filling with black. Default 0:
	// off. Valid: 0..8. Validation and test images are never changed.
	Shift int `json:"shift,omitempty"`

	// Flip mirrors each training image left to right with probability ½,
	// drawn per example and per step. Default false.
	Flip bool `json:"flip,omitempty"`

	// Erase blacks out a random rectangle of each training image with this
	// probability, drawn as torchvision's RandomErasing(p=Erase) draws it: an
	// area uniform in 2% to 33% of the image, an aspect ratio h/w
	// log-uniform in 0.3 to 3.3, sides h = round(√(area·ratio)) and w =
	// round(√(area/ratio)), a top-left corner uniform where the box fits.
	// It differs in two ways. (1) One draw, not up to ten: torchvision draws
	// again while a side comes out 28 or more (it wants h < 28 and w < 28),
	// and leaves the image unchanged after ten misses; ours clips each side
	// to 1..28, so the draws that torchvision rejects (about 0.7% of them)
	// erase a band the full height or width of the image, which torchvision
	// never does. (2) The fill: ours is black (pixel 0, −Mean/Std once
	// standardized); torchvision's value=0 is written into the tensor it is
	// given, which after Normalize, where it usually stands, is the mean
	// intensity, and black only before Normalize. Default 0: off. Valid:
	// [0, 1].
	Erase float64 `json:"erase,omitempty"`

	// LabelSmoothing ε trains against targets with 1−ε on the label and ε/10
	// on every class, as torch.nn.CrossEntropyLoss(label_smoothing=ε). The
	// reported losses stay the plain cross-entropy. Default 0. Valid: [0, 1).
	LabelSmoothing float64 `json:"label_smoothing,omitempty"`

	// Mixup α trains on λ·x_i + (1−λ)·x_j with the loss λ·L(y_i) +
	// (1−λ)·L(y_j), j the next example of the batch, λ ~ Beta(α, α) drawn per
	// step. Default 0: off. Valid: [0, 10].
	Mixup float64 `json:"mixup,omitempty"`

	// EMA is the decay d of an exponential moving average of the model,
	// updated after every step: avg = dₙ·avg + (1−dₙ)·w, starting from the
	// initial weights, with the warm-up dₙ = min(d, (1+n)/(10+n)), n the
	// updates so far (tf.train.ExponentialMovingAverage with num_updates).
	// Batch norm's running mean and variance are averaged the same way, as
	// torch.optim.swa_utils.AveragedModel(use_buffers=True) does; validation,
	// early stopping, the test score and the stored weights use the averaged
	// weights with the averaged statistics. AveragedModel with
	// get_ema_multi_avg_fn(d) has no warm-up: it copies the weights at its
	// first update and then decays by d, so early averages differ; with
	// d = 0.999 the warm-up lasts 8,990 updates (19 epochs of 469 batches).
	// Default 0: off. Valid: [0, 1).
	EMA float64 `json:"ema,omitempty"`

	// SWAEpochs averages the weights at the end of each of the last
	// SWAEpochs epochs (stochastic weight averaging, equal weights); the
	// average is what the last epoch's validation, the test score and the
	// stored weights use, with batch norm's statistics recomputed on the
	// training set as torch.optim.swa_utils.update_bn does. Default 0: off.
	// Valid: 0..Epochs; not with EarlyStop or EMA.
	SWAEpochs int `json:"swa_epochs,omitempty"`

	// Teacher distills a teacher's knowledge into this model: "" (default,
	// none) or "cnn", the convolutional network of TeacherConfig, trained
	// once through the run cache. The loss becomes
	// α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1−α)·CE, with α
	// DistillAlpha and T DistillTemperature. Valid: "", "cnn"; not with
	// Shift, Flip or Erase (the teacher's logits are of the clean images;
	// see Validate).
	Teacher string `json:"teacher,omitempty"`

	// DistillAlpha is α, the weight of the teacher's term. Default 0.9.
	// Valid: [0, 1].
	DistillAlpha float64 `json:"distill_alpha"`

	// DistillTemperature is T, which softens both distributions. Default 4.
	// Valid: [1, 20].
	DistillTemperature float64 `json:"distill_temperature"`

	// Arch is the network: "mlp" (default, the exercise's: Hidden, Norm,
	// Activation, Dropout apply) or "cnn" (two 3×3 convolutions of 32 and 64
	// channels, each with ReLU and 2×2 max pooling, a dense layer of 128 and
	// the output; the teacher's). Valid: see Archs.
	Arch string `json:"arch,omitempty"`

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
	// not results. Default 5000: the validation and test halves in one call
	// each (fewer calls were faster on XLA CPU, docs/performance.md). Valid:
	// 1..60000.
	EvalBatchSize int `json:"eval_batch_size"`

	// Backend selects where the graphs run. Default "auto": $GOMLX_BACKEND if
	// set, else XLA if a PJRT plugin is installed, else the pure-Go backend.
	// Valid: "auto", "go", "go:<options>", "xla", "xla:<plugin>". See NewBackend.
	Backend string `json:"backend"`
}

// The valid values of the Config fields that take names, each a new slice
// on every call (a caller cannot change what Validate accepts).

// Activations are the valid values of Config.Activation.
func Activations() []string {
	return []string{"relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh"}
}

// Inits are the valid values of Config.Init.
func Inits() []string {
	return []string{"pytorch", "he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "lecun_normal"}
}

// Norms are the valid values of Config.Norm.
func Norms() []string { return []string{"none", "batch", "layer"} }

// Optimizers are the valid values of Config.Optimizer.
func Optimizers() []string { return []string{"sgd", "rmsprop", "adam", "adamw"} }

// Schedules are the valid values of Config.Schedule.
func Schedules() []string {
	return []string{"constant", "step", "exponential", "cosine", "onecycle", "plateau"}
}

// ScheduleBys are the valid values of Config.ScheduleBy.
func ScheduleBys() []string { return []string{"epoch", "step"} }

// Archs are the valid values of Config.Arch.
func Archs() []string { return []string{"mlp", "cnn"} }

// Teachers are the valid values of Config.Teacher.
func Teachers() []string { return []string{"", "cnn"} }

// DefaultConfig returns the exercise's settings: MLP 784-120-72-48-10 with
// ReLU, PyTorch's default initialization, RMSprop(lr=1e-4, momentum=0.9),
// batch 128, 40 epochs.
func DefaultConfig() Config {
	return Config{
		Hidden:        []int{120, 72, 48},
		Activation:    "relu",
		LeakySlope:    0.01,
		Init:          "pytorch",
		Norm:          "none",
		Epochs:        40,
		BatchSize:     128,
		Optimizer:     "rmsprop",
		LR:            1e-4,
		Momentum:      0.9,
		Beta1:         0.9,
		Beta2:         0.999,
		Alpha:         0.99,
		Eps:           1e-8,
		Schedule:      "constant",
		ScheduleBy:    "epoch",
		StepSize:      10,
		Gamma:         0.1,
		Patience:      2,
		Seed:          42,
		SplitSeed:     42,
		EvalBatchSize: 5000,
		Backend:       "auto",

		DistillAlpha:       0.9,
		DistillTemperature: 4,
		Arch:               "mlp",
	}
}

// augmentation is what the step does to the training images.
func (c Config) augmentation() augmentation {
	return augmentation{shift: c.Shift, flip: c.Flip, erase: c.Erase}
}

// Validate reports every invalid field, each error naming the field, the
// value and what is valid.
func (c Config) Validate() error {
	var p problems
	c.validateArchitecture(&p)
	c.validateOptimizer(&p)
	c.validateSchedule(&p)
	c.validateTechniques(&p)
	c.validateDistillation(&p)
	c.validateRun(&p)
	return errors.Join(p...)
}

// validateArchitecture checks the network: Arch, Hidden, Activation,
// LeakySlope, Init, Norm, Dropout.
func (c Config) validateArchitecture(p *problems) {
	p.oneOf("Arch", c.Arch, Archs())
	if len(c.Hidden) > 16 {
		p.bad("Hidden", c.Hidden, "at most 16 hidden layers")
	}
	for i, h := range c.Hidden {
		if h < 1 || h > 8192 {
			p.bad(fmt.Sprintf("Hidden[%d]", i), h, "a width in 1..8192")
		}
	}
	p.oneOf("Activation", c.Activation, Activations())
	p.in("LeakySlope", c.LeakySlope, 0, 1, false)
	p.oneOf("Init", c.Init, Inits())
	p.oneOf("Norm", c.Norm, Norms())
	if len(c.Dropout) > 1 && len(c.Dropout) != len(c.Hidden) {
		p.bad("Dropout", c.Dropout, fmt.Sprintf("no value, one value, or one per hidden layer (%d)", len(c.Hidden)))
	}
	for i, d := range c.Dropout {
		p.in(fmt.Sprintf("Dropout[%d]", i), d, 0, 1, false)
	}
	if c.Arch == "cnn" {
		// The "cnn" network has none of the MLP's options.
		if c.Norm != "none" {
			p.bad("Norm", fmt.Sprintf("%q", c.Norm), `"none" with Arch "cnn"`)
		}
		if len(c.Dropout) > 0 {
			p.bad("Dropout", c.Dropout, `none with Arch "cnn"`)
		}
		if c.L2 > 0 {
			p.bad("L2", c.L2, `0 with Arch "cnn"`)
		}
	}
}

// validateOptimizer checks the optimizer and its weight penalties:
// Optimizer, LR, Momentum, Beta1, Beta2, Alpha, Eps, L2, MaxNorm,
// WeightDecay.
func (c Config) validateOptimizer(p *problems) {
	p.oneOf("Optimizer", c.Optimizer, Optimizers())
	p.positive("LR", c.LR, 10)
	p.in("Momentum", c.Momentum, 0, 1, false)
	p.in("Beta1", c.Beta1, 0, 1, false)
	p.in("Beta2", c.Beta2, 0, 1, false)
	p.in("Alpha", c.Alpha, 0, 1, false)
	p.positive("Eps", c.Eps, 1)
	p.in("L2", c.L2, 0, 1, true)
	p.in("MaxNorm", c.MaxNorm, 0, 100, true)
	p.in("WeightDecay", c.WeightDecay, 0, 1, true)
	if c.WeightDecay > 0 && c.Optimizer != "adamw" {
		p.bad("WeightDecay", c.WeightDecay, `0 unless Optimizer is "adamw" (use L2 for the others)`)
	}
}

// validateSchedule checks how long training lasts and how the rate moves:
// Epochs, BatchSize, Schedule and its parameters, EarlyStop.
func (c Config) validateSchedule(p *problems) {
	p.intIn("Epochs", c.Epochs, 1, 10000)
	p.intIn("BatchSize", c.BatchSize, 1, 60000)
	p.oneOf("Schedule", c.Schedule, Schedules())
	p.oneOf("ScheduleBy", c.ScheduleBy, ScheduleBys())
	p.intIn("StepSize", c.StepSize, 1, 10000)
	if !finite(c.Gamma) || c.Gamma <= 0 || c.Gamma > 1 {
		p.bad("Gamma", c.Gamma, "a number in (0, 1]")
	}
	if c.Epochs >= 1 { // a bad Epochs is reported once, not again as an empty range here
		p.in("WarmupEpochs", c.WarmupEpochs, 0, float64(c.Epochs), false)
	}
	p.in("MinLR", c.MinLR, 0, math.Max(c.LR, 0), true)
	if c.MaxLR != 0 && (!finite(c.MaxLR) || c.MaxLR < 0 || c.MaxLR > 10) {
		p.bad("MaxLR", c.MaxLR, "0 (10·LR) or a number in (0, 10]")
	}
	p.intIn("Patience", c.Patience, 0, 1000)
	p.intIn("EarlyStop", c.EarlyStop, 0, 10000)
	p.in("EarlyStopDelta", c.EarlyStopDelta, 0, 1, true)
}

// validateTechniques checks the techniques beyond the exercise but
// distillation: the augmentations, LabelSmoothing, Mixup and the weight
// averages (EMA, SWAEpochs).
func (c Config) validateTechniques(p *problems) {
	p.intIn("Shift", c.Shift, 0, 8)
	p.in("Erase", c.Erase, 0, 1, true)
	p.in("LabelSmoothing", c.LabelSmoothing, 0, 1, false)
	p.in("Mixup", c.Mixup, 0, 10, true)
	p.in("EMA", c.EMA, 0, 1, false)
	if c.Epochs >= 1 {
		p.intIn("SWAEpochs", c.SWAEpochs, 0, c.Epochs)
	}
	if c.SWAEpochs > 0 && c.EarlyStop > 0 {
		p.bad("SWAEpochs", c.SWAEpochs, "0 with EarlyStop (the average needs the last epochs)")
	}
	if c.SWAEpochs > 0 && c.EMA > 0 {
		p.bad("SWAEpochs", c.SWAEpochs, "0 with EMA (one average of the weights at a time)")
	}
}

// validateDistillation checks Teacher, DistillAlpha and
// DistillTemperature, and what a teacher cannot go with.
func (c Config) validateDistillation(p *problems) {
	p.oneOf("Teacher", c.Teacher, Teachers())
	p.in("DistillAlpha", c.DistillAlpha, 0, 1, true)
	p.in("DistillTemperature", c.DistillTemperature, 1, 20, true)
	if c.Teacher != "" && c.Arch == "cnn" {
		p.bad("Teacher", fmt.Sprintf("%q", c.Teacher), `"" for Arch "cnn" (the teacher learns alone)`)
	}
	// The teacher's logits are computed once, on the clean training images
	// (Session.teacher), while an augmented student sees each image shifted,
	// flipped or erased: it would be taught what the teacher thinks of an
	// image it is not looking at (a shirt's logits for a half-erased
	// shirt). Making the teacher see the student's batch means running the
	// CNN forward inside every training step: some 4.2 million
	// multiply-adds per image, against about 0.3 million for the MLP's
	// forward and backward passes together, so some 13 times the step's
	// work. That is not cheap, so the combination is refused.
	if c.Teacher != "" {
		var augmented []string
		if c.Shift > 0 {
			augmented = append(augmented, fmt.Sprintf("Shift = %d", c.Shift))
		}
		if c.Flip {
			augmented = append(augmented, "Flip = true")
		}
		if c.Erase > 0 {
			augmented = append(augmented, fmt.Sprintf("Erase = %g", c.Erase))
		}
		if len(augmented) > 0 {
			p.bad("Teacher", fmt.Sprintf("%q", c.Teacher), fmt.Sprintf(
				`"" (none) with %s, or no augmentation with a teacher: its logits are those of the clean training images, not of the changed ones the student sees`,
				strings.Join(augmented, ", ")))
		}
	}
}

// validateRun checks what changes where and on how much data a run
// trains, not its model: TrainLimit, EvalBatchSize, Backend.
func (c Config) validateRun(p *problems) {
	p.intIn("TrainLimit", c.TrainLimit, 0, 60000)
	p.intIn("EvalBatchSize", c.EvalBatchSize, 1, 60000)
	if err := validateBackendName(c.Backend); err != nil {
		p.bad("Backend", fmt.Sprintf("%q", c.Backend), err.Error())
	}
}

// problems collects Validate's errors, each naming the field, the value
// and what is valid.
type problems []error

func (p *problems) bad(field string, value any, valid string) {
	*p = append(*p, fmt.Errorf("fashion: Config.%s = %v is invalid: want %s", field, value, valid))
}

// oneOf checks that value is one of valid, shown quoted when one of them
// is "" (so that the empty name can be seen).
func (p *problems) oneOf(field, value string, valid []string) {
	if slices.Contains(valid, value) {
		return
	}
	if !slices.Contains(valid, "") {
		p.bad(field, fmt.Sprintf("%q", value), "one of "+strings.Join(valid, ", "))
		return
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = fmt.Sprintf("%q", v)
		if v == "" {
			names[i] += " (none)"
		}
	}
	last := len(names) - 1
	p.bad(field, fmt.Sprintf("%q", value), strings.Join(names[:last], ", ")+" or "+names[last])
}

// intIn checks lo ≤ v ≤ hi.
func (p *problems) intIn(field string, v, lo, hi int) {
	if v < lo || v > hi {
		p.bad(field, v, fmt.Sprintf("an integer in %d..%d", lo, hi))
	}
}

// in checks lo ≤ v < hi (or ≤ hi when closed).
func (p *problems) in(field string, v, lo, hi float64, closed bool) {
	if finite(v) && v >= lo && (v < hi || closed && v == hi) {
		return
	}
	bracket := ")"
	if closed {
		bracket = "]"
	}
	p.bad(field, v, fmt.Sprintf("a number in [%g, %g%s", lo, hi, bracket))
}

// positive checks 0 < v ≤ hi.
func (p *problems) positive(field string, v, hi float64) {
	if !finite(v) || v <= 0 || v > hi {
		p.bad(field, v, fmt.Sprintf("a number in (0, %g]", hi))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Summary describes the model and its training in one line, e.g.
// "MLP 784-120-72-48-10 (relu, init pytorch, norm none), 106906 parameters; rmsprop lr 0.0001, batch 128, 40 epochs".
func (c Config) Summary() string {
	widths := append(append([]int{NumPixels}, c.Hidden...), NumClasses)
	params := 0
	names := make([]string, len(widths))
	for i, w := range widths {
		names[i] = fmt.Sprint(w)
		if i > 0 {
			params += widths[i-1]*w + w
		}
	}
	if c.Arch == "cnn" {
		return fmt.Sprintf("CNN conv3x3·32-pool-conv3x3·64-pool-128-10, %d parameters; %s lr %g, batch %d, %d epochs",
			cnnParams, c.Optimizer, c.LR, c.BatchSize, c.Epochs)
	}
	return fmt.Sprintf("MLP %s (%s, init %s, norm %s), %d parameters; %s lr %g, batch %d, %d epochs",
		strings.Join(names, "-"), c.Activation, c.Init, c.Norm, params, c.Optimizer, c.LR, c.BatchSize, c.Epochs)
}

// Diff lists the settings of c that differ from those of from, as
// "name=value" pairs with the JSON names, sorted (backend and eval batch
// size, which do not change results, are left out). c.Diff(DefaultConfig())
// says what an experiment changes from the exercise.
func (c Config) Diff(from Config) string {
	var a, b map[string]any
	ja, _ := json.Marshal(c)
	jb, _ := json.Marshal(from)
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
