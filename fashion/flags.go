package fashion

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// RegisterFlags binds a command-line flag to every Config field, with the
// field's current value as the default. Flag names are the JSON names with
// dashes: -batch-size for BatchSize.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var(intList(&c.Hidden), "hidden", "hidden layer widths, comma-separated (e.g. 120,72,48; empty for none)")
	fs.StringVar(&c.Activation, "activation", c.Activation, "activation: "+strings.Join(Activations(), ", "))
	fs.Float64Var(&c.LeakySlope, "leaky-slope", c.LeakySlope, "negative slope of leaky_relu")
	fs.StringVar(&c.Init, "init", c.Init, "weight initialization: "+strings.Join(Inits(), ", "))
	fs.StringVar(&c.Norm, "norm", c.Norm, "normalization before the activation: "+strings.Join(Norms(), ", "))
	fs.Var(floatList(&c.Dropout), "dropout", "dropout rates: one for every hidden layer, or one per layer (e.g. 0.2 or 0.2,0.2,0.1)")
	fs.Float64Var(&c.L2, "l2", c.L2, "L2 coefficient λ: adds λ·Σw² over weight matrices to the loss")
	fs.Float64Var(&c.MaxNorm, "max-norm", c.MaxNorm, "max-norm c: after each update, scale each unit's incoming weights to an L2 norm of at most c (0: off)")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "AdamW's decoupled weight decay")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "epochs to train")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "training batch size")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: "+strings.Join(Optimizers(), ", "))
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "momentum of rmsprop and sgd")
	fs.BoolVar(&c.Nesterov, "nesterov", c.Nesterov, "Nesterov momentum (sgd)")
	fs.Float64Var(&c.Beta1, "beta1", c.Beta1, "Adam's first-moment decay")
	fs.Float64Var(&c.Beta2, "beta2", c.Beta2, "Adam's second-moment decay")
	fs.Float64Var(&c.Alpha, "alpha", c.Alpha, "RMSprop smoothing constant")
	fs.Float64Var(&c.Eps, "eps", c.Eps, "optimizer epsilon")
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "learning-rate schedule: "+strings.Join(Schedules(), ", "))
	fs.StringVar(&c.ScheduleBy, "schedule-by", c.ScheduleBy, "schedule granularity: epoch or step")
	fs.IntVar(&c.StepSize, "step-size", c.StepSize, "epochs between decays of the step schedule")
	fs.Float64Var(&c.Gamma, "gamma", c.Gamma, "decay factor of step, exponential and plateau schedules")
	fs.Float64Var(&c.WarmupEpochs, "warmup-epochs", c.WarmupEpochs, "linear warm-up of the cosine schedule, in epochs")
	fs.Float64Var(&c.MinLR, "min-lr", c.MinLR, "final rate of the cosine schedule")
	fs.Float64Var(&c.MaxLR, "max-lr", c.MaxLR, "peak rate of the onecycle schedule (0: 10·lr)")
	fs.IntVar(&c.Patience, "patience", c.Patience, "epochs without improvement before the plateau schedule lowers the rate")
	fs.IntVar(&c.EarlyStop, "early-stop", c.EarlyStop, "stop after this many epochs without improvement and keep the best (0: off)")
	fs.Float64Var(&c.EarlyStopDelta, "early-stop-delta", c.EarlyStopDelta, "least validation-loss decrease that counts as improvement")
	fs.IntVar(&c.Shift, "shift", c.Shift, "augmentation: shift training images by up to this many pixels (0: off)")
	fs.BoolVar(&c.Flip, "flip", c.Flip, "augmentation: mirror training images left to right with probability 1/2")
	fs.Float64Var(&c.Erase, "erase", c.Erase, "augmentation: probability of blacking out a random rectangle of a training image")
	fs.Float64Var(&c.LabelSmoothing, "label-smoothing", c.LabelSmoothing, "label smoothing ε of the training loss")
	fs.Float64Var(&c.Mixup, "mixup", c.Mixup, "mixup α: λ ~ Beta(α, α) per step (0: off)")
	fs.Float64Var(&c.EMA, "ema", c.EMA, "decay of an exponential moving average of the weights, used for evaluation (0: off)")
	fs.IntVar(&c.SWAEpochs, "swa-epochs", c.SWAEpochs, "stochastic weight averaging over the last N epochs (0: off)")
	fs.StringVar(&c.Teacher, "teacher", c.Teacher, "distill from a teacher: \"\" (none) or cnn")
	fs.Float64Var(&c.DistillAlpha, "distill-alpha", c.DistillAlpha, "weight α of the teacher's term in the distillation loss")
	fs.Float64Var(&c.DistillTemperature, "distill-temperature", c.DistillTemperature, "temperature T of distillation")
	fs.StringVar(&c.Arch, "arch", c.Arch, "network: "+strings.Join(Archs(), ", "))
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of initialization and shuffling")
	fs.Uint64Var(&c.SplitSeed, "split-seed", c.SplitSeed, "seed of the validation/test split")
	fs.IntVar(&c.TrainLimit, "train-limit", c.TrainLimit, "train on a class-balanced subset of this many images (0: all)")
	fs.IntVar(&c.EvalBatchSize, "eval-batch-size", c.EvalBatchSize, "evaluation batch size (speed only)")
	fs.StringVar(&c.Backend, "backend", c.Backend, "backend: auto, go, go:<options>, xla, xla:<plugin>")
}

// listFlag is a flag.Value for comma-separated values, parsed by parse;
// an empty string is the empty list.
type listFlag[T any] struct {
	list  *[]T
	parse func(string) (T, error)
	what  string // "an integer", "a number"
}

func (l listFlag[T]) String() string {
	if l.list == nil {
		return ""
	}
	parts := make([]string, len(*l.list))
	for i, v := range *l.list {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

func (l listFlag[T]) Set(s string) error {
	*l.list = nil
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		v, err := l.parse(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("%q is not %s", part, l.what)
		}
		*l.list = append(*l.list, v)
	}
	return nil
}

func intList(l *[]int) listFlag[int] { return listFlag[int]{l, strconv.Atoi, "an integer"} }

func floatList(l *[]float64) listFlag[float64] {
	return listFlag[float64]{l, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }, "a number"}
}
