package lab

import (
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// TestBuildModel builds the exercise's model and a batch-norm one on the
// pure-Go backend and checks the shapes and counts against the
// architecture: 784·120+120 + 120·72+72 + 72·48+48 + 48·10+10 = 106906.
func TestBuildModel(t *testing.T) {
	if _, err := Data(); err != nil {
		t.Skip("no data:", err)
	}
	for _, tc := range []struct {
		name             string
		edit             func(*fashion.Config)
		trainable, other int
		want             []string
	}{
		{"exercise", func(*fashion.Config) {}, 106906, 0, []string{
			"(hidden_0): Dense(in_features=784, out_features=120) → relu", "(output): Dense(in_features=48, out_features=10)\n)",
			"/model/hidden_0/weights", "[784 120]", "94080", "forma", "entrenable", "sí", "106906 parámetros entrenables", "imágenes [8 784] → logits [8 10]"}},
		// Batch norm adds a scale and an offset per unit (trainable) and two
		// running statistics: 2·(120+72+48) = 480 of each.
		{"batch norm and dropout", func(c *fashion.Config) { c.Norm, c.Dropout = "batch", []float64{0.2} }, 106906 + 480, 480, []string{
			"→ BatchNorm(120) → relu → Dropout(p=0.2)", "/model/hidden_0/batch_norm/running_mean", "(y 480 estadísticas acumuladas de batch norm)"}},
	} {
		cfg := fashion.DefaultConfig()
		cfg.Backend = "go"
		tc.edit(&cfg)
		s, err := BuildModel(cfg, 8)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tr, other := s.Params(); tr != tc.trainable || other != tc.other {
			t.Errorf("%s: %d trainable and %d other values, want %d and %d", tc.name, tr, other, tc.trainable, tc.other)
		}
		text := s.String()
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: summary lacks %q:\n%s", tc.name, w, text)
			}
		}
		// The batch norm variables sit with their layer, before the next.
		if i, j := strings.Index(text, "hidden_0/batch_norm"), strings.Index(text, "hidden_1/weights"); tc.other > 0 && (i < 0 || i > j) {
			t.Errorf("%s: variables not in layer order:\n%s", tc.name, text)
		}
	}
	if _, err := BuildModel(fashion.DefaultConfig(), 0); err == nil || !strings.Contains(err.Error(), "batch 0") {
		t.Errorf("batch 0: error %v", err)
	}
}
