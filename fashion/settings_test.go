package fashion

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestGraphsKeySettings: the values of the settings leave the graph key
// as it is; turning a technique on or off changes it.
func TestGraphsKeySettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b func(*Config)
		same bool
	}{
		{"dropout 0.2 and 0.5", func(c *Config) { c.Dropout = []float64{0.2} }, func(c *Config) { c.Dropout = []float64{0.5} }, true},
		{"dropout 0.2 for all or per layer", func(c *Config) { c.Dropout = []float64{0.2} }, func(c *Config) { c.Dropout = []float64{0.1, 0.3, 0.2} }, true},
		{"dropout 0 and 0.2", func(c *Config) { c.Dropout = nil }, func(c *Config) { c.Dropout = []float64{0.2} }, false},
		{"dropout on another layer", func(c *Config) { c.Dropout = []float64{0.2, 0, 0} }, func(c *Config) { c.Dropout = []float64{0, 0.2, 0} }, false},
		{"L2 1e-4 and 1e-2", func(c *Config) { c.L2 = 1e-4 }, func(c *Config) { c.L2 = 1e-2 }, true},
		{"L2 0 and 1e-4", func(c *Config) { c.L2 = 0 }, func(c *Config) { c.L2 = 1e-4 }, false},
		{"label smoothing 0.1 and 0.2", func(c *Config) { c.LabelSmoothing = 0.1 }, func(c *Config) { c.LabelSmoothing = 0.2 }, true},
		{"label smoothing 0 and 0.1", func(c *Config) { c.LabelSmoothing = 0 }, func(c *Config) { c.LabelSmoothing = 0.1 }, false},
		{"erase 0.25 and 0.5", func(c *Config) { c.Erase = 0.25 }, func(c *Config) { c.Erase = 0.5 }, true},
		{"erase 0 and 0.5", func(c *Config) { c.Erase = 0 }, func(c *Config) { c.Erase = 0.5 }, false},
		{"mixup 0.2 and 1", func(c *Config) { c.Mixup = 0.2 }, func(c *Config) { c.Mixup = 1 }, true},
		{"mixup 0 and 0.2", func(c *Config) { c.Mixup = 0 }, func(c *Config) { c.Mixup = 0.2 }, false},
		{"distillation α and T", func(c *Config) { c.Teacher = "cnn" }, func(c *Config) { c.Teacher, c.DistillAlpha, c.DistillTemperature = "cnn", 1, 2 }, true},
		{"max-norm 2 and 3", func(c *Config) { c.MaxNorm = 2 }, func(c *Config) { c.MaxNorm = 3 }, true},
		{"max-norm 0 and 3", func(c *Config) { c.MaxNorm = 0 }, func(c *Config) { c.MaxNorm = 3 }, false},
		{"width", func(c *Config) {}, func(c *Config) { c.Hidden = []int{64} }, false},
		{"shift", func(c *Config) { c.Shift = 1 }, func(c *Config) { c.Shift = 2 }, false},
	} {
		a, b := DefaultConfig(), DefaultConfig()
		tc.a(&a)
		tc.b(&b)
		if same := graphsKey(a, "", 0) == graphsKey(b, "", 0); same != tc.same {
			t.Errorf("%s: same graph key %v, want %v:\n%s\n%s", tc.name, same, tc.same, graphsKey(a, "", 0), graphsKey(b, "", 0))
		}
	}
}

// TestSessionSettingsAreInputs: the runs of one session that differ only
// in a setting's value compile the training graphs once, and each trains
// bit for bit as the same run alone; the values train differently (so a
// setting left at the first run's value would fail).
func TestSessionSettingsAreInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	for _, tc := range []struct {
		name   string
		set    func(*Config, float64)
		values []float64
	}{
		{"dropout", func(c *Config, v float64) { c.Dropout = []float64{v} }, []float64{0.2, 0.3, 0.5}},
		{"L2", func(c *Config, v float64) { c.L2 = v }, []float64{1e-3, 1e-2, 1e-1}},
		{"label smoothing", func(c *Config, v float64) { c.LabelSmoothing = v }, []float64{0.05, 0.1, 0.2}},
		{"max-norm", func(c *Config, v float64) { c.MaxNorm = v }, []float64{0.3, 0.5, 1}},
		{"EMA", func(c *Config, v float64) { c.EMA = v }, []float64{0.2, 0.3, 0.5}}, // within the warm-up of a short run (emaDecay)
	} {
		for _, backend := range backendsUnderTest() {
			sess := NewSession()
			var compiles []int
			var runs []*Run
			for _, v := range tc.values {
				cfg := quickConfig(600, 2)
				cfg.Backend, cfg.Optimizer, cfg.LR = backend, "adam", 1e-3
				tc.set(&cfg, v)
				reused, err := sess.Train(context.Background(), data, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				compiles = append(compiles, sess.Compiles())
				alone, err := Train(data, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				if diff := runDifference(alone, reused); diff != "" {
					t.Errorf("%s %g on %s: the run alone and the one in the session differ: %s", tc.name, v, backend, diff)
				}
				runs = append(runs, reused)
			}
			sess.Close()
			if slices.ContainsFunc(compiles, func(n int) bool { return n != compiles[0] }) {
				t.Errorf("%s on %s: graphs compiled after each value %v: %v, want the first count each time", tc.name, backend, tc.values, compiles)
			}
			for i := 1; i < len(runs); i++ {
				if runDifference(runs[0], runs[i]) == "" {
					t.Errorf("%s on %s: %g and %g trained alike", tc.name, backend, tc.values[0], tc.values[i])
				}
			}
		}
	}
}

// runDifference says where two runs differ: an epoch's losses or
// validation accuracy, the test accuracy or a parameter; "" if nowhere.
func runDifference(a, b *Run) string {
	if len(a.History) != len(b.History) {
		return fmt.Sprintf("%d and %d epochs", len(a.History), len(b.History))
	}
	for e := range a.History {
		x, y := a.History[e], b.History[e]
		if x.TrainLoss != y.TrainLoss || x.ValLoss != y.ValLoss || x.ValAccuracy != y.ValAccuracy {
			return fmt.Sprintf("epoch %d: train/val loss %.7f/%.7f and %.7f/%.7f", e, x.TrainLoss, x.ValLoss, y.TrainLoss, y.ValLoss)
		}
	}
	if a.TestAccuracy != b.TestAccuracy {
		return fmt.Sprintf("test accuracy %.4f and %.4f", a.TestAccuracy, b.TestAccuracy)
	}
	for i, p := range a.Params {
		if !slices.Equal(p.Values, b.Params[i].Values) {
			return p.Scope + "/" + p.Name
		}
	}
	return ""
}
