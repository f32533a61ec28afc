package fashion

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/regularizers"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// l2Penalty is Config.L2 as a Technique's Penalty: λ·Σw² over the weights
// it is given (the weight matrices: not biases, nor normalization's
// parameters), added to the loss that is trained, as PyTorch users write
// it by hand (loss + λ·Σ‖w‖²; torch.optim's weight_decay adds the gradient
// of λ/2·Σw² instead, so it is this with λ halved). GoMLX's regularizers.L2
// is the same sum; it is written out here because λ is a graph input
// (settings.go), so that a new λ compiles nothing, and GoMLX's is a
// constant.
func l2Penalty(lambda float64) regularizers.Regularizer {
	return func(mctx *mlcontext.Context, g *Graph, weights ...*mlcontext.Variable) {
		var sum *Node
		for _, w := range weights {
			sq := ReduceAllSum(Square(w.ValueGraph(g)))
			if sum == nil {
				sum = sq
			} else {
				sum = Add(sum, sq)
			}
		}
		train.AddLoss(mctx, Mul(sum, setting(mctx, g, "l2", lambda)))
	}
}
