package study

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// NotebookFile is the notebook, from the repository root: its experiment
// cells are the study's variants (Variants).
const NotebookFile = "notebooks/fashion.ipynb"

// Experiment is what one code cell of the notebook trains: the call
// lab.Experiment(name, cfg, options...) after cfg := fashion.DefaultConfig()
// and cfg.Field = value lines.
type Experiment struct {
	Cell   int    // the cell's index among the notebook's cells, from 0
	ID     string // the cell's id
	Name   string // the name given to lab.Experiment
	Config fashion.Config
	Seeds  int // lab.Seeds(n); 1 without
}

// Where names the cell, as the reader's errors do.
func (e Experiment) Where() string { return cellName(e.Cell, e.ID) }

func cellName(i int, id string) string { return fmt.Sprintf("cell %d (id %q)", i, id) }

// Skipped is an experiment cell of the notebook that the study does not
// train, and why.
type Skipped struct {
	Cell   int
	ID     string
	Name   string
	Reason string
}

// Where names the cell, as the reader's errors do.
func (s Skipped) Where() string { return cellName(s.Cell, s.ID) }

// ReadNotebook reads the experiment cells of a notebook (its .ipynb JSON):
// the code cells that call lab.Experiment. A cell whose call has an option
// other than lab.Seeds, lab.Section and lab.InSession (a technique written
// in the cell, say) trains something its Config alone does not say, so it
// is skipped, with the reason. Any other cell that calls lab.Experiment and
// cannot be read (a name that is no string literal, a config not built from
// fashion.DefaultConfig() by cfg.Field = literal lines, an unknown field, a
// value of the wrong type) is an error naming the cell, its line and what it
// could not read; the errors of all cells are joined.
func ReadNotebook(data []byte) ([]Experiment, []Skipped, error) {
	var nb struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			ID       string          `json:"id"`
			Source   json.RawMessage `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, nil, fmt.Errorf("notebook: %w", err)
	}
	var exps []Experiment
	var skipped []Skipped
	var errs []error
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		src, err := cellText(c.Source)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: its source: %w", cellName(i, c.ID), err))
			continue
		}
		e, skip, ok, err := readCell(src)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", cellName(i, c.ID), err))
		case skip != "":
			skipped = append(skipped, Skipped{Cell: i, ID: c.ID, Name: e.Name, Reason: skip})
		case ok:
			e.Cell, e.ID = i, c.ID
			exps = append(exps, e)
		}
	}
	return exps, skipped, errors.Join(errs...)
}

// cellText joins a cell's source, stored as a string or a list of lines.
func cellText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", errors.New("want a string or a list of strings")
	}
	return strings.Join(lines, ""), nil
}

// experimentCall finds the cells that call lab.Experiment (not
// lab.Experiments nor lab.StoredExperiment).
var experimentCall = regexp.MustCompile(`\blab\.Experiment\(`)

// readCell reads what a GoNB code cell trains: ok is false for a cell that
// does not mention lab.Experiment(; skip says why the study does not train
// one that does; err says why it cannot be read. The cell's program is its
// statements after the line %%, with cfg := fashion.DefaultConfig(), then
// cfg.Field = value lines, then the lab.Experiment(name, cfg, options...)
// call; or the call with fashion.DefaultConfig() itself.
func readCell(src string) (e Experiment, skip string, ok bool, err error) {
	if !experimentCall.MatchString(src) {
		return e, "", false, nil
	}
	body, first, found := cellMain(src)
	if !found {
		return e, "", true, errors.New("it calls lab.Experiment but has no %% line: the study reads the statements after it")
	}
	fset := token.NewFileSet()
	const header = "package cell\nfunc _() {\n"
	f, err := parser.ParseFile(fset, "cell.go", header+body+"\n}\n", 0)
	if err != nil {
		return e, "", true, fmt.Errorf("cannot parse its Go: %v", err)
	}
	// line is the line of n in the cell's source, from 1.
	line := func(n ast.Node) int { return fset.Position(n.Pos()).Line - strings.Count(header, "\n") + first }
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
		return e, "", true, errors.New("it mentions lab.Experiment( but calls it nowhere in its statements after %%")
	case calls > 1:
		return e, "", true, fmt.Errorf("line %d: it calls lab.Experiment %d times: want one experiment per cell", line(call), calls)
	case len(call.Args) < 2:
		return e, "", true, fmt.Errorf("line %d: lab.Experiment without a name and a config", line(call))
	}
	lit, isLit := call.Args[0].(*ast.BasicLit)
	if !isLit || lit.Kind != token.STRING {
		return e, "", true, fmt.Errorf("line %d: the experiment's name is %s: want a string literal", line(call.Args[0]), nodeString(fset, call.Args[0]))
	}
	e.Name, _ = strconv.Unquote(lit.Value)
	e.Seeds = 1
	for _, opt := range call.Args[2:] {
		c, isCall := opt.(*ast.CallExpr)
		switch {
		case isCall && isSelector(c.Fun, "lab", "Seeds"):
			n := -1
			if len(c.Args) == 1 {
				if lit, isLit := c.Args[0].(*ast.BasicLit); isLit && lit.Kind == token.INT {
					n, _ = strconv.Atoi(lit.Value)
				}
			}
			if n < 1 || n > 20 {
				return e, "", true, fmt.Errorf("line %d: %s: want lab.Seeds(n) with n a number from 1 to 20", line(c), nodeString(fset, c))
			}
			e.Seeds = n
		case isCall && (isSelector(c.Fun, "lab", "Section") || isSelector(c.Fun, "lab", "InSession")):
			// Where the notebook shows it and which compiled graphs it
			// reuses: not what it trains.
		default:
			return e, fmt.Sprintf("line %d: its option %s is no Config setting, and the study trains a cell's Config alone", line(opt), nodeString(fset, opt)), true, nil
		}
	}
	e.Config = fashion.DefaultConfig()
	switch cfg := call.Args[1].(type) {
	case *ast.CallExpr:
		if isDefaultConfig(cfg) {
			return e, "", true, nil
		}
	case *ast.Ident:
		err := applyEdits(&e.Config, fset, line, stmts[:at], cfg.Name)
		return e, "", true, err
	}
	return e, "", true, fmt.Errorf("line %d: the experiment's config is %s: want fashion.DefaultConfig() or a variable set from it", line(call.Args[1]), nodeString(fset, call.Args[1]))
}

// cellMain returns the statements of a GoNB cell's program, those after its
// %% (or %main) line, with GoNB's special lines (%…, !…, and their \
// continuations) blanked, so that each keeps its line; first is the line
// of the cell that body starts at, less one; found is false for a cell
// without %%.
func cellMain(src string) (body string, first int, found bool) {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if t := strings.TrimSpace(l); t == "%%" || strings.HasPrefix(t, "%% ") || t == "%main" || strings.HasPrefix(t, "%main ") {
			lines, first, found = lines[i+1:], i+1, true
			break
		}
	}
	if !found {
		return "", 0, false
	}
	special := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if special || strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			special = strings.HasSuffix(t, `\`)
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n"), first, true
}

// applyEdits applies to cfg the edits of the config variable v made by
// stmts, those before the lab.Experiment call: v := fashion.DefaultConfig(),
// then v.Field = literal statements (several fields in one assignment
// too), as Go would run them. Any other change to v is an error, since the
// study could not say what the cell trains.
func applyEdits(cfg *fashion.Config, fset *token.FileSet, line func(ast.Node) int, stmts []ast.Stmt, v string) error {
	defined := false
	for _, s := range stmts {
		if a, isAssign := s.(*ast.AssignStmt); isAssign {
			if a.Tok == token.DEFINE && len(a.Lhs) == 1 && len(a.Rhs) == 1 && isIdent(a.Lhs[0], v) && isDefaultConfig(a.Rhs[0]) {
				defined, *cfg = true, fashion.DefaultConfig()
				continue
			}
			if a.Tok == token.ASSIGN && defined && len(a.Lhs) == len(a.Rhs) && !slices.ContainsFunc(a.Lhs, func(l ast.Expr) bool { return !isField(l, v) }) {
				for i, l := range a.Lhs {
					name := l.(*ast.SelectorExpr).Sel.Name
					if err := setField(cfg, name, a.Rhs[i], fset); err != nil {
						return fmt.Errorf("line %d: %s.%s: %w", line(l), v, name, err)
					}
				}
				continue
			}
		}
		if changes(s, v) {
			return fmt.Errorf("line %d: %q: the study reads only %s := fashion.DefaultConfig() and then %s.Field = value lines", line(s), nodeString(fset, s), v, v)
		}
	}
	if !defined {
		return fmt.Errorf("its config %s is not set by %s := fashion.DefaultConfig() before the call", v, v)
	}
	return nil
}

// setField sets cfg's field name to the literal e, or says why it cannot:
// no such field, or e is no literal of the field's type.
func setField(cfg *fashion.Config, name string, e ast.Expr, fset *token.FileSet) error {
	f, ok := reflect.TypeOf(*cfg).FieldByName(name)
	if !ok || !f.IsExported() {
		return errors.New("fashion.Config has no such field")
	}
	dst := reflect.ValueOf(cfg).Elem().FieldByIndex(f.Index)
	if err := setLiteral(dst, e); err != nil {
		return fmt.Errorf("%s: %w", nodeString(fset, e), err)
	}
	return nil
}

// setLiteral sets dst, a Config field, to the Go literal e: a string, a
// number (negative too), true or false, or a slice literal of those whose
// type is the field's ([]int{…}, []float64{…}).
func setLiteral(dst reflect.Value, e ast.Expr) error {
	want := func() error { return fmt.Errorf("want a literal %s", dst.Type()) }
	switch dst.Kind() {
	case reflect.String:
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return want()
		}
		dst.SetString(constant.StringVal(constant.MakeFromLiteral(lit.Value, lit.Kind, 0)))
	case reflect.Bool:
		id, ok := e.(*ast.Ident)
		if !ok || (id.Name != "true" && id.Name != "false") {
			return want()
		}
		dst.SetBool(id.Name == "true")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c := constant.ToInt(number(e))
		n, exact := constant.Int64Val(c)
		if c.Kind() != constant.Int || !exact || dst.OverflowInt(n) {
			return want()
		}
		dst.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c := constant.ToInt(number(e))
		n, exact := constant.Uint64Val(c)
		if c.Kind() != constant.Int || !exact || dst.OverflowUint(n) {
			return want()
		}
		dst.SetUint(n)
	case reflect.Float32, reflect.Float64:
		c := constant.ToFloat(number(e))
		if c.Kind() != constant.Float && c.Kind() != constant.Int {
			return want()
		}
		x, _ := constant.Float64Val(c)
		if dst.OverflowFloat(x) {
			return want()
		}
		dst.SetFloat(x)
	case reflect.Slice:
		lit, ok := e.(*ast.CompositeLit)
		if !ok {
			return want()
		}
		arr, ok := lit.Type.(*ast.ArrayType)
		if !ok || arr.Len != nil || !isIdent(arr.Elt, dst.Type().Elem().Name()) {
			return want()
		}
		s := reflect.MakeSlice(dst.Type(), len(lit.Elts), len(lit.Elts))
		for i, el := range lit.Elts {
			if err := setLiteral(s.Index(i), el); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		dst.Set(s)
	default:
		return fmt.Errorf("the study cannot set a %s", dst.Type())
	}
	return nil
}

// number is the value of a numeric literal, signed or in parentheses;
// Unknown for anything else.
func number(e ast.Expr) constant.Value {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT || x.Kind == token.FLOAT {
			return constant.MakeFromLiteral(x.Value, x.Kind, 0)
		}
	case *ast.ParenExpr:
		return number(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.SUB || x.Op == token.ADD {
			if v := number(x.X); v.Kind() != constant.Unknown {
				return constant.UnaryOp(x.Op, v, 0)
			}
		}
	}
	return constant.MakeUnknown()
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
