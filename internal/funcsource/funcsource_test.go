package funcsource

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const scale = 2.0

func double(x float64) float64 {
	return x * scale
}

var rate = 0.5

var changed = 1.0

func setChanged() { changed = 2 }

type stepper struct{ k float64 }

func (s stepper) step(x float64) float64 { return s.k * x }

func (s *stepper) bump() { s.k++ }

func generic[X any](x X) X { return x }

var pkgLit = func(x float64) float64 {
	return x * 3
}

// l1 returns a closure over amount, as gomlx's regularizers.L1 does.
func l1(amount float64) func(float64) float64 {
	return func(x float64) float64 {
		return amount * x
	}
}

// TestOf takes the source of functions of this very file (the test binary
// is built without -trimpath, next to its sources): what is versioned, and
// what is refused with which error.
func TestOf(t *testing.T) {
	bound := 3.0
	outer := func() func() int {
		return func() int {
			return 7
		}
	}
	a, b := func() int { return 1 }, func() int { return 2 }
	var nilFunc func()
	tests := []struct {
		name string
		fn   any
		// code are substrings of Source.Code (the function and the
		// declarations it uses; the canonical form puts a short body on
		// its func's line), err one of the error.
		code []string
		err  string
	}{
		{name: "literal using a helper and a const", fn: func(x float64) float64 {
			return double(x) + 1 // a comment
		}, code: []string{"func(x float64) float64 { return double(x) + 1 }", "func double(x float64) float64 { return x * scale }", "const scale = 2.0"}},
		{name: "declared function", fn: double, code: []string{"func double(x float64) float64", "const scale = 2.0"}},
		{name: "package-level var, unchanged", fn: func(x float64) float64 {
			return x * rate
		}, code: []string{"var rate = 0.5"}},
		{name: "literal of a package-level var", fn: pkgLit, code: []string{"func(x float64) float64 { return x * 3 }"}},
		{name: "method expression: the type and all its methods", fn: stepper.step,
			code: []string{"func (s stepper) step(", "type stepper struct", "func (s *stepper) bump()"}},
		{name: "outer literal, an inner one on its return line", fn: outer, code: []string{"func() func() int { return func() int { return 7 } }"}},
		{name: "inner literal", fn: outer(), code: []string{"func() int { return 7 }"}},
		{name: "closure", fn: func(x float64) float64 {
			return x * bound
		}, err: "captures bound, local to the function around it"},
		{name: "closure from a constructor", fn: l1(0.1), err: "captures amount"},
		{name: "changed var", fn: func(x float64) float64 {
			return x * changed
		}, err: "package-level var changed, which is changed at"},
		{name: "two literals on a line", fn: a, err: "cannot tell which function literal"},
		{name: "the other literal on that line", fn: b, err: "put each function literal on lines of its own"},
		{name: "method value", fn: stepper{k: 2}.step, err: "is a method value"},
		{name: "generic instance", fn: generic[int], err: "instance of a generic function"},
		{name: "uses another file", fn: func() { inOtherFile() }, err: "uses inOtherFile, not declared in"},
		{name: "nil func", fn: nilFunc, err: "got a nil func()"},
		{name: "not a func", fn: 3, err: "got int, want a func value"},
	}
	file, err := os.ReadFile("funcsource_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Of(tt.fn)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Of: err %v, want one with %q; code:\n%s", err, tt.err, s.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.code {
				if !bytes.Contains(s.Code, []byte(c)) {
					t.Errorf("code lacks %q:\n%s", c, s.Code)
				}
			}
			if !strings.HasSuffix(s.File, "funcsource_test.go") || s.Func == "" || len(s.Hash()) != 12 {
				t.Errorf("got %+v, want this file, a name and a 12-digit hash", s)
			}
			if lines := strings.Split(string(file), "\n"); s.Line < 1 || s.Line > len(lines) || !regexp.MustCompile(`\bfunc[ (]`).MatchString(lines[s.Line-1]) {
				t.Errorf("line %d is not a func's", s.Line)
			}
		})
	}
	_ = setChanged
}

// prog is a program whose versions, built by TestOfEdits, are its edits.
const prog = `package main

import (
	"fmt"

	"fstest/funcsource"
)

const factor = 2.0

func helper(x float64) float64 {
	return x + 1
}

func main() {
	penalty := func(x float64) float64 {
		y := x * factor
		return helper(y) + 0.5
	}
	other := func(x float64) float64 {
		return x - 1
	}
	for _, c := range []struct {
		name string
		fn   any
	}{{"penalty", penalty}, {"other", other}, {"helper", helper}} {
		if s, err := funcsource.Of(c.fn); err != nil {
			fmt.Printf("%s\terror: %v\n", c.name, err)
		} else {
			fmt.Printf("%s\t%s\n", c.name, s.Hash())
		}
	}
}
`

// TestOfEdits builds edits of prog and compares the versions of its
// functions with prog's: an edit to comments and layout keeps them, one to
// the code changes those of the functions that use it, and only those.
func TestOfEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs: not in -short")
	}
	edits := []struct {
		name string
		// from -> to, applied to prog in turn.
		replace []string
		// changes are the functions whose version must change.
		changes []string
	}{
		{name: "same", replace: nil},
		{name: "layout", replace: []string{
			"const factor = 2.0\n", "// factor scales.\nconst factor = 2.0 // twice\n\n\n",
			"\treturn x + 1\n}", "\treturn x+\n\t\t1 /* one */ }",
			"\t\ty := x * factor\n", "\t\t// y is x, scaled.\n\n\t\ty := x*factor\n\n",
			"helper(y) + 0.5", "helper( y )+0.5 // half",
		}},
		{name: "constant inside", replace: []string{"helper(y) + 0.5", "helper(y) + 0.25"}, changes: []string{"penalty"}},
		{name: "package const", replace: []string{"const factor = 2.0", "const factor = 2.5"}, changes: []string{"penalty"}},
		{name: "helper", replace: []string{"return x + 1", "return x + 2"}, changes: []string{"penalty", "helper"}},
		{name: "other", replace: []string{"return x - 1", "return x - 2"}, changes: []string{"other"}},
	}
	dir := t.TempDir()
	// The program's module holds a copy of this package: a module outside
	// this one cannot import an internal package, and this one has no
	// other dependency.
	write(t, filepath.Join(dir, "go.mod"), "module fstest\n\ngo 1.26\n")
	srcs, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if !strings.HasSuffix(src, "_test.go") {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "funcsource", src), string(data))
		}
	}
	pkgs := []string{"build", "-o", filepath.Join(dir, "bin") + "/"}
	for i, e := range edits {
		code := prog
		for j := 0; j < len(e.replace); j += 2 {
			if strings.Count(code, e.replace[j]) != 1 {
				t.Fatalf("%s: %q is not once in prog", e.name, e.replace[j])
			}
			code = strings.Replace(code, e.replace[j], e.replace[j+1], 1)
		}
		name := "edit" + string(rune('a'+i))
		write(t, filepath.Join(dir, name, "main.go"), code)
		pkgs = append(pkgs, "./"+name)
	}
	// One go build for them all: the package is compiled once.
	build := exec.Command("go", pkgs...)
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(name string) map[string]string {
		out, err := exec.Command(filepath.Join(dir, "bin", name)).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		got := make(map[string]string)
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), "\t")
			got[k] = v
		}
		return got
	}
	base := run("edita")
	for k, v := range base {
		if len(v) != 12 {
			t.Fatalf("prog: %s: %s", k, v)
		}
	}
	for i, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			got := run("edit" + string(rune('a'+i)))
			for _, f := range []string{"penalty", "other", "helper"} {
				want := map[bool]string{false: "the same", true: "a new"}[contains(e.changes, f)]
				if (got[f] != base[f]) != contains(e.changes, f) || len(got[f]) != 12 {
					t.Errorf("%s: %s, prog's %s: want %s version", f, got[f], base[f], want)
				}
			}
		})
	}
	t.Run("source gone", func(t *testing.T) {
		if err := os.Rename(filepath.Join(dir, "edita", "main.go"), filepath.Join(dir, "edita", "moved.go")); err != nil {
			t.Fatal(err)
		}
		got := run("edita")["penalty"]
		for _, want := range []string{"error: funcsource: main.main.func1: cannot read its source file", filepath.Join(dir, "edita", "main.go")} {
			if !strings.Contains(got, want) {
				t.Errorf("got %q, want it to say %q", got, want)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
