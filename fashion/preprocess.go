package fashion

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Mean and Std are the mean and standard deviation of the training pixels
// scaled to [0, 1], the constants the exercise uses to normalize its input
// ("Precalculados para FashionMNIST"). MeanStd(data.Train.Images) agrees
// with them to the four digits given.
const (
	Mean = 0.2860
	Std  = 0.3530
)

// Standardize returns the pixels scaled to [0, 1] and standardized as the
// exercise's transforms.Normalize does: (x/255 - mean) / std for each x, as
// float32, in the same order as images (N*NumPixels values for N images).
func Standardize(images []uint8, mean, std float32) []float32 {
	table := standardTable(mean, std)
	out := make([]float32, len(images))
	for i, x := range images {
		out[i] = table[x]
	}
	return out
}

// standardTable is Standardize's value for each of the 256 pixel values:
// computing each once is the same arithmetic as computing every element
// directly, so the results are too. Training standardizes its batches with
// it (on the host, or inside the graph on XLA) from the uint8 images, so no
// float32 copy of the training set is kept.
func standardTable(mean, std float32) *[256]float32 {
	var table [256]float32
	for v := range table {
		table[v] = (float32(v)/255 - mean) / std
	}
	return &table
}

// MeanStd returns the mean and the population standard deviation of the
// pixels scaled to [0, 1] (x/255), over all pixels of all images, computed
// in float64. It returns NaN, NaN for no pixels.
func MeanStd(images []uint8) (mean, std float64) {
	if len(images) == 0 {
		return math.NaN(), math.NaN()
	}
	// A histogram makes the result exact up to the final float64
	// operations, whatever the number of pixels.
	var hist [256]int
	for _, x := range images {
		hist[x]++
	}
	n := float64(len(images))
	var sum float64
	for v, c := range hist {
		sum += float64(c) * float64(v)
	}
	mean = sum / n / 255
	var ss float64
	for v, c := range hist {
		d := float64(v)/255 - mean
		ss += float64(c) * d * d
	}
	return mean, math.Sqrt(ss / n)
}

// SplitHalves splits s into two halves stratified by class, as the
// exercise does with the test set to get a validation set and a test set
// of equal size and class balance.
//
// The indices of each class, in order of class and then of position in s,
// are shuffled and the first half of them goes to first, the rest to
// second; when a class has an odd number of examples the extra one goes to
// second. Each half is then shuffled too, so its examples are not grouped
// by class. With the official test set (1000 examples per class) each half
// has 500 examples of every class.
//
// The shuffles use a PCG generator from math/rand/v2 created by
// rand.NewPCG(seed, 0), and a Fisher-Yates shuffle implemented here rather
// than rand.Shuffle, so the split depends only on s and seed: it is the
// same on every run, machine and Go version. This is the scheme of
// scikit-learn's train_test_split(x, y, test_size=0.5, stratify=y), but
// not the same indices, since the random generators differ.
//
// The halves are copies. SplitHalves returns an error if s is empty or if
// its images and labels disagree in number.
func SplitHalves(s *Set, seed uint64) (first, second *Set, err error) {
	if s == nil || s.Len() == 0 {
		return nil, nil, errors.New("fashion: SplitHalves: empty set")
	}
	if len(s.Images) != s.Len()*NumPixels {
		return nil, nil, fmt.Errorf("fashion: SplitHalves: %d labels but %d image bytes, want %d (%d per image)",
			s.Len(), len(s.Images), s.Len()*NumPixels, NumPixels)
	}
	a, b := splitIndices(s.Labels, seed)
	return s.Subset(a), s.Subset(b), nil
}

// splitIndices implements SplitHalves on the indices of labels. It accepts
// any label values; classes are taken in increasing order of label.
func splitIndices(labels []uint8, seed uint64) (first, second []int) {
	var byClass [256][]int
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	r := rand.NewPCG(seed, 0)
	first = make([]int, 0, len(labels)/2)
	second = make([]int, 0, len(labels)-len(labels)/2)
	for _, idx := range byClass {
		shuffle(r, idx)
		h := len(idx) / 2
		first = append(first, idx[:h]...)
		second = append(second, idx[h:]...)
	}
	shuffle(r, first)
	shuffle(r, second)
	return first, second
}

// shuffle permutes x uniformly at random (Fisher-Yates) using r.
func shuffle(r *rand.PCG, x []int) {
	for i := len(x) - 1; i > 0; i-- {
		j := uintN(r, uint64(i+1))
		x[i], x[j] = x[j], x[i]
	}
}

// uintN returns a uniformly distributed number in [0, n), n > 0, by
// Lemire's multiply-and-reject method.
func uintN(r *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}
