package fashion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own style for graph code.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// DType of the model's weights and activations: float32, as PyTorch's default.
const DType = dtypes.Float32

// Model is the MLP's structure; its variables live in a GoMLX context under
// the scope "model".
type Model struct {
	cfg Config
}

// modelScope holds every variable of the model (and nothing of the
// optimizer's), so a run's parameters can be saved and restored as a whole.
const modelScope = "model"

// NewModel creates the MLP's dense-layer variables in mctx, initialized on the
// host from cfg.Seed so that every backend starts from the same weights.
// Normalization layers create theirs when the graph is first built.
func NewModel(mctx *mlcontext.Context, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newModel(mctx, cfg)
}

// newModel is NewModel for a Config already validated (training validates
// once per run).
func newModel(mctx *mlcontext.Context, cfg Config) (*Model, error) {
	if cfg.Arch == "cnn" { // its layers create their variables
		return &Model{cfg: cfg}, nil
	}
	if err := initDense(mctx, cfg); err != nil {
		return nil, err
	}
	return &Model{cfg: cfg}, nil
}

// initDense sets the dense layers' weights and biases in mctx to their
// initial values for cfg.Seed, creating the variables the first time (a
// trainer reused for another seed sets the same variables again).
func initDense(mctx *mlcontext.Context, cfg Config) error {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed_1417))
	widths := append(append([]int{NumPixels}, cfg.Hidden...), NumClasses)
	for i := range len(widths) - 1 {
		in, out := widths[i], widths[i+1]
		// The output layer feeds no activation: gain 1 (PyTorch's "linear").
		act := cfg.Activation
		if i == len(widths)-2 {
			act = "linear"
		}
		w, b, err := initLayer(rng, cfg.Init, act, cfg.LeakySlope, in, out)
		if err != nil {
			return err
		}
		scope := layerCtx(mctx, i, len(widths)-1)
		values := map[string]*tensors.Tensor{
			"weights": tensors.FromFlatDataAndDimensions(w, in, out),
			"biases":  tensors.FromFlatDataAndDimensions(b, out),
		}
		for _, name := range []string{"weights", "biases"} {
			if v := scope.GetVariable(name); v != nil {
				if err := v.SetValue(values[name]); err != nil {
					return err
				}
				continue
			}
			scope.VariableWithValue(name, values[name])
		}
	}
	return nil
}

// layerCtx is the scope of dense layer i of n; unchecked so that graph
// building reuses the variables NewModel (or LoadParams) created.
func layerCtx(mctx *mlcontext.Context, i, n int) *mlcontext.Context {
	name := fmt.Sprintf("hidden_%d", i)
	if i == n-1 {
		name = "output"
	}
	return mctx.InAbsPath(mlcontext.RootScope + modelScope).In(name).Checked(false)
}

// gain is PyTorch's nn.init.calculate_gain for an activation. GELU, SiLU and
// ELU have none there; ReLU's √2 is the usual choice for them.
func gain(activation string, slope float64) float64 {
	switch activation {
	case "linear", "selu":
		// PyTorch's gain for SELU is 3/4 for a self-normalizing setup with
		// kaiming; LeCun normal (gain 1) is SELU's intended initialization.
		return 1
	case "tanh":
		return 5.0 / 3
	case "leaky_relu":
		return math.Sqrt(2 / (1 + slope*slope))
	default: // relu, elu, gelu, silu
		return math.Sqrt2
	}
}

// initLayer draws a layer's weights [in,out] and biases [out].
func initLayer(rng *rand.Rand, init, activation string, slope float64, in, out int) (w, b []float32, err error) {
	w, b = make([]float32, in*out), make([]float32, out)
	uniform := func(v []float32, bound float64) {
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	normal := func(v []float32, std float64) {
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
	}
	fanIn, fanOut := float64(in), float64(out)
	switch init {
	case "pytorch":
		// torch.nn.Linear.reset_parameters: kaiming_uniform_(a=√5) for the
		// weights is U(±1/√fan_in), and the bias is U(±1/√fan_in) too.
		uniform(w, 1/math.Sqrt(fanIn))
		uniform(b, 1/math.Sqrt(fanIn))
	case "he_normal":
		normal(w, gain(activation, slope)/math.Sqrt(fanIn))
	case "he_uniform":
		uniform(w, gain(activation, slope)*math.Sqrt(3/fanIn))
	case "xavier_normal":
		normal(w, math.Sqrt(2/(fanIn+fanOut)))
	case "xavier_uniform":
		uniform(w, math.Sqrt(6/(fanIn+fanOut)))
	case "lecun_normal":
		normal(w, 1/math.Sqrt(fanIn))
	default:
		return nil, nil, fmt.Errorf("fashion: Config.Init = %q is invalid: want one of %s", init, strings.Join(Inits(), ", "))
	}
	return w, b, nil
}

// dense is x·W + b for layer i of n.
func dense(mctx *mlcontext.Context, x *Node, i, n int) *Node {
	lctx := layerCtx(mctx, i, n)
	g := x.Graph()
	w := lctx.GetVariable("weights")
	b := lctx.GetVariable("biases")
	if w == nil || b == nil {
		panic(fmt.Sprintf("fashion: layer %d has no variables: NewModel or LoadParams must run first", i))
	}
	return Add(Dot(x, w.ValueGraph(g)), InsertAxes(b.ValueGraph(g), 0))
}

// Logits builds the forward pass of images x [batch,784] to logits [batch,10]:
// each hidden layer is dense → normalization → activation → dropout.
func (m *Model) Logits(mctx *mlcontext.Context, x *Node) *Node {
	if m.cfg.Arch == "cnn" {
		return cnnLogits(mctx, x)
	}
	n := len(m.cfg.Hidden) + 1
	for i := range m.cfg.Hidden {
		x = dense(mctx, x, i, n)
		lctx := layerCtx(mctx, i, n)
		switch m.cfg.Norm {
		case "batch":
			x = batchNorm(lctx, x)
		case "layer":
			x = layers.LayerNormalization(lctx, x, -1).Epsilon(1e-5).Done()
		}
		x = activation(m.cfg.Activation, m.cfg.LeakySlope, x)
		x = dropout(lctx, x, dropoutSetting(i), m.cfg.DropoutRate(i))
	}
	return dense(mctx, x, n-1, n)
}

// logitsInParts is Logits of x [B,784] computed on parts blocks of rows
// that share no op until the logits are joined, so that a backend running
// independent ops concurrently (GoMLX's pure-Go one with ops_parallel) puts
// one block on each core, in the backward pass too. The logits are the same
// as Logits' (each row's products sum in the same order); the weights'
// gradients become the sum of the blocks' gradients, a different order of
// float32 additions. Two blocks are faster than one on two cores, four
// slower (smaller products waste more of the blocked kernel's 32-row
// tiles); docs/performance.md has the figures.
// Not for batch norm, whose statistics would become per block.
func (m *Model) logitsInParts(mctx *mlcontext.Context, x *Node, parts int) *Node {
	b := x.Shape().Dimensions[0]
	if parts <= 1 || b < parts {
		return m.Logits(mctx, x)
	}
	blocks := make([]*Node, parts)
	for i := range blocks {
		blocks[i] = m.Logits(mctx, Slice(x, AxisRange(i*b/parts, (i+1)*b/parts)))
	}
	return Concatenate(blocks, 0)
}

// partsFor is how many blocks logitsInParts uses on backend b: two on the
// pure-Go backend, to keep two cores busy (XLA parallelizes inside its ops
// already); one with batch norm, whose statistics are over the whole batch.
func partsFor(b *Backend, cfg Config) int {
	if b.IsGo() && cfg.Norm != "batch" {
		return min(2, runtime.NumCPU())
	}
	return 1
}

// dropout zeroes each unit with probability p in training and scales the
// others by 1/(1−p) (GoMLX's inverted dropout); identity in evaluation,
// whose graph does not read the rate. p enters the graph as the setting
// name (settings.go); 0 builds no dropout.
func dropout(mctx *mlcontext.Context, x *Node, name string, p float64) *Node {
	if p <= 0 || !mctx.IsTraining(x.Graph()) {
		return x
	}
	return layers.Dropout(mctx, x, setting(mctx, x.Graph(), name, p))
}

// DropoutRate is the dropout probability of hidden layer i: none, the one
// value of Dropout for every hidden layer, or layer i's own.
func (c Config) DropoutRate(i int) float64 {
	switch len(c.Dropout) {
	case 0:
		return 0
	case 1:
		return c.Dropout[0]
	}
	return c.Dropout[i]
}

func activation(name string, slope float64, x *Node) *Node {
	switch name {
	case "relu":
		return activations.Relu(x)
	case "leaky_relu":
		return activations.LeakyReluWithAlpha(x, slope)
	case "elu":
		return elu(x) // gomlx_workarounds.go: GoMLX v0.26.0 has no ELU
	case "selu":
		return activations.Selu(x)
	case "gelu":
		return activations.Gelu(x)
	case "silu":
		return activations.Swish(x)
	case "tanh":
		return Tanh(x)
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
