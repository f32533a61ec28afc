package fashion

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

func testBackend(t testing.TB) *Backend {
	t.Helper()
	b, err := NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Finalize)
	return b
}

func randomFloats(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// denseGradients returns d(loss)/dx and d(loss)/dW of
// loss = Σ (x·W) ⊙ c, computed with whichever Dot gradient is registered.
func denseGradients(t *testing.T, b *Backend, x, w, c *tensors.Tensor) (dx, dw []float32) {
	t.Helper()
	out, err := mlcontext.ExecOnceN(b, nil, func(mctx *mlcontext.Context, x, w, c *Node) (*Node, *Node) {
		loss := ReduceAllSum(Mul(Dot(x, w), c))
		grads := Gradient(loss, x, w)
		return grads[0], grads[1]
	}, x, w, c)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
}

func TestMatmulDotGradientEqualsGoMLX(t *testing.T) {
	b := testBackend(t)
	for _, tc := range []struct{ batch, in, out int }{
		{1, 1, 1}, {3, 5, 2}, {128, 784, 120}, {96, 120, 72}, {7, 48, 10},
	} {
		rng := rand.New(rand.NewPCG(uint64(tc.in), uint64(tc.out)))
		x := tensors.FromFlatDataAndDimensions(randomFloats(rng, tc.batch*tc.in), tc.batch, tc.in)
		w := tensors.FromFlatDataAndDimensions(randomFloats(rng, tc.in*tc.out), tc.in, tc.out)
		c := tensors.FromFlatDataAndDimensions(randomFloats(rng, tc.batch*tc.out), tc.batch, tc.out)

		fastDX, fastDW := denseGradients(t, b, x, w, c)
		VJPRegistration[NodeTypeDot] = defaultDotVJP
		slowDX, slowDW := denseGradients(t, b, x, w, c)
		VJPRegistration[NodeTypeDot] = matmulDotVJP

		for name, pair := range map[string][2][]float32{"dx": {fastDX, slowDX}, "dW": {fastDW, slowDW}} {
			fast, slow := pair[0], pair[1]
			if len(fast) != len(slow) {
				t.Fatalf("%v %s: %d values, GoMLX's gradient has %d", tc, name, len(fast), len(slow))
			}
			for i := range fast {
				// Summation order differs; float32 sums of up to 784 terms of size ~1.
				if d := math.Abs(float64(fast[i] - slow[i])); d > 1e-4*(1+math.Abs(float64(slow[i]))) {
					t.Fatalf("%v %s[%d] = %g, GoMLX's gradient gives %g", tc, name, i, fast[i], slow[i])
				}
			}
		}
	}
}

func TestPyTorchInitRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ in, out int }{{784, 120}, {120, 72}, {72, 48}, {48, 10}} {
		w, b, err := initLayer(rng, "pytorch", "relu", 0, tc.in, tc.out)
		if err != nil {
			t.Fatal(err)
		}
		bound := 1 / math.Sqrt(float64(tc.in))
		for name, vals := range map[string][]float32{"weights": w, "biases": b} {
			lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
			for _, v := range vals {
				lo, hi, sum = min(lo, float64(v)), max(hi, float64(v)), sum+float64(v)
			}
			if lo < -bound || hi > bound {
				t.Errorf("%d→%d %s in [%g,%g], want within ±%g", tc.in, tc.out, name, lo, hi, bound)
			}
			// Uniform draws should come close to both ends and centre on 0.
			if n := len(vals); n >= 100 && (hi < 0.9*bound || lo > -0.9*bound || math.Abs(sum/float64(n)) > 0.1*bound) {
				t.Errorf("%d→%d %s: range [%g,%g] mean %g does not look uniform on ±%g", tc.in, tc.out, name, lo, hi, sum/float64(n), bound)
			}
		}
	}
}

// TestLogitsInParts: computing the logits in row blocks (for the pure-Go
// backend's two cores) must give exactly Logits' values, for batch sizes that
// split evenly or not, and leave the gradients equal up to float32 rounding.
func TestLogitsInParts(t *testing.T) {
	b := testBackend(t)
	cfg := DefaultConfig()
	mctx := mlcontext.New()
	model, err := NewModel(mctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rows := range []int{1, 2, 7, 88, 128} {
		x := tensors.FromFlatDataAndDimensions(randomFloats(rng, rows*NumPixels), rows, NumPixels)
		out, err := mlcontext.ExecOnceN(b, mctx, func(mctx *mlcontext.Context, x *Node) []*Node {
			whole, parts := model.Logits(mctx, x), model.logitsInParts(mctx, x, 2)
			w := layerCtx(mctx, 0, len(cfg.Hidden)+1).GetVariable("weights")
			if w == nil {
				panic("no weights variable in layer 0")
			}
			gWhole := Gradient(ReduceAllSum(Square(whole)), w.ValueGraph(x.Graph()))[0]
			gParts := Gradient(ReduceAllSum(Square(parts)), w.ValueGraph(x.Graph()))[0]
			return []*Node{whole, parts, gWhole, gParts}
		}, x)
		if err != nil {
			t.Fatal(err)
		}
		whole, parts := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		for i := range whole {
			if whole[i] != parts[i] {
				t.Fatalf("%d rows: logit %d is %g in parts, %g whole", rows, i, parts[i], whole[i])
			}
		}
		gWhole, gParts := tensors.MustCopyFlatData[float32](out[2]), tensors.MustCopyFlatData[float32](out[3])
		for i := range gWhole {
			if d := math.Abs(float64(gWhole[i] - gParts[i])); d > 1e-4*(1+math.Abs(float64(gWhole[i]))) {
				t.Fatalf("%d rows: dW[%d] is %g in parts, %g whole", rows, i, gParts[i], gWhole[i])
			}
		}
	}
}
