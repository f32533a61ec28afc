package fashion

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// batchSource is where the training steps get their batches and rates:
// both sources give the same standardized batches, bit for bit
// (TestBatchesStandardizeAlike); they differ in where the copy happens.
type batchSource interface {
	// startEpoch takes the epoch's order of the training examples, and the
	// learning rate and mixup λ (nil without mixup) of each of its steps.
	startEpoch(order []int, lrs, lambdas []float64) error
	// args returns the inputs of a call running k steps from step on, on
	// batches of size examples (Config.BatchSize, or fewer for the epoch's
	// last), by name, and the temporaries to free after the call.
	args(step, k, size int) (args stepInputs, temps []*tensors.Tensor, err error)
	// step returns, inside the step graph, step j's batch from the call's
	// inputs in, by the names args gave them; base is the epoch's steps
	// done before the call (the "steps" metric).
	step(in map[string]*Node, base *Node, j, size int) stepBatch
	close()
}

// stepInputs are a call's inputs by name, in the order of the call. The
// names are the same in every call of a run (a source sends the same
// inputs each time), so the graph built for the first call reads the
// others'.
type stepInputs struct {
	names  []string
	values []any
}

func (in *stepInputs) add(name string, v any) {
	in.names = append(in.names, name)
	in.values = append(in.values, v)
}

// byName pairs a graph's parameters (in the call's order) with the names.
func (in *stepInputs) byName(nodes []*Node) map[string]*Node {
	m := make(map[string]*Node, len(nodes))
	for i, n := range nodes {
		m[in.names[i]] = n
	}
	return m
}

// stepBatch is what one training step takes: images [size,784]
// (standardized), labels [size], the learning rate (a scalar), and where
// used, mixup's λ (a scalar) and the teacher's logits [size,10].
type stepBatch struct {
	x, y, lr, lambda, teacher *Node
}

// newBatchSource picks the source for the backend: on XLA the training set
// and each epoch's order and rates live on the device (deviceBatches), so a
// call sends nothing; the pure-Go backend's Gather copies one value at a
// time, so there the host copy is faster (hostBatches).
// docs/performance.md has the figures.
// Batch i of an epoch starts at its example i·batchSize. teacher, if not
// nil, holds a teacher's logits of every example of set ([N·10]).
func newBatchSource(b *Backend, set *Set, batchSize int, teacher []float32) (batchSource, error) {
	table := standardTable(Mean, Std)
	if b.IsGo() {
		return &hostBatches{set: set, table: table, batchSize: batchSize, teacher: teacher}, nil
	}
	d := &deviceBatches{backend: b, table: table, batchSize: batchSize}
	var err error
	if d.x, d.y, err = residentSet(b, set.Images, set.Labels, set.Len()); err != nil {
		return d, err
	}
	if teacher != nil {
		d.teacher = tensors.FromFlatDataAndDimensions(teacher, set.Len(), NumClasses)
		err = toDevice(b, d.teacher)
	}
	return d, err
}

// residentSet sends n uint8 images and their labels to the backend once.
func residentSet(b *Backend, images, labels []uint8, n int) (x, y *tensors.Tensor, err error) {
	x = tensors.FromFlatDataAndDimensions(images, n, NumPixels)
	y = tensors.FromFlatDataAndDimensions(int32Labels(labels), n)
	for _, t := range []*tensors.Tensor{x, y} {
		if err := toDevice(b, t); err != nil {
			return nil, nil, err
		}
	}
	return x, y, nil
}

// toDevice moves t to the backend, dropping its host copy.
func toDevice(b *Backend, t *tensors.Tensor) error {
	if err := t.MaterializeOnDevice(b, true, 0); err != nil {
		return err
	}
	t.FinalizeLocal() // a no-op when the backend shares the host memory
	return nil
}

// float32s converts to the float32 the graphs take.
func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// hostBatches builds each call's standardized batches on the host and
// sends them with the call's rates (and λs, and the teacher's logits).
type hostBatches struct {
	set          *Set
	table        *[256]float32
	batchSize    int
	teacher      []float32
	order        []int
	lrs, lambdas []float64
}

func (h *hostBatches) startEpoch(order []int, lrs, lambdas []float64) error {
	h.order, h.lrs, h.lambdas = order, lrs, lambdas
	return nil
}

// The inputs of a host call: the call's images, labels and rates, and its
// λs and the teacher's logits where used.
func (h *hostBatches) args(step, k, size int) (stepInputs, []*tensors.Tensor, error) {
	var in stepInputs
	start := step * h.batchSize
	idx := h.order[start : start+k*size]
	x, y, err := h.takeBatches(idx, k)
	if err != nil {
		return in, nil, err
	}
	var temps []*tensors.Tensor
	add := func(name string, t *tensors.Tensor) {
		in.add(name, t)
		temps = append(temps, t)
	}
	add("images", x)
	add("labels", y)
	add("lrs", tensors.FromFlatDataAndDimensions(float32s(h.lrs[step:step+k]), k))
	if h.lambdas != nil {
		add("lambdas", tensors.FromFlatDataAndDimensions(float32s(h.lambdas[step:step+k]), k))
	}
	if h.teacher != nil {
		logits := make([]float32, 0, len(idx)*NumClasses)
		for _, i := range idx {
			logits = append(logits, h.teacher[i*NumClasses:(i+1)*NumClasses]...)
		}
		dims := []int{k, size, NumClasses}
		if k == 1 {
			dims = dims[1:]
		}
		add("teacher", tensors.FromFlatDataAndDimensions(logits, dims...))
	}
	return in, temps, nil
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

func (h *hostBatches) step(in map[string]*Node, _ *Node, j, _ int) stepBatch {
	single := in["images"].Rank() == 2 // a call of one step has no step axis
	at := func(v *Node) *Node {        // step j's part of a call input
		if single {
			return v
		}
		return Squeeze(Slice(v, AxisElem(j)), 0)
	}
	b := stepBatch{x: at(in["images"]), y: at(in["labels"]), lr: Reshape(Slice(in["lrs"], AxisElem(j)))}
	if v := in["lambdas"]; v != nil {
		b.lambda = Reshape(Slice(v, AxisElem(j)))
	}
	if v := in["teacher"]; v != nil {
		b.teacher = at(v)
	}
	return b
}

func (h *hostBatches) close() {}

// deviceBatches keeps the uint8 training set on the backend (and a
// teacher's logits of it), and each epoch's order, rates and λs too: a call
// sends nothing, and the graph takes step j's batch at the epoch's step
// counter, which lives on the device as well (the "steps" metric).
type deviceBatches struct {
	backend             *Backend
	x, y, teacher       *tensors.Tensor // [N,784] uint8, [N] int32, [N,10] float32 or nil
	order, lrs, lambdas *tensors.Tensor // the epoch's [N] int32, [steps] float32, [steps] float32 or nil
	table               *[256]float32
	batchSize           int
}

func (d *deviceBatches) startEpoch(order []int, lrs, lambdas []float64) error {
	d.closeEpoch()
	ids := make([]int32, len(order))
	for i, j := range order {
		ids[i] = int32(j)
	}
	d.order = tensors.FromFlatDataAndDimensions(ids, len(ids))
	d.lrs = tensors.FromFlatDataAndDimensions(float32s(lrs), len(lrs))
	epoch := []*tensors.Tensor{d.order, d.lrs}
	if lambdas != nil {
		d.lambdas = tensors.FromFlatDataAndDimensions(float32s(lambdas), len(lambdas))
		epoch = append(epoch, d.lambdas)
	}
	for _, t := range epoch {
		if err := toDevice(d.backend, t); err != nil {
			return err
		}
	}
	return nil
}

// The inputs of a device call, all resident: the training set's images
// and labels, the epoch's order and rates, and its λs and the teacher's
// logits where used.
func (d *deviceBatches) args(int, int, int) (stepInputs, []*tensors.Tensor, error) {
	var in stepInputs
	in.add("images", d.x)
	in.add("labels", d.y)
	in.add("order", d.order)
	in.add("lrs", d.lrs)
	if d.lambdas != nil {
		in.add("lambdas", d.lambdas)
	}
	if d.teacher != nil {
		in.add("teacher", d.teacher)
	}
	return in, nil, nil
}

func (d *deviceBatches) step(in map[string]*Node, base *Node, j, size int) stepBatch {
	at := AddScalar(base, float64(j)) // the epoch's step
	idx := DynamicSlice(in["order"], []*Node{MulScalar(at, float64(d.batchSize))}, []int{size})
	x, y := gatherBatch(in["images"], in["labels"], idx, d.table)
	b := stepBatch{x: x, y: y, lr: Reshape(DynamicSlice(in["lrs"], []*Node{at}, []int{1}))}
	if v := in["lambdas"]; v != nil {
		b.lambda = Reshape(DynamicSlice(v, []*Node{at}, []int{1}))
	}
	if v := in["teacher"]; v != nil {
		b.teacher = Gather(v, ExpandAxes(idx, -1))
	}
	return b
}

func (d *deviceBatches) closeEpoch() {
	for _, t := range []*tensors.Tensor{d.order, d.lrs, d.lambdas} {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
	d.order, d.lrs, d.lambdas = nil, nil, nil
}

func (d *deviceBatches) close() {
	d.closeEpoch()
	for _, t := range []*tensors.Tensor{d.x, d.y, d.teacher} {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// gatherBatch takes the rows idx [B] of allX (uint8 [N,784]) and allY [N],
// and standardizes the images with table, as takeBatches does on the host.
func gatherBatch(allX, allY, idx *Node, table *[256]float32) (x, y *Node) {
	at := ExpandAxes(idx, -1) // [B,1]: one index per example
	return standardizeLookup(Gather(allX, at), table), Gather(allY, at)
}

// standardizeOn maps uint8 images [B,784] to their standardized float32
// values inside the graph, in the form that gives Standardize's values bit
// for bit on backend b (TestBatchesStandardizeAlike): standardizeArith on
// the pure-Go backend, which executes it literally and faster than a gather
// of one value at a time; standardizeLookup on XLA, which may rewrite the
// arithmetic (seen: results 1 ulp off).
func standardizeOn(b *Backend, pixels *Node, table *[256]float32) *Node {
	if b.IsGo() {
		return standardizeArith(pixels)
	}
	return standardizeLookup(pixels, table)
}

// standardizeArith computes (x/255 − mean)/std in float32, as Standardize
// does.
func standardizeArith(pixels *Node) *Node {
	// Div, not DivScalar, which multiplies by the reciprocal.
	g := pixels.Graph()
	x := Div(ConvertDType(pixels, DType), Scalar(g, DType, 255))
	return Div(Sub(x, Scalar(g, DType, Mean)), Scalar(g, DType, Std))
}

// standardizeLookup looks each pixel's value up in table (standardTable).
func standardizeLookup(pixels *Node, table *[256]float32) *Node {
	// The pixels as one column [B·784,1] of indices into the table: GoMLX
	// v0.26.0's shape check of Gather compares the index axis with the
	// operand's rank (1), not the indices' rank, so [B,784,1] is refused.
	b := pixels.Shape().Dimensions[0]
	ids := ConvertDType(pixels, dtypes.Int32)
	x := Gather(Const(pixels.Graph(), table[:]), Reshape(ids, b*NumPixels, 1))
	return Reshape(x, b, NumPixels)
}
