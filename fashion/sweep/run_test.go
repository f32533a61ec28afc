package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func loadData(t *testing.T) *fashion.Data {
	t.Helper()
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil && os.Getenv("FASHION_MNIST_DIR") == "" {
		t.Skip("real Fashion-MNIST not installed")
	}
	d, err := fashion.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tinySpace trains in about a second a trial on the pure-Go backend.
const tinySpace = `{"params": {
  "backend": "go", "hidden": [16], "train_limit": 600, "epochs": 2,
  "lr": {"grid": [0.001, 0.003, 0.01]}, "optimizer": {"grid": ["adam"]}
}}`

// cancelAfter is a Log writer that cancels a sweep after n trial lines.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
	lines  []string
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, string(p))
	if len(c.lines) == c.n {
		c.cancel()
	}
	return len(p), nil
}

// TestRunResumes: a sweep stopped after two trials and run again takes
// those two from the cache and trains only the rest; a third run trains
// nothing.
func TestRunResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadData(t)
	space, err := ParseSpace([]byte(tinySpace), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	runs := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stopper := &cancelAfter{n: 2, cancel: cancel}
	_, err = Run(ctx, space, Options{RunsDir: runs, Data: data, Log: stopper})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled sweep returned %v, want context.Canceled", err)
	}
	stored, _ := fashion.Cache{Dir: runs}.Runs()
	if len(stored) != 2 {
		t.Fatalf("%d runs stored after two trials, want 2", len(stored))
	}

	res, err := Run(context.Background(), space, Options{RunsDir: runs, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != 3 || res.Cached != 2 || res.Trained != 1 || res.Failed != 0 {
		t.Fatalf("resumed sweep: %d trials, %d cached, %d trained, %d failed; want 3, 2, 1, 0", len(res.Trials), res.Cached, res.Trained, res.Failed)
	}
	again, err := Run(context.Background(), space, Options{RunsDir: runs, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if again.Cached != 3 || again.Trained != 0 {
		t.Errorf("third run: %d cached, %d trained; want 3 and 0", again.Cached, again.Trained)
	}
	for i := range res.Trials {
		a, b := res.Trials[i], again.Trials[i]
		if a.Key != b.Key || a.ValAccuracy != b.ValAccuracy || a.Config.LR != b.Config.LR {
			t.Errorf("trial %d: %s %v then %s %v", i, a.Key, a.ValAccuracy, b.Key, b.ValAccuracy)
		}
	}

	// The best is the highest validation accuracy, the table is sorted by it.
	best := res.BestTrial()
	for _, tr := range res.Trials {
		if tr.ValAccuracy > best.ValAccuracy {
			t.Errorf("trial %d has val %v > best's %v", tr.Index, tr.ValAccuracy, best.ValAccuracy)
		}
	}
	ranked := res.Ranked()
	for i := 1; i < len(ranked); i++ {
		if ranked[i].ValAccuracy > ranked[i-1].ValAccuracy {
			t.Errorf("rank %d above rank %d", i+1, i)
		}
	}
	md := res.Markdown()
	if !strings.Contains(md, "| 1 | "+itoa(best.Index)+" | "+formatValue(best.Values["lr"])) {
		t.Errorf("the table's first row is not the best trial:\n%s", md)
	}

	out := filepath.Join(t.TempDir(), "sweep")
	if err := res.Save(out); err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Space  map[string]any `json:"space"`
		Trials []TrialResult  `json:"trials"`
		Best   int            `json:"best"`
	}
	data2, _ := os.ReadFile(filepath.Join(out, "sweep.json"))
	if err := json.Unmarshal(data2, &saved); err != nil || len(saved.Trials) != 3 || saved.Best != res.Best || saved.Space["params"] == nil {
		t.Errorf("sweep.json: %v, %d trials, best %d", err, len(saved.Trials), saved.Best)
	}
	bestCfg, _ := os.ReadFile(filepath.Join(out, "best.json"))
	var cfg fashion.Config
	if err := json.Unmarshal(bestCfg, &cfg); err != nil || cfg.LR != best.Config.LR {
		t.Errorf("best.json: %v, lr %g, want %g", err, cfg.LR, best.Config.LR)
	}
	svg, _ := os.ReadFile(filepath.Join(out, "sweep.svg"))
	if strings.Count(string(svg), `class="fm-panel"`) != 2 || strings.Count(string(svg), "<circle") != 6 {
		t.Errorf("sweep.svg: want a panel for each of %v, three points each", res.Searched)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestRunRecordsFailures: a trial whose loss diverges is recorded with its
// error; the others finish and the best is among them.
func TestRunRecordsFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadData(t)
	space, err := ParseSpace([]byte(`{"params": {
	  "backend": "go", "hidden": [16, 16, 16], "train_limit": 600, "epochs": 3, "optimizer": "sgd",
	  "lr": {"grid": [10, 0.05]}}}`), "s")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), space, Options{RunsDir: t.TempDir(), Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || !strings.Contains(res.Trials[0].Error, "not finite") || res.Best != 1 {
		t.Errorf("failed %d, trial 0 error %q, best %d; want 1, a non-finite loss, 1", res.Failed, res.Trials[0].Error, res.Best)
	}
	if md := res.Markdown(); !strings.Contains(md, "failed: ") || strings.Index(md, "failed: ") < strings.Index(md, "| 1 | 1 |") {
		t.Errorf("the failed trial is not last in the table:\n%s", md)
	}
}

func TestRunParallelNeedsCommand(t *testing.T) {
	space, _ := ParseSpace([]byte(tinySpace), "tiny")
	if _, err := Run(context.Background(), space, Options{Parallel: 2}); err == nil || !strings.Contains(err.Error(), "Options.Command") {
		t.Errorf("error %v, want one naming Options.Command", err)
	}
}
