package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

func TestBars(t *testing.T) {
	classes := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	tests := []struct {
		name      string
		bars      Bars
		wantErr   string
		n         int // bars drawn
		wantTexts []string
	}{
		{"per-class accuracy", Bars{Names: classes, Values: []float64{0.85, 0.97, 0.8, 0.88, 0.82, 0.95, 0.6, 0.94, 0.97, 0.963}, Percent: true, Format: "%.1f%%"},
			"", 10, []string{"Ankle boot", "96.3%", "60.0%", "0.0%", "100.0%"}},
		{"percent default format", Bars{Names: []string{"a & b"}, Values: []float64{0.5}, Percent: true}, "", 1, []string{"a & b", "50.0%"}},
		{"NaN, numbered", Bars{Values: []float64{math.NaN(), 0.25}, Percent: true, Format: "%.0f", Texts: Texts{Missing: "n/d"}}, "", 1, []string{"#0", "n/d", "#1", "25"}},
		{"negative and above one", Bars{Names: []string{"neg", "big"}, Values: []float64{-0.2, 1.5}, Percent: true, Format: "%.0f%%"},
			"", 2, []string{"-20%", "150%"}},
		{"plain numbers", Bars{Names: []string{"x", "y"}, Values: []float64{3, 12}}, "", 2, []string{"3", "12", "0", "10"}},
		{"only zeros", Bars{Names: []string{"z"}, Values: []float64{0}}, "", 1, []string{"z", "0", "1"}},
		{"name count", Bars{Names: []string{"x"}, Values: []float64{1, 2}}, "1 names for 2 bars", 0, nil},
		{"empty", Bars{Texts: Texts{NoData: "sin datos"}}, "", 0, []string{"sin datos"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.bars.Title = nastyTitle
			b, err := tc.bars.SVG()
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Classes["fm-bar"]; got != tc.n {
				t.Errorf("%d bars, want %d", got, tc.n)
			}
			for _, s := range append([]string{nastyTitle}, tc.wantTexts...) {
				if !d.HasText(s) {
					t.Errorf("text %q missing; texts %q", s, d.Texts)
				}
			}
			for _, a := range d.Attrs["rect"] {
				if w, err := strconv.ParseFloat(a["width"], 64); err != nil || w < 0 {
					t.Errorf("rect width %q", a["width"])
				}
			}
			if got := strings.Join(d.TextsOf["fm-name"], "|"); tc.bars.Names != nil && got != strings.Join(tc.bars.Names, "|") {
				t.Errorf("names in order %q, want %q", got, tc.bars.Names)
			}
		})
	}
	// Bar lengths are proportional to the values.
	b, err := (&Bars{Values: []float64{0.25, 1}}).SVG()
	if err != nil {
		t.Fatal(err)
	}
	var widths []float64
	for _, a := range parseSVG(t, b).WithClass("fm-bar") {
		w, _ := strconv.ParseFloat(a["width"], 64)
		widths = append(widths, w)
	}
	if len(widths) != 2 || math.Abs(widths[1]/widths[0]-4) > 0.01 {
		t.Errorf("bar widths %v, want ratio 4", widths)
	}
}
