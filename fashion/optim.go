package fashion

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// RMSprop is torch.optim.RMSprop (centered=False, weight_decay=0) as a GoMLX
// optimizer. For each parameter p with gradient g:
//
//	v   = α·v + (1−α)·g²
//	buf = μ·buf + g/(√v + ε)
//	p  -= lr·buf
//
// with v and buf starting at zero and no bias correction. GoMLX's own
// optimizers.RMSProp is Adam-based: bias-corrected and without momentum, so
// it does not reproduce the exercise's training curve.
type RMSprop struct {
	LR       float64 // learning rate; the "learning_rate" variable holds it so a schedule can change it
	Alpha    float64 // smoothing constant α (PyTorch default 0.99)
	Eps      float64 // ε (PyTorch default 1e-8)
	Momentum float64 // μ (PyTorch default 0; the exercise uses 0.9)
}

// Scopes under which the optimizers keep their state.
const (
	rmspropScope = "rmsprop"
	sgdScope     = "sgd"
)

// newOptimizer returns cfg's optimizer. Adam and AdamW are GoMLX's, whose
// update is PyTorch's: bias-corrected moments, ε outside the square root, and
// for AdamW the decay lr·λ·p decoupled from the adaptive step.
func newOptimizer(cfg Config) optimizers.Interface {
	switch cfg.Optimizer {
	case "sgd":
		return &SGD{LR: cfg.LR, Momentum: cfg.Momentum, Nesterov: cfg.Nesterov}
	case "adam", "adamw":
		a := optimizers.Adam().LearningRate(cfg.LR).Betas(cfg.Beta1, cfg.Beta2).Epsilon(cfg.Eps)
		if cfg.Optimizer == "adamw" {
			a = a.WeightDecay(cfg.WeightDecay)
		}
		return a.Done()
	}
	return &RMSprop{LR: cfg.LR, Alpha: cfg.Alpha, Eps: cfg.Eps, Momentum: cfg.Momentum}
}

// SGD is torch.optim.SGD (dampening 0, weight_decay 0) as a GoMLX optimizer:
//
//	buf = μ·buf + g          (buf starts at zero, so the first buf is g)
//	p  -= lr·(g + μ·buf)     with Nesterov, else p -= lr·buf
//
// GoMLX's StochasticGradientDescent has no momentum and divides the rate by
// √step, so it is not the SGD users compare against.
type SGD struct {
	LR       float64
	Momentum float64
	Nesterov bool
}

// UpdateGraph implements optimizers.Interface.
func (o *SGD) UpdateGraph(mctx *mlcontext.Context, g *Graph, loss *Node) {
	vars, grads, lr := prepareUpdate(mctx, g, loss, o.LR)
	dtype := loss.DType()
	for i, v := range vars {
		step := grads[i]
		if o.Momentum != 0 {
			vs := mctx.InAbsPath(mlcontext.RootScope + sgdScope + v.Scope()).Checked(false)
			bufVar := zerosVariable(vs, v.Name()+"_momentum_buffer", v.Shape())
			mu := Scalar(g, dtype, o.Momentum)
			buf := Add(Mul(mu, bufVar.ValueGraph(g)), step)
			bufVar.SetValueGraph(buf)
			if o.Nesterov {
				step = Add(step, Mul(mu, buf))
			} else {
				step = buf
			}
		}
		v.SetValueGraph(Sub(v.ValueGraph(g), Mul(lr, step)))
	}
}

// Clear implements optimizers.Interface: it drops the optimizer's state.
func (o *SGD) Clear(mctx *mlcontext.Context) error {
	return mctx.InAbsPath(mlcontext.RootScope + sgdScope).DeleteVariablesInScope()
}

// UpdateGraph implements optimizers.Interface.
func (o *RMSprop) UpdateGraph(mctx *mlcontext.Context, g *Graph, loss *Node) {
	vars, grads, lr := prepareUpdate(mctx, g, loss, o.LR)
	dtype := loss.DType()
	alpha := Scalar(g, dtype, o.Alpha)
	eps := Scalar(g, dtype, o.Eps)
	for i, v := range vars {
		grad := grads[i]
		vs := mctx.InAbsPath(mlcontext.RootScope + rmspropScope + v.Scope()).Checked(false)
		sqAvgVar := zerosVariable(vs, v.Name()+"_square_avg", v.Shape())
		sqAvg := sqAvgVar.ValueGraph(g)
		sqAvg = Add(Mul(alpha, sqAvg), Mul(OneMinus(alpha), Square(grad)))
		sqAvgVar.SetValueGraph(sqAvg)
		step := Div(grad, Add(Sqrt(sqAvg), eps))
		if o.Momentum != 0 {
			bufVar := zerosVariable(vs, v.Name()+"_momentum_buffer", v.Shape())
			step = Add(Mul(Scalar(g, dtype, o.Momentum), bufVar.ValueGraph(g)), step)
			bufVar.SetValueGraph(step)
		}
		v.SetValueGraph(Sub(v.ValueGraph(g), Mul(lr, step)))
	}
}

// Clear implements optimizers.Interface: it drops the optimizer's state.
func (o *RMSprop) Clear(mctx *mlcontext.Context) error {
	return mctx.InAbsPath(mlcontext.RootScope + rmspropScope).DeleteVariablesInScope()
}

// prepareUpdate is the start of every optimizer's step: the trainable
// variables with their gradients, the learning rate (a variable, so that a
// schedule can change it between steps) and the global step's increment.
func prepareUpdate(mctx *mlcontext.Context, g *Graph, loss *Node, lr float64) ([]*mlcontext.Variable, []*Node, *Node) {
	grads := mctx.BuildTrainableVariablesGradientsGraph(loss)
	vars := trainableVariables(mctx, g)
	if len(vars) != len(grads) {
		panic("fashion: gradients and trainable variables differ in number")
	}
	lrNode := optimizers.LearningRateVar(mctx, loss.DType(), lr).ValueGraph(g)
	_ = optimizers.IncrementGlobalStepGraph(mctx, g, loss.DType())
	return vars, grads, lrNode
}

// zerosVariable returns the non-trainable optimizer state variable name,
// created with zeros of the given shape on first use.
func zerosVariable(mctx *mlcontext.Context, name string, shape shapes.Shape) *mlcontext.Variable {
	return mctx.WithInitializer(initializers.Zero).VariableWithShape(name, shape).SetTrainable(false)
}

// trainableVariables lists the trainable variables used by g in the order of
// Context.BuildTrainableVariablesGradientsGraph.
func trainableVariables(mctx *mlcontext.Context, g *Graph) []*mlcontext.Variable {
	var vars []*mlcontext.Variable
	for v := range mctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			vars = append(vars, v)
		}
	}
	return vars
}
