package fashion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own style for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// DType of the model's weights and activations: float32, as PyTorch's default.
const DType = dtypes.Float32

// defaultDotVJP is GoMLX's gradient of Dot, kept for the tests that compare
// it with matmulDotVJP.
var defaultDotVJP = VJPRegistration[NodeTypeDot]

func init() {
	// GoMLX v0.26.0 differentiates a matrix product [i,j]·[j,k] by broadcasting
	// both operands to [i,j,k], multiplying and reducing (rev_autodiff.go,
	// dotVJP). XLA fuses that away, but the pure-Go backend executes it
	// literally: for the first layer that is 128·784·120 floats per step and
	// ~59 s per epoch. The same gradient as two matrix products is
	// dx = v·Wᵀ and dW = xᵀ·v, ~7 s per epoch. GoMLX has no per-node hook for
	// a two-input custom gradient, so we register this one for Dot; other
	// ranks fall back to GoMLX's.
	VJPRegistration[NodeTypeDot] = matmulDotVJP
}

// matmulDotVJP is the gradient of a rank-2 Dot as two matrix products.
func matmulDotVJP(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
	inputs := node.Inputs()
	lhs, rhs := inputs[0], inputs[1]
	if lhs.Rank() != 2 || rhs.Rank() != 2 {
		return defaultDotVJP(node, vjpOutputs, outputShape)
	}
	v := vjpOutputs[0] // [i,k]
	return []*Node{
		DotGeneral(v, []int{1}, nil, rhs, []int{1}, nil), // [i,k]·[j,k]ᵀ = [i,j]
		DotGeneral(lhs, []int{0}, nil, v, []int{0}, nil), // [i,j]ᵀ·[i,k] = [j,k]
	}
}

// layer holds the variables of one dense layer.
type layer struct {
	weights, biases *context.Variable
}

// Model is the MLP's structure and its variables in a GoMLX context.
type Model struct {
	cfg    Config
	ctx    *context.Context
	layers []layer
}

// NewModel creates the MLP's variables in ctx, initialized on the host from
// cfg.Seed so that every backend starts from the same weights.
func NewModel(ctx *context.Context, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, ctx: ctx}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed_1417))
	widths := append(append([]int{NumPixels}, cfg.Hidden...), NumClasses)
	for i := range len(widths) - 1 {
		in, out := widths[i], widths[i+1]
		w, b, err := initLayer(rng, cfg.Init, in, out)
		if err != nil {
			return nil, err
		}
		scope := ctx.In(layerScope(i, len(widths)-1))
		m.layers = append(m.layers, layer{
			weights: scope.VariableWithValue("weights", tensors.FromFlatDataAndDimensions(w, in, out)),
			biases:  scope.VariableWithValue("biases", tensors.FromFlatDataAndDimensions(b, out)),
		})
	}
	return m, nil
}

func layerScope(i, n int) string {
	if i == n-1 {
		return "output"
	}
	return fmt.Sprintf("hidden_%d", i)
}

// initLayer draws a layer's weights [in,out] and biases [out].
func initLayer(rng *rand.Rand, init string, in, out int) (w, b []float32, err error) {
	w, b = make([]float32, in*out), make([]float32, out)
	switch init {
	case "pytorch":
		// torch.nn.Linear.reset_parameters: kaiming_uniform_(a=√5) for the
		// weights is U(±1/√fan_in), and the bias is U(±1/√fan_in) too.
		bound := 1 / math.Sqrt(float64(in))
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * bound)
		}
		for i := range b {
			b[i] = float32((2*rng.Float64() - 1) * bound)
		}
	default:
		return nil, nil, fmt.Errorf("fashion: unknown Init %q", init)
	}
	return w, b, nil
}

// Logits builds the forward pass of images x [batch,784] to logits [batch,10].
func (m *Model) Logits(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	for i, l := range m.layers {
		x = Add(Dot(x, l.weights.ValueGraph(g)), InsertAxes(l.biases.ValueGraph(g), 0))
		if i < len(m.layers)-1 {
			x = activation(m.cfg.Activation, x)
		}
	}
	return x
}

func activation(name string, x *Node) *Node {
	switch name {
	case "relu":
		return activations.Relu(x)
	}
	panic(fmt.Sprintf("fashion: unknown activation %q", name)) // Validate rejects it first.
}

// crossEntropy returns the per-example softmax cross-entropy [batch] of
// logits [batch,10] against labels [batch] (int32), as
// torch.nn.CrossEntropyLoss(reduction='none').
func crossEntropy(logits, labels *Node) *Node {
	logp := LogSoftmax(logits, -1)
	return Neg(ReduceSum(Mul(OneHot(labels, NumClasses, logits.DType()), logp), -1))
}

// numCorrect counts the examples whose highest logit is the label.
func numCorrect(logits, labels *Node) *Node {
	pred := ArgMax(logits, -1, labels.DType())
	return ReduceAllSum(ConvertDType(Equal(pred, labels), logits.DType()))
}
