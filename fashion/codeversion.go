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
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fashion-gomlx/fashion-gomlx/internal/funcsource"
)

// sources are the package's Go files. CodeVersion hashes the code of those
// that can change a run's numbers: all but the test files and notHashed.
// A hand-kept list of what is hashed once served stale runs, so it is the
// exclusions that are listed, each with why, and a file added to the
// package is hashed until someone argues otherwise.
// What is hashed is the code, not the text: an edit to a comment, a blank
// line, gofmt or the words of an error message keeps the version, so stored
// runs are served as before; a change to the code, the build constraints or
// another //go: directive retrains (see codeHash). A file that does not
// parse is hashed byte for byte, the safe side.
// TestCodeVersionCoversEverySource checks the set against the directory.
//
//go:embed *.go
var sources embed.FS

// notHashed are the package's files whose code cannot change the numbers
// of a run (its history, test scores and weights), each with why. A run's
// key holds its full Config, the checksum of the data read and this
// version, so code that only maps input to a Config, fetches files whose
// content is checked, or stores, reads back and shows finished runs is
// left out: editing it retrained every stored run for nothing.
//
// Training code does call into these files, through the functions that
// TestCodeVersionExcludedCalls lists with why each is harmless; a new call
// fails that test until it is reviewed.
var notHashed = map[string]string{
	"cache.go": "the run cache: RunKey, where entries live and how they are written and read back " +
		"(a stored run's weights are checked against the SHA-256 in its record, so a run read back " +
		"is the one stored, or it is trained again), and TrainCached, which trains a missing run " +
		"through Session.trainValidated with the very Config its key was taken from",
	"codeversion.go": "this version itself: a change to what is hashed changes the version by itself; " +
		"one that hashes the same is no reason to retrain",
	"download.go": "fetches the data set's files; LoadWith (data.go, hashed) checks their content " +
		"against Checksums(), and the checksum of the content read is part of the run key",
	"exercise.go": "the exercise's PyTorch log, a reference that runs are shown next to; nothing trains from it",
	"flags.go": "binds command-line flags to Config fields; whatever a flag sets is in the Config, " +
		"and the full Config is part of the run key",
	"format.go": "the line printed per epoch, which nothing reads back",
	"run.go": "the run record: saving, reading, and the choice between finished runs " +
		"(its types stay hashed, see recordTypesOnly)",
}

// recordTypesOnly are the files of notHashed whose type declarations are
// hashed all the same: run.go's Run and Param are the stored record and
// weights, decoded by field name (JSON, gob), so a renamed or retyped field
// would read every stored run back with zeros.
var recordTypesOnly = map[string]bool{"run.go": true}

// sourceNames are the package's non-test files, sorted.
func sourceNames() []string {
	names, _ := fs.Glob(sources, "*.go")
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasSuffix(n, "_test.go") })
	slices.Sort(names)
	return names
}

// CodeVersion is a short hash of the code that decides training results:
// the package's non-test sources but those of notHashed, without comments,
// layout or the words of error messages.
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
	return packageVersion(files)
})

// packageVersion is CodeVersion of a set of the package's files, file name
// -> contents: the codeHash of those not in notHashed, with only the type
// declarations of recordTypesOnly.
func packageVersion(files map[string][]byte) string {
	hashed := make(map[string][]byte)
	for name, src := range files {
		switch {
		case strings.HasSuffix(name, "_test.go"):
		case recordTypesOnly[name]:
			hashed[name] = typeDecls(name, src)
		case notHashed[name] == "":
			hashed[name] = src
		}
	}
	return codeHash(hashed)
}

// typeDecls returns the type declarations of a Go file as a file of their
// own, or src whole if it does not parse (the safe side).
func typeDecls(name string, src []byte) []byte {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return src
	}
	file.Decls = slices.DeleteFunc(file.Decls, func(d ast.Decl) bool {
		g, ok := d.(*ast.GenDecl)
		return !ok || g.Tok != token.TYPE
	})
	file.Imports, file.Comments, file.Doc = nil, nil, nil
	var out bytes.Buffer
	if err := printer.Fprint(&out, fset, file); err != nil {
		return src
	}
	return out.Bytes()
}

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
// The words of error messages, panics and log lines are left out too (see
// blankMessages): a message is read by a person, never by the numbers.
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
	blankMessages(file)
	funcsource.FlattenPositions(file, token.Pos(fset.File(file.Pos()).Base()))
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

// messageKind is how a call's string arguments are read: as a format
// (its first argument; the others are values) or as text.
type messageKind int

const (
	textMessage messageKind = iota + 1
	formatMessage
)

// messageCalls are the calls whose string literal arguments are messages
// for a person, by import path and function. Only these: a string passed
// anywhere else may decide the numbers (an activation's name compared in
// a switch, a variable's scope) and stays hashed, and so do the messages
// the package builds with helpers of its own (Config.Validate's).
var messageCalls = map[string]map[string]messageKind{
	"fmt":    {"Errorf": formatMessage},
	"errors": {"New": textMessage},
	"log": {
		"Print": textMessage, "Println": textMessage, "Printf": formatMessage,
		"Fatal": textMessage, "Fatalln": textMessage, "Fatalf": formatMessage,
		"Panic": textMessage, "Panicln": textMessage, "Panicf": formatMessage,
	},
}

// blankMessages replaces, in file, each string literal argument of a call
// of messageCalls and of the builtin panic (directly, or through
// fmt.Sprintf) with its format verbs alone: "" for text, "%q%w" for
// "fashion: %q is invalid: %w". The verbs stay: they decide which argument
// an error wraps (%w), and so what errors.Is finds, which code may act on.
// Strings built by other means (constants, variables, concatenation with
// a value) stay as they are, the safe side.
func blankMessages(file *ast.File) {
	imported := make(map[string]string) // local name -> import path
	for _, imp := range file.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imported[name] = path
	}
	// pkgFunc is the import path and name of a call of a package's
	// function, or "", "".
	pkgFunc := func(call *ast.CallExpr) (path, name string) {
		if fun, ok := call.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := fun.X.(*ast.Ident); ok {
				return imported[pkg.Name], fun.Sel.Name
			}
		}
		return "", ""
	}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if fun, ok := call.Fun.(*ast.Ident); ok && fun.Name == "panic" && len(call.Args) == 1 {
			if inner, ok := call.Args[0].(*ast.CallExpr); ok {
				if path, name := pkgFunc(inner); path == "fmt" && name == "Sprintf" {
					blankArgs(inner.Args, formatMessage)
				}
			}
			blankArgs(call.Args, textMessage)
			return true
		}
		path, name := pkgFunc(call)
		if kind := messageCalls[path][name]; kind != 0 {
			blankArgs(call.Args, kind)
		}
		return true
	})
}

// blankArgs blanks the string literal arguments of a message call of kind.
func blankArgs(args []ast.Expr, kind messageKind) {
	for i, arg := range args {
		s, ok := stringConstant(arg)
		if !ok {
			continue
		}
		keep := ""
		if kind == formatMessage && i == 0 {
			keep = formatVerbs(s)
		}
		args[i] = &ast.BasicLit{ValuePos: arg.Pos(), Kind: token.STRING, Value: strconv.Quote(keep)}
	}
}

// stringConstant is the value of a string literal, or of a sum of them.
func stringConstant(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringConstant(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, okX := stringConstant(e.X)
		y, okY := stringConstant(e.Y)
		return x + y, okX && okY
	}
	return "", false
}

// formatVerbs returns the verbs of a fmt format in order, each as written
// ("%w", "%.4f", "%[2]d", "%*d"); "%%" is text.
func formatVerbs(format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[j]) >= 0 {
			j++
		}
		if j == len(format) {
			b.WriteString(format[i:])
			break
		}
		_, size := utf8.DecodeRuneInString(format[j:])
		if format[j] != '%' {
			b.WriteString(format[i : j+size])
		}
		i = j + size - 1
	}
	return b.String()
}
