package lab

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

// englishWords are words of the English the notebook layer and the
// figures spoke before they spoke Spanish (less those Spanish shares,
// such as "no" and "final"): none may appear in what lab
// prints or draws (besides the experiments' names, such as "baseline",
// the exercise's epoch line and the core's backend line).
var englishWords = regexp.MustCompile(`(?i)\b(epochs?|loss|accuracy|acc|validation|val|train|training|trained|retrained|test|best|seeds?|mean|sd|against|versions?|earlier|first|this|cell|stored|images|per|class|matrix|confusion|sorted|sections?|other|reference|trainable|parameters|running|statistics|weights|same|settings|was|unset|points|waiting|data|series|true|pred|predicted|share|of|the|and|on|at|by|experiment|differs|from|exercise|shape|values|batch on)\b`)

// strings of l's fields.
func labelStrings(l figures.Labels) []string {
	var ss []string
	var walk func(f reflect.Value, name string)
	walk = func(f reflect.Value, name string) {
		switch f.Kind() {
		case reflect.String:
			ss = append(ss, f.String())
		case reflect.Array, reflect.Slice:
			if name == "Classes" { // the exercise's class names, the data's
				return
			}
			for j := range f.Len() {
				walk(f.Index(j), name)
			}
		case reflect.Struct:
			for j := range f.NumField() {
				walk(f.Field(j), f.Type().Field(j).Name)
			}
		}
	}
	walk(reflect.ValueOf(l), "")
	return ss
}

// TestSpanishLabels: Spanish fills every field of figures.Labels, each in
// Spanish, and keeps the exercise's class names.
func TestSpanishLabels(t *testing.T) {
	v := reflect.ValueOf(Spanish)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsZero() || (f.Kind() == reflect.Slice && f.Len() == 0) {
			t.Errorf("Spanish.%s is empty", v.Type().Field(i).Name)
		}
	}
	if Spanish.Chart.NoData == "" || Spanish.Chart.Missing == "" || len(Spanish.ComparisonHeader) != len(figures.English.ComparisonHeader) {
		t.Errorf("Spanish.Chart %+v, %d header columns", Spanish.Chart, len(Spanish.ComparisonHeader))
	}
	for _, s := range labelStrings(Spanish) {
		if w := englishWords.FindString(s); w != "" {
			t.Errorf("Spanish label %q has the English word %q", s, w)
		}
	}
	if Spanish.Classes != fashion.ClassNames() {
		t.Errorf("Spanish.Classes %v, want the exercise's %v", Spanish.Classes, fashion.ClassNames())
	}
}

// noEnglish reports the English words of the texts of an SVG, but for the
// names given (experiments', groups').
func noEnglish(t *testing.T, what string, svg []byte, names ...string) *svgtest.Doc {
	t.Helper()
	d := svgtest.Parse(t, svg)
	for _, s := range d.Texts {
		for _, n := range names {
			s = strings.ReplaceAll(s, n, "")
		}
		if w := englishWords.FindString(s); w != "" {
			t.Errorf("%s: text %q has the English word %q", what, s, w)
		}
	}
	return d
}

// TestDisplaySpanish: the charts of the Display functions have Spanish
// axes, legends and labels.
func TestDisplaySpanish(t *testing.T) {
	var got [][]byte
	shown = func(svg []byte) { got = append(got, svg) }
	defer func() { shown = nil }()
	h := history(5)
	var m [fashion.NumClasses][fashion.NumClasses]int
	for i := range m {
		m[i][i] = 10
	}
	NoError(DisplayCurves("curvas", h))
	NoError(DisplayOverlay("comparación", "val_accuracy", []string{"a"}, [][]fashion.Epoch{h}))
	NoError(DisplayConfusion("matriz", m))
	NoError(DisplayBars("barras", []string{"x", "y"}, []float64{0.5, math.NaN()}, "%.1f"))
	NoError(DisplayImages(nil, nil, 2))
	live := NewLivePlot("en vivo")
	NoError(live.Update(h[0]))
	NoError(live.Done())
	if len(got) != 6 {
		t.Fatalf("%d charts shown, want 6", len(got))
	}
	for i, want := range [][]string{
		{"curvas", "pérdida", "exactitud", "exactitud (%)", "época", "entrenamiento", "validación"},
		{"comparación", "exactitud de validación (%)", "época"},
		{"matriz", "clase verdadera", "clase predicha", "fracción de la clase verdadera", "Ankle boot"},
		{"barras", "n/d"},
		{"sin imágenes"},
		{"en vivo", "época", "pérdida"},
	} {
		classes := fashion.ClassNames()
		d := noEnglish(t, want[0], got[i], classes[:]...)
		for _, s := range want {
			if !d.HasText(s) {
				t.Errorf("chart %d: text %q missing; texts %q", i, s, d.Texts)
			}
		}
	}
}

func nan() float64 { var z float64; return z / z }
