package lab

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// corePackageDir is the directory of the fashion package's sources: next to
// this package's when it was compiled from a checkout (a notebook's go.mod
// points at one), else under fashion.RepoRoot().
func corePackageDir() (string, error) {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), "..")
		if _, err := os.Stat(filepath.Join(dir, "model.go")); err == nil {
			return filepath.Clean(dir), nil
		}
		tried = append(tried, dir)
	}
	if root := fashion.RepoRoot(); root != "" {
		dir := filepath.Join(root, "fashion")
		if _, err := os.Stat(filepath.Join(dir, "model.go")); err == nil {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("lab: the fashion package's sources are not on disk (looked in %s)", strings.Join(append(tried, "the repository root"), ", "))
}

// GoSource returns the source of functions and methods of the fashion
// package, with their doc comments, as gofmt prints them, from the files
// that were compiled: "dense" names a function, "RMSprop.UpdateGraph" a
// method. What a notebook shows is then the code that runs, never a copy
// that could drift. It fails for a name the package does not declare.
func GoSource(names ...string) (string, error) {
	if len(names) == 0 {
		return "", errors.New("lab: GoSource: no function named")
	}
	dir, err := corePackageDir()
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	type found struct {
		decl *ast.FuncDecl
		file *ast.File
	}
	decls := map[string]found{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("lab: %w", err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				decls[funcName(fd)] = found{fd, f}
			}
		}
	}
	var b bytes.Buffer
	for i, name := range names {
		d, ok := decls[name]
		if !ok {
			return "", fmt.Errorf("lab: GoSource: the fashion package (%s) declares no function %q (methods are named Type.Method)", dir, name)
		}
		if i > 0 {
			b.WriteString("\n\n")
		}
		// CommentedNode keeps the comments inside the function; the doc
		// comment is printed from the declaration itself.
		if err := printer.Fprint(&b, fset, &printer.CommentedNode{Node: d.decl, Comments: d.file.Comments}); err != nil {
			return "", fmt.Errorf("lab: %w", err)
		}
	}
	b.WriteString("\n")
	return b.String(), nil
}

// funcName is "f" for a function, "T.m" for a method of T or *T.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// DisplayGoSource shows GoSource(names...) as a Go code block (printed as
// text outside a notebook).
func DisplayGoSource(names ...string) error {
	src, err := GoSource(names...)
	if err != nil {
		return err
	}
	// gofmt indents with tabs, which a notebook draws 8 columns wide: the
	// longer lines would wrap.
	return DisplayMarkdown("```go\n" + strings.ReplaceAll(src, "\t", "    ") + "```\n")
}
