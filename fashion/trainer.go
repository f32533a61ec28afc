package fashion

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// trainer holds the compiled graphs of one run: the training step and the
// evaluator, sharing one context (the model's variables).
type trainer struct {
	cfg      Config
	ctx      *context.Context
	batches  batchSource
	stepExec *context.Exec
	eval     *evaluator

	trainLen, steps int // training examples, and steps per epoch
}

func newTrainer(backend *Backend, cfg Config, train *Set) (t *trainer, err error) {
	ctx := context.New()
	// Dropout draws from the context's generator: seeded for reproducibility.
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	model, err := newModel(ctx, cfg)
	if err != nil {
		return nil, err
	}
	t = &trainer{cfg: cfg, ctx: ctx, trainLen: train.Len(), steps: (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize}
	defer func() {
		if err != nil {
			t.finalize()
		}
	}()
	if t.batches, err = newBatchSource(backend, train); err != nil {
		return nil, err
	}
	opt := newOptimizer(cfg)
	lrVar := optimizers.LearningRateVar(ctx, DType, cfg.LR)
	parts := partsFor(backend, cfg)
	// One training step: forward, mean cross-entropy, gradients and the
	// optimizer's update, all in one graph. The L2 term joins the loss that is
	// differentiated, not the one reported, so curves compare across L2.
	// Steps chain inside a graph: each reads the variables the previous one
	// set.
	step := func(ctx *context.Context, x, y, lr *Node) {
		g := x.Graph()
		ctx.SetTraining(g, true)
		lrVar.SetValueGraph(lr)
		logits := model.logitsInParts(ctx, x, parts)
		loss := ReduceAllMean(crossEntropy(logits, y))
		objective := loss
		if cfg.L2 > 0 {
			objective = Add(loss, MulScalar(l2Penalty(ctx, g, len(cfg.Hidden)+1), cfg.L2))
		}
		opt.UpdateGraph(ctx, g, objective)
		accumulate(ctx, g, loss, numCorrect(logits, y))
	}
	// The call's inputs are the batch source's, then lrs [k], each step's
	// learning rate.
	t.stepExec, err = context.NewExec(backend, ctx, func(ctx *context.Context, in []*Node) {
		lrs := in[len(in)-1]
		for j := range t.batches.steps(in[:len(in)-1]) {
			x, y := t.batches.batch(in, j)
			step(ctx, x, y, Reshape(Slice(lrs, AxisElem(j))))
		}
	})
	if err != nil {
		return nil, err
	}
	t.eval, err = newEvaluator(backend, ctx, model, cfg)
	return t, err
}

func (t *trainer) finalize() {
	if t.batches != nil {
		t.batches.close()
	}
	if t.stepExec != nil {
		t.stepExec.Finalize()
	}
	if t.eval != nil {
		t.eval.close()
	}
	t.ctx.Finalize()
}

// stepsPerCall is how many steps the call starting at step runs: the
// source's unroll while that many full batches remain, else 1 (the last,
// partial batch has its own graph, as its shape differs).
func (t *trainer) stepsPerCall(step, n int) int {
	if k := t.batches.unroll(); (step+k)*t.cfg.BatchSize <= n {
		return k
	}
	return 1
}

// trainSteps runs len(lrs) training steps in one call, on consecutive
// batches of the training examples idx, with the learning rates lrs.
func (t *trainer) trainSteps(idx []int, lrs []float64) error {
	args, temps, err := t.batches.args(idx, len(lrs))
	if err != nil {
		return err
	}
	lr32 := make([]float32, len(lrs))
	for i, r := range lrs {
		lr32[i] = float32(r)
	}
	lrT := tensors.FromFlatDataAndDimensions(lr32, len(lrs))
	defer finalizeAll(append(temps, lrT)) // now, not when the garbage collector finds them
	out, err := t.stepExec.Exec(append(args, lrT)...)
	if err != nil {
		return err
	}
	finalizeAll(out)
	return nil
}

// The training graph sums the batch losses and the right answers into
// variables of the scope metricsScope, counts the steps and marks the first
// step with a non-finite loss, so that the host reads them once per epoch
// (and the marker every nonFiniteCheckEvery steps) instead of stalling on
// every step's loss (docs/performance.md).
const metricsScope = "metrics"

// nonFiniteCheckEvery is how many steps pass between reads of the
// non-finite marker: each read waits for the device.
const nonFiniteCheckEvery = 50

func metricVar(ctx *context.Context, name string, value any) *context.Variable {
	return ctx.InAbsPath(context.RootScope+metricsScope).Checked(false).VariableWithValue(name, value).SetTrainable(false)
}

func accumulate(ctx *context.Context, g *Graph, loss, correct *Node) {
	sumLoss, right := metricVar(ctx, "sum_loss", float32(0)), metricVar(ctx, "correct", float32(0))
	steps, firstBad := metricVar(ctx, "steps", int32(0)), metricVar(ctx, "first_non_finite", int32(-1))
	sumLoss.SetValueGraph(Add(sumLoss.ValueGraph(g), loss))
	right.SetValueGraph(Add(right.ValueGraph(g), correct))
	step, bad := steps.ValueGraph(g), firstBad.ValueGraph(g)
	isNewBad := LogicalAnd(LogicalNot(IsFinite(loss)), LessThan(bad, ZerosLike(bad)))
	firstBad.SetValueGraph(Where(isNewBad, step, bad))
	steps.SetValueGraph(Add(step, OnesLike(step)))
}

// checkFinite reads the non-finite marker when due (every
// nonFiniteCheckEvery steps and at the epoch's end) and returns an
// ErrNonFinite error naming the step if a loss was NaN or ±Inf.
func (t *trainer) checkFinite(epoch, step, k, steps int) error {
	if step%nonFiniteCheckEvery >= k && step != steps {
		return nil
	}
	v, err := metricVar(t.ctx, "first_non_finite", int32(-1)).Value()
	if err != nil {
		return err
	}
	if bad := int(tensors.ToScalar[int32](v)); bad >= 0 {
		return fmt.Errorf("fashion: epoch %d, step %d: %w; lower Config.LR (now %g)", epoch, bad, ErrNonFinite, t.cfg.LR)
	}
	return nil
}

// epochTotals returns the epoch's sums of batch losses and right answers,
// and resets the counters for the next epoch.
func (t *trainer) epochTotals() (sumLoss, correct float64, err error) {
	values := map[string]any{"sum_loss": float32(0), "correct": float32(0), "steps": int32(0), "first_non_finite": int32(-1)}
	for name, zero := range values {
		v := metricVar(t.ctx, name, zero)
		value, err := v.Value()
		if err != nil {
			return 0, 0, err
		}
		switch name {
		case "sum_loss":
			sumLoss = float64(tensors.ToScalar[float32](value))
		case "correct":
			correct = float64(tensors.ToScalar[float32](value))
		}
		if err := v.SetValue(tensors.FromAnyValue(zero)); err != nil {
			return 0, 0, err
		}
	}
	return sumLoss, correct, nil
}

// evaluate returns the mean loss and the accuracy over a whole set, in eval mode.
func (t *trainer) evaluate(s *Set) (loss, accuracy float64, err error) {
	r, err := t.eval.evaluate(s, false)
	if err != nil {
		return 0, 0, err
	}
	n := float64(s.Len())
	return r.sumLoss / n, float64(r.correct) / n, nil
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

// setParams sets the model's variables in ctx (creating missing ones) from ps.
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

func finalizeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		t.FinalizeAll()
	}
}

// load sets the model's variables from ps (earlyStop's restore).
func (t *trainer) load(ps []Param) error { return setParams(t.ctx, ps) }
