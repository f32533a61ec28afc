package fashion

import (
	"errors"
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Evaluation is how a trained model does on a set of examples.
type Evaluation struct {
	Loss        float64                     // mean cross-entropy
	Accuracy    float64                     // fraction right
	Predictions []int32                     // predicted class of each example
	Confusion   [NumClasses][NumClasses]int // [true][predicted] counts
	PerClass    [NumClasses]float64         // accuracy of each true class (recall)
}

// Evaluate runs the run's trained model (Run.Params) in evaluation mode over
// t, on the backend of r.Config.Backend.
func (r *Run) Evaluate(t *Tensors) (*Evaluation, error) {
	e, err := r.NewEvaluator()
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Evaluate(t)
}

// Evaluator holds a trained model compiled for evaluation, to evaluate
// several sets (or time evaluation) without rebuilding it.
type Evaluator struct {
	run     *Run
	backend *Backend
	ctx     *context.Context
	exec    *context.Exec
}

// NewEvaluator loads the run's parameters on its backend.
func (r *Run) NewEvaluator() (e *Evaluator, err error) {
	if len(r.Params) == 0 {
		return nil, errors.New("fashion: the run has no parameters (a record loaded without its weights?)")
	}
	backend, err := NewBackend(r.Config.Backend)
	if err != nil {
		return nil, err
	}
	e = &Evaluator{run: r, backend: backend, ctx: context.New()}
	if err := setParams(e.ctx, r.Params); err != nil {
		e.Close()
		return nil, err
	}
	model := &Model{cfg: r.Config}
	parts := partsFor(backend, r.Config)
	e.exec, err = context.NewExec(backend, e.ctx, func(ctx *context.Context, x, y *Node) (losses, preds *Node) {
		logits := model.logitsInParts(ctx, x, parts)
		return crossEntropy(logits, y), ArgMax(logits, -1, y.DType())
	})
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the evaluator's backend.
func (e *Evaluator) Close() {
	if e.exec != nil {
		e.exec.Finalize()
	}
	e.ctx.Finalize()
	e.backend.Finalize()
}

// Evaluate computes loss, accuracy, predictions and confusion matrix over t.
func (e *Evaluator) Evaluate(t *Tensors) (ev *Evaluation, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fashion: evaluation failed: %v", p)
		}
	}()
	r, exec := e.run, e.exec
	ev = &Evaluation{Predictions: make([]int32, 0, t.Len())}
	b := newBatcher(t, r.Config.EvalBatchSize)
	var sumLoss float64
	for start := 0; start < t.Len(); start += r.Config.EvalBatchSize {
		x, y := b.slice(start, min(t.Len(), start+r.Config.EvalBatchSize))
		out, err := exec.Exec(x, y)
		if err != nil {
			return nil, err
		}
		for _, l := range tensors.MustCopyFlatData[float32](out[0]) {
			sumLoss += float64(l)
		}
		ev.Predictions = append(ev.Predictions, tensors.MustCopyFlatData[int32](out[1])...)
		finalizeAll(out)
	}
	var perClass [NumClasses]int
	right := 0
	for i, p := range ev.Predictions {
		truth := t.Y[i]
		ev.Confusion[truth][p]++
		perClass[truth]++
		if p == truth {
			right++
		}
	}
	for c := range NumClasses {
		if perClass[c] > 0 {
			ev.PerClass[c] = float64(ev.Confusion[c][c]) / float64(perClass[c])
		}
	}
	n := float64(t.Len())
	ev.Loss, ev.Accuracy = sumLoss/n, float64(right)/n
	return ev, nil
}
