package fashion

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestStandardize(t *testing.T) {
	in := []uint8{0, 1, 73, 128, 254, 255}
	got := Standardize(in, Mean, Std)
	if len(got) != len(in) {
		t.Fatalf("len = %d, want %d", len(got), len(in))
	}
	for i, x := range in {
		// Same float32 arithmetic as the doc comment states...
		if want := (float32(x)/255 - float32(Mean)) / float32(Std); got[i] != want {
			t.Errorf("Standardize(%d) = %v, want exactly %v", x, got[i], want)
		}
		// ...which is close to the exact value.
		if want := (float64(x)/255 - Mean) / Std; math.Abs(float64(got[i])-want) > 1e-6 {
			t.Errorf("Standardize(%d) = %v, want %v within 1e-6", x, got[i], want)
		}
	}
	// Known values: background and full intensity.
	if math.Abs(float64(got[0])+0.810198) > 1e-5 || math.Abs(float64(got[5])-2.022663) > 1e-5 {
		t.Errorf("Standardize(0), Standardize(255) = %v, %v; want -0.810198, 2.022663", got[0], got[5])
	}
	// Other constants are honoured.
	if got := Standardize([]uint8{255, 0}, 0.5, 0.5); got[0] != 1 || got[1] != -1 {
		t.Errorf("Standardize([255 0], 0.5, 0.5) = %v, want [1 -1]", got)
	}
	if got := Standardize(nil, Mean, Std); len(got) != 0 {
		t.Errorf("Standardize(nil) = %v, want empty", got)
	}
}

// naiveMeanStd is the textbook two-pass computation, for comparison.
func naiveMeanStd(images []uint8) (mean, std float64) {
	for _, x := range images {
		mean += float64(x) / 255
	}
	mean /= float64(len(images))
	for _, x := range images {
		d := float64(x)/255 - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(len(images)))
}

func TestMeanStd(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]uint8, 10000)
	for i := range random {
		random[i] = uint8(r.UintN(256))
	}
	randomMean, randomStd := naiveMeanStd(random)
	for _, tc := range []struct {
		name      string
		in        []uint8
		mean, std float64
	}{
		{"black and white", []uint8{0, 255}, 0.5, 0.5},
		{"all white", []uint8{255, 255, 255}, 1, 0},
		{"all black", []uint8{0}, 0, 0},
		{"quarter white", []uint8{0, 0, 0, 255}, 0.25, math.Sqrt(0.1875)},
		{"51 and 102", []uint8{51, 102}, 0.3, 0.1},
		{"random", random, randomMean, randomStd},
	} {
		mean, std := MeanStd(tc.in)
		if math.Abs(mean-tc.mean) > 1e-12 || math.Abs(std-tc.std) > 1e-12 {
			t.Errorf("%s: MeanStd = %v, %v; want %v, %v", tc.name, mean, std, tc.mean, tc.std)
		}
	}
	if mean, std := MeanStd(nil); !math.IsNaN(mean) || !math.IsNaN(std) {
		t.Errorf("MeanStd(nil) = %v, %v; want NaN, NaN", mean, std)
	}
}

func TestMeanStdRealData(t *testing.T) {
	d := loadReal(t)
	mean, std := MeanStd(d.Train.Images)
	if math.Abs(mean-Mean) >= 5e-4 || math.Abs(std-Std) >= 5e-4 {
		t.Errorf("MeanStd(train) = %.6f, %.6f; want %.4f, %.4f to 3 decimals", mean, std, Mean, Std)
	}
}

// checkSplit checks that first and second partition the indices of labels
// with each class split in halves, the extra example of an odd class in
// second.
func checkSplit(t *testing.T, labels []uint8, first, second []int) {
	t.Helper()
	all := slices.Concat(first, second)
	slices.Sort(all)
	for i, idx := range all {
		if idx != i {
			t.Fatalf("the halves are not a partition of 0..%d: sorted union has %d at position %d", len(labels)-1, idx, i)
		}
	}
	var total, inFirst [256]int
	for _, l := range labels {
		total[l]++
	}
	for _, i := range first {
		inFirst[labels[i]]++
	}
	for c := range total {
		if inFirst[c] != total[c]/2 {
			t.Errorf("class %d: %d of %d examples in the first half, want %d", c, inFirst[c], total[c], total[c]/2)
		}
	}
}

func TestSplitIndices(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []uint8
	}{
		{"one", []uint8{4}},
		{"balanced", genLabels(100)},
		{"odd classes", []uint8{0, 0, 0, 1, 1, 2, 9, 9, 9, 9, 9}},
		{"any label values", []uint8{200, 10, 200, 10, 255, 0}},
		{"sorted by class", []uint8{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := splitIndices(tc.labels, 42)
			checkSplit(t, tc.labels, first, second)
			first2, second2 := splitIndices(tc.labels, 42)
			if !slices.Equal(first, first2) || !slices.Equal(second, second2) {
				t.Error("not deterministic")
			}
		})
	}

	// Golden values: the split must not change between Go versions or
	// machines, since results are compared across runs.
	first, second := splitIndices(genLabels(20), 42)
	if want := []int{6, 13, 0, 8, 12, 14, 17, 1, 9, 5}; !slices.Equal(first, want) {
		t.Errorf("first half for seed 42 = %v, want %v", first, want)
	}
	if want := []int{19, 3, 7, 2, 4, 11, 10, 18, 15, 16}; !slices.Equal(second, want) {
		t.Errorf("second half for seed 42 = %v, want %v", second, want)
	}
}

func TestSplitUintN(t *testing.T) {
	r := rand.NewPCG(3, 4)
	var counts [3]int
	const draws = 30000
	for range draws {
		counts[uintN(r, 3)]++
	}
	for v, c := range counts {
		// Standard deviation is about 82; 6 of them is far beyond chance.
		if c < draws/3-500 || c > draws/3+500 {
			t.Errorf("uintN(3) gave %d %d times in %d draws, want about %d", v, c, draws, draws/3)
		}
	}
	if got := uintN(r, 1); got != 0 {
		t.Errorf("uintN(1) = %d, want 0", got)
	}
	big := uint64(1)<<63 + 1 // rejection is likely here
	for range 100 {
		if got := uintN(r, big); got >= big {
			t.Fatalf("uintN(%d) = %d", big, got)
		}
	}
}

func TestSplitHalves(t *testing.T) {
	s := &Set{Images: genPixels(25, NumPixels), Labels: genLabels(25)}
	first, second, err := SplitHalves(s, 7)
	if err != nil {
		t.Fatal(err)
	}
	a, b := splitIndices(s.Labels, 7)
	for _, half := range []struct {
		got     *Set
		indices []int
	}{{first, a}, {second, b}} {
		want := s.Subset(half.indices)
		if !bytes.Equal(half.got.Images, want.Images) || !bytes.Equal(half.got.Labels, want.Labels) {
			t.Errorf("half differs from Subset(splitIndices)")
		}
	}
	if first.Len() != 10 || second.Len() != 15 {
		t.Errorf("halves of %d and %d, want 10 and 15 (five odd classes of 3)", first.Len(), second.Len())
	}
	if first.ClassCounts() != [NumClasses]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1} {
		t.Errorf("first half class counts = %v", first.ClassCounts())
	}
	if second.ClassCounts() != [NumClasses]int{2, 2, 2, 2, 2, 1, 1, 1, 1, 1} {
		t.Errorf("second half class counts = %v", second.ClassCounts())
	}
}

func TestSplitHalvesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  *Set
		want string
	}{
		{"nil", nil, "empty set"},
		{"empty", &Set{}, "empty set"},
		{"images missing", &Set{Images: make([]uint8, NumPixels), Labels: []uint8{1, 2}}, "2 labels but 784 image bytes, want 1568"},
	} {
		first, second, err := SplitHalves(tc.set, 1)
		wantErr(t, err, "fashion: SplitHalves: ", tc.want)
		if first != nil || second != nil {
			t.Errorf("%s: got sets along with the error", tc.name)
		}
	}
}

func TestSplitHalvesRealData(t *testing.T) {
	test := loadReal(t).Test
	first, second := splitIndices(test.Labels, 42)
	if len(first) != 5000 || len(second) != 5000 {
		t.Fatalf("halves of %d and %d, want 5000 and 5000", len(first), len(second))
	}
	checkSplit(t, test.Labels, first, second)

	valid, tst, err := SplitHalves(test, 42)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Set{"first": valid, "second": tst} {
		if s.Len() != 5000 || len(s.Images) != 5000*NumPixels {
			t.Errorf("%s half: %d examples, %d image bytes; want 5000, %d", name, s.Len(), len(s.Images), 5000*NumPixels)
		}
		for c, n := range s.ClassCounts() {
			if n != 500 {
				t.Errorf("%s half: %d examples of class %d, want 500", name, n, c)
			}
		}
		// Shuffled, not grouped by class.
		if slices.IsSorted(s.Labels) {
			t.Errorf("%s half: labels sorted, want shuffled", name)
		}
	}
	if !bytes.Equal(valid.Image(0), test.Image(first[0])) || tst.Labels[4999] != test.Labels[second[4999]] {
		t.Error("SplitHalves does not follow splitIndices")
	}

	valid2, tst2, err := SplitHalves(test, 42)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(valid.Images, valid2.Images) || !bytes.Equal(tst.Labels, tst2.Labels) {
		t.Error("SplitHalves(test, 42) differs between calls")
	}
	other, _ := splitIndices(test.Labels, 43)
	if slices.Equal(first, other) {
		t.Error("seeds 42 and 43 give the same split")
	}
	slices.Sort(first)
	slices.Sort(other)
	if slices.Equal(first, other) {
		t.Error("seeds 42 and 43 give the same halves in a different order")
	}
}
