package fashion

import (
	"context"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// TestSessionEvaluatorSharesBackend: an evaluator made by the session runs
// on the session's backend, the one its runs trained on (one client per
// device and process), leaves it open on Close, and scores as an evaluator
// with a backend of its own does.
func TestSessionEvaluatorSharesBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	sess := NewSession()
	defer sess.Close()
	cfg := quickConfig(300, 1)
	run, err := sess.Train(context.Background(), data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained := sess.backends[cfg.Backend]
	var accuracy [2]float64
	for i := range accuracy {
		ev, err := sess.NewEvaluator(run)
		if err != nil {
			t.Fatal(err)
		}
		if ev.backend != trained || len(sess.backends) != 1 {
			t.Errorf("evaluator %d: backend %p, the session's %p, %d backends in the session; want the session's only one", i, ev.backend, trained, len(sess.backends))
		}
		// The second evaluator fails if the first one's Close released the
		// session's backend.
		e, err := ev.Evaluate(data.Test)
		ev.Close()
		if err != nil {
			t.Fatalf("evaluator %d: %v", i, err)
		}
		accuracy[i] = e.Accuracy
	}
	own, err := run.Evaluate(data.Test)
	if err != nil {
		t.Fatal(err)
	}
	if accuracy[0] != own.Accuracy || accuracy[1] != own.Accuracy {
		t.Errorf("test accuracy %v on the session's backend, %v on a backend of its own", accuracy, own.Accuracy)
	}
}

// TestEvalGraphMatchesInGraphStandardization: the evaluator, which
// standardizes each set on the host when it sends it, gives bit for bit the
// loss sum, right answers and predictions of the same model fed the uint8
// images and standardizing them inside the graph (the bit-exact form on each
// backend, standardizeOn), on the pure-Go backend and on XLA CPU.
func TestEvalGraphMatchesInGraphStandardization(t *testing.T) {
	set := randomSet(7, 300)
	backends := cpuBackends(t)
	for _, b := range backends {
		cfg := DefaultConfig()
		cfg.EvalBatchSize = set.Len() // one chunk: its sums are the graph's own
		mctx := mlcontext.New()
		model, err := NewModel(mctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		e, err := newEvalGraph(b, mctx, model, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, predictions, err := e.totalsAndPredictions(set)
		e.close()
		if err != nil {
			t.Fatal(err)
		}
		out, err := mlcontext.ExecOnceN(b, mctx.Reuse(), func(mctx *mlcontext.Context, pixels, y *Node) []*Node {
			logits := model.logitsInParts(mctx, standardizeOn(b, pixels, standardTable(Mean, Std)), partsFor(b, cfg))
			return []*Node{ReduceAllSum(crossEntropy(logits, y)), numCorrect(logits, y), ArgMax(logits, -1, dtypes.Int32)}
		}, tensors.FromFlatDataAndDimensions(set.Images, set.Len(), NumPixels), tensors.FromFlatDataAndDimensions(int32Labels(set.Labels), set.Len()))
		if err != nil {
			t.Fatal(err)
		}
		wantLoss, wantCorrect := tensors.MustCopyFlatData[float32](out[0])[0], tensors.MustCopyFlatData[float32](out[1])[0]
		if got.sumLoss != float64(wantLoss) || got.correct != int(wantCorrect) {
			t.Errorf("%s: loss sum %v, %d right; standardizing in the graph: %v, %v", b.Config, got.sumLoss, got.correct, wantLoss, wantCorrect)
		}
		if want := tensors.MustCopyFlatData[int32](out[2]); !slices.Equal(predictions, want) {
			t.Errorf("%s: predictions differ from standardizing in the graph", b.Config)
		}
	}
}
