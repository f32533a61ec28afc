package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

func TestHeatmap(t *testing.T) {
	square := make([][]int, 4)
	for r := range square {
		square[r] = make([]int, 4)
		for c := range square[r] {
			square[r][c] = 1000 + 10*r + c // distinct counts
		}
	}
	square[2][1] = 0
	names := []string{"T<shirt>", "A & B", `"q"`, "d"}
	tests := []struct {
		name      string
		hm        Heatmap
		wantErr   string
		cells     int
		wantTexts []string
	}{
		{"square with labels", Heatmap{Title: nastyTitle, Counts: square, RowLabels: names, ColLabels: names,
			RowTitle: "true class", ColTitle: "predicted class", ScaleLabel: "share & more", BoldDiagonal: true},
			"", 16, append([]string{nastyTitle, "true class", "predicted class", "share & more", "0", "1033"}, names...)},
		{"2x3, numbered, no titles", Heatmap{Counts: [][]int{{1, 2, 3}, {4, 5, -6}}},
			"", 6, []string{"0", "1", "2", "-6"}},
		{"ragged", Heatmap{Counts: [][]int{{1, 2}, {3}}}, "row 1 has 1 cells, row 0 has 2", 0, nil},
		{"row labels", Heatmap{Counts: square, RowLabels: names[:3]}, "3 row labels for 4 rows", 0, nil},
		{"column labels", Heatmap{Counts: [][]int{{1, 2}}, ColLabels: names}, "4 column labels for 2 columns", 0, nil},
		{"empty", Heatmap{Title: "none", Texts: Texts{NoData: "sin datos"}}, "", 0, []string{"none", "sin datos"}},
		{"no columns", Heatmap{Counts: [][]int{{}, {}}, Texts: Texts{NoData: "sin datos"}}, "", 0, []string{"sin datos"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.hm.SVG()
			d := svgtest.Rendered(t, b, err, tc.wantErr)
			if d == nil {
				return
			}
			if got := d.Classes["fm-cell"]; got != tc.cells {
				t.Errorf("%d cells, want %d", got, tc.cells)
			}
			for r, row := range tc.hm.Counts {
				for c, v := range row {
					if !d.HasText(strconv.Itoa(v)) {
						t.Fatalf("count %d of cell (%d,%d) missing", v, r, c)
					}
				}
			}
			for _, s := range tc.wantTexts {
				if !d.HasText(s) {
					t.Errorf("text %q missing; texts %q", s, d.Texts)
				}
			}
			bold := 0
			for _, a := range d.Attrs["text"] {
				if a["font-weight"] == "bold" && a["class"] == "" {
					bold++
				}
			}
			if want := map[bool]int{true: len(tc.hm.Counts), false: 0}[tc.hm.BoldDiagonal && tc.cells > 0]; bold != want {
				t.Errorf("%d bold counts, want %d", bold, want)
			}
		})
	}
}

// TestHeatmapColors checks the colour of the cells: share of the row on a
// square-root scale.
func TestHeatmapColors(t *testing.T) {
	cellFills := func(hm Heatmap) []string {
		b, err := hm.SVG()
		if err != nil {
			t.Fatal(err)
		}
		var fills []string
		for _, a := range parseSVG(t, b).WithClass("fm-cell") {
			fills = append(fills, a["fill"])
		}
		return fills
	}
	// All zeros: every cell the lightest colour.
	for i, f := range cellFills(Heatmap{Counts: [][]int{{0, 0}, {0, 0}}}) {
		if f != blues(0) {
			t.Errorf("empty matrix cell %d fill %s, want %s", i, f, blues(0))
		}
	}
	// A perfect classifier: the diagonal is the darkest.
	perfect := [][]int{{5, 0, 0}, {0, 7, 0}, {0, 0, 1}}
	for i, f := range cellFills(Heatmap{Counts: perfect}) {
		want := blues(0)
		if i/3 == i%3 {
			want = blues(1)
		}
		if f != want {
			t.Errorf("cell %d fill %s, want %s", i, f, want)
		}
	}
	// Shares of the row, square root; a negative count is not counted.
	got := cellFills(Heatmap{Counts: [][]int{{1, 3, -4}}})
	want := []string{blues(math.Sqrt(0.25)), blues(math.Sqrt(0.75)), blues(0)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fills %v, want %v", got, want)
	}
	if blues(0) != "#f7fbff" || blues(1) != "#08306b" || blues(-1) != blues(0) || blues(2) != blues(1) {
		t.Errorf("blues scale ends %s %s", blues(0), blues(1))
	}
}
