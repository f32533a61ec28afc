package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DotChart draws rows of labelled points on a shared horizontal axis, each
// with an optional interval whisker: e.g. one row per technique, its mean
// accuracy as a dot and mean ± sd (or a confidence interval) as the
// whisker. Several series put several points on each row (validation and
// test accuracy, say), each series in its own colour and marker shape and
// nudged vertically so that their whiskers do not overlap. Rows are drawn
// top to bottom in the order given; sort them before if a ranking should
// show.
//
// Classes: fm-title, fm-legend-entry, fm-grid, fm-axes, fm-ticks,
// fm-xlabel, fm-name (row labels), fm-whisker (one <path> per drawn
// interval), fm-dot (one marker per drawn value, with a <title>), fm-ref
// and fm-ref-label (reference lines), fm-note, fm-nodata.
type DotChart struct {
	Title, XLabel string
	// Rows label the rows, top to bottom.
	Rows []string
	// Series hold the points; each has one value per row.
	Series []DotSeries
	// Refs are vertical reference lines, e.g. the baseline's accuracy,
	// drawn dashed in grey with their label above the plot.
	Refs []RefLine
	// Notes, if not nil, hold one text per row written at the right of
	// the plot (e.g. "p=0.03"); "" writes none for that row.
	Notes []string
	// Width is the width in pixels; 0 means 640. The height follows from
	// the number of rows.
	Width int
}

// DotSeries is one set of points of a DotChart, one per row. A NaN or
// infinite Value draws nothing on its row, whisker included; a whisker is
// drawn where the value, Low and High are all finite.
type DotSeries struct {
	Name string
	// Value, Low and High have one entry per row. Low and High are
	// either both nil (no whiskers) or both given.
	Value, Low, High []float64
	// Color, if not "", replaces the series' colour from Palette.
	Color string
}

// RefLine is a vertical reference line of a DotChart at Value, labelled
// Label ("" for none).
type RefLine struct {
	Value float64
	Label string
}

// Marker shapes of the series, in order: distinct shapes keep the series
// apart in grey print and for readers who confuse the colours.
const (
	markerCircle = iota
	markerSquare
	markerDiamond
	markerTriangle
	numMarkers
)

// marker writes a marker of the given shape centred on (x, y); attrs are
// extra attributes and inner the content (a <title>), both already escaped.
func marker(b *svgBuf, shape int, x, y float64, color, attrs, inner string) {
	const r = 4.5
	switch shape % numMarkers {
	case markerCircle:
		b.f(`<circle%s cx="%s" cy="%s" r="%s" fill="%s">%s</circle>`, attrs, num(x), num(y), num(r), color, inner)
	case markerSquare:
		s := r * 0.85
		b.f(`<rect%s x="%s" y="%s" width="%s" height="%s" fill="%s">%s</rect>`,
			attrs, num(x-s), num(y-s), num(2*s), num(2*s), color, inner)
	case markerDiamond:
		s := r * 1.2
		b.f(`<path%s d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s">%s</path>`,
			attrs, num(x), num(y-s), num(x+s), num(y), num(x), num(y+s), num(x-s), num(y), color, inner)
	case markerTriangle:
		s := r * 1.15
		b.f(`<path%s d="M%s %sL%s %sL%s %sZ" fill="%s">%s</path>`,
			attrs, num(x), num(y-s), num(x+s), num(y+0.8*s), num(x-s), num(y+0.8*s), color, inner)
	}
}

// check validates the chart's slices.
func (c *DotChart) check() error {
	n := len(c.Rows)
	for k, s := range c.Series {
		if len(s.Value) != n {
			return fmt.Errorf("chart: dot series %d (%q) has %d values for %d rows", k, s.Name, len(s.Value), n)
		}
		if (s.Low == nil) != (s.High == nil) {
			return fmt.Errorf("chart: dot series %d (%q) has only one of Low and High", k, s.Name)
		}
		if s.Low != nil && (len(s.Low) != n || len(s.High) != n) {
			return fmt.Errorf("chart: dot series %d (%q) has %d lows and %d highs for %d rows", k, s.Name, len(s.Low), len(s.High), n)
		}
	}
	if c.Notes != nil && len(c.Notes) != n {
		return fmt.Errorf("chart: %d notes for %d rows", len(c.Notes), n)
	}
	return nil
}

// SVG renders the dot chart as a self-contained SVG document. It fails if a
// series does not have one value per row, has only one of Low and High or
// one of the wrong length, or if Notes is not nil and does not have one
// note per row. With no rows, or nothing finite to draw, it says "no data".
func (c *DotChart) SVG() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	const (
		fontS     = 12
		tickSize  = 11
		legendRow = 18
		nudge     = 8.0 // vertical distance between the series of a row
	)
	w := float64(c.Width)
	if w <= 0 {
		w = defaultWidth
	}
	n, ns := len(c.Rows), len(c.Series)
	rowH := math.Max(24, nudge*float64(ns)+10)

	colors := make([]string, ns)
	for k, s := range c.Series {
		colors[k] = Palette[k%len(Palette)]
		if s.Color != "" {
			colors[k] = esc(s.Color)
		}
	}
	names := make([]string, ns)
	for k, s := range c.Series {
		names[k] = s.Name
		if names[k] == "" {
			names[k] = "series " + strconv.Itoa(k+1)
		}
	}

	// The data range: values, whisker ends and reference lines.
	xmin, xmax := math.Inf(1), math.Inf(-1)
	haveData := false
	grow := func(v float64) {
		if finite(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	for _, s := range c.Series {
		for i, v := range s.Value {
			if !finite(v) {
				continue
			}
			haveData = true
			grow(v)
			if s.Low != nil && finite(s.Low[i]) && finite(s.High[i]) {
				grow(s.Low[i])
				grow(s.High[i])
			}
		}
	}
	for _, r := range c.Refs {
		grow(r.Value)
	}

	var b svgBuf
	top := 12.0
	if c.Title != "" {
		top = 46
	}
	// Legend: one entry per series when there are several or any is named.
	type entry struct{ x, y float64 }
	var entries []entry
	named := ns > 1
	for _, s := range c.Series {
		named = named || s.Name != ""
	}
	if named {
		entries = make([]entry, ns)
		x, y := 12.0, top+2
		for k, name := range names {
			ew := 16 + textWidth(name, fontS) + 18
			if x+ew > w-10 && x > 12 {
				x, y = 12, y+legendRow
			}
			entries[k] = entry{x, y}
			x += ew
		}
		top = y + legendRow
	}
	refLabels := false
	for _, r := range c.Refs {
		refLabels = refLabels || (r.Label != "" && finite(r.Value))
	}
	if refLabels {
		top += 14
	}

	nameW := 0.0
	for _, r := range c.Rows {
		nameW = math.Max(nameW, textWidth(r, fontS))
	}
	noteW := 0.0
	for _, s := range c.Notes {
		noteW = math.Max(noteW, textWidth(s, tickSize))
	}
	left := 10 + nameW + 10
	right := w - 16
	if noteW > 0 {
		right -= noteW + 10
	}
	plotW := math.Max(right-left, 20)
	plotH := float64(n)*rowH + 4
	h := top + plotH + tickSize + 14
	if c.XLabel != "" {
		h += 18
	}
	if n == 0 {
		h = top + 60
	}
	W, H := int(math.Ceil(w)), int(math.Ceil(h))
	b.open(W, H)
	if c.Title != "" {
		b.title(w, 26, 16, c.Title)
	}
	for k, e := range entries {
		b.WriteString(`<g class="fm-legend-entry">`)
		marker(&b, k, e.x+6, e.y, colors[k], "", "")
		b.f(`<text x="%s" y="%s">%s</text></g>`+"\n", num(e.x+16), num(e.y+4), esc(names[k]))
	}
	if n == 0 {
		b.noData(w/2, top+30, "no data")
		b.close()
		return b.Bytes(), nil
	}

	// The axis spans the data and a margin, ticks inside: widening it to
	// whole ticks could waste half the width on a narrow range.
	if span := xmax - xmin; span > 0 {
		xmin, xmax = xmin-0.04*span, xmax+0.04*span
	}
	xa := linearAxis(xmin, xmax, max(int(plotW/80), 2), false, false)
	xa.p0, xa.p1 = left, left+plotW
	rowY := func(i int) float64 { return top + 2 + rowH*(float64(i)+0.5) }

	// Grid: vertical lines at the ticks, a faint guide along each row.
	b.WriteString(`<g class="fm-grid" stroke="#e3e3e3" stroke-width="1">` + "\n")
	for _, t := range xa.ticks {
		x := xa.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(top), num(x), num(top+plotH))
	}
	for i := range n {
		y := rowY(i)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke-dasharray="1 3"/>`+"\n", num(left), num(y), num(left+plotW), num(y))
	}
	b.WriteString("</g>\n")
	b.f(`<path class="fm-axes" d="M%s %sH%s" fill="none" stroke="#444444" stroke-width="1"/>`+"\n",
		num(left), num(top+plotH), num(left+plotW))
	b.f(`<g class="fm-ticks" font-size="%d" fill="#333333">`+"\n", tickSize)
	for i, t := range xa.ticks {
		b.text(xa.pos(t), top+plotH+tickSize+5, ` text-anchor="middle"`, xa.labels[i])
	}
	b.WriteString("</g>\n")
	if c.XLabel != "" {
		b.text(left+plotW/2, h-10, ` class="fm-xlabel" text-anchor="middle"`, c.XLabel)
	}
	for i, r := range c.Rows {
		b.text(left-8, rowY(i)+4, ` class="fm-name" text-anchor="end"`, r)
	}

	// Reference lines under the points.
	for _, r := range c.Refs {
		if !finite(r.Value) {
			continue
		}
		x := xa.pos(r.Value)
		b.f(`<line class="fm-ref" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5 3"/>`+"\n",
			num(x), num(top), num(x), num(top+plotH), Grey)
		if r.Label != "" {
			b.text(x, top-5, ` class="fm-ref-label" text-anchor="middle" font-size="11" fill="#555555"`, r.Label)
		}
	}
	if !haveData {
		b.noData(left+plotW/2, top+plotH/2+5, "no data")
	}

	// Whiskers, then the points on top of them.
	for k, s := range c.Series {
		off := nudge * (float64(k) - float64(ns-1)/2)
		var whiskers strings.Builder
		for i, v := range s.Value {
			if !finite(v) || s.Low == nil || !finite(s.Low[i]) || !finite(s.High[i]) {
				continue
			}
			y := rowY(i) + off
			x0, x1 := xa.pos(math.Min(s.Low[i], s.High[i])), xa.pos(math.Max(s.Low[i], s.High[i]))
			fmt.Fprintf(&whiskers, `<path class="fm-whisker" d="M%s %sV%sM%s %sH%sM%s %sV%s" fill="none" stroke="%s" stroke-width="1.5"/>`,
				num(x0), num(y-3), num(y+3), num(x0), num(y), num(x1), num(x1), num(y-3), num(y+3), colors[k])
		}
		if whiskers.Len() > 0 {
			b.WriteString(whiskers.String() + "\n")
		}
	}
	for k, s := range c.Series {
		off := nudge * (float64(k) - float64(ns-1)/2)
		drawn := false
		for i, v := range s.Value {
			if !finite(v) {
				continue
			}
			title := "<title>" + esc(c.Rows[i]+" — "+names[k]+": "+strconv.FormatFloat(v, 'g', 4, 64)) + "</title>"
			marker(&b, k, xa.pos(v), rowY(i)+off, colors[k], ` class="fm-dot"`, title)
			drawn = true
		}
		if drawn {
			b.WriteString("\n")
		}
	}

	// Notes at the right.
	for i, s := range c.Notes {
		if s != "" {
			b.text(right+10, rowY(i)+4, ` class="fm-note" font-size="11" fill="#333333"`, s)
		}
	}
	b.close()
	return b.Bytes(), nil
}
