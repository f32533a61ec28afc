package fashion

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

func TestDropoutTrainingOnly(t *testing.T) {
	b := testBackend(t)
	const p, n = 0.3, 20000
	for _, training := range []bool{false, true} {
		mctx := mlcontext.New()
		if err := mctx.SetRNGStateFromSeed(7); err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Hidden, cfg.Dropout = []int{n}, []float64{p}
		out, err := mlcontext.ExecOnce(b, mctx, func(mctx *mlcontext.Context, x *Node) *Node {
			mctx.SetTraining(x.Graph(), training)
			return dropout(mctx, x, dropoutSetting(0), cfg.DropoutRate(0))
		}, tensors.FromFlatDataAndDimensions(slices.Repeat([]float32{2}, n), 1, n))
		if err != nil {
			t.Fatal(err)
		}
		zeros := 0
		for i, v := range tensors.MustCopyFlatData[float32](out) {
			switch {
			case !training:
				if v != 2 {
					t.Fatalf("evaluation: unit %d = %g, want the input 2 (dropout is identity)", i, v)
				}
			case v == 0:
				zeros++
			case math.Abs(float64(v)-2/(1-p)) > 1e-5:
				t.Fatalf("training: surviving unit %d = %g, want 2/(1−p) = %g", i, v, 2/(1-p))
			}
		}
		if frac := float64(zeros) / n; training && math.Abs(frac-p) > 0.015 {
			t.Errorf("training: %.3f of the units dropped, want about %g", frac, p)
		}
	}
}

func TestL2PenaltyByHand(t *testing.T) {
	b := testBackend(t)
	cfg := DefaultConfig()
	cfg.Hidden = []int{30, 20}
	mctx := mlcontext.New()
	if _, err := NewModel(mctx, cfg); err != nil {
		t.Fatal(err)
	}
	var want float64
	for v := range mctx.IterVariables() {
		if v.Name() == "weights" { // not biases
			for _, w := range tensors.MustCopyFlatData[float32](v.MustValue()) {
				want += float64(w) * float64(w)
			}
		}
	}
	const lambda = 0.25
	cfg.L2 = lambda
	got, err := mlcontext.ExecOnce(b, mctx, func(mctx *mlcontext.Context, g *Graph) *Node {
		return builtinTechniques(cfg).penalty(mctx, g, weightMatrices(mctx, nil))
	})
	if err != nil {
		t.Fatal(err)
	}
	if g := float64(tensors.ToScalar[float32](got)); math.Abs(g-lambda*want) > 1e-4*lambda*want {
		t.Errorf("L2's penalty = %g, by hand λ·Σw² over weight matrices = %g", g, lambda*want)
	}
}

func TestInitStatistics(t *testing.T) {
	const in, out = 784, 120
	for _, tc := range []struct {
		init, act string
		wantStd   float64
	}{
		{"he_normal", "relu", math.Sqrt(2.0 / in)},
		{"he_uniform", "relu", math.Sqrt(2.0 / in)}, // U(±√(6/in)) has std √(2/in)
		{"he_normal", "leaky_relu", math.Sqrt(2/(1+0.01*0.01)) / math.Sqrt(in)},
		{"he_normal", "tanh", 5.0 / 3 / math.Sqrt(in)},
		{"xavier_normal", "relu", math.Sqrt(2.0 / (in + out))},
		{"xavier_uniform", "relu", math.Sqrt(2.0 / (in + out))},
		{"lecun_normal", "selu", math.Sqrt(1.0 / in)},
		{"pytorch", "relu", 1 / math.Sqrt(in) / math.Sqrt(3)},
	} {
		w, b, err := initLayer(rand.New(rand.NewPCG(3, 4)), tc.init, tc.act, 0.01, in, out)
		if err != nil {
			t.Fatal(err)
		}
		var sum, sq float64
		for _, v := range w {
			sum += float64(v)
			sq += float64(v) * float64(v)
		}
		mean := sum / float64(len(w))
		std := math.Sqrt(sq/float64(len(w)) - mean*mean)
		if math.Abs(std-tc.wantStd) > 0.05*tc.wantStd || math.Abs(mean) > 0.05*tc.wantStd {
			t.Errorf("%s/%s: weights mean %.5f std %.5f, want 0 and %.5f (±5%%)", tc.init, tc.act, mean, std, tc.wantStd)
		}
		if tc.init != "pytorch" && slices.ContainsFunc(b, func(v float32) bool { return v != 0 }) {
			t.Errorf("%s: biases not zero", tc.init)
		}
	}
	if _, _, err := initLayer(rand.New(rand.NewPCG(1, 1)), "orthogonal", "relu", 0, 2, 2); err == nil {
		t.Error("unknown init accepted")
	}
}

func TestActivationsByHand(t *testing.T) {
	b := testBackend(t)
	xs := []float32{-2, -0.5, 0, 0.7, 3}
	for _, tc := range []struct {
		name string
		f    func(x float64) float64
	}{
		{"relu", func(x float64) float64 { return math.Max(x, 0) }},
		{"leaky_relu", func(x float64) float64 { return math.Max(x, 0) + 0.01*math.Min(x, 0) }},
		{"elu", func(x float64) float64 {
			if x > 0 {
				return x
			}
			return math.Expm1(x)
		}},
		{"selu", func(x float64) float64 {
			const a, s = 1.6732632423543772, 1.0507009873554805
			if x > 0 {
				return s * x
			}
			return s * a * math.Expm1(x)
		}},
		{"gelu", func(x float64) float64 { return x * (1 + math.Erf(x/math.Sqrt2)) / 2 }},
		{"silu", func(x float64) float64 { return x / (1 + math.Exp(-x)) }},
		{"tanh", math.Tanh},
	} {
		out, err := ExecOnce(b, func(x *Node) *Node { return activation(tc.name, 0.01, x) },
			tensors.FromFlatDataAndDimensions(xs, len(xs)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i, got := range tensors.MustCopyFlatData[float32](out) {
			if want := tc.f(float64(xs[i])); math.Abs(float64(got)-want) > 1e-3 {
				t.Errorf("%s(%g) = %g, want %g", tc.name, xs[i], got, want)
			}
		}
	}
}

func TestSchedules(t *testing.T) {
	base := DefaultConfig()
	base.LR, base.Epochs = 0.1, 10
	cfg := func(edit func(*Config)) Config { c := base; edit(&c); return c }
	for _, tc := range []struct {
		name string
		cfg  Config
		t    float64
		want float64
	}{
		{"constant", base, 7.5, 0.1},
		{"step at 9", cfg(func(c *Config) { c.Schedule, c.StepSize, c.Gamma = "step", 4, 0.5 }), 9, 0.1 * 0.25},
		{"step by epoch holds", cfg(func(c *Config) { c.Schedule, c.StepSize, c.Gamma = "step", 4, 0.5 }), 3.99, 0.1},
		{"exponential by epoch", cfg(func(c *Config) { c.Schedule, c.Gamma = "exponential", 0.9 }), 2.5, 0.1 * 0.81},
		{"exponential by step", cfg(func(c *Config) { c.Schedule, c.Gamma, c.ScheduleBy = "exponential", 0.9, "step" }), 2.5, 0.1 * math.Pow(0.9, 2.5)},
		{"cosine warm-up", cfg(func(c *Config) { c.Schedule, c.WarmupEpochs, c.ScheduleBy = "cosine", 2, "step" }), 1, 0.001 + (0.1-0.001)/2},
		{"cosine middle", cfg(func(c *Config) { c.Schedule, c.WarmupEpochs, c.MinLR = "cosine", 2, 0.01 }), 6, 0.01 + 0.09/2},
		{"cosine end", cfg(func(c *Config) { c.Schedule, c.MinLR = "cosine", 0.01 }), 10, 0.01},
		{"onecycle start", cfg(func(c *Config) { c.Schedule, c.MaxLR, c.ScheduleBy = "onecycle", 1, "step" }), 0, 1.0 / 25},
		{"onecycle peak", cfg(func(c *Config) { c.Schedule, c.MaxLR, c.ScheduleBy = "onecycle", 1, "step" }), 3, 1},
		{"onecycle end", cfg(func(c *Config) { c.Schedule, c.MaxLR, c.ScheduleBy = "onecycle", 1, "step" }), 10, 1.0 / 25 / 1e4},
		{"onecycle default peak", cfg(func(c *Config) { c.Schedule, c.ScheduleBy = "onecycle", "step" }), 3, 1.0},
	} {
		if err := tc.cfg.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tc.cfg.ScheduledLR(tc.t); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: LR at epoch %g = %g, want %g", tc.name, tc.t, got, tc.want)
		}
	}

	// Plateau: ×0.5 once the loss has not improved for more than 2 epochs.
	c := cfg(func(c *Config) { c.Schedule, c.Gamma, c.Patience = "plateau", 0.5, 2 })
	p := newPlateau(c)
	var got []float64
	for _, loss := range []float64{1, 0.9, 0.95, 0.9, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85} {
		got = append(got, p.step(loss))
	}
	want := []float64{0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025}
	if !slices.Equal(got, want) {
		t.Errorf("plateau rates %v, want %v", got, want)
	}
}

// TestBatchNormEvaluationUsesRunningAverages: in evaluation an example's
// output does not depend on the rest of its batch; in training it does.
func TestBatchNormEvaluationUsesRunningAverages(t *testing.T) {
	b := testBackend(t)
	cfg := DefaultConfig()
	cfg.Hidden, cfg.Norm = []int{16}, "batch"
	mctx := mlcontext.New()
	model, err := NewModel(mctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	batchA := randomFloats(rng, 8*NumPixels)
	batchB := append(append([]float32(nil), batchA[:NumPixels]...), randomFloats(rng, 7*NumPixels)...)
	for i := range batchB[NumPixels:] {
		batchB[NumPixels+i] = 3 * batchB[NumPixels+i] // other examples, other statistics
	}
	firstLogits := func(training bool, x []float32) []float32 {
		out, err := mlcontext.ExecOnce(b, mctx, func(mctx *mlcontext.Context, x *Node) *Node {
			mctx.SetTraining(x.Graph(), training)
			return model.Logits(mctx, x)
		}, tensors.FromFlatDataAndDimensions(x, 8, NumPixels))
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out)[:NumClasses]
	}
	// A training pass first: it creates and updates the running averages.
	trainA := firstLogits(true, batchA)
	mean := mctx.InAbsPath("/model/hidden_0/batch_norm").GetVariable("running_mean")
	if mean == nil || slices.Equal(tensors.MustCopyFlatData[float32](mean.MustValue()), make([]float32, 16)) {
		t.Fatal("a training step did not update the running mean")
	}
	if trainB := firstLogits(true, batchB); slices.Equal(trainA, trainB) {
		t.Error("training: the first example's logits do not depend on its batch: batch statistics are not used")
	}
	evalA, evalB := firstLogits(false, batchA), firstLogits(false, batchB)
	for i := range evalA {
		if math.Abs(float64(evalA[i]-evalB[i])) > 1e-5 {
			t.Fatalf("evaluation: logits of the same example differ by batch (%v vs %v): running averages not used", evalA, evalB)
		}
	}
}

// TestOptimizersFirstSteps checks three steps of each optimizer against its
// PyTorch formula computed in float64.
func TestOptimizersFirstSteps(t *testing.T) {
	b := testBackend(t)
	p0 := []float64{1, -2, 0.5}
	c := []float32{0.3, -1.5, 2} // loss = Σ p·c + Σ p², so g = c + 2p
	type state struct{ m, v, buf []float64 }
	const lr, mu, eps, b1, b2, wd = 0.01, 0.9, 1e-8, 0.9, 0.999, 0.1
	for _, tc := range []struct {
		optimizer string
		nesterov  bool
		step      func(s *state, p []float64, g []float64, i, t int)
	}{
		{"sgd", false, func(s *state, p, g []float64, i, _ int) {
			s.buf[i] = mu*s.buf[i] + g[i]
			p[i] -= lr * s.buf[i]
		}},
		{"sgd", true, func(s *state, p, g []float64, i, _ int) {
			s.buf[i] = mu*s.buf[i] + g[i]
			p[i] -= lr * (g[i] + mu*s.buf[i])
		}},
		{"rmsprop", false, func(s *state, p, g []float64, i, _ int) {
			s.v[i] = 0.99*s.v[i] + 0.01*g[i]*g[i]
			s.buf[i] = mu*s.buf[i] + g[i]/(math.Sqrt(s.v[i])+eps)
			p[i] -= lr * s.buf[i]
		}},
		{"adam", false, func(s *state, p, g []float64, i, t int) {
			s.m[i] = b1*s.m[i] + (1-b1)*g[i]
			s.v[i] = b2*s.v[i] + (1-b2)*g[i]*g[i]
			mh, vh := s.m[i]/(1-math.Pow(b1, float64(t))), s.v[i]/(1-math.Pow(b2, float64(t)))
			p[i] -= lr * mh / (math.Sqrt(vh) + eps)
		}},
		{"adamw", false, func(s *state, p, g []float64, i, t int) {
			p[i] -= lr * wd * p[i] // decoupled, from the parameter before the step
			s.m[i] = b1*s.m[i] + (1-b1)*g[i]
			s.v[i] = b2*s.v[i] + (1-b2)*g[i]*g[i]
			mh, vh := s.m[i]/(1-math.Pow(b1, float64(t))), s.v[i]/(1-math.Pow(b2, float64(t)))
			p[i] -= lr * mh / (math.Sqrt(vh) + eps)
		}},
	} {
		cfg := DefaultConfig()
		cfg.Optimizer, cfg.Nesterov, cfg.LR = tc.optimizer, tc.nesterov, lr
		if tc.optimizer == "adamw" {
			cfg.WeightDecay = wd
		}
		mctx := mlcontext.New()
		p32 := []float32{float32(p0[0]), float32(p0[1]), float32(p0[2])}
		pv := mctx.In("test").VariableWithValue("p", tensors.FromFlatDataAndDimensions(p32, 3))
		opt := newOptimizer(cfg)
		step, err := mlcontext.NewExec(b, mctx, func(mctx *mlcontext.Context, c *Node) *Node {
			p := pv.ValueGraph(c.Graph())
			loss := Add(ReduceAllSum(Mul(p, c)), ReduceAllSum(Square(p)))
			opt.UpdateGraph(mctx, c.Graph(), loss)
			return loss
		})
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(p0)
		s := &state{m: make([]float64, 3), v: make([]float64, 3), buf: make([]float64, 3)}
		for k := 1; k <= 3; k++ {
			if _, err := step.Exec(tensors.FromFlatDataAndDimensions(c, 3)); err != nil {
				t.Fatal(err)
			}
			g := make([]float64, 3)
			for i := range g {
				g[i] = float64(c[i]) + 2*want[i]
			}
			for i := range want {
				tc.step(s, want, g, i, k)
			}
			got := tensors.MustCopyFlatData[float32](pv.MustValue())
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-5 {
					t.Fatalf("%s (nesterov %v) step %d: p[%d] = %.7f, want %.7f", tc.optimizer, tc.nesterov, k, i, got[i], want[i])
				}
			}
		}
		step.Finalize()
	}
}

func TestEarlyStoppingKeepsBestEpoch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	cfg := quickConfig(1000, 30)
	cfg.LR = 3e-3 // a small subset and a high rate overfit within a few epochs
	cfg.EarlyStop = 3
	splits, err := Prepare(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := TrainSplits(splits, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	best := run.BestEpoch()
	if !run.StoppedEarly || len(run.History) == cfg.Epochs {
		t.Fatalf("ran %d of %d epochs without stopping early", len(run.History), cfg.Epochs)
	}
	if run.KeptEpoch != best.Epoch || len(run.History)-1 != best.Epoch+cfg.EarlyStop {
		t.Errorf("kept epoch %d, best %d, stopped after epoch %d; want the best kept and a stop %d epochs after it",
			run.KeptEpoch, best.Epoch, len(run.History)-1, cfg.EarlyStop)
	}
	// The kept weights are the best epoch's: they give its validation loss.
	ev, err := run.Evaluate(splits.Val)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ev.Loss-best.ValLoss) > 1e-5 {
		t.Errorf("validation loss with the kept weights %.6f, the best epoch had %.6f", ev.Loss, best.ValLoss)
	}
	evTest, err := run.Evaluate(splits.Test)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(evTest.Accuracy-run.TestAccuracy) > 1e-9 {
		t.Errorf("Evaluate gives test accuracy %.4f, the run recorded %.4f", evTest.Accuracy, run.TestAccuracy)
	}
}

// TestBatchNormGradientThroughStatistics: normalized features sum to zero
// over the batch whatever x is, so the gradient of that sum with respect to x
// is zero only if it flows through the batch mean and variance (GoMLX's
// plain-graph batch norm stops it there).
func TestBatchNormGradientThroughStatistics(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(8, 9))
	x := tensors.FromFlatDataAndDimensions(randomFloats(rng, 16*5), 16, 5)
	out, err := mlcontext.ExecOnce(b, mlcontext.New(), func(mctx *mlcontext.Context, x *Node) *Node {
		mctx.SetTraining(x.Graph(), true)
		return Gradient(ReduceAllSum(batchNorm(mctx, x)), x)[0]
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range tensors.MustCopyFlatData[float32](out) {
		if math.Abs(float64(v)) > 1e-4 {
			t.Fatalf("d Σ BN(x) / dx[%d] = %g, want 0", i, v)
		}
	}
}

// TestActivationGradients checks every activation can be trained through:
// its gradient exists and matches a central difference.
func TestActivationGradients(t *testing.T) {
	b := testBackend(t)
	xs := []float32{-1.5, -0.3, 0.4, 2}
	for _, name := range Activations() {
		out, err := ExecOnce(b, func(x *Node) *Node {
			return Gradient(ReduceAllSum(activation(name, 0.01, x)), x)[0]
		}, tensors.FromFlatDataAndDimensions(xs, len(xs)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		grads := tensors.MustCopyFlatData[float32](out)
		const h = 1e-2
		for i, x := range xs {
			lo, err1 := ExecOnce(b, func(x *Node) *Node { return activation(name, 0.01, x) }, float32(x-h))
			hi, err2 := ExecOnce(b, func(x *Node) *Node { return activation(name, 0.01, x) }, float32(x+h))
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			num := (float64(tensors.ToScalar[float32](hi)) - float64(tensors.ToScalar[float32](lo))) / (2 * h)
			if math.Abs(float64(grads[i])-num) > 1e-2*(1+math.Abs(num)) {
				t.Errorf("%s'(%g) = %g, central difference %g", name, x, grads[i], num)
			}
		}
	}
}

// averagingRun is a tiny run for the averaging tests (pure Go, one hidden
// layer with batch norm, 52 examples in batches of 8: 7 steps an epoch, the
// last one of 4) and a trainer of it driven step by step here, which reads
// the raw weights the averages are made of. The same Config trained by the
// session (bit for bit the same steps) gives the figures a run evaluates
// and stores.
type averagingRun struct {
	cfg    Config
	data   *Data
	splits *Splits
	sess   *Session
	tr     *trainer
}

func newAveragingRun(t *testing.T, epochs int, edit func(*Config)) *averagingRun {
	t.Helper()
	data := loadReal(t)
	cfg := quickConfig(52, epochs)
	cfg.Hidden, cfg.Norm, cfg.BatchSize = []int{16}, "batch", 8
	cfg.Optimizer, cfg.LR = "adam", 1e-2 // the weights move visibly at every step
	edit(&cfg)
	splits, err := Prepare(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sess := NewSession()
	sess.RunsDir = t.TempDir()
	t.Cleanup(sess.Close)
	backend, err := sess.backend(cfg.Backend)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTrainer(backend, cfg, nil, splits.Train, nil, 1, &sess.compiles)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.finalize)
	return &averagingRun{cfg: cfg, data: data, splits: splits, sess: sess, tr: tr}
}

// raw reads the trainer's model variables as they are, by scope/name.
func (a *averagingRun) raw(t *testing.T) map[string][]float64 {
	t.Helper()
	ps, err := a.tr.modelParams()
	if err != nil {
		t.Fatal(err)
	}
	return paramValues(ps)
}

// epoch trains the driven trainer's epoch, calling step after each step.
func (a *averagingRun) epoch(t *testing.T, epoch int, lr *lrSchedule, step func()) {
	t.Helper()
	hooks := &Hooks{Step: func(int, int, int) { step() }}
	if _, err := a.tr.trainEpoch(context.Background(), epoch, lr, hooks); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.tr.epochTotals(); err != nil { // as recordEpoch: the counters start over
		t.Fatal(err)
	}
}

func paramValues(ps []Param) map[string][]float64 {
	out := map[string][]float64{}
	for _, p := range ps {
		v := make([]float64, len(p.Values))
		for i, x := range p.Values {
			v[i] = float64(x)
		}
		out[p.Scope+"/"+p.Name] = v
	}
	return out
}

func cloneValues(m map[string][]float64) map[string][]float64 {
	out := map[string][]float64{}
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// withValues is template with the values of m.
func withValues(template []Param, m map[string][]float64) []Param {
	out := make([]Param, len(template))
	for i, p := range template {
		out[i] = p
		out[i].Values = make([]float32, len(p.Values))
		for j, v := range m[p.Scope+"/"+p.Name] {
			out[i].Values[j] = float32(v)
		}
	}
	return out
}

// maxDiff is the largest |got−want|/(1+|want|) over the variables in want,
// and the variable where it is.
func maxDiff(t *testing.T, got, want map[string][]float64, names func(string) bool) (float64, string) {
	t.Helper()
	worst, at := 0.0, ""
	for name, w := range want {
		if !names(name) {
			continue
		}
		g, ok := got[name]
		if !ok || len(g) != len(w) {
			t.Fatalf("%s: %d values, want %d", name, len(g), len(w))
		}
		for i := range w {
			if d := math.Abs(g[i]-w[i]) / (1 + math.Abs(w[i])); d > worst {
				worst, at = d, name
			}
		}
	}
	return worst, at
}

func isStatistic(name string) bool {
	return strings.HasSuffix(name, "/running_mean") || strings.HasSuffix(name, "/running_var")
}

// TestEMAAveragesWeightsAndStatistics: with EMA, the weights and batch
// norm's running statistics that each epoch's validation evaluates and the
// run stores are the moving averages of the raw ones, replayed here after
// every step with the warm-up decay min(d, (1+n)/(10+n)); d = ½ is reached
// at n = 8, so the 14 updates see both. A second run in the session (its
// trainer reset) averages alike: the count of updates starts over.
func TestEMAAveragesWeightsAndStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	const epochs = 2
	a := newAveragingRun(t, epochs, func(c *Config) { c.EMA = 0.5 })
	avg := a.raw(t)
	if !slices.ContainsFunc(slices.Collect(maps.Keys(avg)), isStatistic) {
		t.Fatalf("no batch norm statistics among the model's variables %v", slices.Collect(maps.Keys(avg)))
	}
	n := 0
	var byEpoch []map[string][]float64
	lr := newLRSchedule(a.cfg)
	for epoch := range epochs {
		a.epoch(t, epoch, lr, func() {
			d := math.Min(a.cfg.EMA, float64(1+n)/float64(10+n))
			for name, w := range a.raw(t) {
				for i := range w {
					avg[name][i] = d*avg[name][i] + (1-d)*w[i]
				}
			}
			n++
		})
		byEpoch = append(byEpoch, cloneValues(avg))
	}
	if n != epochs*7 {
		t.Fatalf("%d steps, want %d", n, epochs*7)
	}
	for i := range 2 {
		run, err := a.sess.Train(context.Background(), a.data, a.cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := paramValues(run.Params)
		// float32 steps against float64 ones: 4e-8 apart when measured;
		// without the warm-up the weights were 3e-5 off.
		dw, aw := maxDiff(t, got, avg, func(name string) bool { return !isStatistic(name) })
		ds, as := maxDiff(t, got, avg, isStatistic)
		t.Logf("run %d: weights within %.2g, statistics within %.2g of the hand-computed average", i, dw, ds)
		if dw > 1e-6 {
			t.Errorf("run %d: stored weights differ from the hand-computed average by %.2g (%s)", i, dw, aw)
		}
		if ds > 1e-6 {
			t.Errorf("run %d: stored batch norm statistics differ from their hand-computed average by %.2g (%s)", i, ds, as)
		}
		for e, want := range byEpoch {
			ev, err := (&Run{Config: a.cfg, Params: withValues(run.Params, want)}).Evaluate(a.splits.Val)
			if err != nil {
				t.Fatal(err)
			}
			if got := run.History[e].ValLoss; math.Abs(got-ev.Loss) > 1e-5*ev.Loss {
				t.Errorf("run %d, epoch %d: validation loss %.6f, the hand-computed average's %.6f", i, e, got, ev.Loss)
			}
		}
	}
}

// TestSWAAveragesLastEpochsAndRecomputesBN: with SWAEpochs K, the stored
// weights are the mean of the last K epochs' trained weights, and batch
// norm's statistics are recomputed for them (torch.optim.swa_utils.update_bn):
// not the last epoch's running statistics, but the mean over the training
// set's batches, in order, of each batch's mean and unbiased variance of
// the layer's input, computed here on the host from the stored weights.
func TestSWAAveragesLastEpochsAndRecomputesBN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	const epochs, k = 3, 2
	a := newAveragingRun(t, epochs, func(c *Config) { c.SWAEpochs = k })
	var byEpoch []map[string][]float64
	lr := newLRSchedule(a.cfg)
	for epoch := range epochs {
		a.epoch(t, epoch, lr, func() {})
		byEpoch = append(byEpoch, a.raw(t))
	}
	mean := map[string][]float64{}
	for name, v := range byEpoch[epochs-1] {
		mean[name] = make([]float64, len(v))
		for _, e := range byEpoch[epochs-k:] {
			for i, x := range e[name] {
				mean[name][i] += x / k
			}
		}
	}
	run, err := a.sess.Train(context.Background(), a.data, a.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := paramValues(run.Params)
	if d, at := maxDiff(t, got, mean, func(name string) bool { return !isStatistic(name) }); d > 1e-6 {
		t.Errorf("stored weights differ from the mean of the last %d epochs' by %.2g (%s)", k, d, at)
	}
	if d, _ := maxDiff(t, got, byEpoch[epochs-1], isStatistic); d < 1e-3 {
		t.Errorf("stored batch norm statistics are the last epoch's running ones (differ by %.2g): not recomputed", d)
	}

	// The recomputation: the input of batch norm is x·W + b of the first
	// layer, x the standardized images.
	const bn = "/model/hidden_0/batch_norm/"
	w, b := got["/model/hidden_0/weights"], got["/model/hidden_0/biases"]
	width := len(b)
	table := standardTable(Mean, Std)
	train := a.splits.Train
	want := map[string][]float64{bn + "running_mean": make([]float64, width), bn + "running_var": make([]float64, width)}
	batches := 0
	for start := 0; start < train.Len(); start += a.cfg.BatchSize {
		end := min(train.Len(), start+a.cfg.BatchSize)
		h := make([][]float64, 0, end-start)
		for j := start; j < end; j++ {
			row := slices.Clone(b)
			for p, v := range train.Image(j) {
				for u := range width {
					row[u] += float64(table[v]) * w[p*width+u]
				}
			}
			h = append(h, row)
		}
		for u := range width {
			var sum, sq float64
			for _, row := range h {
				sum += row[u]
			}
			m := sum / float64(len(h))
			for _, row := range h {
				sq += (row[u] - m) * (row[u] - m)
			}
			want[bn+"running_mean"][u] += m
			want[bn+"running_var"][u] += sq / float64(len(h)-1)
		}
		batches++
	}
	for _, v := range want {
		for u := range v {
			v[u] /= float64(batches)
		}
	}
	if d, at := maxDiff(t, got, want, isStatistic); d > 1e-4 {
		t.Errorf("stored batch norm statistics differ from a recomputation over the training set by %.2g (%s)", d, at)
	}
	ev, err := run.Evaluate(a.splits.Val)
	if err != nil {
		t.Fatal(err)
	}
	if last := run.History[epochs-1].ValLoss; math.Abs(last-ev.Loss) > 1e-5*ev.Loss {
		t.Errorf("last epoch's validation loss %.6f, the stored weights' %.6f", last, ev.Loss)
	}
}
