package lab

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// printed runs f and returns what it printed on standard output, line by
// line, and the SVGs it showed (see shown).
func printed(t *testing.T, f func()) (lines []string, svgs [][]byte) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	shown = func(svg []byte) { svgs = append(svgs, svg) }
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	restore := func() string {
		os.Stdout, shown = stdout, nil
		w.Close()
		return <-done
	}
	defer func() {
		if os.Stdout == w { // f stopped the test
			restore()
		}
	}()
	f()
	out := restore()
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n"), svgs
}

// lineAt is the position of the first line matching re from start, or -1.
func lineAt(lines []string, start int, re string) int {
	r := regexp.MustCompile(re)
	for i := start; i < len(lines); i++ {
		if r.MatchString(lines[i]) {
			return i
		}
	}
	return -1
}

// countLines is how many lines match re.
func countLines(lines []string, re string) int {
	r := regexp.MustCompile(re)
	n := 0
	for _, l := range lines {
		if r.MatchString(l) {
			n++
		}
	}
	return n
}

// lab's own lines: not the exercise's epoch line, nor the core's backend
// line.
func ownLines(lines []string) []string {
	var own []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "Epoca actual") && !strings.Contains(l, ": backend ") {
			own = append(own, l)
		}
	}
	return own
}

// TestExperimentAnswersFirst: a cell with three seeds prints its answer
// first (what changed and how the validation accuracy moved, under the
// chart that replaced the live curves), then the details: the comparison
// with the baseline, the mean ± sd, the first seed's epochs in full and
// one line per other seed. All of it, and the chart, in Spanish.
func TestExperimentAnswersFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	tempRuns(t)
	epochs := tiny().Epochs

	lines, _ := printed(t, func() { mustExperiment(t, "baseline", tiny()) })
	if !strings.HasPrefix(lines[0], "baseline v1: primera versión; mejor pérdida de validación ") || !strings.Contains(lines[0], "exactitud de validación") {
		t.Errorf("baseline's answer %q", lines[0])
	}

	cfg := tiny()
	cfg.Dropout = []float64{0.2}
	lines, _ = printed(t, func() { mustExperiment(t, "dropout", cfg, Seeds(3)) })
	if want := "dropout v1 frente a baseline: dropout=[0.2] (antes sin fijar); mejor pérdida de validación "; !strings.HasPrefix(lines[0], want) ||
		!strings.HasSuffix(lines[0], "(medias de 3 semillas)") {
		t.Errorf("a first version's answer %q, want it against the baseline: %q…", lines[0], want)
	}

	cfg.Dropout = []float64{0.5}
	lines, svgs := printed(t, func() { mustExperiment(t, "dropout", cfg, Seeds(3)) })
	t.Logf("the cell's output:\n%s", strings.Join(lines, "\n"))
	answer := regexp.MustCompile(`^dropout v2 frente a v1: dropout=\[0\.5\] \(antes dropout=\[0\.2\]\); ` +
		`mejor pérdida de validación \d\.\d{4} → \d\.\d{4} \([+-]\d\.\d{4}\); ` +
		`exactitud de validación \d+\.\d\d% → \d+\.\d\d% \([+-]\d+\.\d\d puntos\) \(medias de 3 semillas\)$`)
	if !answer.MatchString(lines[0]) {
		t.Errorf("first line %q, want the answer", lines[0])
	}
	details := lineAt(lines, 1, `^Detalles:$`)
	vsBase := lineAt(lines, 1, `^dropout v2 frente a baseline: `)
	mean := lineAt(lines, 1, `^dropout, 3 semillas: mejor pérdida de validación .* ± .*\(media ± desviación estándar\)$`)
	firstEpoch := lineAt(lines, 1, `^Epoca actual : 0/`)
	seed42 := lineAt(lines, 1, `^dropout semilla 42: mejor pérdida de validación `)
	seed43 := lineAt(lines, 1, `^dropout semilla 43: mejor pérdida de validación `)
	seed44 := lineAt(lines, 1, `^dropout semilla 44: mejor pérdida de validación `)
	if !(0 < details && details < vsBase && vsBase < mean && mean < firstEpoch && firstEpoch < seed42 && seed42 < seed43 && seed43 < seed44) {
		t.Errorf("order: details %d, against the baseline %d, mean %d, first epoch %d, seeds %d %d %d; want increasing",
			details, vsBase, mean, firstEpoch, seed42, seed43, seed44)
	}
	if n := countLines(lines, `^Epoca actual`); n != epochs {
		t.Errorf("%d epoch lines, want the first seed's %d alone", n, epochs)
	}
	if seed44 != len(lines)-1 || seed43 != seed42+1 {
		t.Errorf("the other seeds take more than a line each: seeds at %d, %d, %d of %d lines", seed42, seed43, seed44, len(lines))
	}
	for _, l := range ownLines(lines) {
		l = strings.NewReplacer("baseline", "", "dropout", "").Replace(l)
		if w := englishWords.FindString(l); w != "" {
			t.Errorf("line %q has the English word %q", l, w)
		}
	}
	// The chart shown last, in place of the live curves, is the versions'.
	if len(svgs) == 0 {
		t.Fatal("no chart shown")
	}
	d := noEnglish(t, "versions chart", svgs[len(svgs)-1], "baseline", "dropout")
	for _, s := range []string{"dropout v2: frente a sus versiones anteriores y la línea base (media ± desviación estándar de 3 semillas)",
		"pérdida de entrenamiento", "pérdida de validación", "pérdida", "época", "v1", "v2 (esta celda)", "baseline"} {
		if !d.HasText(s) {
			t.Errorf("versions chart: text %q missing; texts %q", s, d.Texts)
		}
	}

	// Run again, unchanged: read back, the same answer, the first seed's
	// stored epochs in full and the other seeds in a line each.
	again, _ := printed(t, func() { mustExperiment(t, "dropout", cfg, Seeds(3)) })
	if again[0] != lines[0] {
		t.Errorf("re-run's answer %q, want %q", again[0], lines[0])
	}
	stored := lineAt(again, 1, `^dropout semilla 42: entrenamiento guardado \w+ \(entrenado el .*\); no se vuelve a entrenar$`)
	if stored < lineAt(again, 1, `^Detalles:$`) || countLines(again, `^Epoca actual`) != epochs ||
		countLines(again, `^dropout semilla 4[34] \(guardado\): mejor pérdida`) != 2 || again[len(again)-1] == "" {
		t.Errorf("re-run's output:\n%s", strings.Join(again, "\n"))
	}
}
