package fashion

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// run1 executes a one-output graph of the inputs on the pure-Go backend.
func run1(t *testing.T, fn func(in []*Node) *Node, in ...any) *tensors.Tensor {
	t.Helper()
	exec := MustNewExec(testBackend(t), func(in []*Node) *Node { return fn(in) })
	defer exec.Finalize()
	for i, v := range in { // a tensor belongs to one backend: each call gets copies
		if tt, ok := v.(*tensors.Tensor); ok {
			c, err := tt.LocalClone()
			if err != nil {
				t.Fatal(err)
			}
			in[i] = c
		}
	}
	out, err := exec.Exec(in...)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// hostLogSoftmax is log softmax of one row, in float64.
func hostLogSoftmax(row []float32) []float64 {
	m := float64(slices.Max(row))
	sum := 0.0
	for _, v := range row {
		sum += math.Exp(float64(v) - m)
	}
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = float64(v) - m - math.Log(sum)
	}
	return out
}

// TestLossFormulas checks each loss against its formula, computed here on
// the host for random logits: label smoothing, mixup at λ = 1 and 0.3, distillation
// at T = 1 and α = 1 (the KL divergence) and at T = 4, α = 0.9.
func TestLossFormulas(t *testing.T) {
	const b = 6
	rng := rand.New(rand.NewPCG(1, 2))
	logits, teacher := randomFloats(rng, b*NumClasses), randomFloats(rng, b*NumClasses)
	for i := range logits {
		logits[i] *= 3
		teacher[i] *= 3
	}
	labels := make([]int32, b)
	for i := range labels {
		labels[i] = int32(rng.IntN(NumClasses))
	}
	s := tensors.FromFlatDataAndDimensions(logits, b, NumClasses)
	tt := tensors.FromFlatDataAndDimensions(teacher, b, NumClasses)
	y := tensors.FromFlatDataAndDimensions(labels, b)
	row := func(v []float32, i int) []float32 { return v[i*NumClasses : (i+1)*NumClasses] }

	type tc struct {
		name string
		fn   func(in []*Node) *Node
		want func(i int) float64
	}
	ce := func(i int) float64 { return -hostLogSoftmax(row(logits, i))[labels[i]] }
	kl := func(i int, temp float64) float64 {
		scaled := func(v []float32) []float32 {
			out := make([]float32, len(v))
			for k := range v {
				out[k] = float32(float64(v[k]) / temp)
			}
			return out
		}
		lt, ls := hostLogSoftmax(scaled(row(teacher, i))), hostLogSoftmax(scaled(row(logits, i)))
		sum := 0.0
		for k := range lt {
			sum += math.Exp(lt[k]) * (lt[k] - ls[k])
		}
		return sum
	}
	distill := func(temperature, alpha float64) func(in []*Node) *Node {
		return func(in []*Node) *Node {
			g := in[0].Graph()
			return distillationLoss(in[0], in[1], in[2], Scalar(g, DType, temperature), Scalar(g, DType, alpha))
		}
	}
	for _, c := range []tc{
		{"no smoothing is cross-entropy", func(in []*Node) *Node { return smoothedCrossEntropy(in[0], in[2], nil) }, ce},
		{"smoothing 0.1", func(in []*Node) *Node { return smoothedCrossEntropy(in[0], in[2], Scalar(in[0].Graph(), DType, 0.1)) }, func(i int) float64 {
			lp := hostLogSoftmax(row(logits, i))
			mean := 0.0
			for _, v := range lp {
				mean -= v / NumClasses
			}
			return 0.9*(-lp[labels[i]]) + 0.1*mean
		}},
		{"mixup at λ=1 is the plain loss", func(in []*Node) *Node {
			one := Scalar(in[0].Graph(), DType, 1)
			return mixLoss(crossEntropy, in[0], in[2], one)
		}, ce},
		// Example i is mixed with example i+1 (the last with the first):
		// λ weighs its own label, 1−λ its pair's. λ = 0.3 tells the two
		// weights apart and a pairing off by one from the right one.
		{"mixup at λ=0.3 pairs each example with the next", func(in []*Node) *Node {
			return mixLoss(crossEntropy, in[0], in[2], Scalar(in[0].Graph(), DType, 0.3))
		}, func(i int) float64 {
			lp := hostLogSoftmax(row(logits, i))
			return 0.3*(-lp[labels[i]]) + 0.7*(-lp[labels[(i+1)%b]])
		}},
		{"distillation T=1 α=1 is the KL divergence", distill(1, 1),
			func(i int) float64 { return kl(i, 1) }},
		{"distillation T=4 α=0.9", distill(4, 0.9),
			func(i int) float64 { return 0.9*16*kl(i, 4) + 0.1*ce(i) }},
	} {
		got := tensors.MustCopyFlatData[float32](run1(t, c.fn, s, tt, y))
		for i := range b {
			if want := c.want(i); math.Abs(float64(got[i])-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s, example %d: %.7f, want %.7f", c.name, i, got[i], want)
			}
		}
	}
}

// TestMixupAtOneIsThePlainBatch: with λ = 1 the mixed images are the batch;
// with λ = ½ each is the mean of itself and the next one (the last with
// the first).
func TestMixupAtOneIsThePlainBatch(t *testing.T) {
	x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	for lambda, want := range map[float32][]float32{1: {1, 2, 3, 4, 5, 6}, 0.5: {2, 3, 4, 5, 3, 4}} {
		got := run1(t, func(in []*Node) *Node { return mixImages(in[0], in[1]) }, x, tensors.FromScalar(lambda))
		if v := tensors.MustCopyFlatData[float32](got); !slices.Equal(v, want) {
			t.Errorf("λ = %g: %v, want %v", lambda, v, want)
		}
	}
}

// TestEMAOfAConstant: the moving average of a constant weight stays that
// constant, whatever the decay; of a step it moves by (1−decay).
func TestEMAOfAConstant(t *testing.T) {
	for _, decay := range []float32{0, 0.9, 0.999} {
		d := tensors.FromScalar(decay)
		c := tensors.FromFlatDataAndDimensions([]float32{-2.5, 0, 3.25}, 3)
		got := run1(t, func(in []*Node) *Node { return emaUpdate(in[0], in[0], in[1]) }, c, d)
		if v := tensors.MustCopyFlatData[float32](got); !slices.Equal(v, []float32{-2.5, 0, 3.25}) {
			t.Errorf("decay %g: EMA of a constant is %v", decay, v)
		}
		zero, one := tensors.FromScalar(float32(0)), tensors.FromScalar(float32(1))
		step := run1(t, func(in []*Node) *Node { return emaUpdate(in[0], in[1], in[2]) }, zero, one, d)
		if v := tensors.ToScalar[float32](step); math.Abs(float64(v)-(1-float64(decay))) > 1e-7 {
			t.Errorf("decay %g: from 0 toward 1 the average is %g, want %g", decay, v, 1-decay)
		}
	}
}

// TestEMADecayWarmUp: the decay after n updates is min(d, (1+n)/(10+n)).
func TestEMADecayWarmUp(t *testing.T) {
	for _, tc := range []struct {
		decay, n, want float64
	}{
		{0.999, 0, 0.1},
		{0.999, 1, 2.0 / 11},
		{0.999, 90, 0.91},
		{0.999, 8990, 0.999},
		{0.999, 1e5, 0.999},
		{0.5, 0, 0.1},
		{0.5, 7, 8.0 / 17},
		{0.5, 9, 0.5},
		{0, 3, 0},
	} {
		got := run1(t, func(in []*Node) *Node { return emaDecay(Scalar(in[0].Graph(), DType, tc.decay), in[0]) }, float32(tc.n))
		if v := float64(tensors.ToScalar[float32](got)); math.Abs(v-tc.want) > 1e-6 {
			t.Errorf("decay %g after %g updates: %.7f, want %.7f", tc.decay, tc.n, v, tc.want)
		}
	}
}

// TestBetaSample: Beta(α, α) draws have mean ½ and variance 1/(4(2α+1));
// the epoch's λs are reproducible for a seed and differ between epochs.
func TestBetaSample(t *testing.T) {
	for _, alpha := range []float64{0.2, 1, 4} {
		rng := rand.New(rand.NewPCG(3, 4))
		const n = 40000
		var sum, sq float64
		for range n {
			v := betaSample(rng, alpha, alpha)
			if v < 0 || v > 1 {
				t.Fatalf("α %g: draw %g outside [0, 1]", alpha, v)
			}
			sum += v
			sq += v * v
		}
		mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
		want := 1 / (4 * (2*alpha + 1))
		if math.Abs(mean-0.5) > 0.01 || math.Abs(variance-want) > 0.05*want {
			t.Errorf("Beta(%g, %g): mean %.4f, variance %.5f; want 0.5, %.5f", alpha, alpha, mean, variance, want)
		}
	}
	a, b := mixupLambdas(42, 3, 10, 0.2), mixupLambdas(42, 3, 10, 0.2)
	if !slices.Equal(a, b) || slices.Equal(a, mixupLambdas(42, 4, 10, 0.2)) {
		t.Errorf("λs for (seed 42, epoch 3) %v and again %v; epoch 4 %v", a, b, mixupLambdas(42, 4, 10, 0.2))
	}
}
