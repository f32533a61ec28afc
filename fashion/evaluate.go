package fashion

import (
	"errors"
	"fmt"
	"sync/atomic"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// Evaluation is how a trained model does on a set of examples.
type Evaluation struct {
	Loss        float64                     // mean cross-entropy
	Accuracy    float64                     // fraction right
	Predictions []int32                     // predicted class of each example
	Confusion   [NumClasses][NumClasses]int // [true][predicted] counts
	PerClass    [NumClasses]float64         // accuracy of each true class (recall)
}

// evalGraph is the package's one evaluation graph: validation during
// training, the test score and Run.Evaluate all go through it. Each set it
// sees is sent to the backend once, standardized (Standardize) on the host
// in chunks of Config.EvalBatchSize; an evaluation then sends nothing and
// reads back two sums (and the predictions when asked).
type evalGraph struct {
	backend *Backend
	exec    *mlcontext.Exec
	batch   int
	sets    map[*Set][]resident
}

// resident is a chunk of a set on the backend.
type resident struct{ x, y *tensors.Tensor }

// evalTotals are an evaluation's raw totals over a set.
type evalTotals struct {
	sumLoss float64
	correct int
}

// newEvalGraph compiles the evaluation graph of model on backend (lazily,
// once per chunk shape; compiles, if not nil, counts the compilations). The
// graph returns the chunk's loss sum and right answers as one [2] tensor,
// one transfer, and the predictions, read only when asked for.
func newEvalGraph(backend *Backend, mctx *mlcontext.Context, model *Model, cfg Config, compiles *atomic.Int64) (*evalGraph, error) {
	parts := partsFor(backend, cfg)
	exec, err := mlcontext.NewExec(backend, mctx, func(mctx *mlcontext.Context, x, y *Node) []*Node {
		if compiles != nil {
			compiles.Add(1)
		}
		logits := model.logitsInParts(mctx, x, parts)
		totals := Stack([]*Node{ReduceAllSum(crossEntropy(logits, y)), numCorrect(logits, y)}, 0)
		return []*Node{totals, ArgMax(logits, -1, y.DType())}
	})
	if err != nil {
		return nil, err
	}
	return &evalGraph{backend: backend, exec: exec, batch: cfg.EvalBatchSize, sets: map[*Set][]resident{}}, nil
}

// chunks returns s's chunks on the backend, sending them the first time.
func (e *evalGraph) chunks(s *Set) ([]resident, error) {
	if c, ok := e.sets[s]; ok {
		return c, nil
	}
	var c []resident
	for start := 0; start < s.Len(); start += e.batch {
		end := min(s.Len(), start+e.batch)
		// Standardized once here rather than in the graph: on XLA CPU the
		// graph's bit-exact form, a 256-entry lookup (standardizeOn), cost
		// up to 16% at 5000 images a call and 2.6–2.9× at 10,000
		// (docs/performance.md). The float32 copy takes 4 bytes a pixel on
		// the backend: 31 MB for 10,000 images.
		x := tensors.FromFlatDataAndDimensions(Standardize(s.Images[start*NumPixels:end*NumPixels], Mean, Std), end-start, NumPixels)
		y := tensors.FromFlatDataAndDimensions(int32Labels(s.Labels[start:end]), end-start)
		for _, t := range []*tensors.Tensor{x, y} {
			if err := toDevice(e.backend, t); err != nil {
				return nil, err
			}
		}
		c = append(c, resident{x, y})
	}
	e.sets[s] = c
	return c, nil
}

// totals runs the model in evaluation mode over s and returns its totals.
func (e *evalGraph) totals(s *Set) (evalTotals, error) {
	return e.run(s, nil)
}

// totalsAndPredictions is totals plus the predicted class of each example
// of s.
func (e *evalGraph) totalsAndPredictions(s *Set) (evalTotals, []int32, error) {
	predictions := make([]int32, 0, s.Len())
	r, err := e.run(s, func(chunk *tensors.Tensor) {
		predictions = append(predictions, tensors.MustCopyFlatData[int32](chunk)...)
	})
	return r, predictions, err
}

// run evaluates s chunk by chunk and passes each chunk's predictions to
// onPredictions, unless that is nil: reading them back is a transfer that
// validation does without.
func (e *evalGraph) run(s *Set, onPredictions func(chunk *tensors.Tensor)) (r evalTotals, err error) {
	if s.Len() == 0 {
		return r, errors.New("fashion: evaluating an empty set")
	}
	chunks, err := e.chunks(s)
	if err != nil {
		return r, err
	}
	var sumLoss, correct float64
	for _, c := range chunks {
		out, err := e.exec.Exec(c.x, c.y)
		if err != nil {
			return r, err
		}
		totals, err := tensors.CopyFlatData[float32](out[0])
		if err != nil {
			finalizeAll(out)
			return r, err
		}
		sumLoss += float64(totals[0])
		correct += float64(totals[1])
		if onPredictions != nil {
			onPredictions(out[1])
		}
		finalizeAll(out)
	}
	r.sumLoss, r.correct = sumLoss, int(correct)
	return r, nil
}

func (e *evalGraph) close() {
	for _, chunks := range e.sets {
		for _, c := range chunks {
			_ = c.x.FinalizeAll()
			_ = c.y.FinalizeAll()
		}
	}
	e.exec.Finalize()
}

// Evaluator holds a run's trained model compiled for evaluation, to evaluate
// several sets (or time evaluation) without rebuilding it.
type Evaluator struct {
	backend     *Backend
	ownsBackend bool // created for the evaluator, not a session's
	mctx        *mlcontext.Context
	eval        *evalGraph
	cfg         Config
}

// Evaluate runs the run's trained model (Run.Params) in evaluation mode over
// s, on the backend of r.Config.Backend.
func (r *Run) Evaluate(s *Set) (*Evaluation, error) {
	e, err := r.NewEvaluator()
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Evaluate(s)
}

// NewEvaluator loads the run's parameters on a backend of its own. In a
// process that holds a Session, use Session.NewEvaluator: a second client
// of one device is what a process should not have (on CUDA each takes its
// own share of the card, and two were never run on one).
func (r *Run) NewEvaluator() (*Evaluator, error) {
	if len(r.Params) == 0 {
		return nil, errNoParams
	}
	backend, err := NewBackend(r.Config.Backend)
	if err != nil {
		return nil, err
	}
	return newEvaluator(r, backend, true)
}

// NewEvaluator loads the run's parameters on the session's backend for
// r.Config.Backend, the one its runs train on.
func (sess *Session) NewEvaluator(r *Run) (*Evaluator, error) {
	if len(r.Params) == 0 {
		return nil, errNoParams
	}
	backend, err := sess.backend(r.Config.Backend)
	if err != nil {
		return nil, err
	}
	return newEvaluator(r, backend, false)
}

var errNoParams = errors.New("fashion: the run has no parameters (a record loaded without its weights?)")

// newEvaluator builds the evaluator of r on backend, which it finalizes on
// Close if owned.
func newEvaluator(r *Run, backend *Backend, owned bool) (e *Evaluator, err error) {
	e = &Evaluator{backend: backend, ownsBackend: owned, mctx: mlcontext.New(), cfg: r.Config}
	if err := setParams(e.mctx, r.Params); err != nil {
		e.Close()
		return nil, err
	}
	if e.eval, err = newEvalGraph(backend, e.mctx, &Model{cfg: r.Config}, r.Config, nil); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the evaluator's graph and data on the backend, and the
// backend if it is the evaluator's own.
func (e *Evaluator) Close() {
	if e.eval != nil {
		e.eval.close()
	}
	e.mctx.Finalize()
	if e.ownsBackend {
		e.backend.Finalize()
	}
}

// Evaluate computes loss, accuracy, predictions and confusion matrix over s.
// The set stays on the backend until Close, so evaluating it again sends
// nothing.
func (e *Evaluator) Evaluate(s *Set) (ev *Evaluation, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fashion: evaluation failed: %v", p)
		}
	}()
	r, predictions, err := e.eval.totalsAndPredictions(s)
	if err != nil {
		return nil, err
	}
	ev = &Evaluation{Predictions: predictions}
	var perClass [NumClasses]int
	for i, p := range ev.Predictions {
		truth := s.Labels[i]
		ev.Confusion[truth][p]++
		perClass[truth]++
	}
	for c := range NumClasses {
		if perClass[c] > 0 {
			ev.PerClass[c] = float64(ev.Confusion[c][c]) / float64(perClass[c])
		}
	}
	n := float64(s.Len())
	ev.Loss, ev.Accuracy = r.sumLoss/n, float64(r.correct)/n
	return ev, nil
}
