package chart

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"math"
	"strings"
)

// checkSize validates an image size and scale.
func checkSize(w, h, scale int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("chart: image size %dx%d", w, h)
	}
	if scale > maxScale {
		return fmt.Errorf("chart: scale %d is larger than %d", scale, maxScale)
	}
	return nil
}

// checkImage validates image i's length against its size.
func checkImage(img []uint8, w, h, i int) error {
	if len(img) != w*h {
		return fmt.Errorf("chart: image %d has %d bytes, want %d (%dx%d)", i, len(img), w*h, w, h)
	}
	return nil
}

// encodeGray encodes a w×h image, each pixel repeated scale×scale times,
// as PNG: pixel value v is gray level v (0 black, 255 white). The best
// compression keeps the data URIs of a grid small; the images are tiny, so
// its cost does not matter.
func encodeGray(img []uint8, w, h, scale int) ([]byte, error) {
	g := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h*scale; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w*scale]
		src := img[(y/scale)*w : (y/scale+1)*w]
		for x := range row {
			row[x] = src[x/scale]
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, g); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImagePNG encodes one w×h grayscale image (w*h bytes, row-major) as a PNG,
// each pixel drawn as a scale×scale block (nearest neighbour); scale <= 0
// means 3. Pixel value v becomes gray level v: 0 is black. It fails if w or
// h is not positive, img is not w*h bytes, or scale is over 64.
func ImagePNG(img []uint8, w, h, scale int) ([]byte, error) {
	if scale <= 0 {
		scale = 3
	}
	if err := checkSize(w, h, scale); err != nil {
		return nil, err
	}
	if err := checkImage(img, w, h, 0); err != nil {
		return nil, err
	}
	return encodeGray(img, w, h, scale)
}

// ImageGrid is a grid of grayscale images, each with its caption below:
// e.g. misclassified images with their true and predicted classes. Each
// image is embedded at its own size as a PNG data URI and scaled by the
// viewer with crisp pixels, which keeps the SVG small.
//
// Every word on the chart is the caller's: Captions and Texts.NoData.
//
// Classes: fm-image (one <image> per image), fm-caption (one <text> per
// caption line), fm-nodata.
type ImageGrid struct {
	// Images are Width×Height grayscale images, each Width*Height bytes,
	// row-major; pixel value v is gray level v (0 is black).
	Images        [][]uint8
	Width, Height int
	// Captions, if not nil, hold one caption per image, written below it;
	// "\n" separates its lines (e.g. "true: Coat\npred: Shirt").
	Captions []string
	// Columns is the number of images per row; 0 means up to 10.
	Columns int
	// Scale draws each image pixel as a Scale×Scale block; 0 means 3, at
	// most 64.
	Scale int
	// Texts.NoData is written when there are no images, e.g. "no images"
	// ("" for nothing); Texts.Missing is not used.
	Texts Texts
}

// check validates the grid's sizes and slices.
func (g *ImageGrid) check(scale int) error {
	if err := checkSize(g.Width, g.Height, scale); err != nil {
		return err
	}
	if g.Captions != nil && len(g.Captions) != len(g.Images) {
		return fmt.Errorf("chart: %d captions for %d images", len(g.Captions), len(g.Images))
	}
	for i, img := range g.Images {
		if err := checkImage(img, g.Width, g.Height, i); err != nil {
			return err
		}
	}
	return nil
}

// SVG renders the grid as a self-contained SVG document. It fails if Width
// or Height is not positive, Captions is not nil and differs in length
// from Images, an image is not Width*Height bytes, or Scale is over 64.
// With no images it is a small SVG with Texts.NoData.
func (g *ImageGrid) SVG() ([]byte, error) {
	scale := g.Scale
	if scale <= 0 {
		scale = 3
	}
	if err := g.check(scale); err != nil {
		return nil, err
	}
	n := len(g.Images)
	cols := g.Columns
	if cols <= 0 {
		cols = min(max(n, 1), 10)
	}
	cols = min(cols, max(n, 1))
	rows := (n + cols - 1) / cols
	const (
		capSize = 11.0
		lineH   = 14.0
		pad     = 8.0
	)
	iw, ih := float64(g.Width*scale), float64(g.Height*scale)
	cellW, lines := iw, 0
	for _, c := range g.Captions {
		ls := strings.Split(c, "\n")
		lines = max(lines, len(ls))
		for _, l := range ls {
			cellW = math.Max(cellW, textWidth(l, capSize))
		}
	}
	cellW += pad
	cellH := ih + float64(lines)*lineH + pad
	if lines > 0 {
		cellH += 2
	}
	W := int(math.Ceil(float64(cols)*cellW + pad))
	H := int(math.Ceil(float64(rows)*cellH + pad))
	if n == 0 {
		W, H = 200, 40
	}
	var b svgBuf
	b.open(W, H)
	if n == 0 {
		b.noData(100, 25, g.Texts.NoData)
		b.close()
		return b.Bytes(), nil
	}
	for i, img := range g.Images {
		data, err := encodeGray(img, g.Width, g.Height, 1)
		if err != nil {
			return nil, err
		}
		cx := pad + float64(i%cols)*cellW + cellW/2
		y := pad + float64(i/cols)*cellH
		b.f(`<image class="fm-image" x="%s" y="%s" width="%s" height="%s" style="image-rendering:optimizeSpeed;image-rendering:crisp-edges;image-rendering:pixelated" href="data:image/png;base64,%s"/>`+"\n",
			num(cx-iw/2), num(y), num(iw), num(ih), base64.StdEncoding.EncodeToString(data))
		if g.Captions == nil {
			continue
		}
		for j, l := range strings.Split(g.Captions[i], "\n") {
			b.text(cx, y+ih+lineH*float64(j+1), ` class="fm-caption" text-anchor="middle" font-size="11" fill="#222222"`, l)
		}
	}
	b.close()
	return b.Bytes(), nil
}

// maxPerLine is the most values MatrixText writes on one line: 14 values of
// "255, " are 70 characters, which fit a notebook's output width.
const maxPerLine = 14

// MatrixText writes an image's numbers as PyTorch prints an image tensor:
// each row of w values in brackets, values right-aligned in 3 characters.
// A row longer than 14 values is split in equal lines of at most 14 (a row
// of 28 in two lines of 14, as the course's exercise shows a 28×28 image)
// so that it fits a notebook's width. A length that is not a multiple of w
// leaves a shorter last row; w <= 0 writes all of img as one row.
func MatrixText(img []uint8, w int) string {
	if w <= 0 {
		w = max(len(img), 1)
	}
	lines := (w + maxPerLine - 1) / maxPerLine
	per := (w + lines - 1) / lines // values per line
	var sb strings.Builder
	sb.Grow(len(img) * 5)
	for start := 0; start < len(img); start += w {
		row := img[start:min(start+w, len(img))]
		sb.WriteByte('[')
		for i, v := range row {
			switch {
			case i > 0 && i%per == 0:
				sb.WriteString(",\n ")
			case i > 0:
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "%3d", v)
		}
		sb.WriteString("]\n")
	}
	return sb.String()
}
