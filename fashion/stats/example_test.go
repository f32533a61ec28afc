package stats_test

import (
	"fmt"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
)

// Is a run's 89.0% test accuracy on 5000 images different from another's
// 89.5%? Their intervals overlap, but the paired test looks at the images
// where the two disagree.
func Example() {
	lo, hi, _ := stats.Wilson95(0.890, 5000)
	fmt.Printf("89.0%% of 5000: [%.2f%%, %.2f%%]\n", 100*lo, 100*hi)
	// Of the 5000 images, 60 are right for the first run only and 85 for
	// the second only (the other 4855 agree).
	p, _ := stats.McNemarExact(60, 85)
	fmt.Printf("McNemar p = %.3f\n", p)
	mean, sd := stats.MeanSD([]float64{88.7, 89.1, 88.9})
	fmt.Printf("three seeds: %.1f ± %.1f\n", mean, sd)
	// Output:
	// 89.0% of 5000: [88.10%, 89.84%]
	// McNemar p = 0.046
	// three seeds: 88.9 ± 0.2
}
