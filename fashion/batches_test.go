package fashion

import (
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestBatchSourcesFollowTheEpoch: both batch sources give step s of an epoch
// the examples order[s·B : s·B+size] (the last batch smaller), standardized,
// and the step's rate, mixup λ and teacher's logits of those examples,
// whether a call runs one step or several.
func TestBatchSourcesFollowTheEpoch(t *testing.T) {
	const n, batch = 300, 128 // steps of 128, 128 and 44
	rng := rand.New(rand.NewPCG(7, 8))
	set := &Set{Images: make([]uint8, n*NumPixels), Labels: make([]uint8, n)}
	for i := range set.Images {
		set.Images[i] = uint8(rng.IntN(256))
	}
	for i := range set.Labels {
		set.Labels[i] = uint8(rng.IntN(NumClasses))
	}
	order := rng.Perm(n)
	lrs, lambdas := []float64{0.1, 0.2, 0.3}, []float64{0.9, 0.5, 0.25}
	teacher := make([]float32, n*NumClasses)
	for i := range teacher {
		teacher[i] = float32(i)
	}
	backends := []*Backend{testBackend(t)}
	if findXLAPlugin("cpu") != "" {
		xb, err := NewBackend("xla:cpu")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(xb.Finalize)
		backends = append(backends, xb)
	}
	for _, b := range backends {
		src, err := newBatchSource(b, set, batch, teacher)
		if err != nil {
			t.Fatal(err)
		}
		defer src.close()
		if err := src.startEpoch(order, lrs, lambdas); err != nil {
			t.Fatal(err)
		}
		for _, call := range []struct{ step, k, size int }{{0, 2, batch}, {1, 1, batch}, {2, 1, 44}} {
			args, temps, err := src.args(call.step, call.k, call.size)
			if err != nil {
				t.Fatal(err)
			}
			exec := MustNewExec(b, func(in []*Node) []*Node {
				base := Const(in[0].Graph(), int32(call.step))
				var out []*Node
				for j := range call.k {
					sb := src.step(args.byName(in), base, j, call.size)
					out = append(out, sb.x, sb.y, sb.lr, sb.lambda, sb.teacher)
				}
				return out
			})
			out, err := exec.Exec(args.values...)
			if err != nil {
				t.Fatal(err)
			}
			for j := range call.k {
				s := call.step + j
				idx := order[s*batch : s*batch+call.size]
				var wantX []float32
				var wantY []int32
				for _, i := range idx {
					wantX = append(wantX, Standardize(set.Image(i), Mean, Std)...)
					wantY = append(wantY, int32(set.Labels[i]))
				}
				if got := tensors.MustCopyFlatData[float32](out[5*j]); !slices.Equal(got, wantX) {
					t.Errorf("%s, step %d (call of %d from %d): images are not order[%d:%d] standardized", b.Config, s, call.k, call.step, s*batch, s*batch+call.size)
				}
				if got := tensors.MustCopyFlatData[int32](out[5*j+1]); !slices.Equal(got, wantY) {
					t.Errorf("%s, step %d: labels %v, want %v", b.Config, s, got[:4], wantY[:4])
				}
				if got := tensors.ToScalar[float32](out[5*j+2]); got != float32(lrs[s]) {
					t.Errorf("%s, step %d: rate %g, want %g", b.Config, s, got, lrs[s])
				}
				if got := tensors.ToScalar[float32](out[5*j+3]); got != float32(lambdas[s]) {
					t.Errorf("%s, step %d: mixup λ %g, want %g", b.Config, s, got, lambdas[s])
				}
				var wantT []float32
				for _, i := range idx {
					wantT = append(wantT, teacher[i*NumClasses:(i+1)*NumClasses]...)
				}
				if got := tensors.MustCopyFlatData[float32](out[5*j+4]); !slices.Equal(got, wantT) {
					t.Errorf("%s, step %d: the teacher's logits are not those of order[%d:%d]", b.Config, s, s*batch, s*batch+call.size)
				}
			}
			exec.Finalize()
			finalizeAll(temps)
		}
	}
}
