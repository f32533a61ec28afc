package figures

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

func testHistory(n int) []fashion.Epoch {
	h := make([]fashion.Epoch, n)
	for i := range h {
		f := float64(i)
		h[i] = fashion.Epoch{
			Epoch:         i,
			TrainLoss:     0.3 + 0.5*math.Exp(-f/5),
			ValLoss:       0.35 + 0.45*math.Exp(-f/6) + 0.002*f,
			TrainAccuracy: 0.9 - 0.2*math.Exp(-f/5),
			ValAccuracy:   0.87 - 0.15*math.Exp(-f/6),
		}
	}
	return h
}

// testConfusion is a plausible confusion matrix: about 85% right, the rest
// spread, with distinct counts.
func testConfusion() [fashion.NumClasses][fashion.NumClasses]int {
	var m [fashion.NumClasses][fashion.NumClasses]int
	for r := range m {
		for c := range m[r] {
			m[r][c] = (r*31 + c*17) % 60
		}
		m[r][r] = 850 + r
	}
	return m
}

// testImage is an image whose pixel (y, x) is (7y + 3x) mod 256.
func testImage() []uint8 {
	img := make([]uint8, fashion.NumPixels)
	for i := range img {
		y, x := i/fashion.Width, i%fashion.Width
		img[i] = uint8((7*y + 3*x) % 256)
	}
	img[0] = 200
	return img
}

func TestCurvesSVG(t *testing.T) {
	for _, title := range []string{nastyTitle, ""} {
		for _, n := range []int{0, 1, 3, 40} {
			t.Run(fmt.Sprintf("%q, %d epochs", title, n), func(t *testing.T) {
				d := parseSVG(t, CurvesSVG(title, testHistory(n)))
				wantPaths := 4
				if n == 0 {
					wantPaths = 0
				}
				if got := d.Classes["fm-series"]; got != wantPaths {
					t.Errorf("%d series, want %d (train and val of loss and accuracy)", got, wantPaths)
				}
				if got := d.Classes["fm-legend-entry"]; got != 4 {
					t.Errorf("%d legend entries, want 4", got)
				}
				if got := d.Classes["fm-panel"]; got != 2 {
					t.Errorf("%d panels, want 2", got)
				}
				if d.RootAttr("width") != "960" || d.RootAttr("height") != "360" {
					t.Errorf("size %sx%s, want 960x360", d.RootAttr("width"), d.RootAttr("height"))
				}
				want := []string{"loss", "accuracy", "accuracy (%)", "train", "val", "epoch"}
				if title != "" {
					want = append(want, title)
				}
				for _, s := range want {
					if !d.HasText(s) {
						t.Errorf("text %q missing", s)
					}
				}
			})
		}
	}
	// The panels are LossCurves and AccuracyCurves.
	h := testHistory(5)
	l, a := English.LossCurves("L", h), English.AccuracyCurves("A", h)
	if l.Series[0].Name != "train" || l.Series[1].Name != "val" || l.Series[1].Y[2] != h[2].ValLoss || l.Series[0].Y[4] != h[4].TrainLoss {
		t.Errorf("LossCurves series: %+v", l.Series)
	}
	if a.Series[0].Y[4] != 100*h[4].TrainAccuracy || a.Series[1].Y[0] != 100*h[0].ValAccuracy || a.Series[0].X[3] != 3 {
		t.Errorf("AccuracyCurves series: %+v", a.Series)
	}
	if l.Title != "L" || l.YLabel != "loss" || a.YLabel != "accuracy (%)" || a.XLabel != "epoch" {
		t.Errorf("labels: %q %q %q %q", l.Title, l.YLabel, a.YLabel, a.XLabel)
	}
}

func TestOverlaySVG(t *testing.T) {
	h := testHistory(10)
	tests := []struct {
		metric    string
		names     []string
		histories [][]fashion.Epoch
		wantErr   string
		wantLabel string
		wantY0    float64 // first value of the first series
	}{
		{"val_loss", []string{"a", "b"}, [][]fashion.Epoch{h, h[:5]}, "", "validation loss", h[0].ValLoss},
		{"train_loss", []string{"only"}, [][]fashion.Epoch{h}, "", "train loss", h[0].TrainLoss},
		{"val_accuracy", []string{"a", "b", "c"}, [][]fashion.Epoch{h, h, nil}, "", "validation accuracy (%)", 100 * h[0].ValAccuracy},
		{"train_accuracy", []string{"x"}, [][]fashion.Epoch{h}, "", "train accuracy (%)", 100 * h[0].TrainAccuracy},
		{"train_accuracy", nil, nil, "", "train accuracy (%)", 0},
		{"accuracy", []string{"a"}, [][]fashion.Epoch{h}, `figures: unknown metric "accuracy"`, "", 0},
		{"val_loss", []string{"a"}, [][]fashion.Epoch{h, h}, "figures: 1 names for 2 histories", "", 0},
		{"val_loss", []string{"a", "b"}, [][]fashion.Epoch{h}, "figures: 2 names for 1 histories", "", 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s, %d names", tc.metric, len(tc.names)), func(t *testing.T) {
			b, err := OverlaySVG("runs & <more>", tc.metric, tc.names, tc.histories)
			if cerr := checkOverlay(tc.metric, tc.names, tc.histories); (cerr == nil) != (err == nil) {
				t.Errorf("checkOverlay %v, OverlaySVG %v", cerr, err)
			}
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Classes["fm-legend-entry"]; got != len(tc.names) {
				t.Errorf("%d legend entries, want %d", got, len(tc.names))
			}
			for _, s := range append([]string{"runs & <more>", "epoch", tc.wantLabel}, tc.names...) {
				if !d.HasText(s) {
					t.Errorf("text %q missing", s)
				}
			}
			if len(tc.histories) > 0 {
				m := metrics[tc.metric]
				s := historySeries("", tc.histories[0], m.get, m.percent)
				if s.Y[0] != tc.wantY0 || s.X[9] != 9 {
					t.Errorf("series %+v, want Y[0] %g", s, tc.wantY0)
				}
			}
		})
	}
}

func TestConfusionSVG(t *testing.T) {
	m := testConfusion()
	m[3][7] = 0
	d := parseSVG(t, ConfusionSVG(nastyTitle, m))
	if got := d.Classes["fm-cell"]; got != fashion.NumClasses*fashion.NumClasses {
		t.Errorf("%d cells, want %d", got, fashion.NumClasses*fashion.NumClasses)
	}
	for r := range m {
		for c := range m[r] {
			if !d.HasText(strconv.Itoa(m[r][c])) {
				t.Fatalf("count %d of cell (%d,%d) missing", m[r][c], r, c)
			}
		}
	}
	classes := fashion.ClassNames()
	for _, s := range append([]string{nastyTitle, "true class", "predicted class", "share of the true class"}, classes[:]...) {
		if !d.HasText(s) {
			t.Errorf("text %q missing", s)
		}
	}
	// The diagonal is bold and, at about 85% of its row, dark.
	cells := d.WithClass("fm-cell")
	bold := 0
	for _, a := range d.All {
		if a["_elem"] == "text" && a["font-weight"] == "bold" && a["class"] == "" {
			bold++
		}
	}
	if bold != fashion.NumClasses {
		t.Errorf("%d bold counts, want the %d of the diagonal", bold, fashion.NumClasses)
	}
	for i := range fashion.NumClasses {
		f := cells[i*fashion.NumClasses+i]["fill"]
		if red, err := strconv.ParseUint(f[1:3], 16, 8); err != nil || red > 40 {
			t.Errorf("diagonal cell %d fill %s is not dark", i, f)
		}
	}
	// An empty matrix still draws.
	var zero [fashion.NumClasses][fashion.NumClasses]int
	if d := parseSVG(t, ConfusionSVG("", zero)); d.Classes["fm-cell"] != 100 {
		t.Errorf("empty matrix: %d cells", d.Classes["fm-cell"])
	}
}

func TestPerClassBarsSVG(t *testing.T) {
	acc := [fashion.NumClasses]float64{0.85, 0.97, 0.8, 0.88, 0.82, 0.95, 0.6, 0.94, 0.97, 0.963}
	acc[4] = math.NaN()
	d := parseSVG(t, PerClassBarsSVG(nastyTitle, acc))
	if got := d.Classes["fm-bar"]; got != fashion.NumClasses-1 {
		t.Errorf("%d bars, want %d (no bar for NaN)", got, fashion.NumClasses-1)
	}
	classes := fashion.ClassNames()
	for _, s := range append([]string{nastyTitle, "96.3%", "60.0%", "n/a", "0.0%", "100.0%"}, classes[:]...) {
		if !d.HasText(s) {
			t.Errorf("text %q missing", s)
		}
	}
}

func TestImagesSVG(t *testing.T) {
	img := testImage()
	imgs := [][]uint8{img, make([]uint8, fashion.NumPixels), img}
	tests := []struct {
		name      string
		images    [][]uint8
		captions  []string
		cols      int
		wantErr   string
		wantW     int
		wantTexts []string
	}{
		{"captions", imgs, []string{"Coat", "true: Coat\npred: Shirt", "a<b>&c"}, 2, "", 0,
			[]string{"Coat", "true: Coat", "pred: Shirt", "a<b>&c"}},
		{"no captions, one row", imgs, nil, 0, "", 3*(84+8) + 8, nil},
		{"empty", nil, nil, 3, "", 200, []string{"no images"}},
		{"caption count", imgs, []string{"a"}, 2, "1 captions for 3 images", 0, nil},
		{"bad image", [][]uint8{img, img[:783]}, []string{"a", "b"}, 2, "image 1 has 783 bytes, want 784", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ImagesSVG(tc.images, tc.captions, tc.cols)
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Classes["fm-image"]; got != len(tc.images) {
				t.Errorf("%d images, want %d", got, len(tc.images))
			}
			for _, a := range d.WithClass("fm-image") {
				if a["width"] != "84" || a["height"] != "84" {
					t.Errorf("image drawn %sx%s, want 84x84 (3 screen pixels per pixel)", a["width"], a["height"])
				}
			}
			if tc.wantW != 0 && d.RootAttr("width") != strconv.Itoa(tc.wantW) {
				t.Errorf("width %s, want %d", d.RootAttr("width"), tc.wantW)
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("caption %q missing; texts %q", s, d.Texts)
				}
			}
		})
	}
}

func TestMatrixText(t *testing.T) {
	img := testImage()
	img[5*fashion.Width+27] = 255
	text := MatrixText(img)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 2*fashion.Height {
		t.Fatalf("%d lines, want %d (each row in two)", len(lines), 2*fashion.Height)
	}
	if !strings.HasPrefix(lines[0], "[200,   3,   6") || !strings.HasSuffix(lines[11], " 255]") || !strings.HasPrefix(lines[1], "  42,  45") {
		t.Errorf("values misplaced:\n%s\n%s\n%s", lines[0], lines[1], lines[11])
	}
	if text != chart.MatrixText(img, fashion.Width) {
		t.Errorf("MatrixText is not chart.MatrixText at width %d", fashion.Width)
	}
}

var update = flag.Bool("update", false, "rewrite the golden SVGs in testdata")

// TestGolden compares the figures with SVGs kept in testdata, byte for byte.
// They were first written by the renderer these figures replace (package
// fashion's plot.go), so they record that the move kept the same look. A
// deliberate change of look regenerates them: go test -run Golden -update.
func TestGolden(t *testing.T) {
	var acc [fashion.NumClasses]float64
	m := testConfusion()
	for i := range acc {
		acc[i] = float64(m[i][i]) / 1000
	}
	acc[6] = 0.6
	grid, err := ImagesSVG([][]uint8{testImage(), make([]uint8, fashion.NumPixels)}, []string{"true: Coat\npred: Shirt", "a & b"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	overlay, err := OverlaySVG("validation loss", "val_loss", []string{"12 epochs", "5 epochs"},
		[][]fashion.Epoch{testHistory(12), testHistory(5)})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{
		"curves.svg":    CurvesSVG("MLP, 12 epochs", testHistory(12)),
		"overlay.svg":   overlay,
		"confusion.svg": ConfusionSVG("confusion", m),
		"bars.svg":      PerClassBarsSVG("accuracy per class", acc),
		"images.svg":    grid,
	} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (%d bytes, want %d); -update rewrites it", name, path, len(got), len(want))
		}
	}
}

// TestSizes logs the size of typical outputs (go test -v -run Sizes), with
// real images when the data set is installed, and keeps them in bounds: a
// notebook saves every figure it shows. FASHION_PLOT_SAMPLES=dir writes
// the figures there, to look at them.
func TestSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: not in -short")
	}
	curves := CurvesSVG("40 epochs", testHistory(40))
	conf := ConfusionSVG("confusion", testConfusion())
	imgs := make([][]uint8, 20)
	caps := make([]string, 20)
	source := "synthetic"
	var set *fashion.Set
	if dir := "/usr/share/datasets/fashion-mnist"; os.Getenv("FASHION_MNIST_DIR") == "" {
		if _, err := os.Stat(dir); err == nil {
			if d, err := fashion.LoadWith(fashion.LoadOptions{Dir: dir, NoDownload: true}); err == nil {
				set, source = d.Test, "real"
			}
		}
	}
	for i := range imgs {
		if set != nil {
			imgs[i] = set.Image(i)
			caps[i] = "true: " + fashion.ClassNames()[set.Labels[i]] + "\npred: " + fashion.ClassNames()[(i+1)%fashion.NumClasses]
		} else {
			imgs[i], caps[i] = testImage(), "true: Coat\npred: Shirt"
		}
	}
	grid, err := ImagesSVG(imgs, caps, 10)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("FASHION_PLOT_SAMPLES"); dir != "" {
		overlay, _ := OverlaySVG("validation loss", "val_loss", []string{"40 epochs", "15 epochs"},
			[][]fashion.Epoch{testHistory(40), testHistory(15)})
		var acc [fashion.NumClasses]float64
		for i := range acc {
			acc[i] = float64(testConfusion()[i][i]) / 1000
		}
		for name, b := range map[string][]byte{
			"curves.svg": curves, "confusion.svg": conf, "grid.svg": grid, "overlay.svg": overlay,
			"bars.svg": PerClassBarsSVG("per-class accuracy", acc), "curves1.svg": CurvesSVG("", testHistory(1)),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("CurvesSVG, 40 epochs: %d bytes", len(curves))
	t.Logf("ConfusionSVG, 10x10: %d bytes", len(conf))
	t.Logf("ImagesSVG, 20 %s images with 2-line captions: %d bytes", source, len(grid))
	for name, n := range map[string]int{"curves": len(curves), "confusion": len(conf), "grid": len(grid)} {
		if n > 40000 {
			t.Errorf("%s: %d bytes, more than 40 kB", name, n)
		}
	}
}

func TestDeterministic(t *testing.T) {
	h := testHistory(12)
	if !bytes.Equal(CurvesSVG("x", h), CurvesSVG("x", h)) {
		t.Error("CurvesSVG differs between renders")
	}
	g1, _ := ImagesSVG([][]uint8{testImage()}, []string{"c"}, 1)
	g2, _ := ImagesSVG([][]uint8{testImage()}, []string{"c"}, 1)
	if !bytes.Equal(g1, g2) {
		t.Error("ImagesSVG differs between renders")
	}
}
