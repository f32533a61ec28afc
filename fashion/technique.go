package fashion

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/regularizers"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/fashion-gomlx/fashion-gomlx/internal/funcsource"
)

// Technique is a regularization technique written as GoMLX graph code,
// trained beside a Config: what a learner writes in a notebook cell, and
// the form the built-in penalties and constraints take too (Config.L2 and
// Config.MaxNorm are Techniques inside the core, see builtinTechniques).
// It has a name and up to three pieces, each optional but at least one:
//
//   - Penalty adds terms to the loss that is trained, with train.AddLoss,
//     given the model's weights: GoMLX's regularizers.Regularizer, so
//     regularizers.L2-like code written for GoMLX's own trainer works here
//     as it is. Functions it registers with train.AddPerStepUpdateGraphFn
//     run after the optimizer's update, as GoMLX's trainer runs them.
//   - Constraint changes the weights after each update, by setting them
//     (w.SetValueGraph): a max-norm constraint, for example. It has the
//     Regularizer's form; it should add no loss (a loss added there is an
//     error: it comes after the gradients).
//   - Batch changes each training batch of images ([batch, 784],
//     standardized) before the forward pass: input noise, for example.
//     Validation and test never see it. Random draws come from mctx
//     (mctx.RandomNormal, mctx.RandomUniform), which is seeded per run.
//
// The weights given to Penalty and Constraint are the model's weight
// matrices and kernels (its trainable variables of rank 2 or more, in
// scope order): not the biases nor normalization's scale and offset, as
// Config.L2.
//
// A run with a technique is cached and keyed like any other, with the
// technique's name and the source of its pieces as written (without
// comments or layout: see Version), so re-running a cell returns the
// stored run, an edit of the code is a new version and an edit of a
// comment is not.
type Technique struct {
	Name       string
	Penalty    regularizers.Regularizer
	Constraint regularizers.Regularizer
	Batch      func(mctx *mlcontext.Context, x *Node) *Node
}

// TechniqueRecord is what a run's record keeps of its Technique: the name
// and the version of its code.
type TechniqueRecord struct {
	Name    string `json:"name"`
	Version string `json:"version"` // see Technique.Version
}

var techniqueName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

// Validate checks that the technique has a usable name and some code.
func (t *Technique) Validate() error {
	if !techniqueName.MatchString(t.Name) {
		return fmt.Errorf("fashion: technique name %q: want a letter, then up to 63 letters, digits, '_', '.' or '-'", t.Name)
	}
	if t.Penalty == nil && t.Constraint == nil && t.Batch == nil {
		return fmt.Errorf("fashion: technique %q has no code: set its Penalty, Constraint or Batch", t.Name)
	}
	return nil
}

// Version is a short hash of the technique's name and of its pieces'
// source as compiled (see funcsource.Of: the function's code and the
// declarations of its file it uses, without comments or layout). It fails
// when a piece's source cannot be read or when a piece takes values from
// outside its code (a closure's captured variables), which a version could
// not see: such values go inside the function, or in a constant.
func (t *Technique) Version() (string, error) {
	if err := t.Validate(); err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "technique %s\n", t.Name)
	pieces := []struct {
		name string
		fn   any
	}{{"penalty", t.Penalty}, {"constraint", t.Constraint}, {"batch", t.Batch}}
	for _, p := range pieces {
		if isNilFunc(p.fn) {
			continue
		}
		src, err := funcsource.Of(p.fn)
		if err != nil {
			return "", fmt.Errorf("fashion: technique %q, its %s: %w", t.Name, p.name, err)
		}
		fmt.Fprintf(h, "%s %d\n", p.name, len(src.Code))
		h.Write(src.Code)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func isNilFunc(fn any) bool {
	switch f := fn.(type) {
	case regularizers.Regularizer:
		return f == nil
	case func(*mlcontext.Context, *Node) *Node:
		return f == nil
	}
	return fn == nil
}

// techniqueVersion is t's version, "" for no technique.
func techniqueVersion(t *Technique) (string, error) {
	if t == nil {
		return "", nil
	}
	return t.Version()
}

// techniques are the pieces of one training step that plug in the same
// way whoever wrote them: the built-in ones of a Config, then a learner's.
type techniques []Technique

// builtinTechniques are the Config's techniques written in the Technique
// form (the others change the loss or the batch in ways the form does not
// cover, see oneStep).
func builtinTechniques(cfg Config) techniques {
	var ts techniques
	if cfg.L2 > 0 {
		ts = append(ts, Technique{Name: "l2", Penalty: l2Penalty(cfg.L2)})
	}
	if cfg.MaxNorm > 0 {
		ts = append(ts, Technique{Name: "max_norm", Constraint: maxNormConstraint(cfg.MaxNorm)})
	}
	return ts
}

// batch applies every Batch piece to the training images x.
func (ts techniques) batch(mctx *mlcontext.Context, x *Node) *Node {
	for _, t := range ts {
		if t.Batch != nil {
			x = t.Batch(mctx.In("technique_"+t.Name), x)
		}
	}
	return x
}

// penalty is the sum of the Penalty pieces' terms (train.AddLoss), nil when
// none added any. GoMLX keeps the added losses per graph, and one graph runs
// several steps (stepsPerCall), so the sum is read and cleared per step.
func (ts techniques) penalty(mctx *mlcontext.Context, g *Graph, weights []*mlcontext.Variable) *Node {
	added := newAddedLoss(mctx, g)
	for _, t := range ts {
		if t.Penalty != nil {
			t.Penalty(mctx, g, weights...)
		}
	}
	return added.take()
}

// constrain runs, after the optimizer's update, the update functions the
// penalties registered (as GoMLX's trainer does after its update), then the
// Constraint pieces.
func (ts techniques) constrain(mctx *mlcontext.Context, g *Graph, weights []*mlcontext.Variable) {
	train.ExecPerStepUpdateGraphFn(mctx, g)
	added := newAddedLoss(mctx, g)
	for _, t := range ts {
		if t.Constraint != nil {
			t.Constraint(mctx, g, weights...)
		}
	}
	if added.take() != nil {
		panic("fashion: a technique's Constraint added a loss (train.AddLoss) after the update, where it trains nothing: move it to its Penalty")
	}
}

// weightMatrices are the model's weights that techniques act on: its
// trainable variables of rank 2 or more (weight matrices, convolution
// kernels), in scope order.
func weightMatrices(mctx *mlcontext.Context, g *Graph) []*mlcontext.Variable {
	var ws []*mlcontext.Variable
	for v := range mctx.InAbsPath(mlcontext.RootScope + modelScope).IterVariablesInScope() {
		if v.Trainable && v.Shape().Rank() >= 2 && (g == nil || v.InUseByGraph(g)) {
			ws = append(ws, v)
		}
	}
	slices.SortFunc(ws, func(a, b *mlcontext.Variable) int { return strings.Compare(a.ScopeAndName(), b.ScopeAndName()) })
	return ws
}
