package fashion

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// The rates and strengths a run tunes (dropout's rates, L2's λ, max-norm's
// bound, EMA's decay, label
// smoothing's ε, distillation's α and T, random erasing's probability)
// enter the training graph as values, not constants: each is a scalar
// variable of the scope settingsScope, created with the value of the Config
// the graph is first built for and set to the run's value by a trainer's
// reset. So a Session compiles one graph for every value (graphsKey keeps
// only whether each technique is on: a rate of 0 builds nothing).
// Evaluation graphs read none of them.
const settingsScope = "settings"

// settingValues are cfg's values of the settings, by variable name.
func settingValues(cfg Config) map[string]float64 {
	values := map[string]float64{
		"l2":                  cfg.L2,
		"max_norm":            cfg.MaxNorm,
		"ema":                 cfg.EMA,
		"label_smoothing":     cfg.LabelSmoothing,
		"erase":               cfg.Erase,
		"distill_alpha":       cfg.DistillAlpha,
		"distill_temperature": cfg.DistillTemperature,
	}
	for i := range cfg.Hidden {
		values[dropoutSetting(i)] = cfg.DropoutRate(i)
	}
	return values
}

// dropoutSetting names the dropout rate of hidden layer i.
func dropoutSetting(i int) string { return fmt.Sprintf("dropout_%d", i) }

// setting is the value in g of the setting name: its variable, created
// with value (float32, DType) the first time.
func setting(mctx *mlcontext.Context, g *Graph, name string, value float64) *Node {
	scope := mctx.InAbsPath(mlcontext.RootScope + settingsScope).Checked(false)
	return scope.VariableWithValue(name, float32(value)).SetTrainable(false).ValueGraph(g)
}

// setSettings sets every setting variable of mctx to cfg's value.
func setSettings(mctx *mlcontext.Context, cfg Config) error {
	values := settingValues(cfg)
	for v := range mctx.InAbsPath(mlcontext.RootScope + settingsScope).IterVariablesInScope() {
		value, ok := values[v.Name()]
		if !ok { // a graph read a setting that settingValues does not list
			return fmt.Errorf("fashion: setting %q has no value in the Config", v.Name())
		}
		if err := v.SetValue(tensors.FromScalar(float32(value))); err != nil {
			return fmt.Errorf("fashion: setting %q: %w", v.Name(), err)
		}
	}
	return nil
}
