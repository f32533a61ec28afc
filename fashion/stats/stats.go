// Package stats holds the few statistics the comparison of runs needs, with
// the standard library only: the Wilson score interval of an accuracy, the
// exact McNemar test of two classifiers on the same examples, and the mean
// and sample standard deviation over seeds.
//
// They answer one question, "is this difference between two runs larger
// than the noise?", for two kinds of noise: the test set being a sample
// (Wilson, McNemar) and training being random (the spread over seeds).
package stats

import (
	"fmt"
	"math"
)

// Z95 is the standard normal quantile of 0.975: a two-sided 95% interval is
// ± Z95 standard errors.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval of a proportion with k successes
// in n trials at the normal quantile z (Z95 for 95%). Unlike the textbook
// p ± z·√(p(1−p)/n) it stays inside [0, 1] and does not collapse to a point
// at p = 0 or 1, and its coverage is close to nominal for small n too. It
// fails unless 0 <= k <= n, n > 0 and z > 0.
func Wilson(k, n int, z float64) (lo, hi float64, err error) {
	if n <= 0 || k < 0 || k > n {
		return 0, 0, fmt.Errorf("stats: Wilson interval of %d successes in %d trials: want 0 <= k <= n and n > 0", k, n)
	}
	if !(z > 0) || math.IsInf(z, 1) {
		return 0, 0, fmt.Errorf("stats: Wilson interval with z = %v: want a finite z > 0", z)
	}
	nf, p := float64(n), float64(k)/float64(n)
	z2 := z * z
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	// Clamp the rounding at the ends: at k = 0 the lower end is 0 exactly.
	return math.Max(0, center-half), math.Min(1, center+half), nil
}

// Wilson95 is Wilson at 95% for an accuracy given as a fraction of n
// examples (e.g. Run.TestAccuracy on the 5000-image test half): k is
// rounded from acc·n. It fails as Wilson does, or if acc is not in [0, 1].
func Wilson95(acc float64, n int) (lo, hi float64, err error) {
	if !(acc >= 0 && acc <= 1) {
		return 0, 0, fmt.Errorf("stats: accuracy %v is not a fraction in [0, 1]", acc)
	}
	return Wilson(int(math.Round(acc*float64(n))), n, Z95)
}

// McNemarExact is the two-sided exact McNemar test of two classifiers
// scored on the same examples: onlyA examples right for A only, onlyB right
// for B only (the discordant pairs; examples both get right or both get
// wrong say nothing about which is better). Under the null hypothesis that
// both are equally accurate, each discordant pair is a fair coin, so the
// p-value is 2·P(X <= min(onlyA, onlyB)) for X ~ Binomial(onlyA+onlyB, 1/2),
// capped at 1; with no discordant pairs it is 1. It is paired, so it is far
// more sensitive than comparing two accuracies' intervals: most examples
// are right (or wrong) for both models. It fails on a negative count.
func McNemarExact(onlyA, onlyB int) (float64, error) {
	if onlyA < 0 || onlyB < 0 {
		return 0, fmt.Errorf("stats: McNemar test of %d and %d discordant pairs: counts cannot be negative", onlyA, onlyB)
	}
	n, m := onlyA+onlyB, min(onlyA, onlyB)
	if n == 0 {
		return 1, nil
	}
	if 2*m >= n { // the tail holds half or more of the mass
		return 1, nil
	}
	// Σ_{k<=m} C(n,k)/2ⁿ in log space: 2ⁿ overflows float64 past n = 1023.
	lgN, _ := math.Lgamma(float64(n + 1))
	var tail float64
	for k := 0; k <= m; k++ {
		a, _ := math.Lgamma(float64(k + 1))
		b, _ := math.Lgamma(float64(n - k + 1))
		tail += math.Exp(lgN - a - b - float64(n)*math.Ln2)
	}
	return math.Min(1, 2*tail), nil
}

// Discordant counts the examples right for A only and right for B only,
// given each one's correctness on the same examples in the same order. It
// fails if the two differ in length.
func Discordant(correctA, correctB []bool) (onlyA, onlyB int, err error) {
	if len(correctA) != len(correctB) {
		return 0, 0, fmt.Errorf("stats: paired outcomes of %d and %d examples: want the same examples", len(correctA), len(correctB))
	}
	for i, a := range correctA {
		switch b := correctB[i]; {
		case a && !b:
			onlyA++
		case b && !a:
			onlyB++
		}
	}
	return onlyA, onlyB, nil
}

// MeanSD returns the mean and the sample standard deviation (divided by
// n−1, the unbiased variance's root) of xs: the spread of a result over
// seeds. With one value the standard deviation is NaN, not 0: one seed
// measures no spread. With none both are NaN.
func MeanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) == 1 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}
