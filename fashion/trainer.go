package fashion

import (
	"fmt"
	"strings"
	"sync/atomic"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// trainer holds the compiled graphs of one model shape: the training
// steps and the evaluation graph, sharing one context (the model's variables). A
// Session keeps it after a run and resets its variables for the next run of
// the same shape (reset), so that run compiles nothing.
type trainer struct {
	cfg       Config
	technique string // the version of the Technique beside cfg's own, "" without one
	backend   *Backend
	mctx      *mlcontext.Context
	train     *Set
	batches   batchSource
	eval      *evalGraph
	unroll    int // steps per call while that many full batches remain

	// step builds the graph of k steps on batches of b examples; execs
	// holds one executable per (k, b): on the device the calls' inputs
	// have the same shapes whatever k and b are, so each needs its own.
	step   func(mctx *mlcontext.Context, in []*Node, k, b int)
	inputs stepInputs // the names of the calls' inputs, in order
	execs  map[[2]int]*mlcontext.Exec

	// initial holds the variables' first values (optimizer state, batch
	// norm, metrics), which a reset restores; compiles counts the graphs
	// built.
	initial  map[*mlcontext.Variable]*tensors.Tensor
	compiles *atomic.Int64

	swaSum map[string][]float64 // SWA's sum of each trainable weight, by scope/name

	trainLen, steps int // training examples, and steps per epoch
}

// stepsPerCallFor is how many training steps one call runs on backend b
// for an epoch of fullBatches full batches (see unrollFor). A call of the
// pure-Go backend costs little, so 1; an XLA call has a fixed cost whatever
// it computes (on an H200 most of an epoch's time), so several steps are
// unrolled into one graph: up to 16 on CUDA and 4 on the CPU, the fastest
// of the counts measured on each, as a larger k only slows the first
// compilation (docs/performance.md and docs/gpu.md have the figures).
func stepsPerCallFor(b *Backend, fullBatches int) int {
	switch {
	case b.IsGo():
		return 1
	case BackendName(b.Config) == "xla:cuda":
		return unrollFor(16, fullBatches)
	}
	return unrollFor(4, fullBatches)
}

// unrollFor is the steps per call, up to want, for an epoch of fullBatches
// full batches: the largest divisor of fullBatches that is at most want, so
// that an epoch compiles two step graphs, the k-step one and the last,
// partial batch's (468 batches: 13 for 16; with 16, 4 single steps would
// need a third). Where that divisor is so small (a prime number of
// batches) that the epoch would take more than twice the calls of want
// with its remainder run step by step, want is kept: each call's fixed
// cost, paid every epoch, soon outweighs compiling the third graph once
// (reasoned from docs/gpu.md's figures, not measured).
func unrollFor(want, fullBatches int) int {
	if want <= 1 || fullBatches <= 0 {
		return max(want, 1)
	}
	d := min(want, fullBatches)
	for fullBatches%d != 0 {
		d--
	}
	if fullBatches/d > 2*(fullBatches/want+fullBatches%want) {
		return want
	}
	return d
}

// newTrainer builds cfg's model and graphs, with tech (if not nil) beside
// cfg's own techniques, on backend for the training set train, k steps per
// call (0: stepsPerCallFor), and initializes the variables for cfg.Seed.
func newTrainer(backend *Backend, cfg Config, tech *Technique, train *Set, teacher []float32, k int, compiles *atomic.Int64) (t *trainer, err error) {
	mctx := mlcontext.New()
	// Dropout and augmentation draw from the context's generator: seeded
	// for reproducibility.
	if err := mctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	model, err := newModel(mctx, cfg)
	if err != nil {
		return nil, err
	}
	if k <= 0 {
		k = stepsPerCallFor(backend, train.Len()/cfg.BatchSize)
	}
	t = &trainer{
		cfg: cfg, backend: backend, mctx: mctx, train: train, unroll: k, compiles: compiles,
		execs: map[[2]int]*mlcontext.Exec{}, trainLen: train.Len(), steps: (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize,
	}
	built := t
	defer func() {
		if err != nil {
			built.finalize()
		}
	}()
	if t.batches, err = newBatchSource(backend, train, cfg.BatchSize, teacher); err != nil {
		return nil, err
	}
	opt := newOptimizer(cfg)
	lrVar := optimizers.LearningRateVar(mctx, DType, cfg.LR)
	parts := partsFor(backend, cfg)
	black := standardTable(Mean, Std)[0] // the fill of shifted and erased pixels
	// The per-example loss that is differentiated: cross-entropy, with
	// label smoothing, or the distillation loss against the teacher's
	// logits (losses.go), their rates graph inputs (settings.go).
	objective := func(mctx *mlcontext.Context, logits, labels, teacher *Node) *Node {
		g := logits.Graph()
		if teacher != nil {
			return distillationLoss(logits, teacher, labels,
				setting(mctx, g, "distill_temperature", cfg.DistillTemperature), setting(mctx, g, "distill_alpha", cfg.DistillAlpha))
		}
		var eps *Node
		if cfg.LabelSmoothing > 0 {
			eps = setting(mctx, g, "label_smoothing", cfg.LabelSmoothing)
		}
		return smoothedCrossEntropy(logits, labels, eps)
	}
	techs := builtinTechniques(cfg)
	if tech != nil {
		techs = append(techs, *tech)
	}
	// One training step, all in one graph, a paragraph per stage. Steps
	// chain inside a graph: each reads the variables the previous one set.
	oneStep := func(mctx *mlcontext.Context, b stepBatch) {
		g := b.x.Graph()
		mctx.SetTraining(g, true)
		lrVar.SetValueGraph(b.lr)

		// The batch: augmented, mixed (mixup), changed by the techniques.
		x := augment(mctx, b.x, cfg.augmentation(), black)
		if b.lambda != nil {
			x = mixImages(x, b.lambda)
		}
		x = techs.batch(mctx, x)

		// Forward, and two losses: the one reported is the cross-entropy of
		// the inputs trained on, so curves compare across techniques; the
		// one trained has label smoothing, distillation and the techniques'
		// penalties (L2 among them).
		logits := model.logitsInParts(mctx, x, parts)
		var loss, trained *Node
		if b.lambda != nil {
			loss = ReduceAllMean(mixLoss(crossEntropy, logits, b.y, b.lambda))
			trained = ReduceAllMean(Add(
				Mul(objective(mctx, logits, b.y, b.teacher), b.lambda),
				Mul(objective(mctx, logits, mixPairs(b.y), mixPairsOrNil(b.teacher)), OneMinus(b.lambda))))
		} else {
			loss = ReduceAllMean(crossEntropy(logits, b.y))
			trained = ReduceAllMean(objective(mctx, logits, b.y, b.teacher))
		}
		weights := weightMatrices(mctx, g)
		if penalty := techs.penalty(mctx, g, weights); penalty != nil {
			trained = Add(trained, penalty)
		}

		// The update, then what changes the weights after it: the
		// techniques' constraints (max-norm) and the moving average (EMA).
		opt.UpdateGraph(mctx, g, trained)
		techs.constrain(mctx, g, weights)
		if cfg.EMA > 0 {
			count := emaCount(mctx)
			n := count.ValueGraph(g)
			decay := emaDecay(setting(mctx, g, "ema", cfg.EMA), ConvertDType(n, DType))
			for _, v := range averagedVariables(mctx, g) {
				avg := averageVar(mctx, v)
				avg.SetValueGraph(emaUpdate(avg.ValueGraph(g), v.ValueGraph(g), decay))
			}
			count.SetValueGraph(Add(n, OnesLike(n)))
		}

		// The epoch's metrics, read once per epoch.
		accumulate(mctx, g, loss, numCorrect(logits, b.y))
	}
	t.step = func(mctx *mlcontext.Context, in []*Node, k, b int) {
		named := t.inputs.byName(in)
		base := metricVar(mctx, "steps", int32(0)).ValueGraph(in[0].Graph()) // the epoch's steps before this call
		for j := range k {
			oneStep(mctx, t.batches.step(named, base, j, b))
		}
	}
	if err := t.initialize(); err != nil {
		return nil, err
	}
	if t.eval, err = newEvalGraph(backend, t.mctx, model, cfg, compiles); err != nil {
		return nil, err
	}
	return t, nil
}

// mixPairsOrNil is mixPairs of the teacher's logits, when there is a teacher.
func mixPairsOrNil(x *Node) *Node {
	if x == nil {
		return nil
	}
	return mixPairs(x)
}

// averageScope holds the moving average of each variable EMA averages
// (Config.EMA), under the variable's own scope and name, and the count of
// updates that sets the decay's warm-up.
const averageScope = "average"

// averagedWeights are the model's trainable variables used by g, which SWA
// averages (batch norm's statistics are recomputed for the average instead).
func averagedWeights(mctx *mlcontext.Context, g *Graph) []*mlcontext.Variable {
	var ws []*mlcontext.Variable
	for v := range mctx.InAbsPath(mlcontext.RootScope + modelScope).IterVariablesInScope() {
		if v.Trainable && (g == nil || v.InUseByGraph(g)) {
			ws = append(ws, v)
		}
	}
	return ws
}

// averagedVariables are the model's variables used by g that EMA averages:
// every floating-point one, the trainable weights and batch norm's running
// mean and variance, as torch.optim.swa_utils.AveragedModel with
// use_buffers=True. Averaging only the weights would evaluate them with
// the statistics of the live model's last weights, which the averaged
// model's layers do not produce.
func averagedVariables(mctx *mlcontext.Context, g *Graph) []*mlcontext.Variable {
	var vs []*mlcontext.Variable
	for v := range mctx.InAbsPath(mlcontext.RootScope + modelScope).IterVariablesInScope() {
		if v.DType().IsFloat() && (g == nil || v.InUseByGraph(g)) {
			vs = append(vs, v)
		}
	}
	return vs
}

// averageVar is the moving average of the variable w, created the first
// time (its value is set from w's by syncAverages).
func averageVar(mctx *mlcontext.Context, w *mlcontext.Variable) *mlcontext.Variable {
	scope := mctx.InAbsPath(mlcontext.RootScope + averageScope + w.Scope()).Checked(false)
	if v := scope.GetVariable(w.Name()); v != nil {
		return v
	}
	return scope.WithInitializer(initializers.Zero).VariableWithShape(w.Name(), w.Shape()).SetTrainable(false)
}

// emaCount is the number of EMA updates so far, the n of the decay's
// warm-up (emaDecay). Its first value, 0, is kept with the others', so a
// reset restores it.
func emaCount(mctx *mlcontext.Context) *mlcontext.Variable {
	return mctx.InAbsPath(mlcontext.RootScope+averageScope).Checked(false).VariableWithValue("updates", int32(0)).SetTrainable(false)
}

// initialize creates and initializes every variable before the first step,
// and keeps their first values for reset. The variables of the optimizer,
// normalization and metrics come into being while a step's graph is built,
// so createVariables builds one for that alone (gomlx_workarounds.go says
// why not Exec.PreCompile).
func (t *trainer) initialize() error {
	k := t.stepsPerCall(0, t.trainLen)
	b := min(t.cfg.BatchSize, t.trainLen)
	if err := t.batches.startEpoch(make([]int, t.trainLen), make([]float64, t.steps), t.lambdas(0)); err != nil {
		return err
	}
	args, temps, err := t.batches.args(0, k, b)
	if err != nil {
		return err
	}
	defer finalizeAll(temps)
	t.inputs = stepInputs{names: args.names} // every call sends these
	build := func(mctx *mlcontext.Context, in []*Node) { t.step(mctx, in, k, b) }
	if err := createVariables(t.backend, t.mctx, args.values, build); err != nil {
		return err
	}
	t.mctx = t.mctx.Reuse() // the step graphs find the variables built here
	if err := t.syncAverages(); err != nil {
		return err
	}
	t.initial = map[*mlcontext.Variable]*tensors.Tensor{}
	for v := range t.mctx.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("fashion: reading %s: %w", v.ScopeAndName(), err)
		}
		if t.initial[v], err = value.LocalClone(); err != nil {
			return fmt.Errorf("fashion: reading %s: %w", v.ScopeAndName(), err)
		}
	}
	return nil
}

// reset prepares the trainer for a run of cfg, whose graphs are the same
// (graphsKey): every variable back to its first value, the dense layers
// and the random state drawn for cfg.Seed, the learning rate and the
// settings (settings.go) cfg's, as a new trainer would have them.
func (t *trainer) reset(cfg Config) error {
	for v, value := range t.initial {
		c, err := value.LocalClone()
		if err != nil {
			return err
		}
		if err := v.SetValue(c); err != nil {
			return err
		}
	}
	if err := initDense(t.mctx, cfg); err != nil {
		return err
	}
	if err := t.mctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return err
	}
	if err := t.syncAverages(); err != nil {
		return err
	}
	if err := optimizers.LearningRateVar(t.mctx, DType, cfg.LR).SetValue(tensors.FromScalar(float32(cfg.LR))); err != nil {
		return err
	}
	if err := setSettings(t.mctx, cfg); err != nil {
		return err
	}
	t.cfg, t.swaSum = cfg, nil
	return nil
}

// lambdas are mixup's λ of each step of an epoch, or nil without mixup.
func (t *trainer) lambdas(epoch int) []float64 {
	if t.cfg.Mixup == 0 {
		return nil
	}
	return mixupLambdas(t.cfg.Seed, epoch, t.steps, t.cfg.Mixup)
}

// averages pairs each averaged variable (weights and batch norm's
// statistics) with its moving average (Config.EMA); none without EMA.
func (t *trainer) averages() [][2]*mlcontext.Variable {
	if t.cfg.EMA == 0 {
		return nil
	}
	var pairs [][2]*mlcontext.Variable
	for _, w := range averagedVariables(t.mctx, nil) {
		pairs = append(pairs, [2]*mlcontext.Variable{w, averageVar(t.mctx, w)})
	}
	return pairs
}

// syncAverages starts each moving average at its variable's value, as
// torch.optim.swa_utils.AveragedModel copies the model it averages.
func (t *trainer) syncAverages() error {
	for _, p := range t.averages() {
		value, err := p[0].Value()
		if err != nil {
			return err
		}
		c, err := value.LocalClone()
		if err != nil {
			return err
		}
		if err := p[1].SetValue(c); err != nil {
			return err
		}
	}
	return nil
}

// withAverages runs fn with the moving averages in place of the weights
// and batch norm's statistics (with EMA; else just fn): evaluation, early
// stopping and the stored weights see the averaged model. The values are
// swapped, not copied.
func (t *trainer) withAverages(fn func() error) error {
	pairs := t.averages()
	swap := func() error {
		for _, p := range pairs {
			w, err := p[0].Value()
			if err != nil {
				return err
			}
			a, err := p[1].Value()
			if err != nil {
				return err
			}
			if err := p[0].SetValuePreservingOld(a); err != nil {
				return err
			}
			if err := p[1].SetValuePreservingOld(w); err != nil {
				return err
			}
		}
		return nil
	}
	if err := swap(); err != nil {
		return err
	}
	err := fn()
	if serr := swap(); err == nil {
		err = serr
	}
	return err
}

// exec is the executable of k steps on batches of b examples.
func (t *trainer) exec(k, b int) *mlcontext.Exec {
	if e, ok := t.execs[[2]int{k, b}]; ok {
		return e
	}
	e := mlcontext.MustNewExec(t.backend, t.mctx, func(mctx *mlcontext.Context, in []*Node) {
		t.compiles.Add(1)
		t.step(mctx, in, k, b)
	})
	t.execs[[2]int{k, b}] = e
	return e
}

func (t *trainer) finalize() {
	if t.batches != nil {
		t.batches.close()
	}
	for _, e := range t.execs {
		e.Finalize()
	}
	if t.eval != nil {
		t.eval.close()
	}
	for _, v := range t.initial {
		v.FinalizeAll()
	}
	t.mctx.Finalize()
}

// stepsPerCall is how many steps the call starting at step runs: the
// unroll while that many full batches remain, else 1 (the last, partial
// batch has its own graph, as its shape differs).
func (t *trainer) stepsPerCall(step, n int) int {
	if k := t.unroll; (step+k)*t.cfg.BatchSize <= n {
		return k
	}
	return 1
}

// trainSteps runs k training steps in one call from the epoch's step.
func (t *trainer) trainSteps(step, k int) error {
	b := min(t.cfg.BatchSize, t.trainLen-step*t.cfg.BatchSize)
	args, temps, err := t.batches.args(step, k, b)
	if err != nil {
		return err
	}
	defer finalizeAll(temps) // now, not when the garbage collector finds them
	out, err := t.exec(k, b).Exec(args.values...)
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

func metricVar(mctx *mlcontext.Context, name string, value any) *mlcontext.Variable {
	return mctx.InAbsPath(mlcontext.RootScope+metricsScope).Checked(false).VariableWithValue(name, value).SetTrainable(false)
}

func accumulate(mctx *mlcontext.Context, g *Graph, loss, correct *Node) {
	sumLoss, right := metricVar(mctx, "sum_loss", float32(0)), metricVar(mctx, "correct", float32(0))
	steps, firstBad := metricVar(mctx, "steps", int32(0)), metricVar(mctx, "first_non_finite", int32(-1))
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
	v, err := metricVar(t.mctx, "first_non_finite", int32(-1)).Value()
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
		v := metricVar(t.mctx, name, zero)
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

// evaluate returns the mean loss and the accuracy over a whole set, in eval
// mode, with the averaged weights when there are.
func (t *trainer) evaluate(s *Set) (loss, accuracy float64, err error) {
	var r evalTotals
	err = t.withAverages(func() (err error) {
		r, err = t.eval.totals(s)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	n := float64(s.Len())
	return r.sumLoss / n, float64(r.correct) / n, nil
}

// params copies the model's variables to the host: the averaged weights
// when there are.
func (t *trainer) params() (ps []Param, err error) {
	err = t.withAverages(func() (err error) {
		ps, err = t.modelParams()
		return err
	})
	return ps, err
}

// modelParams copies the model's variables as they are to the host.
func (t *trainer) modelParams() ([]Param, error) {
	var ps []Param
	for v := range t.mctx.InAbsPath(mlcontext.RootScope + modelScope).IterVariablesInScope() {
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

// setParams sets the model's variables in mctx (creating missing ones) from ps.
func setParams(mctx *mlcontext.Context, ps []Param) error {
	for _, p := range ps {
		if !strings.HasPrefix(p.Scope, mlcontext.RootScope+modelScope) {
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
		sctx := mctx.InAbsPath(p.Scope).Checked(false)
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
//
// With EMA the moving averages take the values too: they are what the
// restored run evaluates and keeps.
func (t *trainer) load(ps []Param) error {
	if err := setParams(t.mctx, ps); err != nil {
		return err
	}
	return t.syncAverages()
}
