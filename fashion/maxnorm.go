package fashion

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/regularizers"
)

// maxNormConstraint is Config.MaxNorm as a Technique's Constraint: after
// each update, every unit's incoming weight vector is scaled back to an L2
// norm of at most c (Srivastava et al. 2014, "Dropout", section 5.1; the
// paper pairs it with dropout and large learning rates). The bound c is a
// graph input (settings.go): a new c compiles nothing.
func maxNormConstraint(c float64) regularizers.Regularizer {
	return func(mctx *mlcontext.Context, g *Graph, weights ...*mlcontext.Variable) {
		bound := setting(mctx, g, "max_norm", c)
		for _, w := range weights {
			w.SetValueGraph(maxNorm(w.ValueGraph(g), bound))
		}
	}
}

// maxNorm scales each unit's incoming weights (the columns of a dense
// layer's [in, out] matrix; for a kernel, all axes but the last) to an L2
// norm of at most c: w·min(1, c/(‖w‖+1e-7)), as torch.renorm (which the
// PyTorch idiom torch.renorm(w, 2, 0, c) applies to nn.Linear's [out, in]
// rows) and Keras' max_norm constraint.
func maxNorm(w, c *Node) *Node {
	axes := make([]int, w.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	norm := L2Norm(w, axes...) // the reduced axes kept, of dimension 1
	return Mul(w, MinScalar(Div(ConvertDType(c, w.DType()), AddScalar(norm, 1e-7)), 1.0))
}
