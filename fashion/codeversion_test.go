package fashion

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"strings"
	"testing"
)

// codeVersionBase is the file the variants of TestCodeVersionIgnoresComments
// edit.
const codeVersionBase = `//go:build !race

// Package p is a sample.
package p

import (
	"embed"
	"errors"
	"fmt"
	"log"
	stderrors "errors"
)

// Scale is a constant.
const Scale = 2

//go:embed *.txt
var texts embed.FS

var other embed.FS

type Alias = int

var table = []int{1, 2, 3}

/* F sums. */
func F(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x * Scale // line comment
	}
	fmt.Println("sum", table)
	return s + G(xs...)
}

func G(xs ...int) int { return len(xs) }

var errBad = errors.New("bad input")

var errWorse = stderrors.New("worse input")

func H(name string, err error) error {
	switch name {
	case "relu":
		return nil
	}
	if name == "" {
		panic("empty name")
	}
	if len(name) > 9 {
		panic(fmt.Sprintf("name %q is too long", name))
	}
	log.Printf("checking %s", name)
	label := fmt.Sprintf("layer %s", name)
	return fmt.Errorf("fashion: %q is invalid"+" for %s: %w", label, "H", err)
}
`

// TestCodeVersionIgnoresComments: an edit to a comment, to the layout or to
// the words of an error message, a panic or a log line keeps the hash
// (stored runs stay valid); an edit to the code, another string, a message's
// format verbs, a build constraint or a //go: directive changes it.
func TestCodeVersionIgnoresComments(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old, new  string // new replaces the first old in codeVersionBase
		wantEqual bool
	}{
		// Comments.
		{"line comment edited", "// line comment", "// another line comment", true},
		{"line comment removed", " // line comment", "", true},
		{"line comment on its own line", "\ts := 0\n", "\ts := 0\n\t// the running sum\n", true},
		{"doc comment edited", "// Scale is a constant.", "// Scale scales.", true},
		{"doc comment added", "func G(", "// G counts.\n// It has two lines.\nfunc G(", true},
		{"doc comment removed", "// Scale is a constant.\n", "", true},
		{"package comment removed", "// Package p is a sample.\n", "", true},
		{"block comment edited", "/* F sums. */", "/*\nF sums\nits arguments.\n*/", true},
		{"block comment inline", "s := 0", "s := /* zero */ 0", true},
		{"comment moved", "\t\ts += x * Scale // line comment\n", "\t\t// line comment\n\t\ts += x * Scale\n", true},
		// Layout: what gofmt undoes, or keeps as written.
		{"not gofmt-ed", "\ts := 0\n", "\ts:=0;\n", true},
		{"indentation", "\treturn s + G(xs...)", "        return s+G( xs... )", true},
		{"blank lines", "\tfmt.Println", "\n\n\tfmt.Println", true},
		{"literal split over lines", "[]int{1, 2, 3}", "[]int{\n\t1,\n\t2,\n\t3,\n}", true},
		{"one-line body", "func G(xs ...int) int { return len(xs) }", "func G(xs ...int) int {\n\treturn len(xs)\n}", true},
		// The words of messages.
		{"errors.New text", `"bad input"`, `"the input is bad"`, true},
		{"errors.New text, package renamed", `"worse input"`, `"even worse input"`, true},
		{"fmt.Errorf words", `"fashion: %q is invalid"`, `"fashion: %q is not valid"`, true},
		{"fmt.Errorf literal value", `"H", err`, `"func H", err`, true},
		{"panic text", `panic("empty name")`, `panic("the name is empty")`, true},
		{"panic through Sprintf", `"name %q is too long"`, `"name %q: too long"`, true},
		{"log line", `"checking %s"`, `"now checking %s"`, true},
		// Message verbs: which argument an error wraps.
		{"fmt.Errorf %w to %v", `%s: %w"`, `%s: %v"`, false},
		{"fmt.Errorf verb added", `"fashion: %q is invalid"`, `"fashion: %q (%d) is invalid"`, false},
		{"fmt.Errorf argument", `label, "H", err`, `name, "H", err`, false},
		// Other strings decide what runs.
		{"compared string", `case "relu":`, `case "relu6":`, false},
		{"Sprintf outside a panic", `"layer %s"`, `"layers %s"`, false},
		// Code.
		{"constant value", "const Scale = 2", "const Scale = 3", false},
		{"identifier", "s := 0\n", "t := 0\n\ts := t\n", false},
		{"identifier renamed", "func G(xs ...int) int { return len(xs) }", "func G(ys ...int) int { return len(ys) }", false},
		{"statement added", "\treturn s", "\ts++\n\treturn s", false},
		{"string literal", `"sum"`, `"total"`, false},
		{"operator", "s += x", "s -= x", false},
		{"variadic call", "G(xs...)", "G(xs)", false},
		{"alias to defined type", "type Alias = int", "type Alias int", false},
		// Directives: comments to the parser, code to the toolchain.
		{"build constraint", "//go:build !race", "//go:build race", false},
		{"build constraint removed", "//go:build !race\n", "", false},
		{"old build constraint added", "//go:build !race\n", "//go:build !race\n// +build !race\n", false},
		{"embed pattern", "//go:embed *.txt", "//go:embed *.csv", false},
		{"embed moved", "//go:embed *.txt\nvar texts embed.FS\n\nvar other embed.FS", "var texts embed.FS\n\n//go:embed *.txt\nvar other embed.FS", false},
		{"directive added", "func G(", "//go:noinline\nfunc G(", false},
		{"directive in doc comment kept", "// Scale is a constant.", "// Scale is a constant.\n//\n//go:generate true", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(codeVersionBase, tc.old) {
				t.Fatalf("%q is not in the base file", tc.old)
			}
			edited := strings.Replace(codeVersionBase, tc.old, tc.new, 1)
			if _, err := parser.ParseFile(token.NewFileSet(), "p.go", edited, 0); err != nil {
				t.Fatalf("the edited file does not parse: %v", err)
			}
			base := codeHash(map[string][]byte{"p.go": []byte(codeVersionBase)})
			got := codeHash(map[string][]byte{"p.go": []byte(edited)})
			if (got == base) != tc.wantEqual {
				t.Errorf("hash %s after the edit, %s before; want equal=%v\n%s", got, base, tc.wantEqual, edited)
			}
		})
	}
}

// TestCodeVersionFileSet: every file counts, under its name, in any order
// of the map.
func TestCodeVersionFileSet(t *testing.T) {
	a, b := []byte("package p\n\nconst A = 1\n"), []byte("package p\n\nconst B = 2\n")
	both := codeHash(map[string][]byte{"a.go": a, "b.go": b})
	for i := range 20 { // Map order varies from run to run.
		if got := codeHash(map[string][]byte{"b.go": b, "a.go": a}); got != both {
			t.Fatalf("run %d: hash %s, want %s", i, got, both)
		}
	}
	for _, other := range []map[string][]byte{
		{"a.go": a},
		{"a.go": a, "c.go": b},
		{"a.go": b, "b.go": a},
		{"a.go": a, "b.go": b, "c.go": []byte("package p\n")},
	} {
		if codeHash(other) == both {
			t.Errorf("%v hashes as {a.go, b.go}", other)
		}
	}
}

// TestCodeVersionUnparsable: a file that does not parse is not skipped: it
// is hashed byte for byte, so any edit to it, a comment included, counts.
// So is a cgo file, whose comment above import "C" is C code.
func TestCodeVersionUnparsable(t *testing.T) {
	good := []byte("package p\n\nconst A = 1\n")
	broken := "package p\n\n// half done\nfunc F( {\n"
	if _, err := canonicalSource("b.go", []byte(broken)); err == nil {
		t.Fatal("canonicalSource accepts a file that does not parse")
	}
	withBroken := codeHash(map[string][]byte{"a.go": good, "b.go": []byte(broken)})
	if withBroken == codeHash(map[string][]byte{"a.go": good}) {
		t.Error("a file that does not parse is left out of the hash")
	}
	for _, edit := range []string{
		strings.Replace(broken, "half done", "half finished", 1),
		strings.Replace(broken, "func F( {", "func F(x int {", 1),
		broken + "\n",
	} {
		if codeHash(map[string][]byte{"a.go": good, "b.go": []byte(edit)}) == withBroken {
			t.Errorf("an edit to a file that does not parse keeps the hash:\n%s", edit)
		}
	}

	cgo := "package p\n\n// int two(void) { return 2; }\nimport \"C\"\n\nvar Two = C.two()\n"
	if _, err := canonicalSource("c.go", []byte(cgo)); err == nil {
		t.Error("canonicalSource drops the C code of a cgo file")
	}
	edited := strings.Replace(cgo, "return 2", "return 3", 1)
	if codeHash(map[string][]byte{"c.go": []byte(cgo)}) == codeHash(map[string][]byte{"c.go": []byte(edited)}) {
		t.Error("an edit to the C code of a cgo file keeps the hash")
	}
}

// TestCodeVersionSourcesParse: every hashed file of the package has its
// comment-free form (none falls back to its raw bytes, which would make a
// comment edit retrain), and that form is Go that parses.
func TestCodeVersionSourcesParse(t *testing.T) {
	for _, name := range sourceNames() {
		src, err := sources.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		canon, err := canonicalSource(name, src)
		if err != nil {
			t.Errorf("%s is hashed as raw bytes: %v", name, err)
			continue
		}
		_, code, _ := strings.Cut(string(canon), "--\n")
		if _, err := parser.ParseFile(token.NewFileSet(), name, code, 0); err != nil {
			t.Errorf("the canonical form of %s does not parse: %v\n%s", name, err, code)
		}
	}
}

// packageFiles returns the package's embedded non-test sources.
func packageFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	for _, name := range sourceNames() {
		data, err := sources.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	return files
}

// TestCodeVersionRealEdits edits copies of the package's own files: what
// cannot change a run's numbers keeps the version, what can changes it.
func TestCodeVersionRealEdits(t *testing.T) {
	files := packageFiles(t)
	base := packageVersion(files)
	for _, tc := range []struct {
		name, file, old, new string
		wantSame             bool
	}{
		// Messages, wherever they are.
		{"error message in the model", "model.go", `"fashion: Config.Init = %q is invalid: want one of %s"`, `"fashion: Config.Init %q: want one of %s"`, true},
		{"panic message in the model", "model.go", `"fashion: unknown activation %q"`, `"fashion: no activation %q"`, true},
		{"error message in the optimizer", "optim.go", `"fashion: gradients and trainable variables differ in number"`, `"fashion: one gradient per variable"`, true},
		// Files that only map, fetch, store or show.
		{"flag help", "flags.go", `"learning rate"`, `"learning rate (lr)"`, true},
		{"flag code", "flags.go", `strings.TrimSpace(part)`, `part`, true},
		{"cache", "cache.go", `attempt == 3`, `attempt == 5`, true},
		{"run record code", "run.go", `r.KeptValAccuracy() > best.KeptValAccuracy()`, `r.KeptValAccuracy() >= best.KeptValAccuracy()`, true},
		{"printed epoch line", "format.go", `Train loss : %.4f`, `Train loss : %.5f`, true},
		{"download", "download.go", `mirror += "/"`, `mirror = mirror + "/"`, true},
		// The code that decides the numbers.
		{"model constant", "model.go", `Epsilon(1e-5)`, `Epsilon(1e-6)`, false},
		{"activation name compared", "model.go", `case "leaky_relu":`, `case "leakyrelu":`, false},
		{"optimizer comparison", "optim.go", `if o.Momentum != 0 {`, `if o.Momentum > 0 {`, false},
		{"dropout comparison", "model.go", `if p <= 0 || !mctx.IsTraining(x.Graph()) {`, `if p < 0 || !mctx.IsTraining(x.Graph()) {`, false},
		{"record field's JSON name", "run.go", `json:"test_accuracy"`, `json:"test_acc"`, false},
		{"wrapped error no longer wrapped", "swa.go", `"fashion: SWA, validation: %w"`, `"fashion: SWA, validation: %v"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := string(files[tc.file])
			if !strings.Contains(src, tc.old) {
				t.Fatalf("%q is not in %s", tc.old, tc.file)
			}
			edited := maps.Clone(files)
			edited[tc.file] = []byte(strings.Replace(src, tc.old, tc.new, 1))
			if _, err := parser.ParseFile(token.NewFileSet(), tc.file, edited[tc.file], 0); err != nil {
				t.Fatalf("the edited %s does not parse: %v", tc.file, err)
			}
			if same := packageVersion(edited) == base; same != tc.wantSame {
				t.Errorf("%s: %q -> %q: same version %v, want %v", tc.file, tc.old, tc.new, same, tc.wantSame)
			}
		})
	}
}

// TestCodeVersionExcludedCalls: the hashed files use these functions of
// the files of notHashed, each harmless for the numbers for the reason
// given. A new use fails the test until it is reviewed: an excluded file
// that the training code came to depend on must be hashed again.
func TestCodeVersionExcludedCalls(t *testing.T) {
	reviewed := map[string]string{
		"DefaultRunsDir": "where the run cache is: the XLA autotune folder (backend.go, session.go) and the teacher's runs (teacher.go)",
		"TrainCached":    "teacher.go: the teacher's run, read back whole (checked by SHA-256) or trained through the session",
		"Cache":          "teacher.go: the cache of the teacher's run",
		"CacheOptions":   "teacher.go: the teacher's TrainCached call",
		"PutFile":        "teacher.go: keeps the teacher's logits beside its run, with their SHA-256 in the record",
		"File":           "teacher.go: reads the teacher's logits back, only when their SHA-256 matches (else they are computed again)",
		"ErrNotCached":   "teacher.go: tells a missing logits file (computed again) from another error",
		"download":       "data.go: fetches missing files, whose content LoadWith then checks",
		"Run":            "the record training returns; its type declaration is hashed (recordTypesOnly)",
		"Param":          "the record's weights; hashed with Run",
	}
	fset := token.NewFileSet()
	parsed := make(map[string]*ast.File)
	for name, src := range packageFiles(t) {
		// Resolved: a name the file declares locally is not in Unresolved.
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = f
	}
	// declared lists the names of the top-level declarations of a file,
	// and apart its methods.
	declared := func(f *ast.File) (names, methods []string) {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					methods = append(methods, d.Name.Name)
				} else {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						names = append(names, spec.Name.Name)
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
		return names, methods
	}
	excluded, excludedMethods, inHashed := make(map[string]string), make(map[string]string), make(map[string]bool)
	for name, f := range parsed {
		names, methods := declared(f)
		for _, d := range names {
			if notHashed[name] != "" {
				excluded[d] = name
			} else {
				inHashed[d] = true
			}
		}
		for _, m := range methods {
			if notHashed[name] != "" {
				excludedMethods[m] = name
			} else {
				inHashed[m] = true
			}
		}
	}
	// Package-level names of other files are the file's unresolved
	// identifiers; methods are selectors. A method name also declared in a
	// hashed file (a String method) cannot be told apart without types: it
	// is left out.
	used := make(map[string]bool)
	for name, f := range parsed {
		if notHashed[name] != "" {
			continue
		}
		for _, id := range f.Unresolved {
			if excluded[id.Name] != "" {
				used[id.Name] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && excludedMethods[sel.Sel.Name] != "" && !inHashed[sel.Sel.Name] {
				used[sel.Sel.Name] = true
				excluded[sel.Sel.Name] = excludedMethods[sel.Sel.Name]
			}
			return true
		})
	}
	for name := range used {
		if reviewed[name] == "" {
			t.Errorf("hashed code uses %s of %s, which CodeVersion does not hash: review it (see notHashed)", name, excluded[name])
		}
	}
	for name := range reviewed {
		if !used[name] {
			t.Errorf("%s is reviewed but no longer used by hashed code: drop it from the list", name)
		}
	}
}
