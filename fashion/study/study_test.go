package study

import (
	"slices"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func TestVariantsValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Variants() {
		if seen[v.Name] {
			t.Errorf("variant %q appears twice", v.Name)
		}
		seen[v.Name] = true
		if err := v.Config.Validate(); err != nil {
			t.Errorf("variant %s: %v", v.Name, err)
		}
	}
	if !seen["baseline"] {
		t.Error("no baseline variant")
	}
}

func TestGoEdits(t *testing.T) {
	byName := map[string]Variant{}
	for _, v := range Variants() {
		byName[v.Name] = v
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"baseline", nil},
		{"dropout", []string{"cfg.Dropout = []float64{0.2}"}},
		{"l2", []string{"cfg.L2 = 0.001"}},
		{"leaky_relu", []string{`cfg.Activation = "leaky_relu"`, `cfg.Init = "he_normal"`}},
		{"sgd_nesterov", []string{`cfg.Optimizer = "sgd"`, "cfg.LR = 0.05", "cfg.Nesterov = true"}},
		{"combined_wide", nil}, // checked below by applying the edits
	} {
		got := byName[tc.name].GoEdits()
		if tc.name != "combined_wide" && !slices.Equal(got, tc.want) {
			t.Errorf("%s: GoEdits() = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := byName["combined_wide"].GoEdits(); !slices.Contains(got, "cfg.Hidden = []int{1024, 512, 256}") {
		t.Errorf("combined_wide edits %q lack the hidden sizes", got)
	}
	// Every variant differs from the baseline in exactly the fields its
	// edits name.
	for _, v := range Variants() {
		if d := v.Config.Diff(fashion.DefaultConfig()); (d == "") != (len(v.GoEdits()) == 0) {
			t.Errorf("%s: diff %q but edits %q", v.Name, d, v.GoEdits())
		}
	}
}
