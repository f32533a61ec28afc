package fashion

import (
	"context"
	"math"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// TestMaxNormByHand: maxNorm scales the columns of a [in, out] matrix whose
// norm is over c to norm c, and leaves the others.
func TestMaxNormByHand(t *testing.T) {
	b := testBackend(t)
	const c = 2.0
	// Columns: (3, 4) of norm 5 → scaled to norm 2; (0.6, 0.8) of norm 1 → kept.
	w := tensors.FromFlatDataAndDimensions([]float32{3, 0.6, 4, 0.8}, 2, 2)
	got, err := mlcontext.ExecOnce(b, nil, func(mctx *mlcontext.Context, w *Node) *Node { return maxNorm(w, Scalar(w.Graph(), w.DType(), c)) }, w)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{3 * c / 5, 0.6, 4 * c / 5, 0.8}
	for i, v := range tensors.MustCopyFlatData[float32](got) {
		if math.Abs(float64(v-want[i])) > 1e-5 {
			t.Errorf("maxNorm[%d] = %g, want %g", i, v, want[i])
		}
	}
}

// columnNorms are the L2 norms of the columns of each [in, out] weight
// matrix in ps.
func columnNorms(ps []Param) (norms []float64) {
	for _, p := range ps {
		if p.Name != "weights" || len(p.Dims) != 2 {
			continue
		}
		in, out := p.Dims[0], p.Dims[1]
		for j := range out {
			var s float64
			for i := range in {
				v := float64(p.Values[i*out+j])
				s += v * v
			}
			norms = append(norms, math.Sqrt(s))
		}
	}
	return norms
}

// TestTechniquesInTraining trains with each kind of piece, built in or a
// learner's, and checks what the piece promises on the trained weights or
// scores; each check fails if the piece does nothing (the same run without
// it is the control).
func TestTechniquesInTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	base := quickConfig(1000, 2)
	base.Backend = "go"
	base.Optimizer, base.LR = "adam", 3e-3 // large steps: the weights grow past the bound
	const bound = 0.5
	zeroImages := &Technique{Name: "zero-images", Batch: func(mctx *mlcontext.Context, x *Node) *Node { return ZerosLike(x) }}
	bigL1 := &Technique{Name: "big-l1", Penalty: func(mctx *mlcontext.Context, g *Graph, weights ...*mlcontext.Variable) {
		for _, w := range weights {
			train.AddLoss(mctx, ReduceAllSum(Abs(w.ValueGraph(g))))
		}
	}}
	maxNormCell := &Technique{Name: "max-norm-cell", Constraint: func(mctx *mlcontext.Context, g *Graph, weights ...*mlcontext.Variable) {
		for _, w := range weights { // written out: a technique's version sees only its own file
			v := w.ValueGraph(g)
			w.SetValueGraph(Mul(v, MinScalar(Div(Scalar(g, v.DType(), 0.5), AddScalar(L2Norm(v, 0), 1e-7)), 1.0)))
		}
	}}
	sess := NewSession()
	defer sess.Close()
	run := func(cfg Config, tech *Technique) *Run {
		t.Helper()
		s, err := sess.prepare(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r, err := sess.trainSplitsWith(context.Background(), s, cfg, tech, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain := run(base, nil)
	maxNormed := base
	maxNormed.MaxNorm = bound
	for _, tc := range []struct {
		name  string
		cfg   Config
		tech  *Technique
		check func(r *Run) string
	}{
		{"Config.MaxNorm", maxNormed, nil, func(r *Run) string {
			if m := slicesMax(columnNorms(plain.Params)); m <= bound {
				return "control: no column norm over the bound without max-norm"
			}
			if m := slicesMax(columnNorms(r.Params)); m > bound*(1+1e-4) {
				return "a column norm is over the bound"
			}
			return ""
		}},
		{"Constraint", base, maxNormCell, func(r *Run) string {
			if m := slicesMax(columnNorms(r.Params)); m > bound*(1+1e-4) {
				return "a column norm is over the bound"
			}
			return ""
		}},
		{"Penalty", base, bigL1, func(r *Run) string {
			if sumAbs(r.Params) > 0.5*sumAbs(plain.Params) {
				return "the weights' Σ|w| is not well below the run without the penalty"
			}
			return ""
		}},
		{"Batch", base, zeroImages, func(r *Run) string {
			// Trained on blank images, evaluated on real ones: chance level.
			if acc := r.KeptValAccuracy(); acc > 0.2 || plain.KeptValAccuracy() < 0.5 {
				return "the batch change did not reach training, or reached evaluation"
			}
			return ""
		}},
	} {
		r := run(tc.cfg, tc.tech)
		if msg := tc.check(r); msg != "" {
			t.Errorf("%s: %s (validation accuracy %.3f, without %.3f)", tc.name, msg, r.KeptValAccuracy(), plain.KeptValAccuracy())
		}
		if tc.tech != nil && (r.Technique == nil || r.Technique.Name != tc.tech.Name || r.Technique.Version == "") {
			t.Errorf("%s: the run's record has technique %+v", tc.name, r.Technique)
		}
	}
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func sumAbs(ps []Param) (s float64) {
	for _, p := range ps {
		if p.Name == "weights" {
			for _, v := range p.Values {
				s += math.Abs(float64(v))
			}
		}
	}
	return s
}

// TestTechniqueValidate names what is wrong with a technique.
func TestTechniqueValidate(t *testing.T) {
	batch := func(mctx *mlcontext.Context, x *Node) *Node { return x }
	for _, tc := range []struct {
		tech Technique
		want string // in the error; "" for none
	}{
		{Technique{Name: "noise", Batch: batch}, ""},
		{Technique{Name: "", Batch: batch}, `technique name ""`},
		{Technique{Name: "a b", Batch: batch}, `technique name "a b"`},
		{Technique{Name: "empty"}, `technique "empty" has no code`},
	} {
		err := tc.tech.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%q) = %v, want an error with %q", tc.tech.Name, err, tc.want)
		}
	}
}
