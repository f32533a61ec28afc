package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The notebook, notebooks/fashion.ipynb, is the source of its cells: edit it
// in JupyterLab and save, then refresh its outputs with
// notebooks/run_notebook.py --in-place. These tests read the committed file;
// its experiment cells are also the study's variants, and fashion/study's
// tests check that the study reads them (TestCommittedNotebookVariants).

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
		"## Funciones de activación avanzadas", "## LR scheduling",
		"# Tu propia técnica", "## Max-norm, con dropout", "## L1", "# Comparación",
		"## ¿Qué diferencias son reales?", "# Evaluación final"}
	next := 0
	firstCode := true
	funcDecl := regexp.MustCompile(`(?m)^func |^type `)
	failure := regexp.MustCompile(`(?m)^panic: |exit status [1-9]`)
	// A machine's own folders in an output (where the checkout, a home, the
	// data or a temporary folder was): outputs name things as a user does
	// (xla:cpu, the data's source).
	machinePath := regexp.MustCompile(`(^|[^\w.])/(home|root|work|tmp|private|Users|mnt|usr|opt|var)/`)
	for i, c := range nb.Cells {
		src := text(c.Source)
		switch c.CellType {
		case "markdown":
			for next < len(sections) && strings.Contains(src, sections[next]) {
				next++
			}
		case "code":
			if firstCode {
				if !strings.Contains(src, "go mod edit -replace "+"github.com/fashion-gomlx/fashion-gomlx") || !strings.Contains(src, "-require "+"github.com/fashion-gomlx/fashion-gomlx") ||
					!strings.Contains(src, "-replace "+"github.com/gomlx/go-xla=") {
					t.Errorf("first code cell does not point the notebook's go.mod at the repository:\n%s", src)
				}
				firstCode = false
			}
			// The longest are the combinations: one line per changed Config
			// field (ten to eleven), which the study reads as its variants
			// (fashion/study's ReadNotebook); and the techniques a learner
			// writes in GoMLX in the cell (Tu propia técnica).
			limit := 14
			if strings.Contains(src, "fashion.Technique{") {
				limit = 24
			}
			if n := strings.Count(src, "\n") + 1; n > limit {
				t.Errorf("code cell %d has %d lines, want a few", i, n)
			}
			if funcDecl.MatchString(src) {
				t.Errorf("code cell %d declares functions or types: package code belongs in fashion/", i)
			}
			for _, o := range c.Outputs {
				if o.OutputType == "error" || failure.MatchString(text(o.Text)) {
					t.Errorf("code cell %d has a failed output: %.200s", i, text(o.Text))
				}
				if m := machinePath.FindString(text(o.Text)); m != "" {
					t.Errorf("code cell %d's output names a folder of this machine (%q): %.200s", i, m, text(o.Text))
				}
			}
		}
	}
	if next != len(sections) {
		t.Errorf("section %q missing or out of order", sections[next])
	}
}
