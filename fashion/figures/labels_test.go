package figures

import (
	"html"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
)

// spanish are Labels in another language than English, as a notebook
// passes them (package lab has its own).
var spanish = Labels{
	Epoch: "época", Loss: "pérdida", Accuracy: "exactitud", AccuracyAxis: "exactitud (%)", Train: "entrenamiento", Val: "validación",
	TrainLoss: "pérdida de entrenamiento", ValLoss: "pérdida de validación",
	TrainAccuracy: "exactitud de entrenamiento (%)", ValAccuracy: "exactitud de validación (%)",
	Classes: [fashion.NumClasses]string{"Camiseta/top", "Pantalón", "Jersey", "Vestido", "Abrigo",
		"Sandalia", "Camisa", "Zapatilla", "Bolso", "Botín"},
	TrueClass: "clase real", PredictedClass: "clase predicha", TrueClassShare: "fracción de la clase real",
	True: "real", Predicted: "predicha",
	ValWilson: "validación (Wilson 95 %)", TestWilson: "prueba (Wilson 95 %)",
	TestSeeds: "prueba, media ± de entre semillas", BaselineTest: "prueba de la línea base",
	ComparisonHeader: []string{"entrenamiento", "difiere del ejercicio", "mejor pérdida de validación (época)",
		"pérdida final de entrenamiento", "pérdida final de validación", "exactitud de prueba", "s/época"},
	NoImages: "sin imágenes",
	Chart:    chart.Texts{NoData: "sin datos", Missing: "n/d"},
}

// emptyFields names the string fields of l left "" (and empty headers).
func emptyFields(l Labels) []string {
	var empty []string
	v := reflect.ValueOf(l)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.String:
			if f.String() == "" {
				empty = append(empty, name)
			}
		case reflect.Array, reflect.Slice:
			if f.Len() == 0 {
				empty = append(empty, name)
			}
			for j := range f.Len() {
				if f.Index(j).String() == "" {
					empty = append(empty, name)
				}
			}
		case reflect.Struct:
			for j := range f.NumField() {
				if f.Field(j).String() == "" {
					empty = append(empty, name+"."+f.Type().Field(j).Name)
				}
			}
		}
	}
	return empty
}

// words are the words (runs of letters) of the character data of an SVG:
// its <text> and <title> elements, not its attributes.
func words(svg []byte) []string {
	var out []string
	for _, m := range regexp.MustCompile(`>([^<]+)<`).FindAllStringSubmatch(string(svg), -1) {
		out = append(out, strings.FieldsFunc(html.UnescapeString(m[1]), func(r rune) bool { return !unicode.IsLetter(r) })...)
	}
	return out
}

// vocabulary are the words of the given strings.
func vocabulary(ss ...string) map[string]bool {
	v := map[string]bool{}
	for _, s := range ss {
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
			v[w] = true
		}
	}
	return v
}

// labelWords are every word of l's strings.
func labelWords(l Labels) []string {
	var ss []string
	v := reflect.ValueOf(l)
	var walk func(f reflect.Value)
	walk = func(f reflect.Value) {
		switch f.Kind() {
		case reflect.String:
			ss = append(ss, f.String())
		case reflect.Array, reflect.Slice:
			for j := range f.Len() {
				walk(f.Index(j))
			}
		case reflect.Struct:
			for j := range f.NumField() {
				walk(f.Field(j))
			}
		}
	}
	walk(v)
	return ss
}

// TestLabelsComplete: English and the test's Spanish labels fill every
// field, so that a figure drawn with them misses no word.
func TestLabelsComplete(t *testing.T) {
	for name, l := range map[string]Labels{"English": English, "spanish": spanish} {
		if empty := emptyFields(l); len(empty) > 0 {
			t.Errorf("%s leaves %v empty", name, empty)
		}
		if len(l.ComparisonHeader) != len(ComparisonRows([]*fashion.Run{{History: testHistory(2)}})[0]) {
			t.Errorf("%s: %d columns in the header, the rows have another count", name, len(l.ComparisonHeader))
		}
	}
	if !reflect.DeepEqual(ComparisonHeader, English.ComparisonHeader) || English.Classes != fashion.ClassNames() {
		t.Errorf("English is not what the package-level functions use")
	}
}

// TestNoEnglishWithSpanishLabels draws every figure with Spanish labels
// (and Spanish titles and names) and checks that every word in it came
// from the caller: none from English, none of the figures' or charts' own.
func TestNoEnglishWithSpanishLabels(t *testing.T) {
	l := &spanish
	h := testHistory(6)
	m := testConfusion()
	var acc [fashion.NumClasses]float64
	for i := range acc {
		acc[i] = 0.8 + 0.01*float64(i)
	}
	acc[2] = math.NaN() // n/d
	groups := []Group{{Name: "línea base", Histories: [][]fashion.Epoch{h}, Grey: true},
		{Name: "v1", Histories: [][]fashion.Epoch{h, testHistory(4)}, Dashed: true}, {Name: "v2 (esta celda)", Histories: [][]fashion.Epoch{h}}}
	rows := []AccuracyRow{
		{Name: "combinada", Val: 0.9, ValLo: 0.89, ValHi: 0.91, Test: 0.895, TestLo: 0.886, TestHi: 0.903, TestSD: 0.002, P: 0.0004},
		{Name: "línea base", Val: 0.885, ValLo: 0.876, ValHi: 0.894, Test: 0.887, TestLo: 0.878, TestHi: 0.896, TestSD: math.NaN(), P: math.NaN()},
	}
	// The test half's first images, all predicted as class 0.
	set := &fashion.Set{Images: make([]uint8, 4*fashion.NumPixels), Labels: []uint8{3, 0, 7, 9}}
	ev := &fashion.Evaluation{Predictions: []int32{0, 0, 0, 0}}
	imgs, caps := l.Misclassified(set, ev, 3)
	if len(caps) != 3 || caps[0] != "real: Vestido\npredicha: Camiseta/top" {
		t.Fatalf("Misclassified captions %q", caps)
	}
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	figs := map[string][]byte{
		"curves":          l.CurvesSVG("curvas", h),
		"curves, empty":   l.CurvesSVG("", nil),
		"overlay":         must(l.OverlaySVG("comparación", "val_accuracy", []string{"uno", "dos"}, [][]fashion.Epoch{h, nil})),
		"overlay, loss":   must(l.OverlaySVG("", "train_loss", []string{"uno"}, [][]fashion.Epoch{h})),
		"confusion":       l.ConfusionSVG("matriz de confusión", m),
		"bars":            l.PerClassBarsSVG("exactitud por clase", acc),
		"images":          must(l.ImagesSVG(imgs, caps, 2)),
		"images, none":    must(l.ImagesSVG(nil, nil, 0)),
		"versions":        must(l.VersionsSVG("versiones", groups)),
		"sections":        must(l.SectionsSVG("secciones", "val_loss", []Panel{{"Normalización", groups[:2]}, {"Optimizadores", groups[1:]}})),
		"sections, none":  must(l.SectionsSVG("secciones", "val_accuracy", nil)),
		"accuracy dots":   must(l.AccuracyDotsSVG("exactitud", rows, 0.887)),
		"accuracy, none":  must(l.AccuracyDotsSVG("exactitud", nil, math.NaN())),
		"loss curves":     l.LossCurves("pérdida", nil).SVG(),
		"accuracy curves": l.AccuracyCurves("exactitud", h).SVG(),
	}
	caller := vocabulary(append(labelWords(spanish), "curvas", "comparación", "uno", "dos", "matriz", "de", "confusión",
		"exactitud", "por", "clase", "versiones", "secciones", "Normalización", "Optimizadores", "línea", "base", "v", "esta", "celda",
		"combinada", "pérdida", "p")...) // p: FormatP's "p=0.21"
	english := vocabulary(labelWords(English)...)
	for _, w := range []string{"no", "data", "series", "images", "n", "a"} { // chart's words before it had none
		english[w] = true
	}
	for name, svg := range figs {
		for _, w := range words(svg) {
			if !caller[w] {
				t.Errorf("%s: word %q is not the caller's", name, w)
			}
			if english[w] && !caller[w] {
				t.Errorf("%s: English word %q", name, w)
			}
		}
	}
	// Each figure holds its labels: the Spanish words are there.
	for name, want := range map[string][]string{
		"curves":         {"época", "pérdida", "exactitud (%)", "entrenamiento", "validación"},
		"curves, empty":  {"sin datos"},
		"overlay":        {"exactitud de validación (%)"},
		"confusion":      {"clase real", "clase predicha", "fracción de la clase real", "Botín"},
		"bars":           {"n/d", "Pantalón"},
		"images":         {"real: Vestido", "predicha: Camiseta/top"},
		"images, none":   {"sin imágenes"},
		"versions":       {"pérdida de entrenamiento", "pérdida de validación", "pérdida", "época"},
		"sections, none": {"sin datos"},
		"accuracy dots":  {"validación (Wilson 95 %)", "prueba (Wilson 95 %)", "prueba, media ± de entre semillas", "prueba de la línea base", "exactitud (%)"},
		"accuracy, none": {"sin datos"},
	} {
		d := parseSVG(t, figs[name])
		for _, s := range want {
			if !d.HasText(s) {
				t.Errorf("%s: text %q missing; texts %q", name, s, d.Texts)
			}
		}
	}
}
