package fashion_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// This example needs the data set, so it is compiled but not run by go
// test. With the official data it prints:
//
//	train: [60000 28 28] [60000 1]
//	test: [10000 28 28] [10000 1]
func ExampleLoad() {
	data, err := fashion.Load("") // $FASHION_MNIST_DIR, ./data/fashion-mnist, system, or download
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("train:", data.Train.ImagesShape(), data.Train.LabelsShape())
	fmt.Println("test:", data.Test.ImagesShape(), data.Test.LabelsShape())
	fmt.Printf("read from %s (%s)\n", data.Dir, data.Source)
}

// Loading a deliberately modified copy, without downloading anything.
func ExampleLoadWith() {
	data, err := fashion.LoadWith(fashion.LoadOptions{
		Dir:        "testdata/my-modified-copy",
		NoVerify:   true,
		NoDownload: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data.Train.Len(), data.Checksum == fashion.DataChecksum())
}

func ExampleParseLabels() {
	// An IDX1 file: magic number, count, then one byte per label.
	idx := []byte{0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4}
	labels, err := fashion.ParseLabels(bytes.NewReader(idx), "example")
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range labels {
		fmt.Println(l, fashion.ClassNames()[l])
	}

	// Label 10 does not exist.
	idx[len(idx)-1] = 10
	_, err = fashion.ParseLabels(bytes.NewReader(idx), "example")
	fmt.Println(err)
	// Output:
	// 9 Ankle boot
	// 0 T-shirt/top
	// 4 Coat
	// fashion: example: label 10 at index 2 is outside 0..9
}

func ExampleParseImages() {
	// An IDX3 file header announcing 2 images of 28x28 pixels, with only
	// one image of data.
	idx := binary.BigEndian.AppendUint32(nil, 0x00000803)
	idx = binary.BigEndian.AppendUint32(idx, 2)
	idx = binary.BigEndian.AppendUint32(idx, 28)
	idx = binary.BigEndian.AppendUint32(idx, 28)
	idx = append(idx, make([]byte, fashion.NumPixels)...)
	_, _, _, _, err := fashion.ParseImages(bytes.NewReader(idx), "short.idx3")
	fmt.Println(err)
	// Output:
	// fashion: short.idx3: data length mismatch: header announces 2 images of 28x28 pixels, so want 1568 bytes after the 16-byte header, got 784 (file truncated?)
}

func ExampleStandardize() {
	x := fashion.Standardize([]uint8{0, 73, 255}, fashion.Mean, fashion.Std)
	fmt.Printf("%.4f\n", x)
	// Output:
	// [-0.8102 0.0008 2.0227]
}

func ExampleMeanStd() {
	mean, std := fashion.MeanStd([]uint8{0, 0, 0, 255})
	fmt.Printf("%.4f %.4f\n", mean, std)
	// Output:
	// 0.2500 0.4330
}

func ExampleSplitHalves() {
	// 30 small examples, 3 per class; with the official test set the
	// halves have 500 examples per class each.
	s := &fashion.Set{Images: make([]uint8, 30*fashion.NumPixels), Labels: make([]uint8, 30)}
	for i := range s.Labels {
		s.Labels[i] = uint8(i % fashion.NumClasses)
	}
	validation, test, err := fashion.SplitHalves(s, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(validation.Len(), validation.ClassCounts())
	fmt.Println(test.Len(), test.ClassCounts())
	// Output:
	// 10 [1 1 1 1 1 1 1 1 1 1]
	// 20 [2 2 2 2 2 2 2 2 2 2]
}

func ExampleSet_ClassCounts() {
	s := &fashion.Set{Images: make([]uint8, 3*fashion.NumPixels), Labels: []uint8{7, 7, 0}}
	for c, n := range s.ClassCounts() {
		if n > 0 {
			fmt.Printf("%s: %d\n", fashion.ClassNames()[c], n)
		}
	}
	// Output:
	// T-shirt/top: 1
	// Sneaker: 2
}
