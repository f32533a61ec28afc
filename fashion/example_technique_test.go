package fashion_test

import (
	"context"
	"fmt"
	"math"
	"os"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own style for graph code.
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// A technique of one's own, written in GoMLX: a max-norm constraint (each
// unit's incoming weights scaled back to a norm of at most 1 after every
// update) and Gaussian noise on the training images. The run is cached
// under a key that includes the technique's code: asking again returns the
// stored run. (Here on a small made-up data set, so that it runs anywhere;
// a notebook passes the same Technique to lab.WithTechnique.)
func ExampleTechnique() {
	mine := fashion.Technique{
		Name: "max-norm-noise",
		Constraint: func(mctx *mlcontext.Context, g *Graph, weights ...*mlcontext.Variable) {
			for _, w := range weights { // [in, out]: a column per unit
				norms := L2Norm(w.ValueGraph(g), 0)
				scale := MinScalar(Inverse(AddScalar(norms, 1e-7)), 1.0)
				w.SetValueGraph(Mul(w.ValueGraph(g), scale))
			}
		},
		Batch: func(mctx *mlcontext.Context, x *Node) *Node {
			return Add(x, MulScalar(mctx.RandomNormal(x.Graph(), x.Shape()), 0.1))
		},
	}
	dir, err := os.MkdirTemp("", "runs")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	cfg := fashion.DefaultConfig()
	cfg.Epochs, cfg.Backend = 2, "go"
	opts := fashion.CacheOptions{Cache: fashion.Cache{Dir: dir}, Technique: &mine}
	data := stripes()
	run, cached, err := fashion.TrainCached(context.Background(), data, cfg, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s, from the cache: %v\n", run.Technique.Name, cached)
	longest := 0.0
	for _, p := range run.Params {
		if p.Name == "weights" {
			for j := range p.Dims[1] {
				var s float64
				for i := range p.Dims[0] {
					s += float64(p.Values[i*p.Dims[1]+j]) * float64(p.Values[i*p.Dims[1]+j])
				}
				longest = math.Max(longest, math.Sqrt(s))
			}
		}
	}
	fmt.Println("every unit's weights within norm 1:", longest <= 1+1e-5)

	again, cached, err := fashion.TrainCached(context.Background(), data, cfg, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("again: the same run %v, from the cache: %v\n", again.Key == run.Key, cached)
	// Output:
	// max-norm-noise, from the cache: false
	// every unit's weights within norm 1: true
	// again: the same run true, from the cache: true
}

// stripes is a small made-up data set: class k is a bright horizontal band
// at rows 2k to 2k+5, on 200 training and 200 test images.
func stripes() *fashion.Data {
	set := func(n int) *fashion.Set {
		s := &fashion.Set{Images: make([]uint8, n*fashion.NumPixels), Labels: make([]uint8, n)}
		for i := range n {
			k := i % fashion.NumClasses
			s.Labels[i] = uint8(k)
			for y := 2 * k; y < 2*k+6; y++ {
				for x := range fashion.Width {
					s.Images[i*fashion.NumPixels+y*fashion.Width+x] = 255
				}
			}
		}
		return s
	}
	return &fashion.Data{Train: set(200), Test: set(200), Checksum: "stripes"}
}
