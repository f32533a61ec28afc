package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/study"
)

// The notebook, notebooks/fashion.ipynb, is the source of its cells: edit it
// in JupyterLab and save, then refresh its outputs with
// notebooks/run_notebook.py --in-place. These tests read the committed file.

type notebookFile struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		ID       string          `json:"id"`
		Source   json.RawMessage `json:"source"`
		Outputs  []struct {
			OutputType string          `json:"output_type"`
			Text       json.RawMessage `json:"text"`
		} `json:"outputs"`
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
	} `json:"metadata"`
}

// notebookPath is the committed notebook, from this package's directory.
var notebookPath = filepath.Join("..", "..", "notebooks", "fashion.ipynb")

// text joins a notebook string field, stored as a string or a list of lines.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	_ = json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

// TestNotebookStructure checks the committed notebook: GoNB kernel, the
// exercise's sections in order, short code cells that define no package code,
// the module set-up first, no failure in its outputs, and its size.
func TestNotebookStructure(t *testing.T) {
	data, err := os.ReadFile(notebookPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 5<<20 {
		t.Errorf("%s is %d bytes, want under 5 MB", notebookPath, len(data))
	}
	var nb notebookFile
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	if nb.Metadata.Kernelspec.Name != "gonb" {
		t.Errorf("kernel %q, want gonb", nb.Metadata.Kernelspec.Name)
	}
	sections := []string{"# Preprocesamiento", "## Escalado", "## División del conjunto de datos",
		"# Construcción de arquitectura", "# Entrenamiento inicial", "## L2 y Dropout",
		"### Volver a ejecutar una celda: versiones",
		"# Implementación de técnicas", "## Normalización", "## Inicialización de pesos (He)",
		"## Funciones de activación avanzadas", "## LR scheduling", "# Comparación",
		"## ¿Qué diferencias son reales?", "# Evaluación final"}
	next := 0
	firstCode := true
	funcDecl := regexp.MustCompile(`(?m)^func |^type `)
	failure := regexp.MustCompile(`(?m)^panic: |exit status [1-9]`)
	for i, c := range nb.Cells {
		src := text(c.Source)
		switch c.CellType {
		case "markdown":
			for next < len(sections) && strings.Contains(src, sections[next]) {
				next++
			}
		case "code":
			if firstCode {
				if !strings.Contains(src, "go mod edit -replace "+"github.com/fashion-gomlx/fashion-gomlx") || !strings.Contains(src, "-require "+"github.com/fashion-gomlx/fashion-gomlx") {
					t.Errorf("first code cell does not point the notebook's go.mod at the repository:\n%s", src)
				}
				firstCode = false
			}
			// The longest are the combinations: one line per changed Config
			// field (ten), the study's variant's edits (TestNotebookExperiments).
			if n := strings.Count(src, "\n") + 1; n > 14 {
				t.Errorf("code cell %d has %d lines, want a few", i, n)
			}
			if funcDecl.MatchString(src) {
				t.Errorf("code cell %d declares functions or types: package code belongs in fashion/", i)
			}
			for _, o := range c.Outputs {
				if o.OutputType == "error" || failure.MatchString(text(o.Text)) {
					t.Errorf("code cell %d has a failed output: %.200s", i, text(o.Text))
				}
			}
		}
	}
	if next != len(sections) {
		t.Errorf("section %q missing or out of order", sections[next])
	}
}

// The study's variants (study.Variants) are the one definition of the
// settings of the experiments that the notebook and "fashion study" share
// (and of their runs in the cache): a notebook cell that trains a variant's
// name makes exactly the variant's edits of fashion.DefaultConfig()
// (Variant.GoEdits, the lines "fashion study -list-json" prints) and trains
// its seeds. Every variant has such a cell, except these:

// studyOnly are the variants that "fashion study" trains and the notebook
// does not show (combinations that the study's report compares).
var studyOnly = []string{"dropout_plateau", "dropout_step", "combined_plateau", "combined_dropout3"}

// notebookOnly are the notebook's experiment cells that train no variant,
// each as written: another version of a variant's name (the re-run with
// dropout 0.5 of "Volver a ejecutar una celda: versiones") or a name that
// is no variant.
var notebookOnly = []notebookExperiment{
	{Name: "dropout", Edits: []string{"cfg.Dropout = []float64{0.5}"}, Seeds: 3},
}

// TestNotebookExperiments checks the committed notebook's experiment cells
// against study.Variants(), studyOnly and notebookOnly (checkExperiments).
func TestNotebookExperiments(t *testing.T) {
	data, err := os.ReadFile(notebookPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkExperiments(data, study.Variants(), studyOnly, notebookOnly) {
		t.Error(p)
	}
}

// notebookExperiment is what a code cell trains: the name it gives
// lab.Experiment, its edits of fashion.DefaultConfig() before the call
// (cfg.Field = value, one field each, as written) and its number of seeds
// (lab.Seeds(n); 1 without).
type notebookExperiment struct {
	Name  string
	Edits []string
	Seeds int
}

// checkExperiments compares the experiment cells of a notebook (its JSON)
// with variants and returns one line per problem: a cell that cannot be
// read; a cell that trains a variant's name with other edits or seeds,
// unless it is one of notebookOnly; a cell whose name is no variant and not
// in notebookOnly; a variant, other than studyOnly, that no cell trains or
// that several do; and stale entries of studyOnly and notebookOnly. Edits
// compare by value, whatever their order or spelling (0.001 or 1e-3; one
// field a line or several in one assignment).
func checkExperiments(data []byte, variants []study.Variant, studyOnly []string, notebookOnly []notebookExperiment) []string {
	var nb notebookFile
	if err := json.Unmarshal(data, &nb); err != nil {
		return []string{fmt.Sprintf("notebook: %v", err)}
	}
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	byName := map[string]study.Variant{}
	for _, v := range variants {
		byName[v.Name] = v
	}
	for _, name := range studyOnly {
		if _, ok := byName[name]; !ok {
			problem("studyOnly lists %q, which is no variant of study.Variants(): remove it from studyOnly", name)
		}
	}
	trained := map[string]int{}            // variant name → cells that train it
	differs := map[string]bool{}           // variant name → a cell trains it otherwise
	used := make([]int, len(notebookOnly)) // notebookOnly entry → cells that are it
cells:
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		cell := fmt.Sprintf("cell %d (id %q)", i, c.ID)
		e, ok, err := readExperiment(text(c.Source))
		if err != nil {
			problem("%s: %v", cell, err)
			continue
		}
		if !ok {
			continue
		}
		cell += fmt.Sprintf(", lab.Experiment(%q, …)", e.Name)
		for j, o := range notebookOnly {
			if d, err := diffEdits(e.Edits, o.Edits); err == nil && len(d) == 0 && o.Name == e.Name && o.Seeds == e.Seeds {
				used[j]++
				continue cells
			}
		}
		v, ok := byName[e.Name]
		if !ok {
			problem("%s: %q is no variant of study.Variants() and not in notebookOnly", cell, e.Name)
			continue
		}
		if slices.Contains(studyOnly, e.Name) {
			problem("%s: the notebook trains %q, which studyOnly lists: remove it from studyOnly", cell, e.Name)
		}
		d, err := diffEdits(e.Edits, v.GoEdits())
		if err != nil {
			problem("%s: %v", cell, err)
			continue
		}
		if e.Seeds != v.Seeds {
			d = append(d, fmt.Sprintf("it trains %d seed(s), the variant %d (%s)", e.Seeds, v.Seeds, seedsOption(v.Seeds)))
		}
		if len(d) > 0 {
			want := strings.Join(v.GoEdits(), "\n\t")
			if want == "" {
				want = "(none: DefaultConfig() as it is)"
			}
			problem("%s does not train study.Variants()'s %q: %s.\n\tThe variant's edits of cfg := fashion.DefaultConfig() (study.go) are:\n\t%s\n\tMake the cell and the variant agree, or list the cell in notebookOnly if it is another version on purpose.",
				cell, e.Name, strings.Join(d, "; "), want)
			differs[e.Name] = true
			continue
		}
		trained[e.Name]++
	}
	for _, v := range variants {
		switch n := trained[v.Name]; {
		case n == 0 && !slices.Contains(studyOnly, v.Name) && !differs[v.Name]:
			problem("no cell trains the variant %q as study.Variants() defines it (%s, %d seed(s)): add one, or list it in studyOnly",
				v.Name, strings.Join(v.GoEdits(), "; "), v.Seeds)
		case n > 1:
			problem("%d cells train the variant %q: want one (another version of it belongs in notebookOnly)", n, v.Name)
		}
	}
	for j, o := range notebookOnly {
		if used[j] != 1 {
			problem("notebookOnly's %q with %s and %d seed(s) is in %d cells, want 1: update notebookOnly", o.Name, strings.Join(o.Edits, "; "), o.Seeds, used[j])
		}
	}
	return problems
}

// seedsOption is the option of lab.Experiment that trains n seeds.
func seedsOption(n int) string {
	if n == 1 {
		return "no lab.Seeds option, or lab.Seeds(1)"
	}
	return fmt.Sprintf("lab.Seeds(%d)", n)
}

// experimentCall finds the cells that call lab.Experiment (not
// lab.Experiments nor lab.StoredExperiment).
var experimentCall = regexp.MustCompile(`\blab\.Experiment\(`)

// readExperiment reads what a GoNB code cell trains: ok is false for a cell
// that does not mention lab.Experiment(; err says why one that does cannot
// be read. The cell's program is its statements after the line %%, with
// cfg := fashion.DefaultConfig(), then cfg.Field = value lines, then the
// lab.Experiment(name, cfg, options...) call; or the call with
// fashion.DefaultConfig() itself.
func readExperiment(src string) (e notebookExperiment, ok bool, err error) {
	if !experimentCall.MatchString(src) {
		return e, false, nil
	}
	body, found := cellMain(src)
	if !found {
		return e, true, errors.New("it calls lab.Experiment but has no %% line: the check reads the statements after it")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell.go", "package cell\nfunc _() {\n"+body+"\n}\n", 0)
	if err != nil {
		return e, true, fmt.Errorf("cannot parse its Go: %v", err)
	}
	stmts := f.Decls[0].(*ast.FuncDecl).Body.List
	var call *ast.CallExpr
	calls, at := 0, -1
	for i, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			if c, isCall := n.(*ast.CallExpr); isCall && isSelector(c.Fun, "lab", "Experiment") {
				calls, call, at = calls+1, c, i
			}
			return true
		})
	}
	switch {
	case calls == 0:
		return e, true, errors.New("it mentions lab.Experiment( but calls it nowhere in its statements after %%")
	case calls > 1:
		return e, true, fmt.Errorf("it calls lab.Experiment %d times: want one experiment per cell", calls)
	case len(call.Args) < 2:
		return e, true, errors.New("lab.Experiment without a name and a config")
	}
	lit, isLit := call.Args[0].(*ast.BasicLit)
	if !isLit || lit.Kind != token.STRING {
		return e, true, fmt.Errorf("the experiment's name is %s: want a string literal", nodeString(fset, call.Args[0]))
	}
	e.Name, _ = strconv.Unquote(lit.Value)
	e.Seeds = 1
	for _, opt := range call.Args[2:] {
		c, isCall := opt.(*ast.CallExpr)
		if !isCall || !isSelector(c.Fun, "lab", "Seeds") {
			continue
		}
		n := -1
		if len(c.Args) == 1 {
			if lit, isLit := c.Args[0].(*ast.BasicLit); isLit && lit.Kind == token.INT {
				n, _ = strconv.Atoi(lit.Value)
			}
		}
		if n < 0 {
			return e, true, fmt.Errorf("%s: want lab.Seeds(n) with n a number", nodeString(fset, c))
		}
		e.Seeds = n
	}
	switch cfg := call.Args[1].(type) {
	case *ast.CallExpr:
		if isDefaultConfig(cfg) {
			return e, true, nil
		}
	case *ast.Ident:
		e.Edits, err = configEdits(fset, stmts[:at], cfg.Name)
		return e, true, err
	}
	return e, true, fmt.Errorf("the experiment's config is %s: want fashion.DefaultConfig() or a variable set from it", nodeString(fset, call.Args[1]))
}

// cellMain returns the statements of a GoNB cell's program, those after its
// %% (or %main) line, with GoNB's special lines (%…, !…, and their \
// continuations) blanked; found is false for a cell without %%.
func cellMain(src string) (body string, found bool) {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if t := strings.TrimSpace(l); t == "%%" || strings.HasPrefix(t, "%% ") || t == "%main" || strings.HasPrefix(t, "%main ") {
			lines, found = lines[i+1:], true
			break
		}
	}
	if !found {
		return "", false
	}
	special := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if special || strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			special = strings.HasSuffix(t, `\`)
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n"), true
}

// configEdits returns the edits of the config variable v made by stmts,
// those before the lab.Experiment call: v := fashion.DefaultConfig(), then
// v.Field = value statements, each written as "cfg.Field = value" (several
// fields in one assignment give one edit each). Any other change to v is an
// error, since the check could not say what it trains.
func configEdits(fset *token.FileSet, stmts []ast.Stmt, v string) ([]string, error) {
	var edits []string
	defined := false
	for _, s := range stmts {
		if a, isAssign := s.(*ast.AssignStmt); isAssign {
			if a.Tok == token.DEFINE && len(a.Lhs) == 1 && len(a.Rhs) == 1 && isIdent(a.Lhs[0], v) && isDefaultConfig(a.Rhs[0]) {
				defined, edits = true, nil
				continue
			}
			if a.Tok == token.ASSIGN && defined && len(a.Lhs) == len(a.Rhs) && !slices.ContainsFunc(a.Lhs, func(l ast.Expr) bool { return !isField(l, v) }) {
				for i, l := range a.Lhs {
					edits = append(edits, fmt.Sprintf("cfg.%s = %s", l.(*ast.SelectorExpr).Sel.Name, nodeString(fset, a.Rhs[i])))
				}
				continue
			}
		}
		if changes(s, v) {
			return nil, fmt.Errorf("%q: the check reads only %s := fashion.DefaultConfig() and then %s.Field = value lines", nodeString(fset, s), v, v)
		}
	}
	if !defined {
		return nil, fmt.Errorf("its config %s is not set by %s := fashion.DefaultConfig() before the call", v, v)
	}
	return edits, nil
}

// diffEdits compares two lists of edits of cfg (cfg.Field = value) by
// field and value, and says how got differs from want; nothing when they
// set the same fields to the same values.
func diffEdits(got, want []string) ([]string, error) {
	type edit struct{ line, value string }
	read := func(lines []string) (map[string]edit, []string, error) {
		m, order := map[string]edit{}, []string(nil)
		for _, l := range lines {
			field, value, err := parseEdit(l)
			if err != nil {
				return nil, nil, err
			}
			if _, dup := m[field]; dup {
				return nil, nil, fmt.Errorf("it sets cfg.%s twice", field)
			}
			m[field], order = edit{l, value}, append(order, field)
		}
		return m, order, nil
	}
	g, gOrder, err := read(got)
	if err != nil {
		return nil, err
	}
	w, wOrder, err := read(want)
	if err != nil {
		return nil, fmt.Errorf("the variant's edits: %v", err)
	}
	var d []string
	for _, f := range wOrder {
		switch ge, ok := g[f]; {
		case !ok:
			d = append(d, fmt.Sprintf("it lacks %s", w[f].line))
		case ge.value != w[f].value:
			d = append(d, fmt.Sprintf("it has %s where the variant has %s", ge.line, w[f].line))
		}
	}
	for _, f := range gOrder {
		if _, ok := w[f]; !ok {
			d = append(d, fmt.Sprintf("it has %s, which the variant does not change", g[f].line))
		}
	}
	return d, nil
}

// parseEdit reads "cfg.Field = value" into the field and the value in a
// canonical form: literals by their exact value (0.001, 1e-3 and 1.0e-3
// alike; 2 and 2.0 alike), printed as Go.
func parseEdit(line string) (field, value string, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+line+"\n}\n", 0)
	if err == nil {
		if body := f.Decls[0].(*ast.FuncDecl).Body.List; len(body) == 1 {
			if a, ok := body[0].(*ast.AssignStmt); ok && a.Tok == token.ASSIGN && len(a.Lhs) == 1 && len(a.Rhs) == 1 && isField(a.Lhs[0], "cfg") {
				ast.Inspect(a.Rhs[0], func(n ast.Node) bool {
					if lit, ok := n.(*ast.BasicLit); ok {
						lit.Value = constant.MakeFromLiteral(lit.Value, lit.Kind, 0).ExactString()
					}
					return true
				})
				return a.Lhs[0].(*ast.SelectorExpr).Sel.Name, nodeString(token.NewFileSet(), a.Rhs[0]), nil
			}
		}
	}
	return "", "", fmt.Errorf("%q is not cfg.Field = value", line)
}

// changes says whether n assigns to v or to anything in it, or takes its
// address.
func changes(n ast.Node, v string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			found = found || slices.ContainsFunc(x.Lhs, func(l ast.Expr) bool { return rootedAt(l, v) })
		case *ast.IncDecStmt:
			found = found || rootedAt(x.X, v)
		case *ast.UnaryExpr:
			found = found || (x.Op == token.AND && rootedAt(x.X, v))
		}
		return !found
	})
	return found
}

// rootedAt says whether e is v or a part of it (v.F, v.F[i], …).
func rootedAt(e ast.Expr, v string) bool {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name == v
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return false
		}
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isSelector says whether e is pkg.name.
func isSelector(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == name && isIdent(s.X, pkg)
}

// isField says whether e is v.Field.
func isField(e ast.Expr, v string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, v)
}

func isDefaultConfig(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && len(c.Args) == 0 && isSelector(c.Fun, "fashion", "DefaultConfig")
}

func nodeString(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return b.String()
}

// TestNotebookCheckFindsDrift feeds checkExperiments altered copies of
// the committed notebook (and of the variants): each alteration that
// changes what a cell trains, or what the study defines, must be a
// problem; the same settings written otherwise must not.
func TestNotebookCheckFindsDrift(t *testing.T) {
	data, err := os.ReadFile(notebookPath)
	if err != nil {
		t.Fatal(err)
	}
	variants := study.Variants()
	variant := func(name string) study.Variant {
		i := slices.IndexFunc(variants, func(v study.Variant) bool { return v.Name == name })
		if i < 0 {
			t.Fatalf("no variant %q", name)
		}
		return variants[i]
	}
	lastEdit := func(name string) string { e := variant(name).GoEdits(); return e[len(e)-1] }
	tests := []struct {
		name      string
		cell      string // the experiment cell to alter, by the name it trains
		nth       int    // which of the cells that train that name, from 0
		alter     func(src string) string
		add       string // a code cell added at the end
		variants  func([]study.Variant) []study.Variant
		studyOnly []string // nil: the package's
		want      []string // each in some problem; none: no problem
	}{
		{name: "the same edits reordered and respelled", cell: "adamw", alter: mapEdits(func(edits []string) []string {
			slices.Reverse(edits)
			for i := range edits {
				edits[i] = strings.NewReplacer("0.001", "1e-3", "0.05", "5e-2").Replace(edits[i])
			}
			return edits
		})},
		{name: "the same edits in one assignment", cell: "leaky_relu", alter: mapEdits(func(edits []string) []string {
			var lhs, rhs []string
			for _, e := range edits {
				l, r, _ := strings.Cut(e, " = ")
				lhs, rhs = append(lhs, l), append(rhs, r)
			}
			return []string{strings.Join(lhs, ", ") + " = " + strings.Join(rhs, ", ")}
		})},
		{name: "a value changed", cell: "dropout", alter: mapEdits(func([]string) []string { return []string{"cfg.Dropout = []float64{0.3}"} }),
			want: []string{`does not train study.Variants()'s "dropout": it has cfg.Dropout = []float64{0.3} where the variant has cfg.Dropout = []float64{0.2}`}},
		{name: "an edit left out", cell: "leaky_relu", alter: mapEdits(func(e []string) []string { return e[:len(e)-1] }),
			want: []string{"it lacks " + lastEdit("leaky_relu")}},
		{name: "an edit added", cell: "he", alter: beforeCall("cfg.Epochs = 20"),
			want: []string{"it has cfg.Epochs = 20, which the variant does not change"}},
		{name: "seeds left out", cell: "batchnorm", alter: replace(regexp.MustCompile(`,\s*lab\.Seeds\(\d+\)`), ""),
			want: []string{"it trains 1 seed(s), the variant 3 (lab.Seeds(3))"}},
		{name: "seeds added", cell: "l2", alter: replace(regexp.MustCompile(`\)\)\s*$`), ", lab.Seeds(3)))"),
			want: []string{"it trains 3 seed(s), the variant 1 (no lab.Seeds option, or lab.Seeds(1))"}},
		{name: "a name that is no variant", cell: "layernorm", alter: replace(regexp.MustCompile(`"layernorm"`), `"layer_norm"`),
			want: []string{`"layer_norm" is no variant`, `no cell trains the variant "layernorm"`}},
		{name: "a variant's cell deleted", cell: "tanh", alter: func(string) string { return "" },
			want: []string{`no cell trains the variant "tanh"`}},
		{name: "a variant trained twice", add: cellFor(variant("l2")),
			want: []string{`2 cells train the variant "l2"`}},
		{name: "a study-only variant in the notebook", add: cellFor(variant("dropout_step")),
			want: []string{`the notebook trains "dropout_step", which studyOnly lists`}},
		{name: "the notebook-only version changed", cell: "dropout", nth: 1, alter: mapEdits(func([]string) []string { return []string{"cfg.Dropout = []float64{0.6}"} }),
			want: []string{"it has cfg.Dropout = []float64{0.6} where the variant has cfg.Dropout = []float64{0.2}", `notebookOnly's "dropout" with cfg.Dropout = []float64{0.5} and 3 seed(s) is in 0 cells`}},
		{name: "a change the check cannot read", cell: "he", alter: beforeCall("cfg.Hidden[0] = 64"),
			want: []string{`"cfg.Hidden[0] = 64": the check reads only cfg := fashion.DefaultConfig() and then cfg.Field = value lines`}},
		{name: "no %% line", cell: "elu", alter: replace(regexp.MustCompile(`(?m)^%%\n`), ""),
			want: []string{"no %% line", `no cell trains the variant "elu"`}},
		{name: "two experiments in a cell", cell: "gelu", alter: func(src string) string { return src + "\n" + src[strings.LastIndex(src, "lab.Must("):] },
			want: []string{"it calls lab.Experiment 2 times"}},
		{name: "a variant changed in the study", variants: func(vs []study.Variant) []study.Variant {
			i := slices.IndexFunc(vs, func(v study.Variant) bool { return v.Name == "adam" })
			vs[i].Config.LR = 3e-4
			return vs
		}, want: []string{"it has cfg.LR = 0.001 where the variant has cfg.LR = 0.0003"}},
		{name: "a new variant without a cell", variants: func(vs []study.Variant) []study.Variant {
			v := vs[0]
			v.Name, v.Config.Norm, v.Config.Dropout = "layernorm_dropout", "layer", []float64{0.2}
			return append(vs, v)
		}, want: []string{`no cell trains the variant "layernorm_dropout" as study.Variants() defines it (cfg.Norm = "layer"; cfg.Dropout = []float64{0.2}, 3 seed(s))`}},
		{name: "a stale study-only name", studyOnly: append(slices.Clone(studyOnly), "gone"),
			want: []string{`studyOnly lists "gone", which is no variant`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb := data
			if tt.cell != "" {
				nb = alterCell(t, nb, tt.cell, tt.nth, tt.alter)
			}
			if tt.add != "" {
				nb = addCell(t, nb, tt.add)
			}
			vs := study.Variants()
			if tt.variants != nil {
				vs = tt.variants(vs)
			}
			only := studyOnly
			if tt.studyOnly != nil {
				only = tt.studyOnly
			}
			problems := checkExperiments(nb, vs, only, notebookOnly)
			all := strings.Join(problems, "\n")
			if len(tt.want) == 0 && len(problems) > 0 {
				t.Errorf("want no problem, got:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no problem says %q; got:\n%s", w, all)
				}
			}
		})
	}
}

// alterCell returns the notebook data with the nth code cell that trains
// name replaced by alter(its source), or removed where alter returns "".
func alterCell(t *testing.T, data []byte, name string, nth int, alter func(string) string) []byte {
	t.Helper()
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	cells := nb["cells"].([]any)
	for i, c := range cells {
		cell := c.(map[string]any)
		src := cellSource(cell)
		if e, ok, err := readExperiment(src); cell["cell_type"] != "code" || err != nil || !ok || e.Name != name {
			continue
		}
		if nth--; nth >= 0 {
			continue
		}
		out := alter(src)
		switch out {
		case src:
			t.Fatalf("the alteration changes nothing in the cell that trains %q:\n%s", name, src)
		case "":
			nb["cells"] = slices.Delete(cells, i, i+1)
		default:
			cell["source"] = out
		}
		out2, err := json.Marshal(nb)
		if err != nil {
			t.Fatal(err)
		}
		return out2
	}
	t.Fatalf("not so many cells train %q", name)
	return nil
}

// addCell returns the notebook data with a code cell of source src at the end.
func addCell(t *testing.T, data []byte, src string) []byte {
	t.Helper()
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	nb["cells"] = append(nb["cells"].([]any), map[string]any{
		"cell_type": "code", "id": "added", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil, "source": src})
	out, err := json.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cellSource(cell map[string]any) string {
	switch s := cell["source"].(type) {
	case string:
		return s
	case []any:
		var b strings.Builder
		for _, l := range s {
			b.WriteString(l.(string))
		}
		return b.String()
	}
	return ""
}

// cellFor writes a cell that trains the variant v, as the notebook's cells do.
func cellFor(v study.Variant) string {
	opts := ""
	if v.Seeds > 1 {
		opts = fmt.Sprintf(", lab.Seeds(%d)", v.Seeds)
	}
	return fmt.Sprintf("%%%%\ncfg := fashion.DefaultConfig()\n%s\nlab.Must(lab.Experiment(%q, cfg%s))", strings.Join(v.GoEdits(), "\n"), v.Name, opts)
}

// mapEdits alters a cell's lines cfg.Field = value (consecutive) with f.
func mapEdits(f func(edits []string) []string) func(string) string {
	return func(src string) string {
		lines := strings.Split(src, "\n")
		first, last := -1, -1
		for i, l := range lines {
			if strings.HasPrefix(l, "cfg.") && strings.Contains(l, " = ") {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			return src
		}
		edits := f(slices.Clone(lines[first : last+1]))
		return strings.Join(slices.Concat(lines[:first], edits, lines[last+1:]), "\n")
	}
}

// beforeCall inserts a line before a cell's lab.Experiment line.
func beforeCall(line string) func(string) string {
	return func(src string) string {
		lines := strings.Split(src, "\n")
		i := slices.IndexFunc(lines, experimentCall.MatchString)
		return strings.Join(slices.Insert(lines, i, line), "\n")
	}
}

// replace replaces the matches of re in a cell.
func replace(re *regexp.Regexp, with string) func(string) string {
	return func(src string) string { return re.ReplaceAllString(src, with) }
}

// TestNotebookEditsCompareByValue checks parseEdit: the same settings
// written otherwise are equal, others are not, and what is not
// cfg.Field = value is an error.
func TestNotebookEditsCompareByValue(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"cfg.LR = 0.001", "cfg.LR = 1e-3", true},
		{"cfg.LR = 0.001", "cfg.LR = 1.0e-3", true},
		{"cfg.WarmupEpochs = 2", "cfg.WarmupEpochs = 2.0", true},
		{`cfg.Norm = "batch"`, "cfg.Norm = `batch`", true},
		{"cfg.Dropout = []float64{0.2}", "cfg.Dropout = []float64{.2}", true},
		{"cfg.Hidden = []int{1024, 512, 256}", "cfg.Hidden = []int{1024,512,256}", true},
		{"cfg.LR = 0.001", "cfg.LR = 0.0011", false},
		{"cfg.LR = 0.001", "cfg.MaxLR = 0.001", false},
		{"cfg.Hidden = []int{1024, 512, 256}", "cfg.Hidden = []int{1024, 256, 512}", false},
		{"cfg.Nesterov = true", "cfg.Nesterov = false", false},
	}
	for _, tt := range tests {
		fa, va, errA := parseEdit(tt.a)
		fb, vb, errB := parseEdit(tt.b)
		if errA != nil || errB != nil {
			t.Errorf("parseEdit(%q), parseEdit(%q): %v, %v", tt.a, tt.b, errA, errB)
			continue
		}
		if same := fa == fb && va == vb; same != tt.same {
			t.Errorf("%q and %q: same %v, want %v (%s = %s, %s = %s)", tt.a, tt.b, same, tt.same, fa, va, fb, vb)
		}
	}
	for _, bad := range []string{"cfg.Hidden[0] = 64", "cfg := fashion.DefaultConfig()", "cfg.LR *= 2", "other.LR = 1", "cfg.LR, cfg.MaxLR = 1, 2"} {
		if _, _, err := parseEdit(bad); err == nil {
			t.Errorf("parseEdit(%q): no error", bad)
		}
	}
}
