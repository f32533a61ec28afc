package fashion

import "math/rand/v2"

// Splits are the three sets a run uses, as uint8 images: the training set,
// and the validation and test halves of the official test set. Every set is
// standardized as it is used (see standardTable), so no float32 copy is
// kept.
type Splits struct {
	Train, Val, Test *Set
}

// Prepare builds the run's splits as the exercise does: the training set
// (or a class-balanced subset of cfg.TrainLimit images), and the official
// test set split in stratified validation and test halves with cfg.SplitSeed.
func Prepare(d *Data, cfg Config) (*Splits, error) {
	train := d.Train
	if cfg.TrainLimit > 0 && cfg.TrainLimit < train.Len() {
		train = balancedSubset(train, cfg.TrainLimit, cfg.SplitSeed)
	}
	val, test, err := SplitHalves(d.Test, cfg.SplitSeed)
	if err != nil {
		return nil, err
	}
	return &Splits{Train: train, Val: val, Test: test}, nil
}

// TestHalf is the test half of d's official test set under cfg's split: the
// images a run's TestAccuracy was measured on.
func TestHalf(d *Data, cfg Config) (*Set, error) {
	_, test, err := SplitHalves(d.Test, cfg.SplitSeed)
	return test, err
}

// balancedSubset takes n examples, as equal per class as n allows, in a
// deterministic order.
func balancedSubset(s *Set, n int, seed uint64) *Set {
	perm := rand.New(rand.NewPCG(seed, 0xba1a)).Perm(s.Len())
	var taken [NumClasses]int
	quota := func(c int) int { return n/NumClasses + btoi(c < n%NumClasses) }
	idx := make([]int, 0, n)
	for _, i := range perm {
		c := s.Labels[i]
		if taken[c] < quota(int(c)) {
			taken[c]++
			idx = append(idx, i)
		}
	}
	return s.Subset(idx)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// int32Labels converts labels to the int32 the graphs take.
func int32Labels(labels []uint8) []int32 {
	y := make([]int32, len(labels))
	for i, l := range labels {
		y[i] = int32(l)
	}
	return y
}
