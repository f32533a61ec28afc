package fashion

import (
	"context"
	"testing"
)

// TestUnrollFor: the steps per call divide the epoch's full batches (two
// step graphs an epoch) unless that would more than double the calls.
func TestUnrollFor(t *testing.T) {
	for _, tc := range []struct{ want, full, k int }{
		{16, 468, 13}, // the exercise on CUDA: 36 calls of 13, no single steps
		{4, 468, 4},
		{16, 480, 16},
		{16, 46, 2}, // 23 calls; 16 would take 2 + 14 single steps
		{4, 6, 3},   // a TrainLimit subset
		{4, 10, 2},
		{16, 3, 3},    // fewer batches than wanted: one call an epoch
		{16, 467, 16}, // prime: 467 single steps would cost more than a third graph
		{4, 5, 4},
		{1, 468, 1},
		{4, 0, 4}, // no full batch: only the partial batch's graph runs
	} {
		if got := unrollFor(tc.want, tc.full); got != tc.k {
			t.Errorf("unrollFor(%d, %d) = %d, want %d", tc.want, tc.full, got, tc.k)
		}
	}
}

// TestStepGraphsPerEpoch trains an epoch on XLA CPU (4 steps per call
// wanted) and counts the step graphs compiled (trainer.execs): the k-step
// graph and the last, partial batch's, never a third for the steps left
// over after the last k-step call.
func TestStepGraphsPerEpoch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	backend := xlaCPUOrSkip(t)
	data := loadReal(t)
	for _, tc := range []struct{ n, graphs int }{
		{6*128 + 20, 2},  // 3 steps per call
		{10*128 + 20, 2}, // 2 steps per call; 4 would leave 2 single steps
		{8 * 128, 1},     // no partial batch
	} {
		cfg := quickConfig(tc.n, 1)
		cfg.Backend = backend
		sess := NewSession()
		if _, err := sess.Train(context.Background(), data, cfg, nil); err != nil {
			sess.Close()
			t.Fatalf("%d examples: %v", tc.n, err)
		}
		graphs := -1
		for _, ts := range sess.idle {
			for _, tr := range ts {
				graphs = len(tr.execs)
			}
		}
		sess.Close()
		if graphs != tc.graphs {
			t.Errorf("%d examples (%d full batches): %d step graphs compiled in an epoch, want %d", tc.n, tc.n/128, graphs, tc.graphs)
		}
	}
}
