package fashion

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
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

// Scope under which RMSprop keeps its state (square_avg, momentum_buffer).
const rmspropScope = "rmsprop"

// UpdateGraph implements optimizers.Interface.
func (o *RMSprop) UpdateGraph(ctx *context.Context, g *Graph, loss *Node) {
	grads := ctx.BuildTrainableVariablesGradientsGraph(loss)
	vars := trainableVariables(ctx, g)
	if len(vars) != len(grads) {
		panic("fashion: RMSprop: gradients and trainable variables differ in number")
	}
	dtype := loss.DType()
	lr := optimizers.LearningRateVar(ctx, dtype, o.LR).ValueGraph(g)
	_ = optimizers.IncrementGlobalStepGraph(ctx, g, dtype)
	alpha := Scalar(g, dtype, o.Alpha)
	eps := Scalar(g, dtype, o.Eps)
	for i, v := range vars {
		grad := grads[i]
		vs := ctx.InAbsPath(context.RootScope + rmspropScope + v.Scope()).Checked(false)
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
func (o *RMSprop) Clear(ctx *context.Context) error {
	return ctx.InAbsPath(context.RootScope + rmspropScope).DeleteVariablesInScope()
}

// zerosVariable returns the non-trainable optimizer state variable name,
// created with zeros of the given shape on first use.
func zerosVariable(ctx *context.Context, name string, shape shapes.Shape) *context.Variable {
	return ctx.WithInitializer(initializers.Zero).VariableWithShape(name, shape).SetTrainable(false)
}

// trainableVariables lists the trainable variables used by g in the order of
// Context.BuildTrainableVariablesGradientsGraph.
func trainableVariables(ctx *context.Context, g *Graph) []*context.Variable {
	var vars []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			vars = append(vars, v)
		}
	}
	return vars
}
