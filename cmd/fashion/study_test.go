package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// TestStudyListReadsTheNotebook: "fashion study -list-json" lists the
// variants of the notebook that -notebook names, as its cells set them, and
// a cell that cannot be read is an error naming it.
func TestStudyListReadsTheNotebook(t *testing.T) {
	write := func(cells ...string) string {
		var cs []any
		for i, src := range cells {
			cs = append(cs, map[string]any{"cell_type": "code", "id": "c" + string(rune('0'+i)), "metadata": map[string]any{},
				"outputs": []any{}, "execution_count": nil, "source": src})
		}
		data, err := json.Marshal(map[string]any{"cells": cs, "nbformat": 4, "nbformat_minor": 5})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "nb.ipynb")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	nb := write("%%\nlab.Must(lab.Experiment(\"baseline\", fashion.DefaultConfig(), lab.Seeds(3)))",
		"%%\ncfg := fashion.DefaultConfig()\ncfg.Dropout = []float64{0.25}\nlab.Must(lab.Experiment(\"dropout\", cfg, lab.Seeds(3)))")
	var stdout bytes.Buffer
	if err := run([]string{"study", "-list-json", "-notebook", nb}, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	type variant struct {
		Name    string   `json:"name"`
		GoEdits []string `json:"go_edits"`
		Seeds   int      `json:"seeds"`
		Cell    string   `json:"cell"`
	}
	var listed []variant
	if err := json.Unmarshal(stdout.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(listed, func(v variant) bool { return v.Name == "dropout" })
	if i < 0 || !slices.Equal(listed[i].GoEdits, []string{"cfg.Dropout = []float64{0.25}"}) || listed[i].Seeds != 3 || listed[i].Cell != `cell 1 (id "c1")` {
		t.Errorf("-list-json of a notebook with dropout 0.25:\n%s", stdout.String())
	}

	bad := write("%%\ncfg := fashion.DefaultConfig()\ncfg.Dropout = 0.25\nlab.Must(lab.Experiment(\"dropout\", cfg))")
	err := run([]string{"study", "-list", "-notebook", bad}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `cell 0 (id "c0"): line 3: cfg.Dropout: 0.25: want a literal []float64`) {
		t.Errorf("a cell that cannot be read: error %v", err)
	}
}

// TestStudyFewerEpochsThanSWA: -epochs below the "swa" variant's 10
// averaged epochs trains it with SWA over all of its epochs, where it was
// refused (exit status 2).
func TestStudyFewerEpochsThanSWA(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	runs, out := t.TempDir(), t.TempDir()
	t.Setenv("FASHION_RUNS_DIR", runs)
	args := []string{"study", "-only", "swa", "-epochs", "2", "-train-limit", "600", "-backend", "go",
		"-json", filepath.Join(out, "study.json"), "-md", filepath.Join(out, "study.md")}
	var stdout, stderr bytes.Buffer
	if err := run(args, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("fashion %s: %v (exit status %d)", strings.Join(args, " "), err, exitCode(err))
	}
	stored, err := (fashion.Cache{Dir: runs}).Runs()
	if err != nil || len(stored) == 0 {
		t.Fatalf("no run stored (%v)", err)
	}
	for _, r := range stored {
		if r.Config.Epochs != 2 || r.Config.SWAEpochs != 2 || len(r.History) != 2 {
			t.Errorf("run %s: %d epochs, SWA over %d, %d epochs trained; want 2, 2, 2", r.Key, r.Config.Epochs, r.Config.SWAEpochs, len(r.History))
		}
	}
}
