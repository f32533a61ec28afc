package fashion

import (
	"context"
	"slices"
	"testing"
)

// backendsUnderTest are the backends the training tests run on: pure Go,
// and XLA's CPU plugin where it is installed.
func backendsUnderTest() []string {
	if findXLAPlugin("cpu") != "" {
		return []string{"go", "xla:cpu"}
	}
	return []string{"go"}
}

// TestSessionReuseTrainsAlike: a run on graphs reused from an earlier run
// of another seed and learning rate trains bit for bit as the same run in a
// session of its own: every variable (weights, the optimizer's moments,
// batch norm's statistics, dropout's random state, the metrics) starts
// over.
func TestSessionReuseTrainsAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	for _, backend := range backendsUnderTest() {
		cfg := quickConfig(1000, 2)
		cfg.Backend = backend
		cfg.Optimizer, cfg.Norm, cfg.Dropout, cfg.Schedule = "adam", "batch", []float64{0.2}, "cosine"
		first, second := cfg, cfg
		first.LR = 3e-3
		second.Seed, second.LR = 43, 1e-3

		alone, err := Train(data, second, nil)
		if err != nil {
			t.Fatal(err)
		}
		sess := NewSession()
		defer sess.Close()
		if _, err := sess.Train(context.Background(), data, first, nil); err != nil {
			t.Fatal(err)
		}
		compiled := sess.Compiles()
		reused, err := sess.Train(context.Background(), data, second, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Compiles() != compiled {
			t.Errorf("%s: the second run compiled %d more graphs, want 0", backend, sess.Compiles()-compiled)
		}
		for e := range alone.History {
			a, r := alone.History[e], reused.History[e]
			if a.TrainLoss != r.TrainLoss || a.ValLoss != r.ValLoss || a.ValAccuracy != r.ValAccuracy {
				t.Errorf("%s epoch %d: alone train/val loss %.7f/%.7f, reused %.7f/%.7f", backend, e, a.TrainLoss, a.ValLoss, r.TrainLoss, r.ValLoss)
			}
		}
		if alone.TestAccuracy != reused.TestAccuracy {
			t.Errorf("%s: test accuracy alone %.4f, reused %.4f", backend, alone.TestAccuracy, reused.TestAccuracy)
		}
		for i, p := range alone.Params {
			if !slices.Equal(p.Values, reused.Params[i].Values) {
				t.Errorf("%s: %s/%s differs between the run alone and the reused one", backend, p.Scope, p.Name)
			}
		}
	}
}

// TestSessionCompilesOnce: the seeds of an experiment compile the training
// and evaluation graphs once; a different model compiles its own.
func TestSessionCompilesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	for _, backend := range backendsUnderTest() {
		sess := NewSession()
		cfg := quickConfig(600, 1)
		cfg.Backend = backend
		var counts []int
		for seed := range uint64(3) {
			cfg.Seed = 42 + seed
			if _, err := sess.Train(context.Background(), data, cfg, nil); err != nil {
				t.Fatal(err)
			}
			counts = append(counts, sess.Compiles())
		}
		// The step graph (full batches; 600 = 4·128 + 88, so also the last
		// one) and the evaluation graph.
		if counts[0] < 2 || counts[1] != counts[0] || counts[2] != counts[0] {
			t.Errorf("%s: graphs compiled after each of 3 seeds: %v, want the first count (≥ 2) three times", backend, counts)
		}
		wider := cfg
		wider.Hidden = []int{64}
		if _, err := sess.Train(context.Background(), data, wider, nil); err != nil {
			t.Fatal(err)
		}
		if sess.Compiles() <= counts[2] {
			t.Errorf("%s: another model compiled nothing (%d graphs in all)", backend, sess.Compiles())
		}
		sess.Close()
		if _, err := sess.Train(context.Background(), data, cfg, nil); err == nil {
			t.Errorf("%s: training in a closed session did not fail", backend)
		}
	}
}
