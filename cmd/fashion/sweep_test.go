package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// TestSweepParallel runs "fashion sweep -parallel 2" as a real process,
// whose trials are child processes of "fashion train": one trial diverges,
// the best config comes out on standard output, and a second sweep takes
// every finished trial from the cache.
func TestSweepParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	dir := t.TempDir()
	space := filepath.Join(dir, "space.json")
	os.WriteFile(space, []byte(`{"params": {"backend": "go", "hidden": [16, 16, 16], "train_limit": 600, "epochs": 3,
	  "optimizer": "sgd", "lr": {"grid": [10, 0.03, 0.1]}}}`), 0o644)
	runs, out := filepath.Join(dir, "runs"), filepath.Join(dir, "out")
	for attempt, wantCached := range []int{0, 2} {
		cmd := command(t, "sweep", "-space", space, "-parallel", "2", "-runs-dir", runs, "-out", out)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("sweep %d: %v\n%s", attempt, err, stderr.String())
		}
		var best fashion.Config
		dec := json.NewDecoder(&stdout)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&best); err != nil || best.Validate() != nil {
			t.Fatalf("standard output is not a -config file: %v\n%s", err, stdout.String())
		}
		var res struct {
			Trials []struct {
				Config      fashion.Config `json:"config"`
				ValAccuracy float64        `json:"val_accuracy"`
				Error       string         `json:"error"`
			} `json:"trials"`
			Best, Cached, Trained, Failed int
		}
		data, _ := os.ReadFile(filepath.Join(out, "sweep.json"))
		if err := json.Unmarshal(data, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Trials) != 3 || res.Failed != 1 || res.Cached != wantCached || res.Trained != 2-wantCached {
			t.Errorf("sweep %d: %d trials, %d failed, %d cached, %d trained", attempt, len(res.Trials), res.Failed, res.Cached, res.Trained)
		}
		if res.Trials[0].Error == "" || res.Trials[res.Best].Config.LR != best.LR {
			t.Errorf("sweep %d: trial 0 error %q; best trial lr %g, printed lr %g", attempt, res.Trials[0].Error, res.Trials[res.Best].Config.LR, best.LR)
		}
		if md, err := os.ReadFile(filepath.Join(out, "sweep.md")); err != nil || !strings.Contains(string(md), "| 1 | ") {
			t.Errorf("sweep.md: %v", err)
		}
	}
}

func TestSweepCheck(t *testing.T) {
	space := filepath.Join(t.TempDir(), "space.json")
	os.WriteFile(space, []byte(`{"params": {"lr": {"grid": [0.1, 0.01]}, "norm": {"grid": ["none", "batch"]}}}`), 0o644)
	var stdout bytes.Buffer
	if err := run([]string{"sweep", "-check", "-space", space}, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if want := "trial 0: lr=0.1 norm=none\ntrial 1: lr=0.1 norm=batch\ntrial 2: lr=0.01 norm=none\ntrial 3: lr=0.01 norm=batch\n"; stdout.String() != want {
		t.Errorf("-check listed\n%s\nwant\n%s", stdout.String(), want)
	}
}

func TestSweepBadUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"params": {"dropout": {"uniform": [0.5, 0.1]}}}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep"}, "-space FILE is required"},
		{[]string{"sweep", "-space", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"sweep", "-space", bad}, "params.dropout"},
		{[]string{"sweep", "-space", bad, "-parallel", "0"}, "-parallel 0"},
		{[]string{"sweep", "-check", "-space", bad}, "reversed range"},
	} {
		err := run(tc.args, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("fashion %v: %v, want a usage error naming %q", tc.args, err, tc.want)
		}
	}
}

func TestTensorboardCommand(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"tensorboard"}, true, "-out DIR is required"},
		{[]string{"tensorboard", "-out", t.TempDir(), "extra"}, true, `unexpected argument "extra"`},
		{[]string{"tensorboard", "-runs", empty, "-out", t.TempDir()}, false, "no stored runs in " + empty},
	} {
		err := run(tc.args, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, new(usageError)) != tc.usage {
			t.Errorf("fashion %v: %v, want %q (usage error: %v)", tc.args, err, tc.want, tc.usage)
		}
	}
}

// TestSweepSignal stops a real "fashion sweep" with SIGTERM after its first
// trial: it exits 143 with a line saying how to resume, and the finished
// trial is in the cache.
func TestSweepSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	dir := t.TempDir()
	space := filepath.Join(dir, "space.json")
	os.WriteFile(space, []byte(`{"params": {"backend": "go", "hidden": [16], "train_limit": 600, "epochs": 30,
	  "optimizer": "adam", "lr": {"grid": [0.001, 0.002, 0.003]}}}`), 0o644)
	runs := filepath.Join(dir, "runs")
	cmd := command(t, "sweep", "-space", space, "-runs-dir", runs, "-out", filepath.Join(dir, "out"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "trial 1/3 ") {
			cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Fatalf("exit status %d, want 143; stderr:\n%s", code, strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "stopped by SIGTERM") || !strings.Contains(last, "run the same command again to resume") {
		t.Errorf("last line %q", last)
	}
	stored, _ := fashion.Cache{Dir: runs}.Runs()
	if len(stored) < 1 || len(stored) > 2 {
		t.Errorf("%d runs stored, want the finished trial (and at most the one after it)", len(stored))
	}
}
