package lab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own style for graph code.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// ModelVariable is one variable of a built model, as GoMLX's context holds
// it.
type ModelVariable struct {
	Scope, Name string // e.g. "/model/hidden_0", "weights"
	Dims        []int  // e.g. [784 120]
	Trainable   bool
}

// Size is the number of values of the variable.
func (v ModelVariable) Size() int {
	n := 1
	for _, d := range v.Dims {
		n *= d
	}
	return n
}

// ModelSummary is what BuildModel found: the model's variables in the
// order of its layers, and the shapes of one batch through the graph.
type ModelSummary struct {
	Config    fashion.Config
	Backend   string // the backend as a user names it, e.g. "xla:cpu" (fashion.BackendName)
	Variables []ModelVariable
	Input     []int // the batch of images fed, e.g. [128 784]
	Logits    []int // what came out, e.g. [128 10]
}

// BuildModel does with cfg's model what a PyTorch user does with
// print(model) and a summary: it creates the model's variables in a GoMLX
// context (fashion.NewModel), builds the forward pass (Model.Logits) as a
// graph for one batch of batch training images, runs it once on cfg's
// backend (in evaluation mode), and reports every variable's shape and the
// shapes in and out. Graph-building errors, which GoMLX raises as panics,
// come back as errors.
func BuildModel(cfg fashion.Config, batch int) (s *ModelSummary, err error) {
	if batch < 1 || batch > 60000 {
		return nil, fmt.Errorf("lab: BuildModel: batch %d: want 1 to 60000 images", batch)
	}
	data, err := Data()
	if err != nil {
		return nil, err
	}
	backend, err := fashion.NewBackend(cfg.Backend)
	if err != nil {
		return nil, err
	}
	defer backend.Finalize()
	mctx := mlcontext.New()
	defer mctx.Finalize()
	model, err := fashion.NewModel(mctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("lab: building the model's graph: %v", p)
		}
	}()
	exec, err := mlcontext.NewExec(backend, mctx, func(mctx *mlcontext.Context, x *Node) *Node {
		return model.Logits(mctx, x)
	})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	x := fashion.Standardize(data.Train.Images[:batch*fashion.NumPixels], fashion.Mean, fashion.Std)
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, batch, fashion.NumPixels))
	if err != nil {
		return nil, err
	}
	defer out[0].FinalizeAll()
	s = &ModelSummary{Config: cfg, Backend: fashion.BackendName(backend.Config), Input: []int{batch, fashion.NumPixels}, Logits: out[0].Shape().Dimensions}
	for v := range mctx.IterVariables() {
		s.Variables = append(s.Variables, ModelVariable{Scope: v.Scope(), Name: v.Name(),
			Dims: slices.Clone(v.Shape().Dimensions), Trainable: v.Trainable})
	}
	// Creation order puts every dense layer's variables (NewModel) before
	// the normalization ones (made while building the graph): order them
	// by layer instead.
	slices.SortStableFunc(s.Variables, func(a, b ModelVariable) int { return layerIndex(a.Scope) - layerIndex(b.Scope) })
	return s, nil
}

// layerIndex orders the scopes /model/hidden_<i>[/...] by i, then
// /model/output, then anything else.
func layerIndex(scope string) int {
	parts := strings.Split(strings.TrimPrefix(scope, "/"), "/")
	if len(parts) >= 2 {
		if n, ok := strings.CutPrefix(parts[1], "hidden_"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				return i
			}
		}
		if parts[1] == "output" {
			return 1 << 20
		}
	}
	return 1 << 21
}

// Params are the numbers of trainable and of other values (batch norm's
// running averages).
func (s *ModelSummary) Params() (trainable, other int) {
	for _, v := range s.Variables {
		if v.Trainable {
			trainable += v.Size()
		} else {
			other += v.Size()
		}
	}
	return trainable, other
}

// layers are the dense layers' scopes in order with their weights' dims.
func (s *ModelSummary) layers() (scopes []string, dims map[string][]int) {
	dims = map[string][]int{}
	for _, v := range s.Variables {
		if v.Name == "weights" && strings.Count(v.Scope, "/") == 2 {
			scopes = append(scopes, v.Scope)
			dims[v.Scope] = v.Dims
		}
	}
	return scopes, dims
}

// String prints the model as PyTorch's print(model) would (the layers and
// what follows each, in PyTorch's words), then, in Spanish, a summary of
// every variable's shape and size and the shapes of the batch in and out.
func (s *ModelSummary) String() string {
	var b strings.Builder
	cfg := s.Config
	scopes, dims := s.layers()
	b.WriteString("MLP(\n")
	for i, scope := range scopes {
		d := dims[scope]
		line := fmt.Sprintf("  (%s): Dense(in_features=%d, out_features=%d)", strings.TrimPrefix(scope, "/model/"), d[0], d[1])
		if i < len(scopes)-1 {
			var then []string
			switch cfg.Norm {
			case "batch":
				then = append(then, fmt.Sprintf("BatchNorm(%d)", d[1]))
			case "layer":
				then = append(then, fmt.Sprintf("LayerNorm(%d)", d[1]))
			}
			then = append(then, cfg.Activation)
			if p := cfg.DropoutRate(i); p > 0 {
				then = append(then, fmt.Sprintf("Dropout(p=%g)", p))
			}
			line += " → " + strings.Join(then, " → ")
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(")\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variable\tforma\tvalores\tentrenable\t")
	for _, v := range s.Variables {
		trainable := "no"
		if v.Trainable {
			trainable = "sí"
		}
		fmt.Fprintf(tw, "%s/%s\t%v\t%d\t%s\t\n", v.Scope, v.Name, v.Dims, v.Size(), trainable)
	}
	tw.Flush()
	trainable, other := s.Params()
	fmt.Fprintf(&b, "\n%d parámetros entrenables", trainable)
	if other > 0 {
		fmt.Fprintf(&b, " (y %d estadísticas acumuladas de batch norm)", other)
	}
	fmt.Fprintf(&b, "\nun lote en %s: imágenes %v → logits %v\n", s.Backend, s.Input, s.Logits)
	return b.String()
}
