package chart

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

// testImage is a w×h image whose pixel (y, x) is (7y + 3x) mod 256, with
// pixel 0 set to 200 to tell the corner.
func testImage(w, h int) []uint8 {
	img := make([]uint8, w*h)
	for i := range img {
		y, x := i/w, i%w
		img[i] = uint8((7*y + 3*x) % 256)
	}
	img[0] = 200
	return img
}

// checkPNG decodes b and checks it is img, w×h, at scale.
func checkPNG(t *testing.T, b []byte, img []uint8, w, h, scale int) {
	t.Helper()
	dec, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if got, want := dec.Bounds(), image.Rect(0, 0, w*scale, h*scale); got != want {
		t.Fatalf("bounds %v, want %v", got, want)
	}
	for y := 0; y < h*scale; y++ {
		for x := 0; x < w*scale; x++ {
			r, _, _, _ := dec.At(x, y).RGBA()
			if got, want := uint8(r>>8), img[(y/scale)*w+x/scale]; got != want {
				t.Fatalf("pixel (%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
}

func TestImagePNG(t *testing.T) {
	tests := []struct {
		w, h, scale, wantScale int
		len                    int // bytes of the image; -1: w*h
		wantErr                string
	}{
		{28, 28, 1, 1, -1, ""},
		{28, 28, 2, 2, -1, ""},
		{28, 28, 0, 3, -1, ""},
		{28, 28, -1, 3, -1, ""},
		{5, 3, 5, 5, -1, ""}, // not square
		{1, 1, 64, 64, -1, ""},
		{28, 28, 1, 0, 100, "100 bytes, want 784 (28x28)"},
		{28, 28, 65, 0, -1, "scale 65 is larger than 64"},
		{0, 28, 1, 0, 0, "image size 0x28"},
		{4, -1, 1, 0, 0, "image size 4x-1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%dx%d scale %d", tc.w, tc.h, tc.scale), func(t *testing.T) {
			n := tc.len
			if n < 0 {
				n = tc.w * tc.h
			}
			img := testImage(max(tc.w, 1), max(tc.h, 1))[:n]
			b, err := ImagePNG(img, tc.w, tc.h, tc.scale)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, b, img, tc.w, tc.h, tc.wantScale)
		})
	}
}

func TestImageGrid(t *testing.T) {
	img := testImage(28, 28)
	imgs := [][]uint8{img, make([]uint8, 28*28), img}
	small := [][]uint8{testImage(4, 2), testImage(4, 2)}
	tests := []struct {
		name      string
		images    [][]uint8
		w, h      int
		captions  []string
		cols      int
		scale     int
		wantErr   string
		wantW     int // root width, 0: not checked
		wantTexts []string
	}{
		{"captions", imgs, 28, 28, []string{"Coat", "true: Coat\npred: Shirt", "a<b>&c"}, 2, 3, "", 0,
			[]string{"Coat", "true: Coat", "pred: Shirt", "a<b>&c"}},
		{"no captions, one row", imgs, 28, 28, nil, 0, 2, "", 3*(56+8) + 8, nil},
		{"4x2 images, default scale", small, 4, 2, nil, 1, 0, "", 12 + 8 + 8, nil},
		{"empty", nil, 28, 28, nil, 3, 0, "", 0, []string{"no pictures"}},
		{"caption count", imgs, 28, 28, []string{"a"}, 2, 3, "1 captions for 3 images", 0, nil},
		{"bad image", [][]uint8{img, img[:783]}, 28, 28, []string{"a", "b"}, 2, 3, "image 1 has 783 bytes", 0, nil},
		{"wrong size", small, 3, 3, nil, 0, 0, "image 0 has 8 bytes, want 9 (3x3)", 0, nil},
		{"bad size", small, 0, 8, nil, 0, 0, "image size 0x8", 0, nil},
		{"scale too big", imgs, 28, 28, nil, 2, 100, "scale 100", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := ImageGrid{Images: tc.images, Width: tc.w, Height: tc.h, Captions: tc.captions, Columns: tc.cols, Scale: tc.scale,
				Texts: Texts{NoData: "no pictures"}}
			b, err := g.SVG()
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Elems["image"]; got != len(tc.images) {
				t.Fatalf("%d images, want %d", got, len(tc.images))
			}
			if tc.wantW != 0 && d.RootAttr("width") != strconv.Itoa(tc.wantW) {
				t.Errorf("width %s, want %d", d.RootAttr("width"), tc.wantW)
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("caption %q missing; texts %q", s, d.Texts)
				}
			}
			scale := tc.scale
			if scale <= 0 {
				scale = 3
			}
			for i, a := range d.Attrs["image"] {
				if a["width"] != strconv.Itoa(tc.w*scale) || a["height"] != strconv.Itoa(tc.h*scale) || !strings.Contains(a["style"], "pixelated") {
					t.Errorf("image %d: %sx%s style %q", i, a["width"], a["height"], a["style"])
				}
				data, ok := strings.CutPrefix(d.Hrefs[i], "data:image/png;base64,")
				if !ok {
					t.Fatalf("image %d href is not a PNG data URI: %.40s", i, d.Hrefs[i])
				}
				raw, err := base64.StdEncoding.DecodeString(data)
				if err != nil {
					t.Fatal(err)
				}
				checkPNG(t, raw, tc.images[i], tc.w, tc.h, 1) // embedded at its own size
			}
		})
	}
}

func TestMatrixText(t *testing.T) {
	const w, h = 28, 28
	img := testImage(w, h)
	img[5*w+27] = 255
	img[27*w] = 9
	text := MatrixText(img, w)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 2*h || !strings.HasSuffix(text, "]\n") {
		t.Fatalf("%d lines, want %d (each row in two)", len(lines), 2*h)
	}
	for _, l := range lines {
		if len(l) > 72 {
			t.Fatalf("line %q has %d characters, want at most 72", l, len(l))
		}
	}
	// The numbers, in order, are the image.
	fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ", ",", " ").Replace(text))
	if len(fields) != w*h {
		t.Fatalf("%d numbers, want %d", len(fields), w*h)
	}
	for i, f := range fields {
		if f != fmt.Sprint(img[i]) {
			t.Fatalf("number %d is %s, want %d", i, f, img[i])
		}
	}
	if !strings.HasPrefix(lines[0], "[200,   3,   6") || !strings.HasSuffix(lines[11], " 255]") || !strings.HasPrefix(lines[54], "[  9, ") {
		t.Errorf("values misplaced:\n%s\n%s\n%s", lines[0], lines[11], lines[54])
	}
	if got := MatrixText(img[:30], w); got != MatrixText(img[:28], w)+fmt.Sprintf("[%3d, %3d]\n", img[28], img[29]) {
		t.Errorf("partial last row: %q", got)
	}

	// Other widths: rows of at most 14 values per line, split evenly.
	seq := make([]uint8, 60)
	for i := range seq {
		seq[i] = uint8(i)
	}
	for _, tc := range []struct {
		w        int
		perLine  []int // values on each line of the first row
		rowLines int
	}{
		{3, []int{3}, 1},
		{14, []int{14}, 1},
		{15, []int{8, 7}, 2},
		{30, []int{10, 10, 10}, 3},
		{60, []int{12, 12, 12, 12, 12}, 5},
		{0, []int{12, 12, 12, 12, 12}, 5}, // one row of everything
		{-2, []int{12, 12, 12, 12, 12}, 5},
	} {
		text := MatrixText(seq, tc.w)
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		numbers := strings.NewReplacer("[", " ", "]", " ", ",", " ")
		for i, want := range tc.perLine {
			if got := len(strings.Fields(numbers.Replace(lines[i]))); got != want {
				t.Errorf("width %d, line %d: %d values, want %d: %q", tc.w, i, got, want, lines[i])
			}
		}
		rowW := tc.w
		if rowW <= 0 {
			rowW = len(seq)
		}
		rows, wantRows := strings.Count(text, "["), (len(seq)+rowW-1)/rowW
		if rows != wantRows || len(lines) != rows*tc.rowLines {
			t.Errorf("width %d: %d rows in %d lines, want %d rows of %d lines", tc.w, rows, len(lines), wantRows, tc.rowLines)
		}
	}
	if MatrixText(nil, 28) != "" || MatrixText(nil, 0) != "" {
		t.Errorf("empty image not empty text")
	}
}
