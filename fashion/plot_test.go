package fashion

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from an SVG: it is parsed with
// encoding/xml, so any escaping mistake fails the parse.
type svgDoc struct {
	root    xml.StartElement
	elems   map[string]int // count per element name
	classes map[string]int // count per class attribute value
	texts   []string       // character data of each <text> element
	hrefs   []string       // href of each <image>
	attrs   map[string][]map[string]string
}

func (d *svgDoc) hasText(s string) bool {
	for _, t := range d.texts {
		if t == s {
			return true
		}
	}
	return false
}

func (d *svgDoc) rootAttr(name string) string {
	for _, a := range d.root.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseSVG decodes every token of b, checks the root element and collects
// the svgDoc.
func parseSVG(t *testing.T, b []byte) *svgDoc {
	t.Helper()
	d := &svgDoc{elems: map[string]int{}, classes: map[string]int{}, attrs: map[string][]map[string]string{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	var text *strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if d.root.Name.Local != "" {
					t.Fatalf("second root element %q", tok.Name.Local)
				}
				d.root = tok.Copy()
			}
			depth++
			d.elems[tok.Name.Local]++
			am := map[string]string{}
			for _, a := range tok.Attr {
				am[a.Name.Local] = a.Value
				if a.Name.Local == "class" {
					d.classes[a.Value]++
				}
				if tok.Name.Local == "image" && a.Name.Local == "href" {
					d.hrefs = append(d.hrefs, a.Value)
				}
			}
			d.attrs[tok.Name.Local] = append(d.attrs[tok.Name.Local], am)
			if tok.Name.Local == "text" {
				text = &strings.Builder{}
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" && text != nil {
				d.texts = append(d.texts, text.String())
				text = nil
			}
		case xml.CharData:
			if text != nil {
				text.Write(tok)
			}
		}
	}
	if d.root.Name.Local != "svg" || d.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root element is %v, want svg in the SVG namespace", d.root.Name)
	}
	w, errW := strconv.Atoi(d.rootAttr("width"))
	h, errH := strconv.Atoi(d.rootAttr("height"))
	if errW != nil || errH != nil || w <= 0 || h <= 0 {
		t.Fatalf("root width=%q height=%q", d.rootAttr("width"), d.rootAttr("height"))
	}
	if vb := d.rootAttr("viewBox"); vb != fmt.Sprintf("0 0 %d %d", w, h) {
		t.Fatalf("viewBox %q for %dx%d", vb, w, h)
	}
	if d.elems["script"] > 0 || bytes.Count(b, []byte("http")) != 1 { // only the xmlns
		t.Fatalf("SVG has a script or an external URL")
	}
	if bytes.Contains(b, []byte(` id=`)) {
		t.Fatalf("SVG has element ids, which can clash in a page")
	}
	return d
}

// nastyTitle has every character XML escaping must handle.
const nastyTitle = `a<b & "c" 'd' >e`

func plotTestHistory(n int) []Epoch {
	h := make([]Epoch, n)
	for i := range h {
		f := float64(i)
		h[i] = Epoch{
			Epoch:         i,
			TrainLoss:     0.3 + 0.5*math.Exp(-f/5),
			ValLoss:       0.35 + 0.45*math.Exp(-f/6) + 0.002*f,
			TrainAccuracy: 0.9 - 0.2*math.Exp(-f/5),
			ValAccuracy:   0.87 - 0.15*math.Exp(-f/6),
		}
	}
	return h
}

func TestLineChartSVG(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name      string
		chart     LineChart
		paths     int // series drawn
		noData    bool
		wantTexts []string
	}{
		{
			name: "one series",
			chart: LineChart{Title: "Loss", XLabel: "epoch", YLabel: "loss",
				Series: []Series{{Name: "train", X: []float64{0, 1, 2}, Y: []float64{1, 0.5, 0.25}}}},
			paths: 1, wantTexts: []string{"Loss", "epoch", "loss", "train"},
		},
		{
			name: "three series, dashed, escaped text",
			chart: LineChart{Title: nastyTitle, XLabel: "x & y", YLabel: "<y>",
				Series: []Series{
					{Name: "a<1>", X: []float64{0, 1}, Y: []float64{1, 2}},
					{Name: `"b"`, X: []float64{0, 1}, Y: []float64{2, 1}, Dashed: true},
					{Name: "c&d", X: []float64{0, 1, 2}, Y: []float64{3, 3, 3}},
				}},
			paths: 3, wantTexts: []string{nastyTitle, "x & y", "<y>", "a<1>", `"b"`, "c&d"},
		},
		{
			name: "NaN and Inf points skipped",
			chart: LineChart{Series: []Series{
				{Name: "gaps", X: []float64{0, 1, 2, 3, 4}, Y: []float64{1, nan, 2, inf, 3}},
				{Name: "bad x", X: []float64{nan, 1}, Y: []float64{1, 2}},
			}},
			paths: 2, wantTexts: []string{"gaps", "bad x"},
		},
		{
			name:   "no series",
			chart:  LineChart{Title: "empty"},
			noData: true, wantTexts: []string{"empty", "no data"},
		},
		{
			name:   "only empty and NaN series",
			chart:  LineChart{Series: []Series{{Name: "e"}, {Name: "n", X: []float64{0}, Y: []float64{nan}}}},
			noData: true, wantTexts: []string{"e", "n", "no data"},
		},
		{
			name: "log Y skips non-positive values",
			chart: LineChart{LogY: true, Width: 300, Height: 200,
				Series: []Series{{Name: "l", X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, -1, 0.001}}}},
			paths: 1, wantTexts: []string{"l", "1", "0.01"},
		},
		{
			name: "unnamed series and one point",
			chart: LineChart{Series: []Series{
				{X: []float64{5}, Y: []float64{7}},
				{X: []float64{1, 2, 3}, Y: []float64{4, 5}}, // extra X ignored
			}},
			paths: 2, wantTexts: []string{"series 1", "series 2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.chart.SVG()
			d := parseSVG(t, b)
			if got := d.classes["fm-series"]; got != tc.paths {
				t.Errorf("%d series paths, want %d", got, tc.paths)
			}
			if got, want := d.classes["fm-legend-entry"], len(tc.chart.Series); got != want {
				t.Errorf("%d legend entries, want %d", got, want)
			}
			if got := d.classes["fm-nodata"] > 0; got != tc.noData {
				t.Errorf("no-data message shown: %v, want %v", got, tc.noData)
			}
			for _, s := range tc.wantTexts {
				if !d.hasText(s) {
					t.Errorf("text %q missing; texts: %q", s, d.texts)
				}
			}
			wantW, wantH := tc.chart.Width, tc.chart.Height
			if wantW == 0 {
				wantW, wantH = 640, 360
			}
			if d.rootAttr("width") != strconv.Itoa(wantW) || d.rootAttr("height") != strconv.Itoa(wantH) {
				t.Errorf("size %sx%s, want %dx%d", d.rootAttr("width"), d.rootAttr("height"), wantW, wantH)
			}
			for _, p := range d.attrs["path"] {
				if strings.Contains(p["d"], "NaN") || strings.Contains(p["d"], "Inf") {
					t.Errorf("path with a non-finite coordinate: %q", p["d"])
				}
			}
			if !bytes.Equal(b, tc.chart.SVG()) {
				t.Errorf("two renders differ")
			}
		})
	}
}

func TestLineChartGaps(t *testing.T) {
	c := LineChart{Series: []Series{{Name: "g", X: []float64{0, 1, 2, 3, 4}, Y: []float64{1, 2, math.NaN(), 3, 4}}}}
	d := parseSVG(t, c.SVG())
	for _, p := range d.attrs["path"] {
		if p["class"] == "fm-series" {
			if got := strings.Count(p["d"], "M"); got != 2 {
				t.Errorf("path %q has %d runs, want 2 around the NaN", p["d"], got)
			}
			if got := strings.Count(p["d"], "L"); got != 2 {
				t.Errorf("path %q has %d segments, want 2", p["d"], got)
			}
		}
	}
	if got := d.elems["circle"]; got != 4 {
		t.Errorf("%d markers, want one per finite point (4)", got)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		min, max        float64
		loose, integer  bool
		want            string
		wantLo, wantHix float64
	}{
		{0.27, 0.81, true, false, "0.2 0.4 0.6 0.8 1.0", 0.2, 1},
		{-0.001, 0.0004, true, false, "-0.0010 -0.0005 0.0000 0.0005", -0.001, 0.0005},
		{70, 90, true, false, "70 75 80 85 90", 70, 90},
		{0, 39, false, true, "0 10 20 30", 0, 39},
		{0, 2, false, true, "0 1 2", 0, 2},
		{3, 3, false, true, "3", 2.5, 3.5},
		{0.5, 0.5, true, false, "0.450 0.475 0.500 0.525 0.550", 0.45, 0.55},
		{-1, 1, true, false, "-1.0 -0.5 0.0 0.5 1.0", -1, 1},
		{0, 2.5e6, true, false, "0 500000 1000000 1500000 2000000 2500000", 0, 2.5e6},
	}
	for _, tc := range tests {
		a := linearAxis(tc.min, tc.max, 5, tc.loose, tc.integer)
		if got := strings.Join(a.labels, " "); got != tc.want {
			t.Errorf("ticks of [%g,%g] = %q, want %q", tc.min, tc.max, got, tc.want)
		}
		if math.Abs(a.lo-tc.wantLo) > 1e-9 || math.Abs(a.hi-tc.wantHix) > 1e-9 {
			t.Errorf("range of [%g,%g] = [%g,%g], want [%g,%g]", tc.min, tc.max, a.lo, a.hi, tc.wantLo, tc.wantHix)
		}
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		target   int
		want     string
	}{
		{0.25, 0.6, 5, "0.3 0.4 0.5 0.6"},
		{0.001, 1, 2, "0.001 0.01 0.1 1"},
		{0.01, 10, 5, "0.01 0.02 0.05 0.1 0.2 0.5 1 2 5 10"},
		{1e-8, 1e8, 2, "1e-05 1 1e+05"},
	}
	for _, tc := range tests {
		a := logAxis(tc.min, tc.max, tc.target)
		if got := strings.Join(a.labels, " "); got != tc.want {
			t.Errorf("log ticks of [%g,%g] = %q, want %q", tc.min, tc.max, got, tc.want)
		}
		if math.Pow(10, a.lo) > tc.min || math.Pow(10, a.hi) < tc.max {
			t.Errorf("log range [%g,%g] does not hold [%g,%g]", math.Pow(10, a.lo), math.Pow(10, a.hi), tc.min, tc.max)
		}
	}
}

func TestCurvesSVG(t *testing.T) {
	for _, n := range []int{0, 1, 3, 40} {
		t.Run(fmt.Sprint(n, " epochs"), func(t *testing.T) {
			b := CurvesSVG(nastyTitle, plotTestHistory(n))
			d := parseSVG(t, b)
			wantPaths := 4
			if n == 0 {
				wantPaths = 0
			}
			if got := d.classes["fm-series"]; got != wantPaths {
				t.Errorf("%d series, want %d (train and val of loss and accuracy)", got, wantPaths)
			}
			if got := d.classes["fm-legend-entry"]; got != 4 {
				t.Errorf("%d legend entries, want 4", got)
			}
			if got := d.classes["fm-panel"]; got != 2 {
				t.Errorf("%d panels, want 2", got)
			}
			for _, s := range []string{nastyTitle, "loss", "accuracy", "accuracy (%)", "train", "val", "epoch"} {
				if !d.hasText(s) {
					t.Errorf("text %q missing", s)
				}
			}
		})
	}
	// The panels are LossCurves and AccuracyCurves.
	h := plotTestHistory(5)
	l, a := LossCurves("L", h), AccuracyCurves("A", h)
	if l.Series[0].Name != "train" || l.Series[1].Name != "val" || l.Series[1].Y[2] != h[2].ValLoss {
		t.Errorf("LossCurves series: %+v", l.Series)
	}
	if a.Series[0].Y[4] != 100*h[4].TrainAccuracy || a.Series[1].Y[0] != 100*h[0].ValAccuracy || a.Series[0].X[3] != 3 {
		t.Errorf("AccuracyCurves series: %+v", a.Series)
	}
}

func TestOverlaySVG(t *testing.T) {
	h := plotTestHistory(10)
	tests := []struct {
		metric    string
		names     []string
		histories [][]Epoch
		wantErr   string
		wantLabel string
	}{
		{"val_loss", []string{"a", "b"}, [][]Epoch{h, h[:5]}, "", "validation loss"},
		{"train_loss", []string{"only"}, [][]Epoch{h}, "", "train loss"},
		{"val_accuracy", []string{"a", "b", "c"}, [][]Epoch{h, h, nil}, "", "validation accuracy (%)"},
		{"train_accuracy", nil, nil, "", "train accuracy (%)"},
		{"accuracy", []string{"a"}, [][]Epoch{h}, "unknown metric", ""},
		{"val_loss", []string{"a"}, [][]Epoch{h, h}, "1 names for 2 histories", ""},
		{"val_loss", []string{"a", "b"}, [][]Epoch{h}, "2 names for 1 histories", ""},
	}
	for _, tc := range tests {
		b, err := OverlaySVG("runs & <more>", tc.metric, tc.names, tc.histories)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("OverlaySVG(%q, %d names, %d histories) error %v, want %q", tc.metric, len(tc.names), len(tc.histories), err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("OverlaySVG(%q): %v", tc.metric, err)
			continue
		}
		d := parseSVG(t, b)
		if got := d.classes["fm-legend-entry"]; got != len(tc.names) {
			t.Errorf("%s: %d legend entries, want %d", tc.metric, got, len(tc.names))
		}
		for _, s := range append([]string{"runs & <more>", tc.wantLabel}, tc.names...) {
			if !d.hasText(s) {
				t.Errorf("%s: text %q missing", tc.metric, s)
			}
		}
	}
}

func TestConfusionSVG(t *testing.T) {
	var m [NumClasses][NumClasses]int
	for r := range m {
		for c := range m[r] {
			m[r][c] = 1000 + 10*r + c // distinct counts
		}
	}
	m[3][7] = 0
	names := []string{"T<shirt>", "A & B", `"q"`, "d", "e", "f", "g", "h", "i", "j"}
	tests := []struct {
		name      string
		names     []string
		wantNames []string
	}{
		{"given names", names, names},
		{"nil names are ClassNames", nil, ClassNames[:]},
		{"short names are numbered", []string{"x"}, []string{"x", "1", "9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parseSVG(t, ConfusionSVG(nastyTitle, m, tc.names))
			if got := d.classes["fm-cell"]; got != NumClasses*NumClasses {
				t.Errorf("%d cells, want %d", got, NumClasses*NumClasses)
			}
			for r := range m {
				for c := range m[r] {
					if !d.hasText(strconv.Itoa(m[r][c])) {
						t.Fatalf("count %d of cell (%d,%d) missing", m[r][c], r, c)
					}
				}
			}
			for _, s := range append([]string{nastyTitle, "true class", "predicted class"}, tc.wantNames...) {
				if !d.hasText(s) {
					t.Errorf("text %q missing", s)
				}
			}
		})
	}
	// Empty matrix: still valid, all cells the lightest colour.
	var zero [NumClasses][NumClasses]int
	d := parseSVG(t, ConfusionSVG("", zero, nil))
	for _, a := range d.attrs["rect"] {
		if a["class"] == "fm-cell" && a["fill"] != blues(0) {
			t.Fatalf("empty matrix cell fill %s, want %s", a["fill"], blues(0))
		}
	}
	// The diagonal of a perfect classifier is the darkest colour.
	var perfect [NumClasses][NumClasses]int
	for i := range perfect {
		perfect[i][i] = 5
	}
	d = parseSVG(t, ConfusionSVG("", perfect, nil))
	cells := 0
	for _, a := range d.attrs["rect"] {
		if a["class"] != "fm-cell" {
			continue
		}
		want := blues(0)
		if cells/NumClasses == cells%NumClasses {
			want = blues(1)
		}
		if a["fill"] != want {
			t.Errorf("cell %d fill %s, want %s", cells, a["fill"], want)
		}
		cells++
	}
}

func TestBarsSVG(t *testing.T) {
	tests := []struct {
		name      string
		names     []string
		values    []float64
		format    string
		bars      int
		wantTexts []string
	}{
		{"per-class accuracy", ClassNames[:], []float64{0.85, 0.97, 0.8, 0.88, 0.82, 0.95, 0.6, 0.94, 0.97, 0.963}, "%.1f%%",
			10, []string{"Ankle boot", "96.3%", "60.0%", "0.0%", "100.0%"}},
		{"default format", []string{"a & b"}, []float64{0.5}, "", 1, []string{"a & b", "50.0%"}},
		{"NaN and missing name", []string{"x"}, []float64{math.NaN(), 0.25}, "%.0f", 1, []string{"x", "n/a", "#1", "25"}},
		{"negative and above one", []string{"neg", "big"}, []float64{-0.2, 1.5}, "%.0f%%", 2, []string{"-20%", "150%"}},
		{"empty", nil, nil, "", 0, []string{"no data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parseSVG(t, BarsSVG(nastyTitle, tc.names, tc.values, tc.format))
			if got := d.classes["fm-bar"]; got != tc.bars {
				t.Errorf("%d bars, want %d", got, tc.bars)
			}
			for _, s := range append([]string{nastyTitle}, tc.wantTexts...) {
				if !d.hasText(s) {
					t.Errorf("text %q missing; texts %q", s, d.texts)
				}
			}
			for _, a := range d.attrs["rect"] {
				if w, err := strconv.ParseFloat(a["width"], 64); err != nil || w < 0 {
					t.Errorf("rect width %q", a["width"])
				}
			}
		})
	}
	// Bar lengths are proportional to the values.
	d := parseSVG(t, BarsSVG("", []string{"a", "b"}, []float64{0.25, 1}, ""))
	var widths []float64
	for _, a := range d.attrs["rect"] {
		if a["class"] == "fm-bar" {
			w, _ := strconv.ParseFloat(a["width"], 64)
			widths = append(widths, w)
		}
	}
	if len(widths) != 2 || math.Abs(widths[1]/widths[0]-4) > 0.01 {
		t.Errorf("bar widths %v, want ratio 4", widths)
	}
}

// plotTestImage is an image whose pixel (y, x) is (7y + 3x) mod 256.
func plotTestImage() []uint8 {
	img := make([]uint8, NumPixels)
	for i := range img {
		y, x := i/Width, i%Width
		img[i] = uint8((7*y + 3*x) % 256)
	}
	img[0] = 200
	return img
}

func TestImagePNG(t *testing.T) {
	img := plotTestImage()
	for _, tc := range []struct{ scale, want int }{{1, 1}, {2, 2}, {0, 3}, {-1, 3}, {5, 5}} {
		b, err := ImagePNG(img, tc.scale)
		if err != nil {
			t.Fatalf("scale %d: %v", tc.scale, err)
		}
		dec, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("scale %d: decoding: %v", tc.scale, err)
		}
		if got, want := dec.Bounds(), image.Rect(0, 0, Width*tc.want, Height*tc.want); got != want {
			t.Fatalf("scale %d: bounds %v, want %v", tc.scale, got, want)
		}
		for y := 0; y < Height*tc.want; y++ {
			for x := 0; x < Width*tc.want; x++ {
				r, _, _, _ := dec.At(x, y).RGBA()
				if got, want := uint8(r>>8), img[(y/tc.want)*Width+x/tc.want]; got != want {
					t.Fatalf("scale %d: pixel (%d,%d) = %d, want %d", tc.scale, x, y, got, want)
				}
			}
		}
	}
	if _, err := ImagePNG(img[:100], 1); err == nil || !strings.Contains(err.Error(), "100 bytes") {
		t.Errorf("short image: error %v", err)
	}
	if _, err := ImagePNG(img, 65); err == nil {
		t.Errorf("scale 65: no error")
	}
}

func TestImageGridSVG(t *testing.T) {
	img := plotTestImage()
	imgs := [][]uint8{img, make([]uint8, NumPixels), img}
	tests := []struct {
		name      string
		images    [][]uint8
		captions  []string
		cols      int
		scale     int
		wantErr   string
		wantW     int // root width, 0: not checked
		wantTexts []string
	}{
		{"captions", imgs, []string{"Coat", "true: Coat\npred: Shirt", "a<b>&c"}, 2, 3, "", 0,
			[]string{"Coat", "true: Coat", "pred: Shirt", "a<b>&c"}},
		{"no captions, one row", imgs, nil, 0, 2, "", 3*(56+8) + 8, nil},
		{"empty", nil, nil, 3, 0, "", 0, []string{"no images"}},
		{"caption count", imgs, []string{"a"}, 2, 3, "1 captions for 3 images", 0, nil},
		{"bad image", [][]uint8{img, img[:783]}, []string{"a", "b"}, 2, 3, "image 1 has 783 bytes", 0, nil},
		{"scale too big", imgs, nil, 2, 100, "scale 100", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ImageGridSVG(tc.images, tc.captions, tc.cols, tc.scale)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := parseSVG(t, b)
			if got := d.elems["image"]; got != len(tc.images) {
				t.Fatalf("%d images, want %d", got, len(tc.images))
			}
			if tc.wantW != 0 && d.rootAttr("width") != strconv.Itoa(tc.wantW) {
				t.Errorf("width %s, want %d", d.rootAttr("width"), tc.wantW)
			}
			for _, s := range tc.wantTexts {
				if !d.hasText(s) {
					t.Errorf("caption %q missing; texts %q", s, d.texts)
				}
			}
			scale := max(tc.scale, 1)
			if tc.scale == 0 {
				scale = 3
			}
			for i, a := range d.attrs["image"] {
				if a["width"] != strconv.Itoa(Width*scale) || !strings.Contains(a["style"], "pixelated") {
					t.Errorf("image %d: width %s style %q", i, a["width"], a["style"])
				}
				data, ok := strings.CutPrefix(d.hrefs[i], "data:image/png;base64,")
				if !ok {
					t.Fatalf("image %d href is not a PNG data URI: %.40s", i, d.hrefs[i])
				}
				raw, err := base64.StdEncoding.DecodeString(data)
				if err != nil {
					t.Fatal(err)
				}
				dec, err := png.Decode(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				r, _, _, _ := dec.At(0, 0).RGBA()
				if got := uint8(r >> 8); got != tc.images[i][0] {
					t.Errorf("image %d top-left pixel %d, want %d", i, got, tc.images[i][0])
				}
			}
		})
	}
}

func TestMatrixText(t *testing.T) {
	img := plotTestImage()
	img[5*Width+27] = 255
	img[27*Width] = 9
	text := MatrixText(img)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 2*Height || !strings.HasSuffix(text, "]\n") {
		t.Fatalf("%d lines, want %d (each row in two)", len(lines), 2*Height)
	}
	for _, l := range lines {
		if len(l) > 72 {
			t.Fatalf("line %q has %d characters, want at most 72", l, len(l))
		}
	}
	// The numbers, in order, are the image.
	fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ", ",", " ").Replace(text))
	if len(fields) != NumPixels {
		t.Fatalf("%d numbers, want %d", len(fields), NumPixels)
	}
	for i, f := range fields {
		if f != fmt.Sprint(img[i]) {
			t.Fatalf("number %d is %s, want %d", i, f, img[i])
		}
	}
	if !strings.HasPrefix(lines[0], "[200,   3,   6") || !strings.HasSuffix(lines[11], " 255]") || !strings.HasPrefix(lines[54], "[  9, ") {
		t.Errorf("values misplaced:\n%s\n%s\n%s", lines[0], lines[11], lines[54])
	}
	if got := MatrixText(img[:30]); got != MatrixText(img[:28])+fmt.Sprintf("[%3d, %3d]\n", img[28], img[29]) {
		t.Errorf("partial last row: %q", got)
	}
}

func TestPlotDeterministic(t *testing.T) {
	h := plotTestHistory(12)
	a, b := CurvesSVG("x", h), CurvesSVG("x", h)
	if !bytes.Equal(a, b) {
		t.Error("CurvesSVG differs between renders")
	}
	g1, _ := ImageGridSVG([][]uint8{plotTestImage()}, []string{"c"}, 1, 3)
	g2, _ := ImageGridSVG([][]uint8{plotTestImage()}, []string{"c"}, 1, 3)
	if !bytes.Equal(g1, g2) {
		t.Error("ImageGridSVG differs between renders")
	}
}

// TestPlotSizes logs the size of typical outputs (go test -v -run PlotSizes),
// with real images when the data set is installed, and keeps them in bounds.
func TestPlotSizes(t *testing.T) {
	curves := CurvesSVG("40 epochs", plotTestHistory(40))
	var m [NumClasses][NumClasses]int
	for r := range m {
		for c := range m[r] {
			m[r][c] = (r*31 + c*17) % 60
		}
		m[r][r] = 850 + r
	}
	conf := ConfusionSVG("confusion", m, nil)
	imgs := make([][]uint8, 20)
	caps := make([]string, 20)
	source := "synthetic"
	var set *Set
	if dir := "/usr/share/datasets/fashion-mnist"; os.Getenv("FASHION_MNIST_DIR") == "" {
		if _, err := os.Stat(dir); err == nil {
			if d, err := LoadWith(LoadOptions{Dir: dir, NoDownload: true}); err == nil {
				set, source = d.Test, "real"
			}
		}
	}
	for i := range imgs {
		if set != nil {
			imgs[i], caps[i] = set.Image(i), "true: "+ClassNames[set.Labels[i]]+"\npred: "+ClassNames[(i+1)%NumClasses]
		} else {
			imgs[i], caps[i] = plotTestImage(), "true: Coat\npred: Shirt"
		}
	}
	grid, err := ImageGridSVG(imgs, caps, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	// FASHION_PLOT_SAMPLES=dir writes the charts there, to look at them.
	if dir := os.Getenv("FASHION_PLOT_SAMPLES"); dir != "" {
		overlay, _ := OverlaySVG("validation loss", "val_loss", []string{"40 epochs", "15 epochs"},
			[][]Epoch{plotTestHistory(40), plotTestHistory(15)})
		acc := make([]float64, NumClasses)
		for i := range acc {
			acc[i] = float64(m[i][i]) / 1000
		}
		log := &LineChart{Title: "log scale", LogY: true, XLabel: "step", YLabel: "loss",
			Series: []Series{{Name: "loss", X: []float64{0, 1, 2, 3, 4}, Y: []float64{2, 0.5, math.NaN(), 0.05, 0.02}, Dashed: true}}}
		for name, b := range map[string][]byte{
			"curves.svg": curves, "confusion.svg": conf, "grid.svg": grid, "overlay.svg": overlay,
			"bars.svg": BarsSVG("per-class accuracy", ClassNames[:], acc, "%.1f%%"), "log.svg": log.SVG(),
			"curves1.svg": CurvesSVG("", plotTestHistory(1)), "empty.svg": (&LineChart{Title: "empty"}).SVG(),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := ImagePNG(imgs[0], 4); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "image.png"), b, 0o644)
		}
	}
	t.Logf("CurvesSVG, 40 epochs: %d bytes", len(curves))
	t.Logf("ConfusionSVG, 10x10: %d bytes", len(conf))
	t.Logf("ImageGridSVG, 20 %s images with 2-line captions: %d bytes", source, len(grid))
	var png1, png3 int
	for _, img := range imgs {
		b1, _ := ImagePNG(img, 1)
		b3, _ := ImagePNG(img, 3)
		png1, png3 = png1+len(b1), png3+len(b3)
	}
	t.Logf("PNG per image: %d bytes at 28x28 (embedded), %d bytes at 84x84", png1/len(imgs), png3/len(imgs))
	for name, n := range map[string]int{"curves": len(curves), "confusion": len(conf), "grid": len(grid)} {
		if n > 40000 {
			t.Errorf("%s: %d bytes, more than 40 kB", name, n)
		}
	}
}
