package fashion

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// batchSource is where the training steps get their batches: both sources
// give the same standardized batches, bit for bit
// (TestBatchesStandardizeAlike); they differ in where the copy happens.
type batchSource interface {
	// unroll is how many steps one call of the step graph runs while that
	// many full batches remain.
	unroll() int
	// args returns the step call's inputs for k consecutive batches of the
	// training examples idx, and the temporaries to free after the call.
	args(idx []int, k int) (args []any, temps []*tensors.Tensor, err error)
	// batch returns, inside the step graph, step j's images [B,784] and
	// labels [B] from the call's inputs; steps is how many the call holds.
	batch(in []*Node, j int) (x, y *Node)
	steps(in []*Node) int
	close()
}

// newBatchSource picks the source for the backend: on XLA the training set
// lives on the device (deviceBatches), which saves a host copy and a
// transfer per batch; the pure-Go backend's Gather copies one value at a
// time, so there the host copy is faster (hostBatches). docs/performance.md
// has the figures.
func newBatchSource(b *Backend, set *Set) (batchSource, error) {
	table := standardTable(Mean, Std)
	if b.IsGo() {
		return &hostBatches{set: set, table: table}, nil
	}
	d := &deviceBatches{table: table}
	var err error
	d.x, d.y, err = residentSet(b, set.Images, set.Labels, set.Len())
	return d, err
}

// testStepsPerCall, when set by a test, replaces every source's unroll.
var testStepsPerCall int

func unrollOr(k int) int {
	if testStepsPerCall > 0 {
		return testStepsPerCall
	}
	return k
}

// residentSet sends n uint8 images and their labels to the backend once.
func residentSet(b *Backend, images, labels []uint8, n int) (x, y *tensors.Tensor, err error) {
	x = tensors.FromFlatDataAndDimensions(images, n, NumPixels)
	y = tensors.FromFlatDataAndDimensions(int32Labels(labels), n)
	for _, t := range []*tensors.Tensor{x, y} {
		if err := t.MaterializeOnDevice(b, true, 0); err != nil {
			return nil, nil, err
		}
		t.FinalizeLocal() // a no-op when the backend shares the host memory
	}
	return x, y, nil
}

// hostBatches builds each standardized batch on the host and sends it.
type hostBatches struct {
	set   *Set
	table *[256]float32
}

// unroll is 1: calls of the pure-Go backend cost little.
func (h *hostBatches) unroll() int { return unrollOr(1) }

func (h *hostBatches) args(idx []int, k int) ([]any, []*tensors.Tensor, error) {
	x, y, err := h.takeBatches(idx, k)
	if err != nil {
		return nil, nil, err
	}
	return []any{x, y}, []*tensors.Tensor{x, y}, nil
}

// takeBatches builds k standardized batches of the training examples idx:
// x [k,len(idx)/k,784] and y [k,len(idx)/k], or x [len(idx),784] and
// y [len(idx)] when k is 1 (slicing a step axis out would copy the batch on
// the pure-Go backend).
func (h *hostBatches) takeBatches(idx []int, k int) (x, y *tensors.Tensor, err error) {
	dims := []int{k, len(idx) / k}
	if k == 1 {
		dims = dims[1:]
	}
	x = tensors.FromShape(shapes.Make(DType, append(dims, NumPixels)...))
	ys := make([]int32, len(idx))
	err = tensors.MutableFlatData(x, func(xs []float32) {
		for i, j := range idx {
			row := xs[i*NumPixels : (i+1)*NumPixels]
			for p, v := range h.set.Image(j) {
				row[p] = h.table[v]
			}
			ys[i] = int32(h.set.Labels[j])
		}
	})
	return x, tensors.FromFlatDataAndDimensions(ys, dims...), err
}

func (h *hostBatches) steps(in []*Node) int {
	if in[0].Rank() == 2 {
		return 1
	}
	return in[0].Shape().Dimensions[0]
}

func (h *hostBatches) batch(in []*Node, j int) (x, y *Node) {
	if in[0].Rank() == 2 {
		return in[0], in[1]
	}
	return Squeeze(Slice(in[0], AxisElem(j)), 0), Squeeze(Slice(in[1], AxisElem(j)), 0)
}

func (h *hostBatches) close() {}

// deviceBatches keeps the uint8 training set on the backend; each call
// sends only the batches' indices, which the graph gathers and
// standardizes.
type deviceBatches struct {
	x, y  *tensors.Tensor // [N,784] uint8, [N] int32, on the backend
	table *[256]float32
}

// unroll is 4 on XLA, where each call has a fixed cost whatever it
// computes; docs/performance.md has the measurements.
func (d *deviceBatches) unroll() int { return unrollOr(4) }

func (d *deviceBatches) args(idx []int, k int) ([]any, []*tensors.Tensor, error) {
	ids := make([]int32, len(idx))
	for i, j := range idx {
		ids[i] = int32(j)
	}
	t := tensors.FromFlatDataAndDimensions(ids, k, len(idx)/k)
	return []any{d.x, d.y, t}, []*tensors.Tensor{t}, nil
}

func (d *deviceBatches) steps(in []*Node) int { return in[2].Shape().Dimensions[0] }

func (d *deviceBatches) batch(in []*Node, j int) (x, y *Node) {
	return gatherBatch(in[0], in[1], Squeeze(Slice(in[2], AxisElem(j)), 0), d.table)
}

func (d *deviceBatches) close() {
	for _, t := range []*tensors.Tensor{d.x, d.y} {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// gatherBatch takes the rows idx [B] of allX (uint8 [N,784]) and allY [N],
// and standardizes the images with table, as takeBatches does on the host.
func gatherBatch(allX, allY, idx *Node, table *[256]float32) (x, y *Node) {
	at := ExpandAxes(idx, -1) // [B,1]: one index per example
	return standardizeGraph(Gather(allX, at), table, false), Gather(allY, at)
}

// standardizeGraph maps uint8 images [B,784] to their standardized float32
// values inside the graph: the same values as Standardize, bit for bit
// (TestBatchesStandardizeAlike). With arith it computes them as Standardize
// does, (x/255 − mean)/std in float32, which the pure-Go backend executes
// literally and faster than a gather of one value at a time; XLA may
// rewrite that arithmetic (seen: results 1 ulp off), so there the graph
// looks the values up in table.
func standardizeGraph(pixels *Node, table *[256]float32, arith bool) *Node {
	if arith {
		// Div, not DivScalar, which multiplies by the reciprocal.
		g := pixels.Graph()
		x := Div(ConvertDType(pixels, DType), Scalar(g, DType, 255))
		return Div(Sub(x, Scalar(g, DType, Mean)), Scalar(g, DType, Std))
	}
	// The pixels as one column [B·784,1] of indices into the table: GoMLX
	// v0.26.0's shape check of Gather compares the index axis with the
	// operand's rank (1), not the indices' rank, so [B,784,1] is refused.
	b := pixels.Shape().Dimensions[0]
	ids := ConvertDType(pixels, dtypes.Int32)
	x := Gather(Const(pixels.Graph(), table[:]), Reshape(ids, b*NumPixels, 1))
	return Reshape(x, b, NumPixels)
}
