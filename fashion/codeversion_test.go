package fashion

import (
	"go/parser"
	"go/token"
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
	"fmt"
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
`

// TestCodeVersionIgnoresComments: an edit to a comment or to the layout
// keeps the hash (stored runs stay valid); an edit to the code, a build
// constraint or a //go: directive changes it.
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
