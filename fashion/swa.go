package fashion

import (
	"fmt"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// Stochastic weight averaging (Config.SWAEpochs): the trained weights at
// the end of each of the last SWAEpochs epochs are summed on the host; after
// the last epoch the model takes their mean, batch norm's statistics are
// recomputed for it (updateBN), and the epoch's validation is that of the
// averaged model, which is what the run keeps.

// averageEpoch adds the epoch's weights to the average when the epoch is
// one of the last cfg.SWAEpochs, and after the last one puts the average in
// place and evaluates it in e's validation figures.
func (t *trainer) averageEpoch(e *Epoch, s *Splits, start time.Time) error {
	k := t.cfg.SWAEpochs
	if k == 0 || e.Epoch < t.cfg.Epochs-k {
		return nil
	}
	ps, err := t.modelParams()
	if err != nil {
		return err
	}
	if t.swaSum == nil {
		t.swaSum = map[string][]float64{}
	}
	trainable := map[string]bool{}
	for _, w := range averagedWeights(t.mctx, nil) {
		trainable[w.ScopeAndName()] = true
	}
	for _, p := range ps {
		name := p.Scope + "/" + p.Name
		if !trainable[name] {
			continue
		}
		sum := t.swaSum[name]
		if sum == nil {
			sum = make([]float64, len(p.Values))
			t.swaSum[name] = sum
		}
		for i, v := range p.Values {
			sum[i] += float64(v)
		}
	}
	if e.Epoch != t.cfg.Epochs-1 {
		return nil
	}
	for i, p := range ps {
		if sum, ok := t.swaSum[p.Scope+"/"+p.Name]; ok {
			for j := range p.Values {
				ps[i].Values[j] = float32(sum[j] / float64(k))
			}
		}
	}
	t.swaSum = nil
	if err := setParams(t.mctx, ps); err != nil {
		return err
	}
	if t.cfg.Norm == "batch" {
		if err := t.updateBN(s.Train); err != nil {
			return fmt.Errorf("fashion: SWA, batch norm statistics: %w", err)
		}
	}
	if e.ValLoss, e.ValAccuracy, err = t.evaluate(s.Val); err != nil {
		return fmt.Errorf("fashion: SWA, validation: %w", err)
	}
	e.Diff = e.ValLoss*100/e.TrainLoss - 100
	e.Seconds = time.Since(start).Seconds()
	return nil
}

// bnMomentumParam is the graph parameter that replaces batch norm's
// momentum of 0.1 with a node (updateBN's 1/(i+1)).
const bnMomentumParam = "bn_momentum"

// updateBN recomputes batch norm's running statistics for the weights in
// place, as torch.optim.swa_utils.update_bn: one pass over the training set
// in training mode, batch i updating the running averages with momentum
// 1/(i+1), which makes them the mean of the batches' statistics.
func (t *trainer) updateBN(train *Set) error {
	model := &Model{cfg: t.cfg}
	exec, err := mlcontext.NewExec(t.backend, t.mctx, func(mctx *mlcontext.Context, x, momentum *Node) *Node {
		g := x.Graph()
		mctx.SetTraining(g, true)
		mctx.SetGraphParam(g, bnMomentumParam, momentum)
		return ReduceAllSum(model.Logits(mctx, x)) // the running statistics are what changes
	})
	if err != nil {
		return err
	}
	defer exec.Finalize()
	host := &hostBatches{set: train, table: standardTable(Mean, Std)}
	order := make([]int, train.Len())
	for i := range order {
		order[i] = i
	}
	for i, start := 0, 0; start < train.Len(); i, start = i+1, start+t.cfg.BatchSize {
		x, _, err := host.takeBatches(order[start:min(train.Len(), start+t.cfg.BatchSize)], 1)
		if err != nil {
			return err
		}
		out, err := exec.Exec(x, tensors.FromScalar(float32(1)/float32(i+1)))
		x.FinalizeAll()
		if err != nil {
			return err
		}
		finalizeAll(out)
	}
	return nil
}
