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
// Every word on the chart is the caller's: Title, the labels, RowTitle,
// ColTitle, ScaleLabel and Texts.NoData (unlabelled rows and columns are
// numbered).
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
	// ScaleLabel is written along the colour bar, e.g. "share of the
	// row"; "" writes none.
	ScaleLabel string
	// BoldDiagonal writes the counts of cells (i, i) in bold: in a
	// confusion matrix they are the right answers.
	BoldDiagonal bool
	// Texts.NoData is written on a matrix with no cells ("" for nothing);
	// Texts.Missing is not used.
	Texts Texts
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

// Sizes of a heat map, in pixels.
const (
	heatCell      = 44.0 // a cell's side
	heatBarW      = 14.0 // the colour bar's width
	heatBarGap    = 24.0 // between the matrix and the colour bar
	heatTickSize  = 11
	heatLabelSize = 12
)

// heatLayout is where the parts of a heat map go: what the steps of SVG
// share.
type heatLayout struct {
	rowNames, colNames []string
	nr, nc             int
	shares             [][]float64 // each cell's colour, from 0 to 1
	top, left          float64     // the matrix's top left corner
	gridW, gridH       float64
	w, h               float64
}

// layout checks the matrix and its labels and places the title, the row
// names, the matrix, the column names below and the colour bar.
func (hm *Heatmap) layout() (*heatLayout, error) {
	l := &heatLayout{nr: len(hm.Counts)}
	if l.nr > 0 {
		l.nc = len(hm.Counts[0])
	}
	for r, row := range hm.Counts {
		if len(row) != l.nc {
			return nil, fmt.Errorf("chart: heat map row %d has %d cells, row 0 has %d", r, len(row), l.nc)
		}
	}
	var err error
	if l.rowNames, err = labelsOrNumbers(hm.RowLabels, l.nr, "row"); err != nil {
		return nil, err
	}
	if l.colNames, err = labelsOrNumbers(hm.ColLabels, l.nc, "column"); err != nil {
		return nil, err
	}
	l.top = 12.0
	if hm.Title != "" {
		l.top = 46
	}
	if l.nr == 0 || l.nc == 0 {
		l.w, l.h = math.Max(200, textWidth(hm.Title, 16)+20), l.top+50
		return l, nil
	}
	rowNameW, colNameW := 0.0, 0.0
	for _, s := range l.rowNames {
		rowNameW = math.Max(rowNameW, textWidth(s, heatLabelSize))
	}
	for _, s := range l.colNames {
		colNameW = math.Max(colNameW, textWidth(s, heatLabelSize))
	}
	l.left = 10 + rowNameW + 8
	if hm.RowTitle != "" {
		l.left += 20
	}
	l.gridW, l.gridH = heatCell*float64(l.nc), heatCell*float64(l.nr)
	colNamesH := colNameW*0.72 + 16 // names rotated by 45°
	l.w = l.left + l.gridW + heatBarGap + heatBarW + 64
	l.w = math.Max(l.w, textWidth(hm.Title, 16)+20)
	l.h = l.top + l.gridH + colNamesH + 30
	l.shares = hm.shares(l.nc)
	return l, nil
}

// shares are the cells' colours: each count's share of its row's total
// (negative counts left out), on a square-root scale.
func (hm *Heatmap) shares(nc int) [][]float64 {
	shares := make([][]float64, len(hm.Counts))
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
	return shares
}

// SVG renders the heat map as a self-contained SVG document. It fails if
// the rows differ in length or a non-nil label list does not have one label
// per row (column). A matrix with no cells is a small SVG with
// Texts.NoData.
func (hm *Heatmap) SVG() ([]byte, error) {
	l, err := hm.layout()
	if err != nil {
		return nil, err
	}
	var b svgBuf
	W := int(math.Ceil(l.w))
	if l.nr == 0 || l.nc == 0 {
		b.open(W, int(l.top)+50)
		if hm.Title != "" {
			b.title(float64(W), 26, 16, hm.Title)
		}
		b.noData(float64(W)/2, l.top+30, hm.Texts.NoData)
		b.close()
		return b.Bytes(), nil
	}
	b.open(W, int(math.Ceil(l.h)))
	if hm.Title != "" {
		b.title(float64(W), 26, 16, hm.Title)
	}
	hm.drawCells(&b, l)
	hm.drawNames(&b, l)
	hm.drawColorBar(&b, l)
	b.close()
	return b.Bytes(), nil
}

// drawCells draws the cells, then their counts on top: white on dark
// cells, grey for zeros, the diagonal's in bold if asked.
func (hm *Heatmap) drawCells(b *svgBuf, l *heatLayout) {
	b.WriteString(`<g class="fm-matrix" stroke="#ffffff">` + "\n")
	for r := range l.nr {
		for c := range l.nc {
			b.f(`<rect class="fm-cell" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				num(l.left+float64(c)*heatCell), num(l.top+float64(r)*heatCell), num(heatCell), num(heatCell), blues(l.shares[r][c]))
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
	b.f(`<g class="fm-counts" font-size="%d" text-anchor="middle" fill="#222222">`+"\n", heatTickSize)
	for r, row := range hm.Counts {
		for c, v := range row {
			attrs := ""
			switch {
			case l.shares[r][c] > 0.55: // dark cell: white text
				attrs = ` fill="#ffffff"`
			case v == 0:
				attrs = ` fill="#b0b0b0"`
			}
			if hm.BoldDiagonal && r == c {
				attrs += ` font-weight="bold"`
			}
			b.f(`<text x="%s" y="%s"%s>%d</text>`, num(l.left+float64(c)*heatCell+heatCell/2), num(l.top+float64(r)*heatCell+heatCell/2+4), attrs, v)
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
}

// drawNames writes the names: rows on the left, columns below, rotated;
// then what the columns and the rows are.
func (hm *Heatmap) drawNames(b *svgBuf, l *heatLayout) {
	b.f(`<g class="fm-names" font-size="%d" fill="#222222">`+"\n", heatLabelSize)
	for i := range max(l.nr, l.nc) {
		if i < l.nr {
			b.text(l.left-6, l.top+float64(i)*heatCell+heatCell/2+4, ` text-anchor="end"`, l.rowNames[i])
		}
		if i < l.nc {
			x, y := l.left+float64(i)*heatCell+heatCell/2+4, l.top+l.gridH+10
			b.f(`<text x="%s" y="%s" text-anchor="end" transform="rotate(-45 %s %s)">%s</text>`+"\n",
				num(x), num(y), num(x), num(y), esc(l.colNames[i]))
		}
	}
	b.WriteString("</g>\n")
	if hm.ColTitle != "" {
		b.text(l.left+l.gridW/2, l.h-10, ` class="fm-xlabel" text-anchor="middle" font-weight="bold"`, hm.ColTitle)
	}
	if hm.RowTitle != "" {
		cy := l.top + l.gridH/2
		b.f(`<text class="fm-ylabel" x="18" y="%s" text-anchor="middle" font-weight="bold" transform="rotate(-90 18 %s)">%s</text>`+"\n",
			num(cy), num(cy), esc(hm.RowTitle))
	}
}

// drawColorBar draws the colour bar: share of the row, square-root scale,
// with ScaleLabel along it.
func (hm *Heatmap) drawColorBar(b *svgBuf, l *heatLayout) {
	bx := l.left + l.gridW + heatBarGap
	const steps = 20
	b.WriteString(`<g class="fm-colorbar">`)
	for i := range steps {
		y0 := l.top + l.gridH*(1-float64(i+1)/steps)
		b.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(bx), num(y0), num(heatBarW), num(l.gridH/steps+0.5), blues((float64(i)+0.5)/steps))
	}
	b.WriteString("\n")
	for _, f := range []float64{0, 0.01, 0.1, 0.25, 0.5, 1} {
		y := l.top + l.gridH*(1-math.Sqrt(f))
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#444444"/>`, num(bx+heatBarW), num(y), num(bx+heatBarW+3), num(y))
		b.text(bx+heatBarW+5, y+4, ` font-size="10" fill="#333333"`, strconv.FormatFloat(100*f, 'f', -1, 64)+"%")
	}
	if hm.ScaleLabel != "" {
		lx, ly := bx+heatBarW+50, l.top+l.gridH/2
		b.f(`<text x="%s" y="%s" font-size="11" fill="#333333" text-anchor="middle" transform="rotate(90 %s %s)">%s</text>`+"\n",
			num(lx), num(ly), num(lx), num(ly), esc(hm.ScaleLabel))
	}
	b.WriteString("</g>\n")
}
