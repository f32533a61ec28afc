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
// Every word on the chart is the caller's: Title, XLabel, Rows, the
// series' names (an unnamed series is "#1", "#2", ...), the reference
// lines' labels, Notes and Texts.NoData.
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
	// Texts.NoData is written when there are no rows or nothing finite to
	// draw ("" for nothing); Texts.Missing is not used.
	Texts Texts
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

// Sizes of a dot chart, in pixels.
const (
	dotFontSize   = 12
	dotTickSize   = 11
	dotLegendRow  = 18
	dotNudge      = 8.0 // vertical distance between the series of a row
	dotTitleSpace = 46  // from the top to the plot (or legend) under a title
)

// dotLayout is where the parts of a dot chart go: what the steps of SVG
// share.
type dotLayout struct {
	w, h          float64
	colors, names []string
	entries       []legendEntry // the legend's markers; nil for none
	haveData      bool          // a finite value to draw
	rowH          float64       // the height of a row
	top, left     float64       // the plot's top left corner
	right         float64       // the plot's right edge; the notes start there
	plotW, plotH  float64
	xa            *axis // nil without rows
}

// rowY is the vertical centre of row i.
func (l *dotLayout) rowY(i int) float64 { return l.top + 2 + l.rowH*(float64(i)+0.5) }

// offset is how far series k's points sit from the centre of their row.
func (l *dotLayout) offset(k int) float64 {
	return dotNudge * (float64(k) - float64(len(l.colors)-1)/2)
}

// xRange is the range of the values, whisker ends and reference lines;
// ok is false when no value is finite.
func (c *DotChart) xRange() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	grow := func(v float64) {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	for _, s := range c.Series {
		for i, v := range s.Value {
			if !finite(v) {
				continue
			}
			ok = true
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
	return lo, hi, ok
}

// layout places the title, the legend, the reference labels, the rows
// with their names and notes, and the axis.
func (c *DotChart) layout() *dotLayout {
	n, ns := len(c.Rows), len(c.Series)
	l := &dotLayout{w: float64(c.Width), rowH: math.Max(24, dotNudge*float64(ns)+10),
		colors: make([]string, ns), names: make([]string, ns)}
	if l.w <= 0 {
		l.w = defaultWidth
	}
	for k, s := range c.Series {
		l.colors[k] = Palette[k%len(Palette)]
		if s.Color != "" {
			l.colors[k] = esc(s.Color)
		}
		l.names[k] = s.Name
		if l.names[k] == "" {
			l.names[k] = "#" + strconv.Itoa(k+1)
		}
	}
	xmin, xmax, haveData := c.xRange()
	l.haveData = haveData

	l.top = 12.0
	if c.Title != "" {
		l.top = dotTitleSpace
	}
	// Legend: one entry per series when there are several or any is named.
	named := ns > 1
	for _, s := range c.Series {
		named = named || s.Name != ""
	}
	if named {
		l.entries = make([]legendEntry, ns)
		x, y := 12.0, l.top+2
		for k, name := range l.names {
			ew := 16 + textWidth(name, dotFontSize) + 18
			if x+ew > l.w-10 && x > 12 {
				x, y = 12, y+dotLegendRow
			}
			l.entries[k] = legendEntry{x, y}
			x += ew
		}
		l.top = y + dotLegendRow
	}
	refLabels := false
	for _, r := range c.Refs {
		refLabels = refLabels || (r.Label != "" && finite(r.Value))
	}
	if refLabels {
		l.top += 14
	}

	// Row names on the left, notes on the right, the plot between.
	nameW := 0.0
	for _, r := range c.Rows {
		nameW = math.Max(nameW, textWidth(r, dotFontSize))
	}
	noteW := 0.0
	for _, s := range c.Notes {
		noteW = math.Max(noteW, textWidth(s, dotTickSize))
	}
	l.left = 10 + nameW + 10
	l.right = l.w - 16
	if noteW > 0 {
		l.right -= noteW + 10
	}
	l.plotW = math.Max(l.right-l.left, 20)
	l.plotH = float64(n)*l.rowH + 4
	l.h = l.top + l.plotH + dotTickSize + 14
	if c.XLabel != "" {
		l.h += 18
	}
	if n == 0 {
		l.h = l.top + 60
		return l
	}

	// The axis spans the data and a margin, ticks inside: widening it to
	// whole ticks could waste half the width on a narrow range.
	if span := xmax - xmin; span > 0 {
		xmin, xmax = xmin-0.04*span, xmax+0.04*span
	}
	l.xa = linearAxis(xmin, xmax, max(int(l.plotW/80), 2), false, false)
	l.xa.p0, l.xa.p1 = l.left, l.left+l.plotW
	return l
}

// SVG renders the dot chart as a self-contained SVG document. It fails if a
// series does not have one value per row, has only one of Low and High or
// one of the wrong length, or if Notes is not nil and does not have one
// note per row. With no rows, or nothing finite to draw, it writes
// Texts.NoData.
func (c *DotChart) SVG() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	l := c.layout()
	var b svgBuf
	b.open(int(math.Ceil(l.w)), int(math.Ceil(l.h)))
	if c.Title != "" {
		b.title(l.w, 26, 16, c.Title)
	}
	for k, e := range l.entries {
		b.WriteString(`<g class="fm-legend-entry">`)
		marker(&b, k, e.x+6, e.y, l.colors[k], "", "")
		b.f(`<text x="%s" y="%s">%s</text></g>`+"\n", num(e.x+16), num(e.y+4), esc(l.names[k]))
	}
	if len(c.Rows) == 0 {
		b.noData(l.w/2, l.top+30, c.Texts.NoData)
		b.close()
		return b.Bytes(), nil
	}
	c.drawFrame(&b, l)
	c.drawRefs(&b, l)
	if !l.haveData {
		b.noData(l.left+l.plotW/2, l.top+l.plotH/2+5, c.Texts.NoData)
	}
	c.drawWhiskers(&b, l)
	c.drawDots(&b, l)
	// Notes at the right.
	for i, s := range c.Notes {
		if s != "" {
			b.text(l.right+10, l.rowY(i)+4, ` class="fm-note" font-size="11" fill="#333333"`, s)
		}
	}
	b.close()
	return b.Bytes(), nil
}

// drawFrame draws the grid (vertical lines at the ticks, a faint guide
// along each row), the axis, its tick labels and label, and the rows'
// names.
func (c *DotChart) drawFrame(b *svgBuf, l *dotLayout) {
	top, left, plotW, plotH := l.top, l.left, l.plotW, l.plotH
	b.WriteString(`<g class="fm-grid" stroke="#e3e3e3" stroke-width="1">` + "\n")
	for _, t := range l.xa.ticks {
		x := l.xa.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(top), num(x), num(top+plotH))
	}
	for i := range c.Rows {
		y := l.rowY(i)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke-dasharray="1 3"/>`+"\n", num(left), num(y), num(left+plotW), num(y))
	}
	b.WriteString("</g>\n")
	b.f(`<path class="fm-axes" d="M%s %sH%s" fill="none" stroke="#444444" stroke-width="1"/>`+"\n",
		num(left), num(top+plotH), num(left+plotW))
	b.f(`<g class="fm-ticks" font-size="%d" fill="#333333">`+"\n", dotTickSize)
	for i, t := range l.xa.ticks {
		b.text(l.xa.pos(t), top+plotH+dotTickSize+5, ` text-anchor="middle"`, l.xa.labels[i])
	}
	b.WriteString("</g>\n")
	if c.XLabel != "" {
		b.text(left+plotW/2, l.h-10, ` class="fm-xlabel" text-anchor="middle"`, c.XLabel)
	}
	for i, r := range c.Rows {
		b.text(left-8, l.rowY(i)+4, ` class="fm-name" text-anchor="end"`, r)
	}
}

// drawRefs draws the reference lines, under the points, with their
// labels above the plot.
func (c *DotChart) drawRefs(b *svgBuf, l *dotLayout) {
	for _, r := range c.Refs {
		if !finite(r.Value) {
			continue
		}
		x := l.xa.pos(r.Value)
		b.f(`<line class="fm-ref" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5 3"/>`+"\n",
			num(x), num(l.top), num(x), num(l.top+l.plotH), Grey)
		if r.Label != "" {
			b.text(x, l.top-5, ` class="fm-ref-label" text-anchor="middle" font-size="11" fill="#555555"`, r.Label)
		}
	}
}

// drawWhiskers draws the intervals, one line of whiskers per series,
// under the points.
func (c *DotChart) drawWhiskers(b *svgBuf, l *dotLayout) {
	for k, s := range c.Series {
		var whiskers strings.Builder
		for i, v := range s.Value {
			if !finite(v) || s.Low == nil || !finite(s.Low[i]) || !finite(s.High[i]) {
				continue
			}
			y := l.rowY(i) + l.offset(k)
			x0, x1 := l.xa.pos(math.Min(s.Low[i], s.High[i])), l.xa.pos(math.Max(s.Low[i], s.High[i]))
			fmt.Fprintf(&whiskers, `<path class="fm-whisker" d="M%s %sV%sM%s %sH%sM%s %sV%s" fill="none" stroke="%s" stroke-width="1.5"/>`,
				num(x0), num(y-3), num(y+3), num(x0), num(y), num(x1), num(x1), num(y-3), num(y+3), l.colors[k])
		}
		if whiskers.Len() > 0 {
			b.WriteString(whiskers.String() + "\n")
		}
	}
}

// drawDots draws the points, each with a <title> naming its row, series
// and value.
func (c *DotChart) drawDots(b *svgBuf, l *dotLayout) {
	for k, s := range c.Series {
		drawn := false
		for i, v := range s.Value {
			if !finite(v) {
				continue
			}
			title := "<title>" + esc(c.Rows[i]+" — "+l.names[k]+": "+strconv.FormatFloat(v, 'g', 4, 64)) + "</title>"
			marker(b, k, l.xa.pos(v), l.rowY(i)+l.offset(k), l.colors[k], ` class="fm-dot"`, title)
			drawn = true
		}
		if drawn {
			b.WriteString("\n")
		}
	}
}
