package chart

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Series is one named line of a chart. Points whose X or Y is NaN or
// infinite (or, on a logarithmic axis, Y <= 0) are skipped, leaving a gap.
// If X and Y differ in length the extra values are ignored.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool

	// Color, if not "", replaces the colour the series would take from
	// Palette (or Grey); e.g. to keep one run the same colour in every chart.
	Color string

	// Lower and Upper, if both given, draw a shaded band from Lower[i] to
	// Upper[i] at X[i] (e.g. mean ± one standard deviation over seeds) in
	// the series' colour, under every line. The band has gaps where X,
	// Lower or Upper is not finite (or, on a log axis, Lower <= 0); values
	// past the shortest of X, Lower and Upper are ignored.
	Lower, Upper []float64

	// Grey draws a muted reference line, such as a baseline: grey (unless
	// Color is set), thinner, and under the other series. It takes no
	// colour from Palette, so the coloured series keep theirs.
	Grey bool
}

// LineChart is a chart of one or more series, with axes, round-numbered
// ticks, grid, title, axis labels and either a legend or direct labels.
// Series that have neither Color nor Grey take the colours of Palette in
// order.
//
// Every word on the chart is the caller's: Title, XLabel, YLabel, the
// series' names (an unnamed series is "#1", "#2", ...) and Texts.NoData,
// written when there is nothing to draw.
//
// Classes: fm-title, fm-grid, fm-axes, fm-ticks, fm-xlabel, fm-ylabel,
// fm-nodata, fm-band, fm-series (one path per series, with a <title>),
// fm-markers, fm-legend-entry, fm-direct-label.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         int  // pixels; 0 means 640×360
	LogY                  bool // logarithmic Y axis (points with Y <= 0 are skipped)

	// Texts.NoData is written on a chart with nothing to draw ("" for
	// nothing); Texts.Missing is not used.
	Texts Texts

	// DirectLabels writes each series' name at the end of its line, in its
	// colour, instead of a legend above the plot: easier to read than a
	// legend once there are more than a few lines. Labels that would
	// overlap are pushed apart vertically.
	DirectLabels bool

	// YMin and YMax, when YMin < YMax, make the Y axis span at least
	// [YMin, YMax] (widened to hold every point and band, and to whole
	// ticks); e.g. 0 and 100 for an accuracy in percent. On a log axis
	// they count only if YMin > 0. SmallMultiples uses them to share a
	// range.
	YMin, YMax float64
}

// SVG renders the chart as a self-contained SVG document.
func (c *LineChart) SVG() []byte {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
	}
	var b svgBuf
	b.open(w, h)
	c.render(&b, float64(w), float64(h))
	b.close()
	return b.Bytes()
}

// point is a finite point of a series.
type point struct{ x, y float64 }

// bandPoint is a finite point of a band.
type bandPoint struct{ x, lo, hi float64 }

// plottable reports whether v can be drawn on the chart's Y axis.
func (c *LineChart) plottable(v float64) bool { return finite(v) && (!c.LogY || v > 0) }

// points are the plottable points of s, in runs separated by gaps.
func (c *LineChart) points(s Series) [][]point {
	var runs [][]point
	var cur []point
	n := min(len(s.X), len(s.Y))
	for i := 0; i < n; i++ {
		x, y := s.X[i], s.Y[i]
		if !finite(x) || !c.plottable(y) {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, point{x, y})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// band is the plottable part of s's band, in runs separated by gaps.
func (c *LineChart) band(s Series) [][]bandPoint {
	var runs [][]bandPoint
	var cur []bandPoint
	n := min(len(s.X), len(s.Lower), len(s.Upper))
	for i := 0; i < n; i++ {
		x, lo, hi := s.X[i], s.Lower[i], s.Upper[i]
		if !finite(x) || !c.plottable(lo) || !c.plottable(hi) {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, bandPoint{x, math.Min(lo, hi), math.Max(lo, hi)})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// yExtent is the range of the plottable Y values of the chart's lines and
// bands; ok is false when there are none.
func (c *LineChart) yExtent() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, r := range c.points(s) {
			for _, p := range r {
				lo, hi, ok = math.Min(lo, p.y), math.Max(hi, p.y), true
			}
		}
		for _, r := range c.band(s) {
			for _, p := range r {
				lo, hi, ok = math.Min(lo, p.lo), math.Max(hi, p.hi), true
			}
		}
	}
	return lo, hi, ok
}

// colors are the stroke colours of the series, escaped for an attribute:
// Color if set, else Grey for a grey series, else the next colour of
// Palette.
func (c *LineChart) colors() []string {
	cols := make([]string, len(c.Series))
	next := 0
	for i, s := range c.Series {
		switch {
		case s.Color != "":
			cols[i] = esc(s.Color)
		case s.Grey:
			cols[i] = Grey
		default:
			cols[i] = Palette[next%len(Palette)]
			next++
		}
	}
	return cols
}

// names are the series' names, "#i" for an unnamed one (the chart has
// no words of its own).
func (c *LineChart) names() []string {
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
		if names[i] == "" {
			names[i] = "#" + strconv.Itoa(i+1)
		}
	}
	return names
}

// strokeWidth is the width of a series' line: reference lines are thinner.
func strokeWidth(s Series) string {
	if s.Grey {
		return "1.5"
	}
	return "2"
}

func dashAttr(s Series) string {
	if s.Dashed {
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

// Sizes of a line chart's text, in pixels.
const (
	lineTitleSize = 16
	lineTickSize  = 11
	lineLegendRow = 18
	lineLabelGap  = 13 // least vertical distance between direct labels
)

// lineData is a chart's drawable data: the runs of points and of bands of
// each series, and their X extent.
type lineData struct {
	runs       [][][]point
	bands      [][][]bandPoint
	xmin, xmax float64
	integerX   bool // every X is a whole number: ticks at whole numbers
	havePoints bool
}

// data collects the drawable points and bands of every series.
func (c *LineChart) data() lineData {
	d := lineData{runs: make([][][]point, len(c.Series)), bands: make([][][]bandPoint, len(c.Series)),
		xmin: math.Inf(1), xmax: math.Inf(-1), integerX: true}
	seeX := func(x float64) {
		d.havePoints = true
		d.xmin, d.xmax = math.Min(d.xmin, x), math.Max(d.xmax, x)
		if x != math.Trunc(x) {
			d.integerX = false
		}
	}
	for i, s := range c.Series {
		d.runs[i] = c.points(s)
		d.bands[i] = c.band(s)
		for _, r := range d.runs[i] {
			for _, p := range r {
				seeX(p.x)
			}
		}
		for _, r := range d.bands[i] {
			for _, p := range r {
				seeX(p.x)
			}
		}
	}
	return d
}

// legendEntry is where a legend entry starts: its line's left end.
type legendEntry struct{ x, y float64 }

// lineLayout is where the parts of a chart go in its box: what the steps
// of render share.
type lineLayout struct {
	lineData
	w, h          float64
	colors, names []string
	entries       []legendEntry // nil with direct labels
	top           float64       // the plot's top edge
	left, plotW   float64
	plotH         float64
	xa, ya        *axis
}

// layout places the title, the legend, the plot and its axes in the box
// (0,0)-(w,h).
func (c *LineChart) layout(w, h float64) *lineLayout {
	l := &lineLayout{lineData: c.data(), w: w, h: h, colors: c.colors(), names: c.names()}
	ymin, ymax, haveY := c.yExtent()
	if c.YMin < c.YMax && (!c.LogY || c.YMin > 0) {
		ymin, ymax, haveY = math.Min(ymin, c.YMin), math.Max(ymax, c.YMax), true
	}

	// Vertical layout: title, legend, plot, x tick labels, x label.
	l.top = 10.0
	if c.Title != "" {
		l.top = 24 + lineTitleSize/2 + 8
	}
	// Legend entries flow in rows across the width.
	if len(c.Series) > 0 && !c.DirectLabels {
		l.entries = make([]legendEntry, len(c.Series))
		x, y := 60.0, l.top+6
		for i, name := range l.names {
			ew := 28 + textWidth(name, 12) + 18
			if x+ew > w-10 && x > 60 {
				x, y = 60, y+lineLegendRow
			}
			l.entries[i] = legendEntry{x, y}
			x += ew
		}
		l.top = y + lineLegendRow
	}
	bottom := h - 8
	if c.XLabel != "" {
		bottom -= 18
	}
	bottom -= lineTickSize + 10 // tick labels
	l.plotH = math.Max(bottom-l.top, 10)

	yTarget := max(int(l.plotH/50), 2)
	switch {
	case c.LogY && haveY:
		l.ya = logAxis(ymin, ymax, yTarget)
	case c.LogY:
		l.ya = logAxis(0.1, 10, yTarget)
	default:
		l.ya = linearAxis(ymin, ymax, yTarget, true, false)
	}
	l.ya.p0, l.ya.p1 = l.top+l.plotH, l.top

	// Horizontal layout: Y label, Y tick labels, plot, direct labels.
	l.left = 8.0
	if c.YLabel != "" {
		l.left += 20
	}
	labW := 0.0
	for _, s := range l.ya.labels {
		labW = math.Max(labW, textWidth(s, lineTickSize))
	}
	l.left += labW + 8
	right := w - 16
	if c.DirectLabels {
		labelW := 0.0
		for i, name := range l.names {
			if len(l.runs[i]) > 0 {
				labelW = math.Max(labelW, textWidth(name, 12))
			}
		}
		if labelW > 0 {
			right -= labelW + 6
		}
	}
	l.plotW = math.Max(right-l.left, 10)
	l.xa = linearAxis(l.xmin, l.xmax, max(int(l.plotW/80), 2), false, l.integerX)
	l.xa.p0, l.xa.p1 = l.left, l.left+l.plotW
	return l
}

// render draws the chart in the box (0,0)-(w,h) of b.
func (c *LineChart) render(b *svgBuf, w, h float64) {
	l := c.layout(w, h)
	if c.Title != "" {
		b.title(w, 24, lineTitleSize, c.Title)
	}
	c.drawFrame(b, l)
	c.drawBands(b, l)
	c.drawSeries(b, l)
	c.drawLegend(b, l)
	if c.DirectLabels {
		c.drawDirectLabels(b, l)
	}
}

// drawFrame draws the grid, the axes, the tick labels, the axis labels
// and, when there is nothing to draw, Texts.NoData.
func (c *LineChart) drawFrame(b *svgBuf, l *lineLayout) {
	top, left, plotW, plotH := l.top, l.left, l.plotW, l.plotH
	b.WriteString(`<g class="fm-grid" stroke="#e3e3e3" stroke-width="1">` + "\n")
	for _, t := range l.ya.ticks {
		y := l.ya.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(left), num(y), num(left+plotW), num(y))
	}
	for _, t := range l.xa.ticks {
		x := l.xa.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(top), num(x), num(top+plotH))
	}
	b.WriteString("</g>\n")
	b.f(`<path class="fm-axes" d="M%s %sV%sH%s" fill="none" stroke="#444444" stroke-width="1"/>`+"\n",
		num(left), num(top), num(top+plotH), num(left+plotW))
	b.f(`<g class="fm-ticks" font-size="%d" fill="#333333">`+"\n", lineTickSize)
	for i, t := range l.ya.ticks {
		b.text(left-6, l.ya.pos(t)+4, ` text-anchor="end"`, l.ya.labels[i])
	}
	for i, t := range l.xa.ticks {
		b.text(l.xa.pos(t), top+plotH+lineTickSize+5, ` text-anchor="middle"`, l.xa.labels[i])
	}
	b.WriteString("</g>\n")
	if c.XLabel != "" {
		b.text(left+plotW/2, l.h-10, ` class="fm-xlabel" text-anchor="middle"`, c.XLabel)
	}
	if c.YLabel != "" {
		cy := top + plotH/2
		b.f(`<text class="fm-ylabel" x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>`+"\n",
			num(cy), num(cy), esc(c.YLabel))
	}
	if !l.havePoints {
		b.noData(left+plotW/2, top+plotH/2+5, c.Texts.NoData)
	}
}

// drawBands draws the bands under every line: upper edge left to right,
// lower edge back.
func (c *LineChart) drawBands(b *svgBuf, l *lineLayout) {
	xa, ya := l.xa, l.ya
	for i, rs := range l.bands {
		for _, r := range rs {
			if len(r) == 1 { // a single x: a vertical stroke
				p := r[0]
				b.f(`<line class="fm-band" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-opacity="0.3" stroke-width="4"/>`+"\n",
					num(xa.pos(p.x)), num(ya.pos(p.lo)), num(xa.pos(p.x)), num(ya.pos(p.hi)), l.colors[i])
				continue
			}
			var d strings.Builder
			for j, p := range r {
				if j == 0 {
					d.WriteString("M")
				} else {
					d.WriteString("L")
				}
				d.WriteString(num(xa.pos(p.x)) + " " + num(ya.pos(p.hi)))
			}
			for j := len(r) - 1; j >= 0; j-- {
				d.WriteString("L" + num(xa.pos(r[j].x)) + " " + num(ya.pos(r[j].lo)))
			}
			d.WriteString("Z")
			b.f(`<path class="fm-band" d="%s" fill="%s" fill-opacity="0.18" stroke="none"/>`+"\n", d.String(), l.colors[i])
		}
	}
}

// drawSeries draws the series: one path each, gaps where points were
// skipped; markers where points are few or isolated. Grey references
// first, under the rest.
func (c *LineChart) drawSeries(b *svgBuf, l *lineLayout) {
	xa, ya := l.xa, l.ya
	order := make([]int, 0, len(c.Series))
	for _, grey := range []bool{true, false} {
		for i, s := range c.Series {
			if s.Grey == grey {
				order = append(order, i)
			}
		}
	}
	for _, i := range order {
		runs := l.runs[i]
		if len(runs) == 0 {
			continue
		}
		s := c.Series[i]
		var d strings.Builder
		total := 0
		for _, r := range runs {
			total += len(r)
			for j, p := range r {
				if j == 0 {
					d.WriteString("M")
				} else {
					d.WriteString("L")
				}
				d.WriteString(num(xa.pos(p.x)) + " " + num(ya.pos(p.y)))
			}
		}
		b.f(`<path class="fm-series" d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"%s><title>%s</title></path>`+"\n",
			d.String(), l.colors[i], strokeWidth(s), dashAttr(s), esc(l.names[i]))
		var marks []point
		for _, r := range runs {
			if total <= 30 || len(r) == 1 {
				marks = append(marks, r...)
			}
		}
		if len(marks) > 0 {
			b.f(`<g class="fm-markers" fill="%s">`, l.colors[i])
			for _, p := range marks {
				b.f(`<circle cx="%s" cy="%s" r="2.5"/>`, num(xa.pos(p.x)), num(ya.pos(p.y)))
			}
			b.WriteString("</g>\n")
		}
	}
}

// drawLegend draws the legend's entries: a band swatch where the series
// has a band, its line, its name.
func (c *LineChart) drawLegend(b *svgBuf, l *lineLayout) {
	for i, e := range l.entries {
		s := c.Series[i]
		b.WriteString(`<g class="fm-legend-entry">`)
		if len(l.bands[i]) > 0 {
			b.f(`<rect x="%s" y="%s" width="22" height="10" fill="%s" fill-opacity="0.18"/>`, num(e.x), num(e.y-5), l.colors[i])
		}
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`,
			num(e.x), num(e.y), num(e.x+22), num(e.y), l.colors[i], strokeWidth(s), dashAttr(s))
		b.f(`<text x="%s" y="%s">%s</text></g>`+"\n", num(e.x+28), num(e.y+4), esc(l.names[i]))
	}
}

// drawDirectLabels writes each series' name at the last point of its
// line, pushed apart where they would overlap and kept within the plot's
// height.
func (c *LineChart) drawDirectLabels(b *svgBuf, l *lineLayout) {
	type label struct {
		i    int
		x, y float64
	}
	var labels []label
	for i := range c.Series {
		if n := len(l.runs[i]); n > 0 {
			r := l.runs[i][n-1]
			p := r[len(r)-1]
			labels = append(labels, label{i, l.xa.pos(p.x), l.ya.pos(p.y)})
		}
	}
	sort.SliceStable(labels, func(a, b int) bool { return labels[a].y < labels[b].y })
	for k := 1; k < len(labels); k++ {
		labels[k].y = math.Max(labels[k].y, labels[k-1].y+lineLabelGap)
	}
	for k := len(labels) - 1; k >= 0; k-- {
		limit := l.top + l.plotH
		if k < len(labels)-1 {
			limit = labels[k+1].y - lineLabelGap
		}
		labels[k].y = math.Min(labels[k].y, limit)
	}
	for _, lb := range labels {
		b.text(lb.x+6, lb.y+4, ` class="fm-direct-label" fill="`+l.colors[lb.i]+`"`, l.names[lb.i])
	}
}
