package lab

import (
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func history(n int) []fashion.Epoch {
	h := make([]fashion.Epoch, n)
	for i := range h {
		h[i] = fashion.Epoch{Epoch: i, TrainLoss: 1 / float64(i+1), ValLoss: 1.2 / float64(i+1), ValAccuracy: 0.5 + 0.01*float64(i)}
	}
	return h
}

// TestDisplayOutsideNotebook: outside a notebook the Display functions draw
// nothing but still report bad arguments as errors.
func TestDisplayOutsideNotebook(t *testing.T) {
	if InNotebook() {
		t.Skip("running inside a notebook")
	}
	h := history(3)
	var m [fashion.NumClasses][fashion.NumClasses]int
	for _, tc := range []struct {
		name    string
		err     error
		wantErr string
	}{
		{"svg", DisplaySVG([]byte("<svg/>")), ""},
		{"empty svg", DisplaySVG(nil), "empty SVG"},
		{"curves", DisplayCurves("t", h), ""},
		{"curves of nothing", DisplayCurves("", nil), "empty history"},
		{"confusion", DisplayConfusion("c", m), ""},
		{"bars", DisplayBars("b", []string{"a"}, []float64{0.5}, ""), ""},
		{"bars, lengths differ", DisplayBars("b", []string{"a", "b"}, []float64{0.5}, ""), "2 names for 1 bars"},
		{"overlay", DisplayOverlay("o", "val_loss", []string{"a"}, [][]fashion.Epoch{h}), ""},
		{"overlay, unknown metric", DisplayOverlay("o", "accuracy", []string{"a"}, [][]fashion.Epoch{h}), "unknown metric"},
		{"images", DisplayImages([][]uint8{make([]uint8, fashion.NumPixels)}, []string{"x"}, 1), ""},
		{"bad image", DisplayImages([][]uint8{make([]uint8, 10)}, nil, 1), "10"},
		{"captions", DisplayImages([][]uint8{make([]uint8, fashion.NumPixels)}, []string{"a", "b"}, 1), "caption"},
	} {
		switch {
		case tc.wantErr == "" && tc.err != nil:
			t.Errorf("%s: %v", tc.name, tc.err)
		case tc.wantErr != "" && (tc.err == nil || !strings.Contains(tc.err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.wantErr)
		}
	}
}

func TestLivePlotOutsideNotebook(t *testing.T) {
	p := NewLivePlot("live <run>")
	if len(p.History()) != 0 {
		t.Fatalf("new plot has history %v", p.History())
	}
	if err := p.Done(); err == nil {
		t.Error("Done before any epoch: no error")
	}
	var hooks fashion.Hooks
	hooks.Epoch = p.Update // usable as the epoch hook
	h := history(4)
	for _, e := range h {
		if err := hooks.Epoch(e); err != nil {
			t.Fatal(err)
		}
	}
	got := p.History()
	if len(got) != len(h) || got[3] != h[3] {
		t.Fatalf("history %v, want %v", got, h)
	}
	got[0].TrainLoss = -1 // a copy
	if p.History()[0].TrainLoss == -1 {
		t.Errorf("History shares memory with the plot")
	}
	if err := p.Done(); err != nil {
		t.Error(err)
	}
}

func TestLivePlotDoneWith(t *testing.T) {
	p := NewLivePlot("cached")
	p.Update(fashion.Epoch{Epoch: 0, TrainLoss: 1})
	h := []fashion.Epoch{{Epoch: 0, TrainLoss: 0.5}, {Epoch: 1, TrainLoss: 0.4}}
	if err := p.DoneWith(h); err != nil {
		t.Fatal(err)
	}
	if got := p.History(); len(got) != 2 || got[1].TrainLoss != 0.4 {
		t.Errorf("after DoneWith the history is %+v, want the given one", got)
	}
}
