package fashion

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// ImageSide is the width and height of a Fashion-MNIST image.
const ImageSide = 28

// Random erasing draws, as torchvision's RandomErasing defaults: the erased
// rectangle covers 2% to 33% of the image, with an aspect ratio (height over
// width) from 0.3 to 3.3, drawn uniformly in log scale.
const (
	eraseMinArea, eraseMaxArea   = 0.02, 0.33
	eraseMinRatio, eraseMaxRatio = 0.3, 3.3
)

// augmentation is what augment does: Config.Shift, Config.Flip and
// Config.Erase.
type augmentation struct {
	shift int
	flip  bool
	erase float64
}

// augment draws a random change of each training image in x [B,784]
// (standardized) from the context's generator, seeded with the run's seed:
// a horizontal flip (flip, probability ½), then a shift of up to
// shift pixels along each axis, then an erased rectangle
// (erase, its probability, a setting: settings.go). Pixels shifted in and
// erased ones are black (fill, black standardized). Each example draws its
// own, at every step; validation and test images never pass through here.
func augment(mctx *mlcontext.Context, x *Node, a augmentation, fill float32) *Node {
	if a == (augmentation{}) {
		return x
	}
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	perExample := shapes.Make(dtypes.Int32, b)
	uniform := func() *Node { return mctx.RandomUniform(g, shapes.Make(DType, b)) }
	dy, dx := Zeros(g, perExample), Zeros(g, perExample)
	if a.shift > 0 {
		n := 2*a.shift + 1
		dy = AddScalar(ConvertDType(mctx.RandomIntN(g, int32(n), perExample), dtypes.Int32), float64(-a.shift))
		dx = AddScalar(ConvertDType(mctx.RandomIntN(g, int32(n), perExample), dtypes.Int32), float64(-a.shift))
	}
	flip := Zeros(g, shapes.Make(dtypes.Bool, b))
	if a.flip {
		flip = LessThan(uniform(), Scalar(g, DType, 0.5))
	}
	x = moveImages(x, dy, dx, flip, fill)
	if a.erase > 0 {
		on := LessThan(uniform(), setting(mctx, g, "erase", a.erase))
		area := AddScalar(MulScalar(uniform(), (eraseMaxArea-eraseMinArea)*ImageSide*ImageSide), eraseMinArea*ImageSide*ImageSide)
		logRatio := AddScalar(MulScalar(uniform(), math.Log(eraseMaxRatio)-math.Log(eraseMinRatio)), math.Log(eraseMinRatio))
		ratio := Exp(logRatio)
		side := func(v *Node) *Node { // rounded, in 1..28
			return ConvertDType(ClipScalar(Round(Sqrt(v)), 1, ImageSide), dtypes.Int32)
		}
		h, w := side(Mul(area, ratio)), side(Div(area, ratio))
		pick := func(size *Node) *Node { // uniform in 0..28−size
			room := ConvertDType(AddScalar(Neg(size), ImageSide+1), DType)
			return ConvertDType(ClipScalar(Floor(Mul(uniform(), room)), 0, ImageSide-1), dtypes.Int32)
		}
		x = eraseImages(x, pick(h), pick(w), h, w, on, fill)
	}
	return x
}

// moveImages returns the images x [B,784] each flipped left to right where
// flip [B] is true, then moved down by dy [B] and right by dx [B] pixels
// (int32, negative: up or left), with fill where nothing moved in:
// out(r,c) = in(r−dy, f(c−dx)), f(c) = 27−c when flipped, else c.
func moveImages(x, dy, dx, flip *Node, fill float32) *Node {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	grid := shapes.Make(dtypes.Int32, b, ImageSide, ImageSide)
	rows, cols := Iota(g, grid, 1), Iota(g, grid, 2)
	srcRow := Sub(rows, Reshape(dy, b, 1, 1))
	srcCol := Sub(cols, Reshape(dx, b, 1, 1))
	inside := LogicalAnd(
		LogicalAnd(GreaterOrEqual(srcRow, ScalarZero(g, dtypes.Int32)), LessThan(srcRow, Scalar(g, dtypes.Int32, ImageSide))),
		LogicalAnd(GreaterOrEqual(srcCol, ScalarZero(g, dtypes.Int32)), LessThan(srcCol, Scalar(g, dtypes.Int32, ImageSide))))
	flipped := Sub(Scalar(g, dtypes.Int32, ImageSide-1), srcCol)
	srcCol = Where(BroadcastToDims(Reshape(flip, b, 1, 1), b, ImageSide, ImageSide), flipped, srcCol)
	clip := func(v *Node) *Node { return ClipScalar(v, 0, ImageSide-1) }
	example := Iota(g, grid, 0)
	flat := Add(MulScalar(example, ImageSide*ImageSide), Add(MulScalar(clip(srcRow), ImageSide), clip(srcCol)))
	// One gather of all B·784 pixels; the index column as in standardizeGraph.
	moved := Gather(Reshape(x, b*NumPixels), Reshape(flat, b*NumPixels, 1))
	moved = Where(Reshape(inside, b*NumPixels), moved, Scalar(g, x.DType(), fill))
	return Reshape(moved, b, NumPixels)
}

// eraseImages sets to fill, in each image of x [B,784] where on [B] is
// true, the rectangle of h×w pixels [B] whose top-left pixel is (top,
// left) [B] (all int32).
func eraseImages(x, top, left, h, w, on *Node, fill float32) *Node {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	grid := shapes.Make(dtypes.Int32, b, ImageSide, ImageSide)
	rows, cols := Iota(g, grid, 1), Iota(g, grid, 2)
	col := func(v *Node) *Node { return Reshape(v, b, 1, 1) }
	in := func(v, start, size *Node) *Node {
		return LogicalAnd(GreaterOrEqual(v, col(start)), LessThan(v, Add(col(start), col(size))))
	}
	erased := LogicalAnd(LogicalAnd(in(rows, top, h), in(cols, left, w)), BroadcastToDims(col(on), b, ImageSide, ImageSide))
	return Where(Reshape(erased, b, NumPixels), Scalar(g, x.DType(), fill), x)
}

// AugmentImages returns n copies of each image (uint8 pixels [784] each) as
// a training step of cfg would change them (Config.Shift, Flip, Erase),
// drawn from cfg.Seed: for seeing what the network is trained on. It runs on
// the pure-Go backend.
func AugmentImages(images [][]uint8, n int, cfg Config) (out [][]uint8, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fashion: AugmentImages: %v", p)
		}
	}()
	var flat []float32
	for range n {
		for _, img := range images {
			if len(img) != NumPixels {
				return nil, fmt.Errorf("fashion: AugmentImages: an image of %d pixels, want %d", len(img), NumPixels)
			}
			for _, v := range img {
				flat = append(flat, float32(v))
			}
		}
	}
	if len(flat) == 0 {
		return nil, nil
	}
	backend, err := NewBackend("go")
	if err != nil {
		return nil, err
	}
	defer backend.Finalize()
	mctx := mlcontext.New()
	defer mctx.Finalize()
	if err := mctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	// On the pixels themselves, black 0: the same change as on standardized
	// images with their black.
	exec, err := mlcontext.NewExec(backend, mctx, func(mctx *mlcontext.Context, x *Node) *Node {
		return augment(mctx, x, cfg.augmentation(), 0)
	})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(flat, len(flat)/NumPixels, NumPixels))
	if err != nil {
		return nil, err
	}
	values := tensors.MustCopyFlatData[float32](res[0])
	for i := 0; i < len(values); i += NumPixels {
		img := make([]uint8, NumPixels)
		for p, v := range values[i : i+NumPixels] {
			img[p] = uint8(min(255, max(0, math.Round(float64(v)))))
		}
		out = append(out, img)
	}
	return out, nil
}
