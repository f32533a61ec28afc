package chart

import (
	"fmt"
	"math"
	"strconv"
)

// Heatmap is a matrix of counts drawn as coloured cells, each showing its
// count, with the rows labelled on the left and the columns below (rotated):
// a confusion matrix, for one (rows the true class, columns the predicted
// one).
//
// A cell's colour, on a white-to-dark-blue scale, is its share of its row's
// total on a square-root scale, so that small counts stay visible next to
// large ones; a colour bar on the right shows the scale. Negative counts
// are written but coloured as zero and left out of the row totals.
//
// Classes: fm-title, fm-matrix, fm-cell (one <rect> per cell, row by row),
// fm-counts, fm-names, fm-xlabel, fm-ylabel, fm-colorbar, fm-nodata.
type Heatmap struct {
	Title string
	// Counts holds the rows; every row must have the same length.
	Counts [][]int
	// RowLabels and ColLabels name the rows and columns; nil numbers them
	// from 0, otherwise each must have one label per row (column).
	RowLabels, ColLabels []string
	// RowTitle and ColTitle name what the rows and the columns are, e.g.
	// "true class" and "predicted class"; "" draws none.
	RowTitle, ColTitle string
	// ScaleLabel is written along the colour bar; "" means
	// "share of the row".
	ScaleLabel string
	// BoldDiagonal writes the counts of cells (i, i) in bold: in a
	// confusion matrix they are the right answers.
	BoldDiagonal bool
}

// blues maps t in [0,1] to a white-to-dark-blue colour.
func blues(t float64) string {
	stops := [...][3]float64{{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}}
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(stops)-1)
	i := min(int(pos), len(stops)-2)
	f := pos - float64(i)
	var rgb [3]int
	for k := range rgb {
		rgb[k] = int(math.Round(stops[i][k] + f*(stops[i+1][k]-stops[i][k])))
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2])
}

// labelsOrNumbers is labels, or "0".."n-1" when labels is nil; what names
// which it is in an error.
func labelsOrNumbers(labels []string, n int, what string) ([]string, error) {
	if labels == nil {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out, nil
	}
	if len(labels) != n {
		return nil, fmt.Errorf("chart: %d %s labels for %d %ss", len(labels), what, n, what)
	}
	return labels, nil
}

// SVG renders the heat map as a self-contained SVG document. It fails if
// the rows differ in length or a non-nil label list does not have one label
// per row (column). A matrix with no cells is a small SVG saying "no data".
func (hm *Heatmap) SVG() ([]byte, error) {
	const (
		cell    = 44.0
		barW    = 14.0
		barGap  = 24.0
		tickSz  = 11
		labelSz = 12
	)
	nr, nc := len(hm.Counts), 0
	if nr > 0 {
		nc = len(hm.Counts[0])
	}
	for r, row := range hm.Counts {
		if len(row) != nc {
			return nil, fmt.Errorf("chart: heat map row %d has %d cells, row 0 has %d", r, len(row), nc)
		}
	}
	rowNames, err := labelsOrNumbers(hm.RowLabels, nr, "row")
	if err != nil {
		return nil, err
	}
	colNames, err := labelsOrNumbers(hm.ColLabels, nc, "column")
	if err != nil {
		return nil, err
	}
	top := 12.0
	if hm.Title != "" {
		top = 46
	}
	var b svgBuf
	if nr == 0 || nc == 0 {
		W := int(math.Ceil(math.Max(200, textWidth(hm.Title, 16)+20)))
		b.open(W, int(top)+50)
		if hm.Title != "" {
			b.title(float64(W), 26, 16, hm.Title)
		}
		b.noData(float64(W)/2, top+30, "no data")
		b.close()
		return b.Bytes(), nil
	}

	rowNameW, colNameW := 0.0, 0.0
	for _, s := range rowNames {
		rowNameW = math.Max(rowNameW, textWidth(s, labelSz))
	}
	for _, s := range colNames {
		colNameW = math.Max(colNameW, textWidth(s, labelSz))
	}
	left := 10 + rowNameW + 8
	if hm.RowTitle != "" {
		left += 20
	}
	gridW, gridH := cell*float64(nc), cell*float64(nr)
	colNamesH := colNameW*0.72 + 16 // names rotated by 45°
	w := left + gridW + barGap + barW + 64
	w = math.Max(w, textWidth(hm.Title, 16)+20)
	h := top + gridH + colNamesH + 30

	W, H := int(math.Ceil(w)), int(math.Ceil(h))
	b.open(W, H)
	if hm.Title != "" {
		b.title(float64(W), 26, 16, hm.Title)
	}
	// Cells first, then their counts on top.
	shares := make([][]float64, nr)
	for r, row := range hm.Counts {
		shares[r] = make([]float64, nc)
		total := 0
		for _, v := range row {
			total += max(v, 0)
		}
		for c, v := range row {
			if total > 0 && v > 0 {
				shares[r][c] = math.Sqrt(float64(v) / float64(total))
			}
		}
	}
	b.WriteString(`<g class="fm-matrix" stroke="#ffffff">` + "\n")
	for r := range nr {
		for c := range nc {
			b.f(`<rect class="fm-cell" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				num(left+float64(c)*cell), num(top+float64(r)*cell), num(cell), num(cell), blues(shares[r][c]))
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
	b.f(`<g class="fm-counts" font-size="%d" text-anchor="middle" fill="#222222">`+"\n", tickSz)
	for r, row := range hm.Counts {
		for c, v := range row {
			attrs := ""
			switch {
			case shares[r][c] > 0.55: // dark cell: white text
				attrs = ` fill="#ffffff"`
			case v == 0:
				attrs = ` fill="#b0b0b0"`
			}
			if hm.BoldDiagonal && r == c {
				attrs += ` font-weight="bold"`
			}
			b.f(`<text x="%s" y="%s"%s>%d</text>`, num(left+float64(c)*cell+cell/2), num(top+float64(r)*cell+cell/2+4), attrs, v)
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
	// Names: rows on the left, columns below, rotated.
	b.f(`<g class="fm-names" font-size="%d" fill="#222222">`+"\n", labelSz)
	for i := range max(nr, nc) {
		if i < nr {
			b.text(left-6, top+float64(i)*cell+cell/2+4, ` text-anchor="end"`, rowNames[i])
		}
		if i < nc {
			x, y := left+float64(i)*cell+cell/2+4, top+gridH+10
			b.f(`<text x="%s" y="%s" text-anchor="end" transform="rotate(-45 %s %s)">%s</text>`+"\n",
				num(x), num(y), num(x), num(y), esc(colNames[i]))
		}
	}
	b.WriteString("</g>\n")
	if hm.ColTitle != "" {
		b.text(left+gridW/2, h-10, ` class="fm-xlabel" text-anchor="middle" font-weight="bold"`, hm.ColTitle)
	}
	if hm.RowTitle != "" {
		cy := top + gridH/2
		b.f(`<text class="fm-ylabel" x="18" y="%s" text-anchor="middle" font-weight="bold" transform="rotate(-90 18 %s)">%s</text>`+"\n",
			num(cy), num(cy), esc(hm.RowTitle))
	}

	// Colour bar: share of the row, square-root scale.
	bx := left + gridW + barGap
	const steps = 20
	b.WriteString(`<g class="fm-colorbar">`)
	for i := range steps {
		y0 := top + gridH*(1-float64(i+1)/steps)
		b.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(bx), num(y0), num(barW), num(gridH/steps+0.5), blues((float64(i)+0.5)/steps))
	}
	b.WriteString("\n")
	for _, f := range []float64{0, 0.01, 0.1, 0.25, 0.5, 1} {
		y := top + gridH*(1-math.Sqrt(f))
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#444444"/>`, num(bx+barW), num(y), num(bx+barW+3), num(y))
		b.text(bx+barW+5, y+4, ` font-size="10" fill="#333333"`, strconv.FormatFloat(100*f, 'f', -1, 64)+"%")
	}
	scaleLabel := hm.ScaleLabel
	if scaleLabel == "" {
		scaleLabel = "share of the row"
	}
	lx, ly := bx+barW+50, top+gridH/2
	b.f(`<text x="%s" y="%s" font-size="11" fill="#333333" text-anchor="middle" transform="rotate(90 %s %s)">%s</text>`+"\n",
		num(lx), num(ly), num(lx), num(ly), esc(scaleLabel))
	b.WriteString("</g>\n")
	b.close()
	return b.Bytes(), nil
}
