package fashion

import (
	"context"
	"testing"
)

// TestSessionEvaluatorSharesBackend: an evaluator made by the session runs
// on the session's backend, the one its runs trained on (one client per
// device and process), leaves it open on Close, and scores as an evaluator
// with a backend of its own does.
func TestSessionEvaluatorSharesBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	sess := NewSession()
	defer sess.Close()
	cfg := quickConfig(300, 1)
	run, err := sess.Train(context.Background(), data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained := sess.backends[cfg.Backend]
	var accuracy [2]float64
	for i := range accuracy {
		ev, err := sess.NewEvaluator(run)
		if err != nil {
			t.Fatal(err)
		}
		if ev.backend != trained || len(sess.backends) != 1 {
			t.Errorf("evaluator %d: backend %p, the session's %p, %d backends in the session; want the session's only one", i, ev.backend, trained, len(sess.backends))
		}
		// The second evaluator fails if the first one's Close released the
		// session's backend.
		e, err := ev.Evaluate(data.Test)
		ev.Close()
		if err != nil {
			t.Fatalf("evaluator %d: %v", i, err)
		}
		accuracy[i] = e.Accuracy
	}
	own, err := run.Evaluate(data.Test)
	if err != nil {
		t.Fatal(err)
	}
	if accuracy[0] != own.Accuracy || accuracy[1] != own.Accuracy {
		t.Errorf("test accuracy %v on the session's backend, %v on a backend of its own", accuracy, own.Accuracy)
	}
}
