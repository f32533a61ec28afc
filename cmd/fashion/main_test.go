package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func TestBadUsageIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"bogus"},
		{"train", "-nope"},
		{"train", "-epochs", "0"},
		{"train", "-lr", "abc"},
		{"train", "-hidden", "10,x"},
		{"train", "-optimizer", "adagrad"},
		{"train", "extra-arg"},
		{"compare"},
	} {
		err := run(args, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("fashion %v: error %v, want a usage error (exit status 2)", args, err)
		}
		if err != nil && strings.Contains(errorLine(err.Error()), "\n") {
			t.Errorf("fashion %v: message %q is not one line", args, err)
		}
	}
}

func TestTrainCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil && os.Getenv("FASHION_MNIST_DIR") == "" {
		t.Skip("real Fashion-MNIST not installed")
	}
	out := filepath.Join(t.TempDir(), "run.json")
	profile := filepath.Join(t.TempDir(), "cpu.prof")
	var stdout bytes.Buffer
	err := run([]string{"train", "-epochs", "2", "-train-limit", "1000", "-backend", "go", "-quiet", "-runs-dir", t.TempDir(), "-out", out, "-cpuprofile", profile}, strings.NewReader(""), &stdout, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(profile); err != nil || st.Size() == 0 {
		t.Errorf("-cpuprofile %s: %v, want a profile", profile, err)
	}
	err = run([]string{"train", "-epochs", "1", "-train-limit", "100", "-quiet", "-runs-dir", t.TempDir(), "-out", out, "-cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir", "p")}, strings.NewReader(""), &stdout, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "-cpuprofile") {
		t.Errorf("-cpuprofile in a missing directory: %v, want an error naming the flag", err)
	}
	for _, want := range []string{"Epoca actual : 0/2", "Epoca actual : 1/2", "Train loss : ", "Val loss : ", "Diff: ", "Test: loss", "backend go: requested (options parallelism=-1,dotgeneral_large,ops_"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	rec, err := fashion.LoadRun(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.History) != 2 || rec.Config.TrainLimit != 1000 || rec.Backend != "go" {
		t.Errorf("saved record: %d epochs, train limit %d, backend %q", len(rec.History), rec.Config.TrainLimit, rec.Backend)
	}
	stdout.Reset()
	if err := run([]string{"compare", out}, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil || strings.Count(stdout.String(), "\n") != 4 {
		t.Errorf("compare: %v\n%s", err, stdout.String())
	}
}
