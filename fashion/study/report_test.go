package study

import (
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func TestReportHTML(t *testing.T) {
	mk := func(name string, losses ...float64) *fashion.Run {
		r := &fashion.Run{Name: name, Config: fashion.DefaultConfig(), TestAccuracy: 0.88}
		for i, l := range losses {
			r.History = append(r.History, fashion.Epoch{Epoch: i, TrainLoss: l, ValLoss: l + 0.1, ValAccuracy: 0.8})
		}
		return r
	}
	runs := []*fashion.Run{mk("baseline", 0.5, 0.4), mk("drop<out>", 0.6, 0.45)}
	runs[1].Config.Dropout = []float64{0.2}
	test := &fashion.Set{Images: make([]uint8, 3*fashion.NumPixels), Labels: []uint8{0, 1, 2}}
	ev := &fashion.Evaluation{Accuracy: 1.0 / 3, Predictions: []int32{0, 2, 1}}
	ev.Confusion[0][0], ev.Confusion[1][2], ev.Confusion[2][1] = 1, 1, 1
	page, err := ReportHTML("Informe & más", runs, runs[0], test, ev)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"<!DOCTYPE html>", "Informe &amp; más", "drop&lt;out&gt;", "dropout=[0.2]",
		"GoMLX vs. PyTorch", "Test accuracy 33.33% on 3 images", "true: Trouser"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Overlay + 2 runs' curves + baseline's PyTorch overlay + confusion + bars + gallery.
	if n := strings.Count(s, "<svg"); n != 7 {
		t.Errorf("report has %d SVG figures, want 7", n)
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("report contains %q: it must be self-contained and static", bad)
		}
	}
}
