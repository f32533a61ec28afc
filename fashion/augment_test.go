package fashion

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// distinctImages are b images whose pixels are all different numbers.
func distinctImages(b int) []float32 {
	x := make([]float32, b*NumPixels)
	for i := range x {
		x[i] = float32(i + 1)
	}
	return x
}

// TestMoveImages: a shift moves every pixel by (dy, dx) and fills with the
// fill value where nothing moved in; a flip mirrors the columns, and a
// flip twice is the identity.
func TestMoveImages(t *testing.T) {
	const b, fill = 3, -7
	x := distinctImages(b)
	for _, tc := range []struct {
		name     string
		dy, dx   []int32
		flip     []bool
		expected func(img, r, c int) float32
	}{
		{"no change", []int32{0, 0, 0}, []int32{0, 0, 0}, []bool{false, false, false}, nil},
		{"shifts", []int32{1, -2, 0}, []int32{-3, 0, 28}, []bool{false, false, false}, nil},
		{"flips and shifts", []int32{0, 2, -1}, []int32{0, 1, -1}, []bool{true, false, true}, nil},
	} {
		got := tensors.MustCopyFlatData[float32](run1(t, func(in []*Node) *Node {
			return moveImages(in[0], in[1], in[2], in[3], fill)
		}, tensors.FromFlatDataAndDimensions(x, b, NumPixels), tensors.FromFlatDataAndDimensions(tc.dy, b),
			tensors.FromFlatDataAndDimensions(tc.dx, b), tensors.FromFlatDataAndDimensions(tc.flip, b)))
		for img := range b {
			for r := range ImageSide {
				for c := range ImageSide {
					// out(r,c) = in(r−dy, f(c−dx)): written out by hand.
					sr, sc := r-int(tc.dy[img]), c-int(tc.dx[img])
					want := float32(fill)
					if sr >= 0 && sr < ImageSide && sc >= 0 && sc < ImageSide {
						if tc.flip[img] {
							sc = ImageSide - 1 - sc
						}
						want = x[img*NumPixels+sr*ImageSide+sc]
					}
					if g := got[img*NumPixels+r*ImageSide+c]; g != want {
						t.Fatalf("%s: image %d pixel (%d,%d) = %g, want %g", tc.name, img, r, c, g, want)
					}
				}
			}
		}
	}
	twice := tensors.MustCopyFlatData[float32](run1(t, func(in []*Node) *Node {
		zero := Zeros(in[0].Graph(), in[1].Shape())
		flip := OnesLike(in[1])
		once := moveImages(in[0], zero, zero, ConvertDType(flip, dtypes.Bool), fill)
		return moveImages(once, zero, zero, ConvertDType(flip, dtypes.Bool), fill)
	}, tensors.FromFlatDataAndDimensions(x, b, NumPixels), tensors.FromFlatDataAndDimensions([]int32{0, 0, 0}, b)))
	if !slices.Equal(twice, x) {
		t.Error("a flip twice is not the identity")
	}
}

// TestEraseImages: the rectangle is set to the fill value where erasing is
// on, and nothing else changes.
func TestEraseImages(t *testing.T) {
	const b, fill = 2, -1
	x := distinctImages(b)
	top, left, h, w := []int32{2, 0}, []int32{25, 0}, []int32{3, 28}, []int32{5, 28}
	on := []bool{true, false}
	got := tensors.MustCopyFlatData[float32](run1(t, func(in []*Node) *Node {
		return eraseImages(in[0], in[1], in[2], in[3], in[4], in[5], fill)
	}, tensors.FromFlatDataAndDimensions(x, b, NumPixels), tensors.FromFlatDataAndDimensions(top, b),
		tensors.FromFlatDataAndDimensions(left, b), tensors.FromFlatDataAndDimensions(h, b),
		tensors.FromFlatDataAndDimensions(w, b), tensors.FromFlatDataAndDimensions(on, b)))
	for img := range b {
		for r := range ImageSide {
			for c := range ImageSide {
				want := x[img*NumPixels+r*ImageSide+c]
				inside := r >= int(top[img]) && r < int(top[img]+h[img]) && c >= int(left[img]) && c < int(left[img]+w[img])
				if on[img] && inside {
					want = fill
				}
				if g := got[img*NumPixels+r*ImageSide+c]; g != want {
					t.Fatalf("image %d pixel (%d,%d) = %g, want %g", img, r, c, g, want)
				}
			}
		}
	}
}

// TestAugmentDraws: each example draws its own change, a seed draws the
// same ones again, and shifts stay within the bound (the bright pixels of
// a centred square never leave a window of ±shift).
func TestAugmentDraws(t *testing.T) {
	const b = 64
	x := make([]float32, b*NumPixels)
	for img := range b {
		for r := 10; r < 18; r++ {
			for c := 10; c < 18; c++ {
				x[img*NumPixels+r*ImageSide+c] = 1
			}
		}
	}
	draw := func(seed int64, a augmentation) []float32 {
		mctx := mlcontext.New()
		if err := mctx.SetRNGStateFromSeed(seed); err != nil {
			t.Fatal(err)
		}
		exec := mlcontext.MustNewExec(testBackend(t), mctx, func(mctx *mlcontext.Context, x *Node) *Node { return augment(mctx, x, a, 0) })
		defer exec.Finalize()
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, b, NumPixels))
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out[0])
	}
	a := augmentation{shift: 2, flip: true, erase: 0.5}
	first := draw(5, a)
	if !slices.Equal(first, draw(5, a)) {
		t.Error("the same seed drew different changes")
	}
	if slices.Equal(first, draw(6, a)) {
		t.Error("another seed drew the same changes")
	}
	distinct := map[string]bool{}
	for img := range b {
		distinct[string(float32Bytes(first[img*NumPixels:(img+1)*NumPixels]))] = true
	}
	if len(distinct) < b/4 {
		t.Errorf("%d different images out of %d: the draws are not per example", len(distinct), b)
	}
	shifted := draw(7, augmentation{shift: 2})
	for img := range b {
		for r := range ImageSide {
			for c := range ImageSide {
				if shifted[img*NumPixels+r*ImageSide+c] == 1 && (r < 8 || r >= 20 || c < 8 || c >= 20) {
					t.Fatalf("image %d: a pixel moved to (%d,%d), beyond a shift of 2", img, r, c)
				}
			}
		}
	}
	if !slices.Equal(draw(8, augmentation{}), x) {
		t.Error("no augmentation changed the images")
	}
}

func float32Bytes(v []float32) []byte {
	out := make([]byte, 0, 4*len(v))
	for _, f := range v {
		out = append(out, byte(int(f*255)))
	}
	return out
}

// TestAugmentImages: copies of the images as training changes them, for
// display: a seed gives the same copies, no augmentation gives the images
// back, and a bad image is an error.
func TestAugmentImages(t *testing.T) {
	data := loadReal(t)
	imgs := [][]uint8{data.Train.Image(0), data.Train.Image(1)}
	cfg := DefaultConfig()
	cfg.Shift, cfg.Flip, cfg.Erase = 2, true, 0.5
	a, err := AugmentImages(imgs, 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := AugmentImages(imgs, 3, cfg)
	if len(a) != 6 || !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("%d copies; the same seed gave the same copies: %v", len(a), slices.EqualFunc(a, b, slices.Equal))
	}
	same, err := AugmentImages(imgs, 1, DefaultConfig())
	if err != nil || !slices.Equal(same[0], imgs[0]) || !slices.Equal(same[1], imgs[1]) {
		t.Errorf("without augmentation the images changed (%v)", err)
	}
	if _, err := AugmentImages([][]uint8{{1, 2, 3}}, 1, cfg); err == nil || !strings.Contains(err.Error(), "3 pixels") {
		t.Errorf("a 3-pixel image: %v", err)
	}
}

// augmentOnce applies augmentation a to the images x [n,784] once, drawn
// from seed, on the pure-Go backend.
func augmentOnce(t *testing.T, x []float32, a augmentation, seed int64) []float32 {
	t.Helper()
	mctx := mlcontext.New()
	if err := mctx.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	exec := mlcontext.MustNewExec(testBackend(t), mctx, func(mctx *mlcontext.Context, x *Node) *Node { return augment(mctx, x, a, 0) })
	defer exec.Finalize()
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, len(x)/NumPixels, NumPixels))
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0])
}

// ksDistance is the Kolmogorov–Smirnov distance between the empirical
// distributions of two samples: the largest gap between their CDFs.
func ksDistance(a, b []float64) float64 {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	cdf := func(s []float64, v float64) float64 {
		i, _ := slices.BinarySearchFunc(s, v, func(x, v float64) int {
			if x <= v {
				return -1
			}
			return 1
		})
		return float64(i) / float64(len(s))
	}
	d := 0.0
	for _, v := range slices.Concat(a, b) {
		d = math.Max(d, math.Abs(cdf(a, v)-cdf(b, v)))
	}
	return d
}

// TestAugmentFlipProbability: with Flip each image is either itself or its
// mirror image, mirrored with probability ½. 4000 draws: the fraction's
// standard error is 0.008, the tolerance 0.04 (5 of them; the seed is
// fixed, so the test gives the same answer every time).
func TestAugmentFlipProbability(t *testing.T) {
	const n = 4000
	x := make([]float32, n*NumPixels)
	for i := range x {
		x[i] = float32(i%ImageSide + 1) // the column, + 1: a mirror changes every row
	}
	got := augmentOnce(t, x, augmentation{flip: true}, 11)
	flipped := 0
	for img := range n {
		mirror := true
		for r := range ImageSide {
			for c := range ImageSide {
				v := got[img*NumPixels+r*ImageSide+c]
				mirror = mirror && v == float32(ImageSide-c)
				if v != float32(c+1) && v != float32(ImageSide-c) {
					t.Fatalf("image %d pixel (%d,%d) = %g: neither the image nor its mirror", img, r, c, v)
				}
			}
		}
		if mirror {
			flipped++
		}
	}
	t.Logf("%d of %d images flipped", flipped, n)
	if p := float64(flipped) / n; math.Abs(p-0.5) > 0.04 {
		t.Errorf("%d of %d images flipped (%.3f), want a probability of ½", flipped, n, p)
	}
}

// TestAugmentEraseDraws: with Erase p, an image is erased with probability
// p, and the erased rectangle's area and aspect ratio (height over width)
// are distributed as their definition (torchvision's RandomErasing
// defaults, augment.go): area uniform in 2%..33% of the image, ratio
// log-uniform in 0.3..3.3, sides rounded from √(area·ratio) and
// √(area/ratio) and kept within 1..28. Both are compared with 200,000
// draws of that definition on the host by the Kolmogorov–Smirnov distance,
// whose 1-in-a-million critical value for these sample sizes is about
// 0.06 (2.7/√2000); a fixed seed keeps the answer the same every time.
func TestAugmentEraseDraws(t *testing.T) {
	const n, p = 4000, 0.5
	x := slices.Repeat([]float32{1}, n*NumPixels)
	got := augmentOnce(t, x, augmentation{erase: p}, 12)
	var areas, logRatios []float64
	for img := range n {
		pixels := got[img*NumPixels : (img+1)*NumPixels]
		top, left, bottom, right := ImageSide, ImageSide, -1, -1
		zeros := 0
		for r := range ImageSide {
			for c := range ImageSide {
				if pixels[r*ImageSide+c] == 0 {
					zeros++
					top, left, bottom, right = min(top, r), min(left, c), max(bottom, r), max(right, c)
				}
			}
		}
		if zeros == 0 {
			continue
		}
		h, w := bottom-top+1, right-left+1
		if zeros != h*w {
			t.Fatalf("image %d: %d pixels erased, not the %d×%d rectangle around them", img, zeros, h, w)
		}
		areas = append(areas, float64(h*w)/NumPixels)
		logRatios = append(logRatios, math.Log(float64(h)/float64(w)))
	}
	if frac := float64(len(areas)) / n; math.Abs(frac-p) > 0.04 {
		t.Errorf("%d of %d images erased (%.3f), want a probability of %g", len(areas), n, frac, p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var wantAreas, wantLogRatios []float64
	side := func(v float64) int { return min(ImageSide, max(1, int(math.RoundToEven(math.Sqrt(v))))) }
	const minArea, maxArea, minRatio, maxRatio = 0.02, 0.33, 0.3, 3.3 // torchvision's, not augment.go's constants
	for range 200000 {
		area := (minArea + rng.Float64()*(maxArea-minArea)) * NumPixels
		ratio := math.Exp(math.Log(minRatio) + rng.Float64()*(math.Log(maxRatio)-math.Log(minRatio)))
		h, w := side(area*ratio), side(area/ratio)
		wantAreas = append(wantAreas, float64(h*w)/NumPixels)
		wantLogRatios = append(wantLogRatios, math.Log(float64(h)/float64(w)))
	}
	dArea, dRatio := ksDistance(areas, wantAreas), ksDistance(logRatios, wantLogRatios)
	t.Logf("%d of %d erased; Kolmogorov–Smirnov distances: areas %.3f, aspect ratios %.3f", len(areas), n, dArea, dRatio)
	if d := dArea; d > 0.06 {
		t.Errorf("erased areas: Kolmogorov–Smirnov distance %.3f from the definition's, want ≤ 0.06", d)
	}
	if d := dRatio; d > 0.06 {
		t.Errorf("erased aspect ratios: Kolmogorov–Smirnov distance %.3f from the definition's, want ≤ 0.06", d)
	}
}
