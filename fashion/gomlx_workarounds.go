package fashion

// Every workaround of a limitation of GoMLX v0.26.0 (the version go.mod
// pins) lives in this file, each under its own heading with what it fixes,
// where the limitation is upstream (the file and function in v0.26.0, and
// an upstream issue or pull request where one was found) and what would
// remove it. The rest of the package calls these functions by name and
// holds no other copy of them.
//
//  1. The gradient of Dot as two matrix products: matmulDotVJP, which
//     importing the package registers (init).
//  2. Batch norm that differentiates through the batch statistics: batchNorm.
//  3. ELU, which GoMLX lacks: elu.
//  4. The pure-Go backend's options, against a deadlock: goConfig.
//  5. The pure-Go backend's line on standard output: hideParallelismLine.
//  6. Variables created without Exec.PreCompile: createVariables.
//  7. The losses added with train.AddLoss, per step: addedLoss.
//
// Smaller ones stay where they act, each with its own comment:
// standardizeLookup (batches.go) passes Gather one column of indices,
// because v0.26.0's shape check of Gather compares the index axis with the
// operand's rank; cpuPluginConfig (backend_xla.go) asks for the zero-copy
// buffers GoMLX enables only for the plugin named "cpu".

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own style for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// ---- 1. The gradient of Dot ----
//
// Fixes: GoMLX v0.26.0 differentiates a matrix product [i,j]·[j,k] by
// broadcasting both operands to [i,j,k], multiplying and reducing
// (pkg/core/graph/rev_autodiff.go, dotVJP, its "Case 3"). XLA fuses that
// away, but the pure-Go backend executes it literally: for the first layer
// that is 128·784·120 floats per step, and an epoch took several times as
// long as with the same gradient as two matrix products, dx = v·Wᵀ and
// dW = xᵀ·v (docs/performance.md, "GoMLX v0.26.0 workarounds: the
// figures"). GoMLX has no per-node hook for a two-input custom gradient, so
// init replaces GoMLX's global VJPRegistration entry for Dot: importing this
// package changes the gradient of every rank-2 Dot in the process (doc.go
// says so); other ranks fall back to GoMLX's. The two agree to float32
// rounding (TestMatmulDotGradientEqualsGoMLX).
//
// Upstream: gomlx/gomlx pull request #428, "core/graph: build DotGeneral
// gradients as gemms, not multiply+reduce", first released in v0.28.0, where
// Dot is built on DotGeneral.
//
// Removed by: GoMLX ≥ v0.28.0 (whose packages are reorganized): delete
// init, defaultDotVJP and matmulDotVJP, and retrain the baseline (the
// gradients' float32 additions may come in another order).

// defaultDotVJP is GoMLX's gradient of Dot, kept for the ranks
// matmulDotVJP leaves to it and for the test that compares the two.
var defaultDotVJP = VJPRegistration[NodeTypeDot]

func init() {
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

// ---- 2. Batch norm ----
//
// Fixes: GoMLX v0.26.0 has batchnorm.New (pkg/ml/layers/batchnorm), but on
// a backend without BatchNormForTraining, the pure-Go one, its Done uses the
// plain-graph form, and that form's batchMeanAndVariance wraps the batch's
// mean and variance in StopGradient: with it the exercise's model trained
// to 82% instead of 89%. batchNorm is torch.nn.BatchNorm1d written out, the
// gradient flowing through the statistics
// (TestBatchNormGradientThroughStatistics).
//
// Upstream: unchanged in v0.28.2 (ml/layers/norm/batchnorm.go,
// batchMeanAndVariance); no upstream issue found.
//
// Removed by: a GoMLX whose plain-graph batch norm differentiates through
// the batch statistics. Its running averages must then be set up as
// PyTorch's (momentum 0.1 on the new value, unbiased variance, ε 1e-5) for
// the numbers to stay (TestBatchNormEvaluationUsesRunningAverages). SWA's
// statistics pass (updateBN, swa.go) depends on this batchNorm: it sets the
// running averages' momentum per batch through the graph parameter
// bnMomentumParam, which GoMLX's batch norm (a constant momentum, debiased
// by its own count avg_weight) has no way to take.

// batchNorm normalizes x [batch,features] as torch.nn.BatchNorm1d: in
// training with the batch's mean and (biased) variance, differentiating
// through both, while updating running averages with momentum 0.1 (the
// variance unbiased); in evaluation with the running averages; then a learned
// scale and offset, ε 1e-5.
func batchNorm(lctx *mlcontext.Context, x *Node) *Node {
	g := x.Graph()
	bctx := lctx.In("batch_norm")
	shape := shapes.Make(x.DType(), x.Shape().Dimensions[1])
	scale := bctx.WithInitializer(initializers.One).VariableWithShape("scale", shape)
	offset := bctx.WithInitializer(initializers.Zero).VariableWithShape("offset", shape)
	runMean := bctx.WithInitializer(initializers.Zero).VariableWithShape("running_mean", shape).SetTrainable(false)
	runVar := bctx.WithInitializer(initializers.One).VariableWithShape("running_var", shape).SetTrainable(false)
	const eps, momentum = 1e-5, 0.1
	var mean, variance *Node
	if bctx.IsTraining(g) {
		mean = ReduceMean(x, 0)
		variance = ReduceMean(Square(Sub(x, InsertAxes(mean, 0))), 0)
		n := float64(x.Shape().Dimensions[0])
		unbiased := MulScalar(StopGradient(variance), n/max(n-1, 1))
		// The running averages move by momentum toward the batch's
		// statistics; SWA's updateBN gives its own momentum as a node.
		update := func(running *mlcontext.Variable, batch *Node) *Node {
			if m, ok := bctx.GetGraphParam(g, bnMomentumParam); ok {
				m := m.(*Node)
				return Add(Mul(running.ValueGraph(g), OneMinus(m)), Mul(batch, m))
			}
			return Add(MulScalar(running.ValueGraph(g), 1-momentum), MulScalar(batch, momentum))
		}
		runMean.SetValueGraph(update(runMean, StopGradient(mean)))
		runVar.SetValueGraph(update(runVar, unbiased))
	} else {
		mean, variance = runMean.ValueGraph(g), runVar.ValueGraph(g)
	}
	normalized := Div(Sub(x, InsertAxes(mean, 0)), InsertAxes(Sqrt(AddScalar(variance, eps)), 0))
	return Add(Mul(normalized, InsertAxes(scale.ValueGraph(g), 0)), InsertAxes(offset.ValueGraph(g), 0))
}

// ---- 3. ELU ----
//
// Fixes: GoMLX v0.26.0's activations (pkg/ml/layers/activations) have no
// ELU, and its Expm1 has no gradient (pkg/core/graph/rev_autodiff.go has no
// VJP for NodeTypeExpm1), so elu is written with Exp − 1, a little less
// precise near 0 (TestActivationsByHand, TestActivationGradients).
//
// Upstream: neither exists in v0.28.2 (ml/layers/activation); no upstream
// issue found.
//
// Removed by: a GoMLX with an ELU activation; if it uses Expm1, the
// numbers of ELU runs change in the last bits.

// elu is ELU with α = 1: x if x > 0, else eˣ − 1.
func elu(x *Node) *Node {
	neg := Min(x, ZerosLike(x))
	return Where(GreaterThan(x, ZerosLike(x)), x, Sub(Exp(neg), OnesLike(neg)))
}

// ---- 4. The pure-Go backend's options ----
//
// Fixes: GoMLX v0.26.0's pure-Go backend deadlocks when it runs ops in
// parallel on its bounded worker pool (backends/simplego/workerspool.go):
// each op holds a worker (exec.go, WaitToStart) while its matrix product
// waits for sub-tasks from the same pool (dotgeneral_large.go and
// dotgeneral_small.go, WaitToStart), and when every worker is such an op
// nobody runs them (always with go:parallelism=1, about once in twenty runs
// with the default pool; a run with ops_parallel,dotgeneral_large hung here
// too). With parallelism=-1 the pool is unbounded: every task gets a
// goroutine at once, nothing waits for a worker, so it cannot deadlock, and
// independent ops (the two halves of a batch, see Model.logitsInParts; the
// updates of different weights) run on both cores, which makes an epoch
// faster (docs/performance.md). When the user bounds the pool
// (parallelism=N), ops_sequential is forced: ops then run on the caller's
// goroutine, which holds no worker. TestGoBackendDoesNotHang runs many
// steps in each setting under a timeout.
//
// go test -race reports a data race in the parallel op execution
// (backends/simplego/exec.go): an op decides whether it may overwrite an
// input in place by reading the input's use counter (line 430) without the
// lock under which the input's other users increment it (line 478) once
// they have finished. A stale read only forgoes the in-place write; a fresh
// one comes after the other user's reads, which end before its mutex
// operations. So the race is in the bookkeeping, not in the values: training
// gave bit-identical losses run after run (TestStepsPerCall) and equal to
// ops_sequential's. Built with -race (raceDetector), the package runs the
// ops in sequence instead, so that programs and tests using it can look for
// races of their own.
//
// goFastOptions: the blocked ("large") matrix product is faster for this
// MLP's products ([128,784]·[784,120] and its gradient) than the one GoMLX
// picks for them, with the same losses (docs/performance.md has the
// figures).
//
// Upstream: the parallel op execution came with gomlx/gomlx pull request
// #173, "SimpleGo: parallelization of ops execution"; no upstream issue
// found for the deadlock or the race.
//
// Removed by: a pure-Go backend whose ops do not hold a worker while they
// wait for others (TestGoBackendDoesNotHang with goConfig returning its
// input tells), and whose parallel executor reads the use counters under
// its lock (go test -race -run TestStepsPerCall). goFastOptions goes when
// GoMLX's own choice of matrix product is as fast (bench: fashion bench
// -backend go:<options>).
const (
	goUnbounded   = "parallelism=-1"
	goParallel    = "ops_parallel"
	goSequential  = "ops_sequential"
	goFastOptions = "dotgeneral_large" // added unless another DotGeneral algorithm is chosen
)

// goConfig completes pure-Go backend options as explained above.
func goConfig(opts string) string {
	var parts []string
	parallelism, sequential, algorithm := "", false, false
	for _, o := range strings.Split(opts, ",") {
		switch {
		case o == "" || o == goParallel:
		case o == goSequential:
			sequential = true
		case strings.HasPrefix(o, "parallelism="):
			parallelism = o
		default:
			parts = append(parts, o)
			algorithm = algorithm || strings.HasPrefix(o, "dotgeneral_")
		}
	}
	if !algorithm {
		parts = append(parts, goFastOptions)
	}
	switch {
	case parallelism == "" || parallelism == goUnbounded:
		parts = append([]string{goUnbounded}, parts...)
		if sequential || raceDetector {
			parts = append(parts, goSequential)
		} else {
			parts = append(parts, goParallel)
		}
	default:
		parts = append([]string{parallelism}, parts...)
		parts = append(parts, goSequential)
	}
	return simplego.BackendName + ":" + strings.Join(parts, ",")
}

// ---- 5. The pure-Go backend's line on standard output ----
//
// Fixes: GoMLX v0.26.0 prints "SimpleGo backend: parallelism set to N" to
// standard output whenever the pure-Go backend's parallelism is configured
// (backends/simplego/simplego.go, New), which goConfig does for every run:
// the line would fill each notebook cell's output and the command's. There
// is no other way to set the pool's parallelism (the backend's workers are
// unexported) and no log level that silences it, so os.Stdout is swapped
// for the null device while the backend is created (TestGoBackendQuiet).
// Only for that instant: other goroutines' prints in it would be lost too.
//
// Upstream: still printed ("Go backend: parallelism set to N") by the
// pure-Go backend of github.com/gomlx/compute, where GoMLX v0.28.0 moved
// its backends; no upstream issue found.
//
// Removed by: a pure-Go backend that does not print, or one whose pool can
// be set otherwise (gomlx/compute's backend exports its Workers, whose
// SetMaxParallelism(-1) would replace the "parallelism=-1" option).

// hideParallelismLine sends os.Stdout to the null device while GoMLX creates
// the backend of config, if that is a pure-Go one whose parallelism is set;
// newBackend defers the returned function.
func hideParallelismLine(config string) (restore func()) {
	if !strings.HasPrefix(config, simplego.BackendName+":") || !strings.Contains(config, "parallelism=") {
		return func() {}
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}
}

// ---- 6. Variables created without Exec.PreCompile ----
//
// Fixes: a trainer needs every variable (the optimizer's state,
// normalization, metrics) to exist with its first value before the first
// step, to keep those values for a reset. They come into being while a
// step's graph is built. GoMLX's Exec.PreCompile would build and compile
// that graph without running it, but in v0.26.0 it goes through
// compileAndExecute (pkg/core/graph/exec.go), which sets the variables as
// side parameters before it knows there is no call: their buffers are
// donated (pkg/ml/context/exec.go, setSideParamsSingleDevice) to a call it
// never makes, and the variables lose their values. createVariables builds
// the graph for its variables alone and never compiles it (building is
// cheap).
//
// Upstream: the same path up to v0.28.1 (core/graph/exec.go); v0.28.2 has
// no PreCompile. No upstream issue found.
//
// Removed by: nothing to gain but a line; an Exec that can compile without
// donating the variables would let trainer.initialize compile its first
// graph instead.

// createVariables builds, and never compiles, the graph of build on
// parameters shaped as args (tensors), so that the variables build creates
// exist in mctx, and then initializes them on backend.
func createVariables(backend *Backend, mctx *mlcontext.Context, args []any, build func(mctx *mlcontext.Context, in []*Node)) error {
	g := NewGraph(backend, "variables")
	defer g.Finalize()
	in := make([]*Node, len(args))
	for i, a := range args {
		in[i] = Parameter(g, fmt.Sprintf("in%d", i), a.(*tensors.Tensor).Shape())
	}
	build(mctx, in)
	return mctx.InitializeVariables(backend, nil)
}

// ---- 7. The losses added with train.AddLoss, per step ----
//
// Fixes: GoMLX v0.26.0 keeps the terms added with train.AddLoss as one sum
// per graph (pkg/ml/train/trainer.go, AddLoss and GetLosses, under the
// graph parameter TrainerLossGraphParamKey), read once by its Trainer's
// single step. A graph here runs several steps (stepsPerCall), so the sum
// would carry step 1's penalty into step 2's loss. addedLoss starts each
// step's sum at a zero of its own and takes what was added since. GetLosses
// also panics when nothing was added (a type assertion on nil), which this
// avoids. Would be removed by an AddLoss sum per step (for example a
// ResetLosses(ctx, g)) upstream; no upstream issue found.
type addedLoss struct {
	scope *mlcontext.Context
	g     *Graph
	zero  *Node
}

// newAddedLoss starts a new sum of added losses in g at zero.
func newAddedLoss(mctx *mlcontext.Context, g *Graph) *addedLoss {
	a := &addedLoss{scope: mctx.InAbsPath(train.TrainerAbsoluteScope), g: g, zero: ScalarZero(g, DType)}
	a.scope.SetGraphParam(g, train.TrainerLossGraphParamKey, a.zero)
	return a
}

// take returns the sum added since newAddedLoss (nil if nothing was) and
// starts the next at zero.
func (a *addedLoss) take() *Node {
	v, _ := a.scope.GetGraphParam(a.g, train.TrainerLossGraphParamKey)
	loss, _ := v.(*Node)
	unchanged := loss == nil || loss == a.zero
	a.zero = ScalarZero(a.g, DType)
	a.scope.SetGraphParam(a.g, train.TrainerLossGraphParamKey, a.zero)
	if unchanged {
		return nil
	}
	return loss
}
