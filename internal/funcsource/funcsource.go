// Package funcsource gives a version of a Go function value taken from its
// source code: the code as compiled, without comments or layout. It serves
// techniques written in a notebook cell (a penalty, a schedule, as a GoMLX
// function literal in a GoNB cell), whose runs are cached by their code: the
// cell run again unchanged, or after an edit to a comment, a blank line or
// gofmt, gives the same version; any edit to the code, a constant inside it
// included, gives a new one.
//
// Of finds the function through the runtime's symbol table (its name, source
// file and the source lines of its instructions), parses that file and prints
// the function's syntax tree in a fixed form. Added to it, transitively, are
// the top-level declarations of the same file that it names: functions,
// constants, variables and types (a type with all its methods), so that a
// helper or a constant used by the function is part of its version. In GoNB
// every cell's declarations live in one main.go, so this covers the cells.
// Names from other packages (graph.Add, fashion.Config) are not included:
// those are versioned by their module or their package's code version.
//
// What the source does not hold is refused with an error that says what to
// do instead:
//   - a function literal that uses local variables of an enclosing function
//     (a closure, such as one returned by a constructor like
//     regularizers.L1(amount)): the captured values are set at run time;
//   - a method value (t.M), bound to its receiver, and an instance of a
//     generic function (G[int]), whose type arguments the runtime does not
//     name; a method expression (T.M) is versioned as a function;
//   - a package-level variable that the file assigns or takes the address of
//     anywhere: its declaration does not say what it holds;
//   - a name declared in another file of the package (or by a dot import),
//     which this file does not show: a function of another package (the
//     standard library's, say) is versioned only when its file holds all
//     it uses (utf8.RuneLen is; strings.ToUpper, which uses Builder, not);
//   - a function without Go source at hand: the program built with -trimpath,
//     moved away from its sources, the file gone, or a function in assembly.
//
// It cannot see a variable changed through a pointer or set from outside the
// file (flag values, a method with a pointer receiver): prefer constants.
// The source file is read when Of is called, so it must still be the one the
// program was built from; GoNB keeps a cell's main.go in place while the cell
// runs, and builds it with a plain go build (no -trimpath, no //line
// directives), so its file and lines are the cell's. The fixed form is
// go/printer's, so a Go release that prints differently changes versions.
package funcsource

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Source is the source of a function value, as Of finds it.
type Source struct {
	// Func is the runtime name of the function, e.g. main.main.func1.
	Func string
	// File and Line are where its func keyword is.
	File string
	Line int
	// Code is its canonical text, then that of each declaration of File it
	// uses, in sorted order: what Hash hashes.
	Code []byte
}

// Hash is a short hex SHA-256 of s.Code: the function's version.
func (s Source) Hash() string {
	sum := sha256.Sum256(s.Code)
	return hex.EncodeToString(sum[:])[:12]
}

// Of returns the source of fn, which must be a non-nil func value. See the
// package documentation for what it includes and what it refuses.
func Of(fn any) (Source, error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return Source{}, fmt.Errorf("funcsource: got %T, want a func value", fn)
	}
	if v.IsNil() {
		return Source{}, fmt.Errorf("funcsource: got a nil %s, want a func value", v.Type())
	}
	entry := v.Pointer()
	rf := runtime.FuncForPC(entry)
	if rf == nil {
		return Source{}, fmt.Errorf("funcsource: no runtime information for the function at %#x", entry)
	}
	name := rf.Name()
	file, _ := rf.FileLine(entry)
	if strings.HasSuffix(name, "-fm") {
		return Source{}, fmt.Errorf("funcsource: %s is a method value, bound to its receiver, which is not in the source: pass the method expression (T.M) or a function literal", name)
	}
	if !strings.HasSuffix(file, ".go") {
		return Source{}, fmt.Errorf("funcsource: %s has no Go source (file %q)", name, file)
	}
	if !filepath.IsAbs(file) {
		return Source{}, fmt.Errorf("funcsource: %s: its source file %q is not an absolute path (built with -trimpath?): build without -trimpath and run where the sources are", name, file)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return Source{}, fmt.Errorf("funcsource: %s: cannot read its source file, it must be where the program was built: %w", name, err)
	}
	// The parser's object resolution (deprecated for go/types, but enough
	// here) tells, for each identifier, whether it is declared in the
	// function, outside it in a function (a capture), at the top of the
	// file, or not in the file (a universe name, an import, another file).
	// go/types would need the imported packages, which a single file of a
	// GoNB cell cannot give without loading its module.
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		return Source{}, fmt.Errorf("funcsource: %s: parsing its source: %w", name, err)
	}
	lines := ownLines(rf, entry, file)
	if len(lines) == 0 {
		return Source{}, fmt.Errorf("funcsource: %s: no instruction of it is on a line of %s", name, file)
	}
	root, err := findFunc(fset, af, name, lines)
	if err != nil {
		return Source{}, err
	}
	line := fset.Position(root.Pos()).Line // before collect sets every position to one
	code, err := collect(fset, af, name, root)
	if err != nil {
		return Source{}, err
	}
	return Source{Func: name, File: file, Line: line, Code: code}, nil
}

// ownLines returns the source lines, in file, of the instructions of the
// function at entry, leaving out code inlined from other functions. The
// line of the entry alone is not enough: a function without a stack check
// starts with an instruction of its body, on a later line than its func.
func ownLines(rf *runtime.Func, entry uintptr, file string) map[int]bool {
	lines := make(map[int]bool)
	name := rf.Name()
	// The function's code runs from entry to the next function's entry; a
	// pc of code inlined into it has the inlined function's name, and the
	// same entry. The bound only stops a walk gone wrong.
	for pc := entry; pc < entry+1<<22; pc++ {
		f := runtime.FuncForPC(pc)
		if f == nil || f.Entry() != entry {
			break
		}
		if f.Name() != name {
			continue
		}
		if fl, line := f.FileLine(pc); fl == file && line > 0 {
			lines[line] = true
		}
	}
	return lines
}

// closureSeg matches the name segments the compiler gives function
// literals: func1 and, for a literal inside another one, 1 or func2.
var closureSeg = regexp.MustCompile(`^(func)?[0-9]+$`)

// funcNode is a function of the file: a *ast.FuncDecl or a *ast.FuncLit.
type funcNode struct {
	node ast.Node
	// enclosing is the name of the declared function it is in ("init" at
	// the top level), depth its number of enclosing function literals plus
	// one; both 0 for a declared function.
	enclosing string
	depth     int
	// inner are the function literals inside it.
	inner []*ast.FuncLit
}

// findFunc returns the declaration or the literal of the function called
// name whose own instructions are on lines.
func findFunc(fset *token.FileSet, af *ast.File, name string, lines map[int]bool) (ast.Node, error) {
	segs := nameSegments(name)
	var funcs []*funcNode
	var stack []*funcNode
	var decl string
	// A walk with an explicit stack: ast.Inspect reports leaving a node
	// with a nil, without saying which.
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncDecl:
				if m == n {
					return true
				}
				decl = m.Name.Name
				fn := &funcNode{node: m}
				funcs = append(funcs, fn)
				stack = append(stack, fn)
				walk(m)
				stack = stack[:len(stack)-1]
				decl = ""
				return false
			case *ast.FuncLit:
				if m == n {
					return true
				}
				enc := decl
				if enc == "" {
					enc = "init"
				}
				fn := &funcNode{node: m, enclosing: enc, depth: 1}
				for _, s := range stack {
					s.inner = append(s.inner, m)
					if _, ok := s.node.(*ast.FuncLit); ok {
						fn.depth++
					}
				}
				funcs = append(funcs, fn)
				stack = append(stack, fn)
				walk(m)
				stack = stack[:len(stack)-1]
				return false
			}
			return true
		})
	}
	walk(af)

	line := func(p token.Pos) int { return fset.Position(p).Line }
	// covers says whether every line of lines can hold code of fn: it is
	// within fn, and not strictly inside one of its function literals
	// (whose first and last lines can hold fn's code too).
	covers := func(fn *funcNode) bool {
		first, last := line(fn.node.Pos()), line(fn.node.End())
		for l := range lines {
			if l < first || l > last {
				return false
			}
			for _, in := range fn.inner {
				if line(in.Pos()) < l && l < line(in.End()) {
					return false
				}
			}
		}
		return true
	}
	where := func() string {
		ls := make([]int, 0, len(lines))
		for l := range lines {
			ls = append(ls, l)
		}
		slices.Sort(ls)
		return fmt.Sprintf("lines %d-%d of %s", ls[0], ls[len(ls)-1], fset.File(af.Pos()).Name())
	}

	last := segs[len(segs)-1]
	if !closureSeg.MatchString(last) {
		// A declared function or method: found by its name.
		if strings.Contains(name, "[...]") {
			return nil, fmt.Errorf("funcsource: %s is an instance of a generic function, whose type arguments the runtime does not name: wrap it in a function literal that calls it with its types", name)
		}
		recv := ""
		if len(segs) >= 2 {
			recv = strings.TrimSuffix(strings.TrimPrefix(segs[len(segs)-2], "(*"), ")")
		}
		for _, fn := range funcs {
			d, ok := fn.node.(*ast.FuncDecl)
			if !ok || d.Name.Name != last || (d.Recv != nil) != (len(segs) == 2) {
				continue
			}
			if d.Recv != nil && recvName(d) != recv {
				continue
			}
			if d.Body == nil {
				return nil, fmt.Errorf("funcsource: %s has no Go body (assembly or linked)", name)
			}
			if !covers(fn) {
				return nil, fmt.Errorf("funcsource: %s: its code (%s) is not in its declaration: was the file edited after the program was built?", name, where())
			}
			return d, nil
		}
		return nil, fmt.Errorf("funcsource: %s: no declaration of it in %s: was the file edited after the program was built?", name, fset.File(af.Pos()).Name())
	}

	var found []*funcNode
	for _, fn := range funcs {
		if _, ok := fn.node.(*ast.FuncLit); ok && covers(fn) {
			found = append(found, fn)
		}
	}
	if len(found) > 1 {
		// Lines shared by several literals: a literal that starts on the
		// line where the function holding it has code, or two literals on
		// one line. The name tells how deep the literal is, and in which
		// declared function (an inlined one is named after where it is
		// inlined, then after itself, so the segment before the literal's
		// own ones is its declared function): the compiler's numbering of
		// literals is not their order in the source, so that is all it is
		// used for.
		depth := 0
		for i := len(segs) - 1; i >= 0 && closureSeg.MatchString(segs[i]); i-- {
			depth++
		}
		enc := ""
		if i := len(segs) - 1 - depth; i >= 0 {
			enc = segs[i]
		}
		if enc == "glob" || enc == "" {
			enc = "init" // the literals of package-level variables, before Go 1.22
		}
		byName := slices.DeleteFunc(slices.Clone(found), func(fn *funcNode) bool {
			return fn.depth != depth || fn.enclosing != enc
		})
		if len(byName) == 1 {
			found = byName
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("funcsource: %s: no function literal holds its code (%s): was the file edited after the program was built?", name, where())
	case 1:
		return found[0].node, nil
	}
	var at []string
	for _, fn := range found {
		at = append(at, strconv.Itoa(line(fn.node.Pos())))
	}
	return nil, fmt.Errorf("funcsource: %s: cannot tell which function literal it is, at lines %s of %s: put each function literal on lines of its own", name, strings.Join(at, ", "), fset.File(af.Pos()).Name())
}

// nameSegments splits a runtime function name after its package path into
// its dot-separated segments, the marks of generic shapes ([...]) and of
// range-over-func bodies (-range1) taken out.
func nameSegments(name string) []string {
	rest := name
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.Index(rest, "."); i >= 0 {
		rest = rest[i+1:]
	}
	rest = strings.ReplaceAll(rest, "[...]", "")
	rest = rangeMark.ReplaceAllString(rest, "")
	return strings.Split(rest, ".")
}

var rangeMark = regexp.MustCompile(`-range[0-9]+`)

// recvName is the name of the type of d's receiver, without * or type
// parameters.
func recvName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// collect returns the canonical code of root and of the top-level
// declarations of af that it uses, transitively.
func collect(fset *token.FileSet, af *ast.File, name string, root ast.Node) ([]byte, error) {
	fileName := fset.File(af.Pos()).Name()
	specDecl := make(map[ast.Spec]*ast.GenDecl)
	methods := make(map[string][]*ast.FuncDecl)
	for _, d := range af.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, s := range d.Specs {
				specDecl[s] = d
			}
		case *ast.FuncDecl:
			if d.Recv != nil {
				methods[recvName(d)] = append(methods[recvName(d)], d)
			}
		}
	}
	unresolved := make(map[*ast.Ident]bool)
	for _, id := range af.Unresolved {
		unresolved[id] = true
	}
	imports := make(map[string]bool)
	dotImport := false
	for _, imp := range af.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		switch {
		case imp.Name == nil:
			imports[assumedName(p)] = true
		case imp.Name.Name == ".":
			dotImport = true
		case imp.Name.Name != "_":
			imports[imp.Name.Name] = true
		}
	}
	// GoMLX code dot-imports its graph package (Add, Mul, ...): with a dot
	// import, a name the file does not declare comes from an imported
	// package (versioned by its module, as any import) unless a sibling
	// file of the package declares it, which stays an error.
	var siblings map[string]bool
	if dotImport {
		siblings = siblingNames(fileName, af.Name.Name)
	}

	// seen are the declarations taken: a *ast.FuncDecl, a const
	// *ast.GenDecl (whole: iota and implicit repetition tie its specs), or
	// a var or type spec. vars are the variables among them.
	seen := map[ast.Node]bool{root: true}
	queue := []ast.Node{root}
	vars := make(map[*ast.Object]bool)
	var captured []string
	var foreign []string
	add := func(n ast.Node) {
		if !seen[n] {
			seen[n] = true
			queue = append(queue, n)
		}
	}
	lit, _ := root.(*ast.FuncLit)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		selBase := make(map[*ast.Ident]bool)
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.SelectorExpr:
				if id, ok := m.X.(*ast.Ident); ok {
					selBase[id] = true
				}
			case *ast.Ident:
				switch {
				case unresolved[m]:
					fromDot := dotImport && !siblings[m.Name]
					if types.Universe.Lookup(m.Name) == nil && !(selBase[m] && imports[m.Name]) && !fromDot && !slices.Contains(foreign, m.Name) {
						foreign = append(foreign, m.Name)
					}
				case m.Obj == nil || m.Obj.Kind == ast.Lbl:
				case af.Scope.Objects[m.Name] == m.Obj:
					switch d := m.Obj.Decl.(type) {
					case *ast.FuncDecl:
						add(d)
					case *ast.ValueSpec:
						if g := specDecl[d]; g.Tok == token.CONST {
							add(g)
						} else {
							add(d)
							vars[m.Obj] = true
						}
					case *ast.TypeSpec:
						add(d)
						for _, md := range methods[d.Name.Name] {
							add(md)
						}
					}
				case lit != nil && n == root && (m.Obj.Pos() < lit.Pos() || m.Obj.Pos() >= lit.End()):
					if !slices.Contains(captured, m.Name) {
						captured = append(captured, m.Name)
					}
				}
			}
			return true
		})
	}
	if len(captured) > 0 {
		return nil, fmt.Errorf("funcsource: %s captures %s, local to the function around it: its value is set at run time, not in the source; write the value inside the function, or declare it as a package-level const", name, strings.Join(captured, ", "))
	}
	if len(foreign) > 0 {
		return nil, fmt.Errorf("funcsource: %s uses %s, not declared in %s (in another file of the package): only the declarations of the function's own file are versioned", name, strings.Join(foreign, ", "), fileName)
	}
	if err := checkVars(fset, af, name, vars); err != nil {
		return nil, err
	}

	// The canonical form, as fashion's canonicalSource does for whole
	// files: no comments (not parsed), and every position set to one
	// place, so that the printer cannot carry the source's line breaks.
	pos := token.Pos(fset.File(af.Pos()).Base())
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	print := func(n ast.Node) ([]byte, error) {
		if s, ok := n.(ast.Spec); ok {
			n = &ast.GenDecl{TokPos: pos, Tok: specDecl[s].Tok, Specs: []ast.Spec{s}}
		}
		FlattenPositions(n, pos)
		var b bytes.Buffer
		if err := cfg.Fprint(&b, fset, n); err != nil {
			return nil, fmt.Errorf("funcsource: %s: printing its source: %w", name, err)
		}
		return b.Bytes(), nil
	}
	out, err := print(root)
	if err != nil {
		return nil, err
	}
	var deps [][]byte
	for n := range seen {
		if n == root {
			continue
		}
		b, err := print(n)
		if err != nil {
			return nil, err
		}
		deps = append(deps, b)
	}
	// Sorted so that the order of the declarations in the file (GoNB's
	// order of cells) does not count.
	slices.SortFunc(deps, bytes.Compare)
	for _, b := range deps {
		out = append(out, "\n\n"...)
		out = append(out, b...)
	}
	return append(out, '\n'), nil
}

// checkVars refuses a package-level variable of vars that af assigns (or
// changes an element or field of) or takes the address of: its declaration
// does not say what the function sees.
func checkVars(fset *token.FileSet, af *ast.File, name string, vars map[*ast.Object]bool) error {
	if len(vars) == 0 {
		return nil
	}
	var bad *ast.Ident
	changed := func(e ast.Expr) {
		for bad == nil {
			switch x := e.(type) {
			case *ast.ParenExpr:
				e = x.X
			case *ast.SelectorExpr:
				e = x.X
			case *ast.IndexExpr:
				e = x.X
			case *ast.IndexListExpr:
				e = x.X
			case *ast.StarExpr:
				e = x.X
			case *ast.Ident:
				if vars[x.Obj] {
					bad = x
				}
				return
			default:
				return
			}
		}
	}
	ast.Inspect(af, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, e := range n.Lhs {
					changed(e)
				}
			}
		case *ast.IncDecStmt:
			changed(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				changed(n.Key)
				if n.Value != nil {
					changed(n.Value)
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				changed(n.X)
			}
		}
		return bad == nil
	})
	if bad != nil {
		return fmt.Errorf("funcsource: %s uses the package-level var %s, which is changed at %s: its declaration does not say its value; make it a const, or write the value inside the function", name, bad.Name, fset.Position(bad.Pos()))
	}
	return nil
}

// assumedName is the package name an import path is assumed to have when
// imported without a name, as goimports assumes it (GoNB's main.go is
// written by goimports, which names an import that does not follow this):
// the last element, skipping a major version (v2) and a go- prefix, up to
// its first character that cannot be in an identifier.
func assumedName(importPath string) string {
	base := path.Base(importPath)
	if strings.HasPrefix(base, "v") {
		if _, err := strconv.Atoi(base[1:]); err == nil {
			if dir := path.Dir(importPath); dir != "." {
				base = path.Base(dir)
			}
		}
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexFunc(base, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}); i >= 0 {
		base = base[:i]
	}
	return base
}

var posType = reflect.TypeFor[token.Pos]()

// FlattenPositions sets every valid position in the tree of root to pos,
// leaving the invalid ones (NoPos) as they are, so that go/printer prints
// the tree without the source's layout (line breaks, blank lines): the
// canonical form of a function here, and of a file in fashion.CodeVersion.
func FlattenPositions(root ast.Node, pos token.Pos) {
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		v := reflect.ValueOf(n)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return true
		}
		v = v.Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Type() == posType && f.CanSet() && token.Pos(f.Int()).IsValid() {
				f.SetInt(int64(pos))
			}
		}
		return true
	})
}

// siblingNames are the top-level names declared by the other Go files of
// fileName's directory in package pkg (tests' included: a test file's
// function may use them). A file that does not parse declares nothing here.
func siblingNames(fileName, pkg string) map[string]bool {
	names := make(map[string]bool)
	paths, _ := filepath.Glob(filepath.Join(filepath.Dir(fileName), "*.go"))
	for _, path := range paths {
		if path == fileName {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != pkg {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							names[n.Name] = true
						}
					case *ast.TypeSpec:
						names[sp.Name.Name] = true
					}
				}
			}
		}
	}
	return names
}
