package stats

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestWilson checks the interval against values worked out by hand from
// its formula, with z = 1.96 (z² = 3.8415):
//
//	center = (p + z²/2n) / (1 + z²/n)
//	half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		name   string
		k, n   int
		lo, hi float64
	}{
		// 5/10: p = 0.5, 1 + z²/n = 1.38415, center = (0.5 + 0.19207)/1.38415 = 0.5,
		// half = 1.96·√(0.025 + 0.0096037)/1.38415 = 1.96·0.186022/1.38415 = 0.26341.
		{"half of ten", 5, 10, 0.23659, 0.76341},
		// 0/10: p = 0, center = 0.19207/1.38415 = 0.138766, half = 1.96·√0.0096037/1.38415
		// = 0.138766: the lower end is 0 and the upper z²/(n+z²) = 3.8415/13.8415 = 0.27753.
		{"none of ten", 0, 10, 0, 0.27753},
		// 10/10 mirrors 0/10.
		{"all of ten", 10, 10, 0.72247, 1},
		// 4450/5000 (89%, a typical test accuracy on the 5000-image half):
		// 1 + z²/n = 1.00076829, center = (0.89 + 0.00038415)/1.00076829 = 0.889700,
		// half = 1.96·√(0.89·0.11/5000 + 3.8415/(4·5000²))/1.00076829
		//      = 1.96·√(1.958e-5 + 3.84e-8)/1.00076829 = 1.96·0.0044293/1.00076829 = 0.0086745:
		// about ±0.87 points, the "about ±0.9".
		{"89% of 5000", 4450, 5000, 0.881026, 0.898375},
	} {
		lo, hi, err := Wilson(tc.k, tc.n, Z95)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !near(lo, tc.lo, 2e-5) || !near(hi, tc.hi, 2e-5) {
			t.Errorf("%s: Wilson(%d, %d) = [%.6f, %.6f], want [%.6f, %.6f]", tc.name, tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
	lo, hi, err := Wilson95(0.89, 5000)
	if err != nil || !near(lo, 0.881026, 2e-6) || !near(hi, 0.898375, 2e-6) {
		t.Errorf("Wilson95(0.89, 5000) = [%v, %v], %v; want Wilson(4450, 5000)", lo, hi, err)
	}
}

func TestWilsonErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"k > n", second(Wilson(11, 10, Z95)), "11 successes in 10 trials"},
		{"negative k", second(Wilson(-1, 10, Z95)), "-1 successes"},
		{"no trials", second(Wilson(0, 0, Z95)), "in 0 trials"},
		{"z zero", second(Wilson(1, 10, 0)), "z = 0"},
		{"z NaN", second(Wilson(1, 10, math.NaN())), "z = NaN"},
		{"accuracy in percent", second(Wilson95(89, 5000)), "accuracy 89 is not a fraction"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func second(_, _ float64, err error) error { return err }

// TestMcNemarExact checks the p-value against sums of binomial coefficients
// done by hand (small cases) or with exact integer arithmetic (Python's
// math.comb and fractions.Fraction, for the large ones, where the float64
// log-space sum must agree to many digits).
func TestMcNemarExact(t *testing.T) {
	for _, tc := range []struct {
		name         string
		onlyA, onlyB int
		want         float64
	}{
		// n = 13, P(X <= 3) = (1 + 13 + 78 + 286)/2¹³ = 378/8192; p = 756/8192.
		{"3 vs 10", 3, 10, 756.0 / 8192},
		{"10 vs 3, symmetric", 10, 3, 756.0 / 8192},
		// n = 6, P(X <= 0) = 1/64; p = 2/64.
		{"0 vs 6", 0, 6, 2.0 / 64},
		// n = 10, P(X <= 5) = 638/1024 > 1/2: p capped at 1.
		{"5 vs 5", 5, 5, 1},
		// n = 11, P(X <= 5) = (1+11+55+165+330+462)/2048 = 1024/2048: p = 1.
		{"5 vs 6", 5, 6, 1},
		// No discordant pair: nothing to tell the two apart.
		{"none", 0, 0, 1},
		// 2·Σ_{k<=100} C(240,k)/2²⁴⁰ = 0.011664092317677663 (exact fractions).
		{"100 vs 140", 100, 140, 0.011664092317677663},
		// 2·Σ_{k<=560} C(1200,k)/2¹²⁰⁰ = 0.02253662756750957: past n = 1023,
		// where 2ⁿ overflows a float64.
		{"560 vs 640", 560, 640, 0.02253662756750957},
	} {
		got, err := McNemarExact(tc.onlyA, tc.onlyB)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !near(got, tc.want, 1e-12*math.Max(1, tc.want)) {
			t.Errorf("%s: McNemarExact(%d, %d) = %.15g, want %.15g", tc.name, tc.onlyA, tc.onlyB, got, tc.want)
		}
	}
	if _, err := McNemarExact(-1, 3); err == nil || !strings.Contains(err.Error(), "-1 and 3") {
		t.Errorf("negative count: error %v", err)
	}
}

func TestDiscordant(t *testing.T) {
	a := []bool{true, true, false, false, true}
	b := []bool{true, false, true, false, false}
	onlyA, onlyB, err := Discordant(a, b)
	if err != nil || onlyA != 2 || onlyB != 1 {
		t.Errorf("Discordant = %d, %d, %v; want 2, 1", onlyA, onlyB, err)
	}
	if _, _, err := Discordant(a, b[:2]); err == nil || !strings.Contains(err.Error(), "5 and 2 examples") {
		t.Errorf("lengths differ: error %v", err)
	}
}

func TestMeanSD(t *testing.T) {
	for _, tc := range []struct {
		name     string
		xs       []float64
		mean, sd float64
	}{
		// Deviations ±1.5, ±0.5: Σd² = 5, sd = √(5/3) = 1.2909944.
		{"1 to 4", []float64{1, 2, 3, 4}, 2.5, 1.2909944},
		// Three seeds' accuracies: deviations −0.2, 0.2, 0: Σd² = 0.08, sd = √(0.08/2) = 0.2.
		{"three seeds", []float64{88.7, 89.1, 88.9}, 88.9, 0.2},
		{"all equal", []float64{0.5, 0.5}, 0.5, 0},
		{"one seed", []float64{0.89}, 0.89, math.NaN()},
		{"none", nil, math.NaN(), math.NaN()},
	} {
		mean, sd := MeanSD(tc.xs)
		same := func(a, b float64) bool { return (math.IsNaN(a) && math.IsNaN(b)) || near(a, b, 1e-7) }
		if !same(mean, tc.mean) || !same(sd, tc.sd) {
			t.Errorf("%s: MeanSD(%v) = %v ± %v, want %v ± %v", tc.name, tc.xs, mean, sd, tc.mean, tc.sd)
		}
	}
}
