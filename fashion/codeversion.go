package fashion

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/scanner"
	"go/token"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// sources are the package's Go files. Every non-test one can change a
// run's numbers (the early-stopping restore, the backend's matrix-product
// choice and the evaluation live beside the model and the optimizer), so the
// code version hashes them all: a hand-kept list once served stale runs.
// What is hashed is the code, not the text: an edit to a comment, a blank
// line or gofmt keeps the version, so stored runs are served as before;
// a change to the code, the build constraints or another //go: directive
// retrains (see codeHash). A file that does not parse is hashed byte for
// byte, the safe side. TestCodeVersionCoversEverySource checks the set
// against the directory.
//
//go:embed *.go
var sources embed.FS

// sourceNames are the files CodeVersion hashes, sorted.
func sourceNames() []string {
	names, _ := fs.Glob(sources, "*.go")
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasSuffix(n, "_test.go") })
	slices.Sort(names)
	return names
}

// CodeVersion is a short hash of the package's non-test sources: the code
// that decides training results. Comments and layout are not part of it.
func CodeVersion() string { return codeVersion() }

// codeVersion computes CodeVersion once per process.
var codeVersion = sync.OnceValue(func() string {
	files := make(map[string][]byte)
	for _, name := range sourceNames() {
		data, err := sources.ReadFile(name)
		if err != nil {
			panic(err) // Embedded and listed by the same FS: it cannot fail.
		}
		files[name] = data
	}
	return codeHash(files)
})

// codeHash is a short hash of a set of Go files, file name -> contents,
// taken name by name in sorted order. Each file is hashed in the canonical
// form of canonicalSource, so its comments and layout do not count; a file
// that has none (it does not parse) is hashed as its raw bytes, so it still
// counts, and any edit to it changes the hash.
func codeHash(files map[string][]byte) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		src := files[name]
		kind, data := "code", src
		if canon, err := canonicalSource(name, src); err == nil {
			data = canon
		} else {
			kind = "raw"
		}
		fmt.Fprintf(h, "%s %s %d\n", name, kind, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// errCgo: in a file that imports "C" the comment above the import is C
// code, so such a file has no comment-free form.
var errCgo = errors.New(`imports "C": its comments are code`)

// canonicalSource returns the form of one Go file that codeHash hashes:
// its directives, then its syntax tree, parsed without comments and printed
// with a fixed configuration after every position is set to one place, so
// that the printer cannot carry the source's line breaks (a comment on its
// own line, a blank line, a literal split over lines) into the output.
// What the printer reads from a position beyond its line, whether it is set
// at all (the ... of f(xs...), the = of an alias), is kept.
//
// The directives are the //go: comments (//go:build, which decides whether
// the file compiles at all: race.go and norace.go; //go:embed, which decides
// what a variable holds; //go:noinline...) and // +build lines: comments to
// the parser, code to the toolchain. Each is kept with the number of tokens
// before it, which fixes the declaration it belongs to.
//
// It fails when the file does not parse or imports "C".
func canonicalSource(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, imp := range file.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "C" {
			return nil, errCgo
		}
	}
	var out bytes.Buffer
	if err := writeDirectives(&out, fset, name, src); err != nil {
		return nil, err
	}
	out.WriteString("--\n")
	flattenPositions(file, token.Pos(fset.File(file.Pos()).Base()))
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&out, fset, file); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeDirectives writes each directive comment of src (see
// canonicalSource) on a line of its own, after the number of non-comment
// tokens before it. Comments do not add tokens, and neither do line breaks
// that leave the code the same, so the count moves only with the code.
func writeDirectives(out *bytes.Buffer, fset *token.FileSet, name string, src []byte) error {
	var s scanner.Scanner
	var scanErr error
	s.Init(fset.AddFile(name, -1, len(src)), src, func(pos token.Position, msg string) {
		if scanErr == nil {
			scanErr = fmt.Errorf("%s: %s", pos, msg)
		}
	}, scanner.ScanComments)
	tokens := 0
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok != token.COMMENT {
			tokens++
			continue
		}
		if strings.HasPrefix(lit, "//go:") || strings.HasPrefix(lit, "// +build") {
			fmt.Fprintf(out, "%d %s\n", tokens, strings.TrimRight(lit, " \t\r"))
		}
	}
	return scanErr
}

var posType = reflect.TypeFor[token.Pos]()

// flattenPositions sets every valid position in the tree of root to pos,
// leaving the invalid ones (NoPos) as they are.
func flattenPositions(root ast.Node, pos token.Pos) {
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
