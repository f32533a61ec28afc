package study

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// committedNotebook is notebooks/fashion.ipynb, from this package's
// directory. The tests below hold whatever its cells set: a learner who
// edits a cell's values gets a study that trains them, not a red test.
var committedNotebook = filepath.Join("..", "..", NotebookFile)

// testCell is a code cell of a notebook written by a test.
type testCell struct{ id, src string }

// notebookOf writes a notebook of a markdown cell and the code cells, their
// sources as nbformat stores them (a list of lines).
func notebookOf(t *testing.T, cells ...testCell) []byte {
	t.Helper()
	out := []any{map[string]any{"cell_type": "markdown", "id": "md", "metadata": map[string]any{},
		"source": []string{"# lab.Experiment(\"not\", code)\n"}}}
	for _, c := range cells {
		lines := strings.SplitAfter(c.src, "\n")
		out = append(out, map[string]any{"cell_type": "code", "id": c.id, "metadata": map[string]any{},
			"outputs": []any{}, "execution_count": nil, "source": lines})
	}
	data, err := json.Marshal(map[string]any{"cells": out, "nbformat": 4, "nbformat_minor": 5})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestCommittedNotebookVariants: the committed notebook reads without
// error; every cell that calls lab.Experiment becomes a variant of its name,
// config and seeds, or is skipped with a reason; the cells notebookOnly
// marks are experiment cells of the notebook (not stale marks); and every
// variant of the study's own is there.
func TestCommittedNotebookVariants(t *testing.T) {
	data, err := os.ReadFile(committedNotebook)
	if err != nil {
		t.Fatal(err)
	}
	exps, skipped, err := ReadNotebook(data)
	if err != nil {
		t.Fatalf("the committed notebook:\n%v", err)
	}
	var nb struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, c := range nb.Cells {
		src, _ := cellText(c.Source)
		if c.CellType == "code" && strings.Contains(src, "lab.Experiment(") {
			calls++
		}
	}
	if calls == 0 || len(exps)+len(skipped) != calls {
		t.Errorf("%d cells call lab.Experiment, the reader read %d and skipped %d", calls, len(exps), len(skipped))
	}
	vs, notTrained, err := Variants(data)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Variant{}
	for _, v := range vs {
		byName[v.Name] = v
	}
	for _, e := range exps {
		if _, only := notebookOnly[e.ID]; only {
			continue
		}
		v, ok := byName[e.Name]
		if !ok || v.Cell != e.Where() || v.Seeds != e.Seeds || !reflect.DeepEqual(v.Config, e.Config) {
			t.Errorf("%s's experiment %q (%d seeds) is not the variant %+v", e.Where(), e.Name, e.Seeds, v)
		}
	}
	for id := range notebookOnly {
		if !slices.ContainsFunc(notTrained, func(s Skipped) bool { return s.ID == id }) {
			t.Errorf("notebookOnly marks the cell with id %q, which is no experiment cell of %s: remove the mark", id, committedNotebook)
		}
	}
	for _, o := range studyOnly() {
		if v, ok := byName[o.v.Name]; !ok || v.Cell != "" {
			t.Errorf("the study's own variant %q is missing or taken by a cell: %+v", o.v.Name, v)
		}
	}
}

// TestNotebookEditReachesTheStudy: a value edited in a cell of the
// committed notebook is what the study trains (the notebook is the one
// definition), whichever cell it is.
func TestNotebookEditReachesTheStudy(t *testing.T) {
	data, err := os.ReadFile(committedNotebook)
	if err != nil {
		t.Fatal(err)
	}
	exps, _, err := ReadNotebook(data)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	// The first trained cell with a cfg := line gets cfg.Epochs = 7 before
	// its lab.Experiment line.
	for _, e := range exps {
		cell := nb["cells"].([]any)[e.Cell].(map[string]any)
		src, err := cellText(mustJSON(t, cell["source"]))
		if err != nil {
			t.Fatal(err)
		}
		if _, only := notebookOnly[e.ID]; only || e.Config.Epochs == 7 || !strings.Contains(src, "cfg := fashion.DefaultConfig()") {
			continue
		}
		lines := strings.Split(src, "\n")
		at := slices.IndexFunc(lines, experimentCall.MatchString)
		cell["source"] = strings.Join(slices.Insert(lines, at, "cfg.Epochs = 7"), "\n")
		vs, _, err := Variants(mustJSON(t, nb))
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(vs, func(v Variant) bool { return v.Name == e.Name }); i < 0 || vs[i].Config.Epochs != 7 {
			t.Errorf("%s edited to 7 epochs: the study's variants %+v", e.Where(), vs)
		}
		return
	}
	t.Fatal("no trained cell sets cfg := fashion.DefaultConfig()")
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReadNotebookCells reads one cell at a time: the settings it makes,
// however written; a cell it skips, with the reason; and a cell it cannot
// read, an error that names the cell, the line and what it could not read.
func TestReadNotebookCells(t *testing.T) {
	withDropout := fashion.DefaultConfig()
	withDropout.Dropout = []float64{0.25}
	adamw := fashion.DefaultConfig()
	adamw.Optimizer, adamw.LR, adamw.WeightDecay = "adamw", 1e-3, 0.05
	tests := []struct {
		name  string
		src   string
		want  *Experiment // nil: no experiment (skipped, an error, or none)
		skip  string      // in the reason it is skipped
		err   []string    // each in the error
		other bool        // not an experiment cell: nothing read, no error
	}{
		{name: "the baseline", src: "%%\nlab.Must(lab.Experiment(\"baseline\", fashion.DefaultConfig(), lab.Seeds(3)))",
			want: &Experiment{Name: "baseline", Config: fashion.DefaultConfig(), Seeds: 3}},
		{name: "an edited value", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.Dropout = []float64{0.25}\nlab.Must(lab.Experiment(\"dropout\", cfg, lab.Section(\"L2 y dropout\"), lab.Seeds(3)))",
			want: &Experiment{Name: "dropout", Config: withDropout, Seeds: 3}},
		{name: "respelled, reordered, in one assignment", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.WeightDecay, cfg.LR = 5e-2, 1.0e-3\ncfg.Optimizer = `adamw`\nlab.Must(lab.Experiment(\"adamw\", cfg))",
			want: &Experiment{Name: "adamw", Config: adamw, Seeds: 1}},
		{name: "GoNB lines and a later value", src: "%env X=1\n!echo hi \\\n  more\n%%\n!ls\ncfg := fashion.DefaultConfig()\ncfg.Epochs = 5\ncfg.Epochs = 12.0\ncfg.Seed = 7\ncfg.Nesterov = true\ncfg.EarlyStopDelta = -0.5\nlab.Must(lab.Experiment(\"x\", cfg, lab.InSession(sess)))",
			want: &Experiment{Name: "x", Seeds: 1, Config: func() fashion.Config {
				c := fashion.DefaultConfig()
				c.Epochs, c.Seed, c.Nesterov, c.EarlyStopDelta = 12, 7, true, -0.5
				return c
			}()}},
		{name: "no experiment", src: "%%\nexps := lab.Must(lab.Experiments())\nlab.NoError(lab.DisplayComparison(exps))", other: true},
		{name: "a technique written in the cell", src: "%%\ncfg := fashion.DefaultConfig()\nt := myTechnique{}\nlab.Must(lab.Experiment(\"mine\", cfg, lab.WithTechnique(t), lab.Seeds(3)))",
			skip: "line 4: its option lab.WithTechnique(t) is no Config setting"},
		{name: "an unknown field", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.Dropot = []float64{0.2}\nlab.Must(lab.Experiment(\"dropout\", cfg))",
			err: []string{`cell 1 (id "c"): line 3: cfg.Dropot: fashion.Config has no such field`}},
		{name: "a value that is no literal", src: "%%\nrate := 0.2\ncfg := fashion.DefaultConfig()\ncfg.Dropout = []float64{rate}\nlab.Must(lab.Experiment(\"dropout\", cfg))",
			err: []string{"line 4: cfg.Dropout: []float64{rate}: element 0: want a literal float64"}},
		{name: "a value of the wrong type", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.Dropout = 0.2\nlab.Must(lab.Experiment(\"dropout\", cfg))",
			err: []string{"line 3: cfg.Dropout: 0.2: want a literal []float64"}},
		{name: "a fraction for an int", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.Epochs = 2.5\nlab.Must(lab.Experiment(\"x\", cfg))",
			err: []string{"line 3: cfg.Epochs: 2.5: want a literal int"}},
		{name: "a string for a number", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.LR = \"0.1\"\nlab.Must(lab.Experiment(\"x\", cfg))",
			err: []string{`line 3: cfg.LR: "0.1": want a literal float64`}},
		{name: "a change it cannot read", src: "%%\ncfg := fashion.DefaultConfig()\ncfg.Hidden[0] = 64\nlab.Must(lab.Experiment(\"he\", cfg))",
			err: []string{`line 3: "cfg.Hidden[0] = 64": the study reads only cfg := fashion.DefaultConfig() and then cfg.Field = value lines`}},
		{name: "a config from another cell", src: "%%\nlab.Must(lab.Experiment(\"x\", cfg))",
			err: []string{"its config cfg is not set by cfg := fashion.DefaultConfig() before the call"}},
		{name: "a config from a function", src: "%%\ncfg := other()\nlab.Must(lab.Experiment(\"x\", cfg))",
			err: []string{`line 2: "cfg := other()": the study reads only cfg := fashion.DefaultConfig()`}},
		{name: "a config that is no variable", src: "%%\nlab.Must(lab.Experiment(\"x\", other()))",
			err: []string{"line 2: the experiment's config is other(): want fashion.DefaultConfig() or a variable set from it"}},
		{name: "a name that is no literal", src: "%%\nname := \"x\"\nlab.Must(lab.Experiment(name, fashion.DefaultConfig()))",
			err: []string{"line 3: the experiment's name is name: want a string literal"}},
		{name: "seeds that are no number", src: "%%\nlab.Must(lab.Experiment(\"x\", fashion.DefaultConfig(), lab.Seeds(n)))",
			err: []string{"line 2: lab.Seeds(n): want lab.Seeds(n) with n a number from 1 to 20"}},
		{name: "no %% line", src: "lab.Must(lab.Experiment(\"x\", fashion.DefaultConfig()))",
			err: []string{"no %% line"}},
		{name: "two experiments", src: "%%\nlab.Must(lab.Experiment(\"x\", fashion.DefaultConfig()))\nlab.Must(lab.Experiment(\"y\", fashion.DefaultConfig()))",
			err: []string{"it calls lab.Experiment 2 times"}},
		{name: "Go that does not parse", src: "%%\ncfg := fashion.DefaultConfig(\nlab.Must(lab.Experiment(\"x\", cfg))",
			err: []string{"cannot parse its Go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exps, skipped, err := ReadNotebook(notebookOf(t, testCell{"c", tt.src}))
			switch {
			case len(tt.err) > 0:
				if err == nil {
					t.Fatalf("no error; read %+v, skipped %+v", exps, skipped)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if !strings.HasPrefix(err.Error(), `cell 1 (id "c"): `) {
					t.Errorf("error %q does not start with the cell", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if tt.skip != "" {
				if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, tt.skip) || skipped[0].ID != "c" || len(exps) != 0 {
					t.Errorf("read %+v, skipped %+v; want it skipped saying %q", exps, skipped, tt.skip)
				}
				return
			}
			if tt.other {
				if len(exps)+len(skipped) != 0 {
					t.Errorf("read %+v, skipped %+v; want nothing", exps, skipped)
				}
				return
			}
			want := *tt.want
			want.Cell, want.ID = 1, "c"
			if len(exps) != 1 || len(skipped) != 0 || !reflect.DeepEqual(exps[0], want) {
				t.Errorf("read %+v, skipped %+v; want %+v", exps, skipped, want)
			}
		})
	}
}

// TestReadNotebookJoinsErrors: every cell that cannot be read is named,
// not only the first.
func TestReadNotebookJoinsErrors(t *testing.T) {
	_, _, err := ReadNotebook(notebookOf(t,
		testCell{"a", "%%\ncfg := fashion.DefaultConfig()\ncfg.Nope = 1\nlab.Must(lab.Experiment(\"a\", cfg))"},
		testCell{"b", "%%\nlab.Must(lab.Experiment(\"b\", fashion.DefaultConfig()))"},
		testCell{"c", "%%\ncfg := fashion.DefaultConfig()\n\ncfg.Flip = 1\nlab.Must(lab.Experiment(\"c\", cfg))"}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{`cell 1 (id "a"): line 3: cfg.Nope`, `cell 3 (id "c"): line 4: cfg.Flip: 1: want a literal bool`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if _, _, err := ReadNotebook([]byte("{")); err == nil || !strings.Contains(err.Error(), "notebook") {
		t.Errorf("broken JSON: error %v", err)
	}
}

// TestVariantsFromCells: the study's variants are the cells' experiments
// in the notebook's order, with the study's own among them; a cell marked
// in notebookOnly and one with a technique are left out, and listed; two
// cells of one name, or a cell that takes a name of the study's own, are
// errors naming the cells.
func TestVariantsFromCells(t *testing.T) {
	only := ""
	for id := range notebookOnly {
		only = id
	}
	cell := func(id, name, edits string) testCell {
		return testCell{id, "%%\ncfg := fashion.DefaultConfig()\n" + edits + "\nlab.Must(lab.Experiment(\"" + name + "\", cfg, lab.Seeds(2)))"}
	}
	vs, skipped, err := Variants(notebookOf(t,
		cell("a", "baseline", ""),
		cell("b", "dropout", "cfg.Dropout = []float64{0.25}"),
		cell(only, "dropout", "cfg.Dropout = []float64{0.5}"),
		cell("c", "early_stop", "cfg.EarlyStop = 5"),
		testCell{"d", "%%\nlab.Must(lab.Experiment(\"mine\", fashion.DefaultConfig(), lab.WithTechnique(t)))"},
		cell("e", "combined", "cfg.Norm = \"batch\""),
		cell("f", "new_one", "cfg.Flip = true"),
	))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	want := []string{"baseline", "dropout", "early_stop", "dropout_plateau", "dropout_step", "combined", "combined_plateau", "combined_dropout3", "new_one"}
	if !slices.Equal(names, want) {
		t.Errorf("variants %q, want %q", names, want)
	}
	if d := vs[1]; !slices.Equal(d.Config.Dropout, []float64{0.25}) || d.Seeds != 2 || d.Cell != `cell 2 (id "b")` || !strings.Contains(d.About, "dropout=[0.25]") {
		t.Errorf("dropout: %+v, want the cell's 0.25, 2 seeds, and its cell", d)
	}
	if len(skipped) != 2 || skipped[0].Name != "mine" || skipped[1].ID != only || !strings.HasPrefix(skipped[1].Reason, "notebook only: ") {
		t.Errorf("skipped %+v: want the technique's cell, then the notebook-only one", skipped)
	}

	for _, tt := range []struct {
		name  string
		cells []testCell
		want  string
	}{
		{"two cells of one name", []testCell{cell("a", "l2", "cfg.L2 = 0.001"), cell("b", "l2", "cfg.L2 = 0.01")},
			`cell 1 (id "a") and cell 2 (id "b") both train "l2"`},
		{"a name of the study's own", []testCell{cell("a", "dropout_step", "")},
			`cell 1 (id "a") trains "dropout_step", a variant of the study's own`},
		{"a cell that cannot be read", []testCell{cell("a", "x", "cfg.Nope = 1")},
			`cell 1 (id "a"): line 3: cfg.Nope: fashion.Config has no such field`},
	} {
		if _, _, err := Variants(notebookOf(t, tt.cells...)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}
