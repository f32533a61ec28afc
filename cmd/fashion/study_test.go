package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

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
