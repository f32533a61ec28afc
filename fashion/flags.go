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
	fs.Var((*intList)(&c.Hidden), "hidden", "hidden layer widths, comma-separated (e.g. 120,72,48; empty for none)")
	fs.StringVar(&c.Activation, "activation", c.Activation, "activation: "+strings.Join(Activations, ", "))
	fs.StringVar(&c.Init, "init", c.Init, "weight initialization: "+strings.Join(Inits, ", "))
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "epochs to train")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "training batch size")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: "+strings.Join(Optimizers, ", "))
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "optimizer momentum")
	fs.Float64Var(&c.Alpha, "alpha", c.Alpha, "RMSprop smoothing constant")
	fs.Float64Var(&c.Eps, "eps", c.Eps, "optimizer epsilon")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of initialization and shuffling")
	fs.Uint64Var(&c.SplitSeed, "split-seed", c.SplitSeed, "seed of the validation/test split")
	fs.IntVar(&c.TrainLimit, "train-limit", c.TrainLimit, "train on a class-balanced subset of this many images (0: all)")
	fs.IntVar(&c.EvalBatchSize, "eval-batch-size", c.EvalBatchSize, "evaluation batch size (speed only)")
	fs.StringVar(&c.Backend, "backend", c.Backend, "backend: auto, go, go:<options>, xla, xla:<plugin>")
}

// intList is a flag.Value for comma-separated integers.
type intList []int

func (l *intList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func (l *intList) Set(s string) error {
	*l = nil
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("%q is not an integer", part)
		}
		*l = append(*l, v)
	}
	return nil
}
