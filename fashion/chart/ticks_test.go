package chart

import (
	"math"
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		min, max        float64
		loose, integer  bool
		want            string
		wantLo, wantHix float64
	}{
		{0.27, 0.81, true, false, "0.2 0.4 0.6 0.8 1.0", 0.2, 1},
		{-0.001, 0.0004, true, false, "-0.0010 -0.0005 0.0000 0.0005", -0.001, 0.0005},
		{70, 90, true, false, "70 75 80 85 90", 70, 90},
		{0, 39, false, true, "0 10 20 30", 0, 39},
		{0, 2, false, true, "0 1 2", 0, 2},
		{3, 3, false, true, "3", 2.5, 3.5},
		{0.5, 0.5, true, false, "0.450 0.475 0.500 0.525 0.550", 0.45, 0.55},
		{-1, 1, true, false, "-1.0 -0.5 0.0 0.5 1.0", -1, 1},
		{0, 2.5e6, true, false, "0 500000 1000000 1500000 2000000 2500000", 0, 2.5e6},
	}
	for _, tc := range tests {
		a := linearAxis(tc.min, tc.max, 5, tc.loose, tc.integer)
		if got := strings.Join(a.labels, " "); got != tc.want {
			t.Errorf("ticks of [%g,%g] = %q, want %q", tc.min, tc.max, got, tc.want)
		}
		if math.Abs(a.lo-tc.wantLo) > 1e-9 || math.Abs(a.hi-tc.wantHix) > 1e-9 {
			t.Errorf("range of [%g,%g] = [%g,%g], want [%g,%g]", tc.min, tc.max, a.lo, a.hi, tc.wantLo, tc.wantHix)
		}
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		target   int
		want     string
	}{
		{0.25, 0.6, 5, "0.3 0.4 0.5 0.6"},
		{0.001, 1, 2, "0.001 0.01 0.1 1"},
		{0.01, 10, 5, "0.01 0.02 0.05 0.1 0.2 0.5 1 2 5 10"},
		{1e-8, 1e8, 2, "1e-05 1 1e+05"},
	}
	for _, tc := range tests {
		a := logAxis(tc.min, tc.max, tc.target)
		if got := strings.Join(a.labels, " "); got != tc.want {
			t.Errorf("log ticks of [%g,%g] = %q, want %q", tc.min, tc.max, got, tc.want)
		}
		if math.Pow(10, a.lo) > tc.min || math.Pow(10, a.hi) < tc.max {
			t.Errorf("log range [%g,%g] does not hold [%g,%g]", math.Pow(10, a.lo), math.Pow(10, a.hi), tc.min, tc.max)
		}
	}
}
