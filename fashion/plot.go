package fashion

// Static charts for notebooks: line charts of the training history, a
// confusion-matrix heat map, bar charts and image galleries. Everything
// renders to bytes (SVG or PNG) with the standard library only: no
// JavaScript, no external fonts or URLs, so a saved notebook shows the plots
// offline and on GitHub. The same input always gives the same bytes.
//
// The SVGs use no element ids (several can share one HTML page) and mark
// their parts with classes prefixed "fm-" (fm-series, fm-legend-entry,
// fm-cell, fm-image, ...), which tests and style sheets can select.

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Series is one named line of a chart. Points whose X or Y is NaN or
// infinite (or, on a logarithmic axis, Y <= 0) are skipped, leaving a gap.
// If X and Y differ in length the extra values are ignored.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
}

// LineChart is a chart of one or more series, with axes, round-numbered
// ticks, grid, legend, title and axis labels. Series take the colours of
// Palette in order.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	Width, Height         int  // pixels; 0 means 640×360
	LogY                  bool // logarithmic Y axis (points with Y <= 0 are skipped)
}

// Palette is the fixed, colour-blind friendly (Okabe–Ito) list of colours
// that series take in order; the yellow, hard to see on white, is last.
var Palette = [...]string{
	"#0072B2", // blue
	"#D55E00", // vermillion
	"#009E73", // bluish green
	"#CC79A7", // reddish purple
	"#E69F00", // orange
	"#56B4E9", // sky blue
	"#000000", // black
	"#F0E442", // yellow
}

const (
	defaultWidth  = 640
	defaultHeight = 360
	fontFamily    = "Helvetica, Arial, sans-serif"
	maxScale      = 64 // largest pixels-per-pixel accepted for images
)

// ---------------------------------------------------------------------------
// SVG writing helpers.

// svgBuf accumulates SVG text.
type svgBuf struct{ bytes.Buffer }

func (b *svgBuf) f(format string, args ...any) { fmt.Fprintf(b, format, args...) }

// open writes the root element: fixed size, scalable down to the width of
// the notebook, white background.
func (b *svgBuf) open(w, h int) {
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" `+
		`font-family="%s" font-size="12" style="max-width:100%%;height:auto">`+"\n", w, h, w, h, fontFamily)
	b.f(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
}

func (b *svgBuf) close() { b.WriteString("</svg>\n") }

// text writes a <text> element; attrs are extra attributes, already escaped.
func (b *svgBuf) text(x, y float64, attrs, s string) {
	b.f(`<text x="%s" y="%s"%s>%s</text>`+"\n", num(x), num(y), attrs, esc(s))
}

// esc escapes s for XML text and attribute values. Characters XML cannot
// hold become U+FFFD.
func esc(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// num formats a coordinate with at most one decimal.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// textWidth estimates the width in pixels of s at the given font size.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(utf8.RuneCountInString(s))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// ---------------------------------------------------------------------------
// Ticks.

// niceStep is a round step (1, 2, 2.5 or 5 times a power of ten) that cuts
// span in about target parts.
func niceStep(span float64, target int) float64 {
	if target < 1 {
		target = 1
	}
	raw := span / float64(target)
	if !(raw > 0) || !finite(raw) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f <= 1:
		return mag
	case f <= 2:
		return 2 * mag
	case f <= 2.5:
		return 2.5 * mag
	case f <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// stepDecimals is the number of decimals that writes multiples of step.
func stepDecimals(step float64) int {
	for d := 0; d < 15; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(step*p-math.Round(step*p)) < 1e-9*step*p {
			return d
		}
	}
	return 15
}

func formatTick(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-") // no "-0"
	}
	return s
}

// ticksIn are the multiples of step in [lo, hi].
func ticksIn(lo, hi, step float64) []float64 {
	var ts []float64
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+step*1e-9 && len(ts) < 1000; i++ {
		t := i * step
		if t == 0 {
			t = 0 // not -0
		}
		ts = append(ts, t)
	}
	return ts
}

// axis maps data values to pixels and knows its ticks.
type axis struct {
	lo, hi float64 // data range (log10 of it for a log axis)
	log    bool
	ticks  []float64 // in data units
	labels []string
	p0, p1 float64 // pixels of lo and hi
}

func (a *axis) pos(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return a.p0 + (v-a.lo)/(a.hi-a.lo)*(a.p1-a.p0)
}

// linearAxis builds an axis over [min, max]. loose widens the range to whole
// ticks; integer keeps steps at least 1 (for epoch numbers).
func linearAxis(min, max float64, target int, loose, integer bool) *axis {
	if min > max { // no data
		min, max = 0, 1
	}
	if min == max {
		d := math.Abs(min) * 0.1
		switch {
		case integer:
			d = 0.5 // one tick, at the value
		case d == 0:
			d = 1
		}
		min, max = min-d, max+d
	}
	step := niceStep(max-min, target)
	if integer && step < 1 {
		step = 1
	}
	if loose {
		min = math.Floor(min/step+1e-9) * step
		max = math.Ceil(max/step-1e-9) * step
	}
	a := &axis{lo: min, hi: max, ticks: ticksIn(min, max, step)}
	dec := stepDecimals(step)
	for _, t := range a.ticks {
		a.labels = append(a.labels, formatTick(t, dec))
	}
	return a
}

// logAxis builds a base-10 logarithmic axis over [min, max], both > 0.
func logAxis(min, max float64, target int) *axis {
	if !(min > 0) || min > max {
		min, max = 0.1, 10
	}
	lmin, lmax := math.Log10(min), math.Log10(max)
	if lmax-lmin < 1e-9 {
		lmin, lmax = lmin-0.5, lmax+0.5
	}
	pad := 0.04 * (lmax - lmin)
	lmin, lmax = lmin-pad, lmax+pad
	a := &axis{lo: lmin, hi: lmax, log: true}
	// The densest of these tick sets that is not crowded; failing all,
	// powers of ten every few decades.
	limit := 2*target + 1
	for _, mults := range [][]float64{{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 5}, {1}} {
		a.ticks, a.labels = logTicks(lmin, lmax, mults, 1)
		if len(a.ticks) <= limit {
			return a
		}
	}
	every := int(math.Ceil((lmax - lmin) / float64(limit-1)))
	a.ticks, a.labels = logTicks(lmin, lmax, []float64{1}, every)
	return a
}

// logTicks are the values m·10^e in [10^lmin, 10^lmax] for m in mults and
// e a multiple of every.
func logTicks(lmin, lmax float64, mults []float64, every int) (ticks []float64, labels []string) {
	for e := int(math.Floor(lmin)); e <= int(math.Ceil(lmax)); e++ {
		if e%every != 0 {
			continue
		}
		for _, m := range mults {
			v := m * math.Pow(10, float64(e))
			if lv := math.Log10(v); lv >= lmin-1e-12 && lv <= lmax+1e-12 {
				ticks = append(ticks, v)
				labels = append(labels, strconv.FormatFloat(v, 'g', 4, 64))
			}
		}
	}
	return ticks, labels
}

// ---------------------------------------------------------------------------
// Line charts.

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

// points are the plottable points of s, with nil marking gaps.
func (c *LineChart) points(s Series) [][]point {
	var runs [][]point
	var cur []point
	n := min(len(s.X), len(s.Y))
	for i := 0; i < n; i++ {
		x, y := s.X[i], s.Y[i]
		if !finite(x) || !finite(y) || (c.LogY && y <= 0) {
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

// render draws the chart in the box (0,0)-(w,h) of b.
func (c *LineChart) render(b *svgBuf, w, h float64) {
	const (
		titleSize = 16
		tickSize  = 11
		legendRow = 18
	)
	runs := make([][][]point, len(c.Series))
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	integerX, havePoints := true, false
	for i, s := range c.Series {
		runs[i] = c.points(s)
		for _, r := range runs[i] {
			for _, p := range r {
				havePoints = true
				xmin, xmax = math.Min(xmin, p.x), math.Max(xmax, p.x)
				ymin, ymax = math.Min(ymin, p.y), math.Max(ymax, p.y)
				if p.x != math.Trunc(p.x) {
					integerX = false
				}
			}
		}
	}

	// Vertical layout: title, legend, plot, x tick labels, x label.
	top := 10.0
	if c.Title != "" {
		b.text(w/2, 24, ` class="fm-title" text-anchor="middle" font-size="16" font-weight="bold"`, c.Title)
		top = 24 + titleSize/2 + 8
	}
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
		if names[i] == "" {
			names[i] = "series " + strconv.Itoa(i+1)
		}
	}
	// Legend entries flow in rows across the width.
	type entry struct{ x, y float64 }
	entries := make([]entry, len(c.Series))
	if len(c.Series) > 0 {
		x, y := 60.0, top+6
		for i, name := range names {
			ew := 28 + textWidth(name, 12) + 18
			if x+ew > w-10 && x > 60 {
				x, y = 60, y+legendRow
			}
			entries[i] = entry{x, y}
			x += ew
		}
		top = y + legendRow
	}
	bottom := h - 8
	if c.XLabel != "" {
		bottom -= 18
	}
	bottom -= tickSize + 10 // tick labels
	plotH := math.Max(bottom-top, 10)

	var ya *axis
	yTarget := max(int(plotH/50), 2)
	if c.LogY {
		if havePoints {
			ya = logAxis(ymin, ymax, yTarget)
		} else {
			ya = logAxis(0.1, 10, yTarget)
		}
	} else {
		ya = linearAxis(ymin, ymax, yTarget, true, false)
	}
	ya.p0, ya.p1 = top+plotH, top

	left := 8.0
	if c.YLabel != "" {
		left += 20
	}
	labW := 0.0
	for _, l := range ya.labels {
		labW = math.Max(labW, textWidth(l, tickSize))
	}
	left += labW + 8
	right := w - 16
	plotW := math.Max(right-left, 10)
	xa := linearAxis(xmin, xmax, max(int(plotW/80), 2), false, integerX)
	xa.p0, xa.p1 = left, left+plotW

	// Grid, axes and tick labels.
	b.WriteString(`<g class="fm-grid" stroke="#e3e3e3" stroke-width="1">` + "\n")
	for _, t := range ya.ticks {
		y := ya.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(left), num(y), num(left+plotW), num(y))
	}
	for _, t := range xa.ticks {
		x := xa.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(x), num(top), num(x), num(top+plotH))
	}
	b.WriteString("</g>\n")
	b.f(`<path class="fm-axes" d="M%s %sV%sH%s" fill="none" stroke="#444444" stroke-width="1"/>`+"\n",
		num(left), num(top), num(top+plotH), num(left+plotW))
	b.f(`<g class="fm-ticks" font-size="%d" fill="#333333">`+"\n", tickSize)
	for i, t := range ya.ticks {
		b.text(left-6, ya.pos(t)+4, ` text-anchor="end"`, ya.labels[i])
	}
	for i, t := range xa.ticks {
		b.text(xa.pos(t), top+plotH+tickSize+5, ` text-anchor="middle"`, xa.labels[i])
	}
	b.WriteString("</g>\n")
	if c.XLabel != "" {
		b.text(left+plotW/2, h-10, ` class="fm-xlabel" text-anchor="middle"`, c.XLabel)
	}
	if c.YLabel != "" {
		cy := top + plotH/2
		b.f(`<text class="fm-ylabel" x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>`+"\n",
			num(cy), num(cy), esc(c.YLabel))
	}
	if !havePoints {
		b.text(left+plotW/2, top+plotH/2+5, ` class="fm-nodata" text-anchor="middle" font-size="14" fill="#888888"`, "no data")
	}

	// Series: one path each, gaps where points were skipped; markers where
	// points are few or isolated.
	for i, s := range c.Series {
		if len(runs[i]) == 0 {
			continue
		}
		color := Palette[i%len(Palette)]
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var d strings.Builder
		total := 0
		for _, r := range runs[i] {
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
		b.f(`<path class="fm-series" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"%s><title>%s</title></path>`+"\n",
			d.String(), color, dash, esc(names[i]))
		var marks []point
		for _, r := range runs[i] {
			if total <= 30 || len(r) == 1 {
				marks = append(marks, r...)
			}
		}
		if len(marks) > 0 {
			b.f(`<g class="fm-markers" fill="%s">`, color)
			for _, p := range marks {
				b.f(`<circle cx="%s" cy="%s" r="2.5"/>`, num(xa.pos(p.x)), num(ya.pos(p.y)))
			}
			b.WriteString("</g>\n")
		}
	}

	// Legend.
	for i, e := range entries {
		dash := ""
		if c.Series[i].Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		b.f(`<g class="fm-legend-entry"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`,
			num(e.x), num(e.y), num(e.x+22), num(e.y), Palette[i%len(Palette)], dash)
		b.f(`<text x="%s" y="%s">%s</text></g>`+"\n", num(e.x+28), num(e.y+4), esc(names[i]))
	}
}

// ---------------------------------------------------------------------------
// Training history charts.

// historyMetrics are the metrics OverlaySVG knows, with how to read them.
var historyMetrics = map[string]struct {
	label   string
	percent bool
	get     func(Epoch) float64
}{
	"train_loss":     {"train loss", false, func(e Epoch) float64 { return e.TrainLoss }},
	"val_loss":       {"validation loss", false, func(e Epoch) float64 { return e.ValLoss }},
	"train_accuracy": {"train accuracy (%)", true, func(e Epoch) float64 { return e.TrainAccuracy }},
	"val_accuracy":   {"validation accuracy (%)", true, func(e Epoch) float64 { return e.ValAccuracy }},
}

// historySeries is one metric of a history against the epoch number.
func historySeries(name string, h []Epoch, get func(Epoch) float64, percent bool) Series {
	s := Series{Name: name, X: make([]float64, len(h)), Y: make([]float64, len(h))}
	for i, e := range h {
		s.X[i] = float64(e.Epoch)
		s.Y[i] = get(e)
		if percent {
			s.Y[i] *= 100
		}
	}
	return s
}

// LossCurves is the chart of training and validation loss per epoch.
func LossCurves(title string, h []Epoch) *LineChart {
	return &LineChart{
		Title: title, XLabel: "epoch", YLabel: "loss",
		Series: []Series{
			historySeries("train", h, func(e Epoch) float64 { return e.TrainLoss }, false),
			historySeries("val", h, func(e Epoch) float64 { return e.ValLoss }, false),
		},
	}
}

// AccuracyCurves is the chart of training and validation accuracy per
// epoch, in percent.
func AccuracyCurves(title string, h []Epoch) *LineChart {
	return &LineChart{
		Title: title, XLabel: "epoch", YLabel: "accuracy (%)",
		Series: []Series{
			historySeries("train", h, func(e Epoch) float64 { return e.TrainAccuracy }, true),
			historySeries("val", h, func(e Epoch) float64 { return e.ValAccuracy }, true),
		},
	}
}

// CurvesSVG renders the loss and the accuracy charts of a history side by
// side in one SVG (960×360), under title.
func CurvesSVG(title string, h []Epoch) []byte {
	const w, h0, panelW = 960, 360, 480
	var b svgBuf
	b.open(w, h0)
	top := 0.0
	if title != "" {
		b.text(w/2, 24, ` class="fm-title" text-anchor="middle" font-size="17" font-weight="bold"`, title)
		top = 34
	}
	for i, c := range []*LineChart{LossCurves("loss", h), AccuracyCurves("accuracy", h)} {
		b.f(`<g class="fm-panel" transform="translate(%d %s)">`+"\n", i*panelW, num(top))
		c.render(&b, panelW, h0-top)
		b.WriteString("</g>\n")
	}
	b.close()
	return b.Bytes()
}

// checkOverlay validates OverlaySVG's arguments.
func checkOverlay(metric string, names []string, histories [][]Epoch) error {
	if _, ok := historyMetrics[metric]; !ok {
		return fmt.Errorf("fashion: unknown metric %q (want val_loss, train_loss, val_accuracy or train_accuracy)", metric)
	}
	if len(names) != len(histories) {
		return fmt.Errorf("fashion: %d names for %d histories", len(names), len(histories))
	}
	return nil
}

// OverlaySVG renders one metric of several runs' histories in one chart, a
// series per run named by names. metric is one of "val_loss", "train_loss",
// "val_accuracy" or "train_accuracy" (accuracies are shown in percent). It
// fails for another metric or if names and histories differ in length.
func OverlaySVG(title, metric string, names []string, histories [][]Epoch) ([]byte, error) {
	if err := checkOverlay(metric, names, histories); err != nil {
		return nil, err
	}
	m := historyMetrics[metric]
	c := &LineChart{Title: title, XLabel: "epoch", YLabel: m.label}
	for i, h := range histories {
		c.Series = append(c.Series, historySeries(names[i], h, m.get, m.percent))
	}
	return c.SVG(), nil
}

// ---------------------------------------------------------------------------
// Confusion matrix.

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

// className is names[i], or ClassNames[i] when names is nil, or the number i.
func className(names []string, i int) string {
	if names == nil && i < NumClasses {
		return ClassNames[i]
	}
	if i < len(names) {
		return names[i]
	}
	return strconv.Itoa(i)
}

// ConfusionSVG renders a confusion matrix as a heat map: row = true class,
// column = predicted class, each cell showing its count. A cell's colour is
// its share of its row (of the examples of that true class) on a square-root
// scale, so that small confusions stay visible next to the diagonal; a
// colour bar on the right shows the scale. names label the classes; nil
// means ClassNames.
func ConfusionSVG(title string, m [NumClasses][NumClasses]int, names []string) []byte {
	const (
		cell    = 44.0
		n       = NumClasses
		barW    = 14.0
		barGap  = 24.0
		tickSz  = 11
		labelSz = 12
	)
	nameW := 0.0
	for i := 0; i < n; i++ {
		nameW = math.Max(nameW, textWidth(className(names, i), labelSz))
	}
	left := 10 + 20 + nameW + 8 // "true class" label, names
	top := 12.0
	if title != "" {
		top = 46
	}
	gridW := cell * n
	colNamesH := nameW*0.72 + 16 // names rotated by 45°
	w := left + gridW + barGap + barW + 64
	w = math.Max(w, textWidth(title, 16)+20)
	h := top + gridW + colNamesH + 30

	var b svgBuf
	W, H := int(math.Ceil(w)), int(math.Ceil(h))
	b.open(W, H)
	if title != "" {
		b.text(float64(W)/2, 26, ` class="fm-title" text-anchor="middle" font-size="16" font-weight="bold"`, title)
	}
	// Cells first, then their counts on top.
	shares := [n][n]float64{}
	for r := 0; r < n; r++ {
		total := 0
		for c := 0; c < n; c++ {
			total += m[r][c]
		}
		for c := 0; c < n; c++ {
			if total > 0 && m[r][c] > 0 {
				shares[r][c] = math.Sqrt(float64(m[r][c]) / float64(total))
			}
		}
	}
	b.WriteString(`<g class="fm-matrix" stroke="#ffffff">` + "\n")
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			b.f(`<rect class="fm-cell" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				num(left+float64(c)*cell), num(top+float64(r)*cell), num(cell), num(cell), blues(shares[r][c]))
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
	b.f(`<g class="fm-counts" font-size="%d" text-anchor="middle" fill="#222222">`+"\n", tickSz)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			attrs := ""
			switch {
			case shares[r][c] > 0.55:
				attrs = ` fill="#ffffff"`
			case m[r][c] == 0:
				attrs = ` fill="#b0b0b0"`
			}
			if r == c {
				attrs += ` font-weight="bold"`
			}
			b.f(`<text x="%s" y="%s"%s>%d</text>`, num(left+float64(c)*cell+cell/2), num(top+float64(r)*cell+cell/2+4), attrs, m[r][c])
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n")
	// Class names: rows on the left, columns below, rotated.
	b.f(`<g class="fm-names" font-size="%d" fill="#222222">`+"\n", labelSz)
	for i := 0; i < n; i++ {
		name := className(names, i)
		b.text(left-6, top+float64(i)*cell+cell/2+4, ` text-anchor="end"`, name)
		x, y := left+float64(i)*cell+cell/2+4, top+gridW+10
		b.f(`<text x="%s" y="%s" text-anchor="end" transform="rotate(-45 %s %s)">%s</text>`+"\n",
			num(x), num(y), num(x), num(y), esc(name))
	}
	b.WriteString("</g>\n")
	b.text(left+gridW/2, h-10, ` class="fm-xlabel" text-anchor="middle" font-weight="bold"`, "predicted class")
	cy := top + gridW/2
	b.f(`<text class="fm-ylabel" x="18" y="%s" text-anchor="middle" font-weight="bold" transform="rotate(-90 18 %s)">true class</text>`+"\n",
		num(cy), num(cy))

	// Colour bar: share of the row, square-root scale.
	bx := left + gridW + barGap
	const steps = 20
	b.WriteString(`<g class="fm-colorbar">`)
	for i := 0; i < steps; i++ {
		y0 := top + gridW*(1-float64(i+1)/steps)
		b.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(bx), num(y0), num(barW), num(gridW/steps+0.5), blues((float64(i)+0.5)/steps))
	}
	b.WriteString("\n")
	for _, f := range []float64{0, 0.01, 0.1, 0.25, 0.5, 1} {
		y := top + gridW*(1-math.Sqrt(f))
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#444444"/>`, num(bx+barW), num(y), num(bx+barW+3), num(y))
		b.text(bx+barW+5, y+4, ` font-size="10" fill="#333333"`, strconv.FormatFloat(100*f, 'f', -1, 64)+"%")
	}
	lx, ly := bx+barW+50, top+gridW/2
	b.f(`<text x="%s" y="%s" font-size="11" fill="#333333" text-anchor="middle" transform="rotate(90 %s %s)">share of the true class</text>`+"\n",
		num(lx), num(ly), num(lx), num(ly))
	b.WriteString("</g>\n")
	b.close()
	return b.Bytes()
}

// ---------------------------------------------------------------------------
// Bar chart.

// BarsSVG renders a horizontal bar chart, one bar per value, labelled by
// names on the left and by the value on the right, written with format
// applied to 100*value (e.g. "%.1f%%" writes 0.873 as "87.3%"; "" means
// that). The axis spans [0, 1], widened to hold every value. Non-finite
// values get no bar and the label "n/a"; a missing name is "#i".
func BarsSVG(title string, names []string, values []float64, format string) []byte {
	if format == "" {
		format = "%.1f%%"
	}
	const (
		w     = 640.0
		barH  = 22.0
		gap   = 6.0
		fontS = 12
	)
	label := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return "#" + strconv.Itoa(i)
	}
	nameW := 0.0
	lo, hi := 0.0, 1.0
	valW := 0.0
	for i, v := range values {
		nameW = math.Max(nameW, textWidth(label(i), fontS))
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			valW = math.Max(valW, textWidth(fmt.Sprintf(format, 100*v), fontS))
		}
	}
	top := 12.0
	if title != "" {
		top = 46
	}
	left := 10 + nameW + 8
	right := w - 14 - math.Max(valW, 24)
	plotW := math.Max(right-left, 20)
	n := len(values)
	plotH := float64(n)*(barH+gap) + gap
	h := top + plotH + 30
	if n == 0 {
		h = top + 60
	}
	var b svgBuf
	H := int(math.Ceil(h))
	b.open(int(w), H)
	if title != "" {
		b.text(w/2, 26, ` class="fm-title" text-anchor="middle" font-size="16" font-weight="bold"`, title)
	}
	if n == 0 {
		b.text(w/2, top+30, ` class="fm-nodata" text-anchor="middle" font-size="14" fill="#888888"`, "no data")
		b.close()
		return b.Bytes()
	}
	step := niceStep(hi-lo, 5)
	ax := &axis{lo: lo, hi: hi, p0: left, p1: left + plotW}
	b.f(`<g class="fm-grid" stroke="#e3e3e3">`)
	ticks := ticksIn(lo, hi, step)
	for _, t := range ticks {
		x := ax.pos(t)
		b.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(x), num(top), num(x), num(top+plotH))
	}
	b.WriteString("</g>\n")
	b.f(`<g class="fm-ticks" font-size="11" fill="#333333" text-anchor="middle">`)
	for _, t := range ticks {
		b.text(ax.pos(t), top+plotH+16, "", fmt.Sprintf(format, 100*t))
	}
	b.WriteString("</g>\n")
	zero := ax.pos(0)
	for i, v := range values {
		y := top + gap + float64(i)*(barH+gap)
		b.text(left-6, y+barH/2+4, ` class="fm-name" text-anchor="end"`, label(i))
		if !finite(v) {
			b.text(zero+4, y+barH/2+4, ` class="fm-value" fill="#888888"`, "n/a")
			continue
		}
		x0, x1 := zero, ax.pos(v)
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		b.f(`<rect class="fm-bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
			num(x0), num(y), num(x1-x0), num(barH), Palette[0], esc(label(i)))
		b.text(x1+4, y+barH/2+4, ` class="fm-value" fill="#222222"`, fmt.Sprintf(format, 100*v))
	}
	b.f(`<path class="fm-axes" d="M%s %sV%s" stroke="#444444"/>`+"\n", num(zero), num(top), num(top+plotH))
	b.close()
	return b.Bytes()
}

// ---------------------------------------------------------------------------
// Images.

// checkImage validates one image's size.
func checkImage(img []uint8, i int) error {
	if len(img) != NumPixels {
		return fmt.Errorf("fashion: image %d has %d bytes, want %d (%dx%d)", i, len(img), NumPixels, Height, Width)
	}
	return nil
}

// checkImages validates ImageGridSVG's arguments.
func checkImages(images [][]uint8, captions []string, scale int) error {
	if captions != nil && len(captions) != len(images) {
		return fmt.Errorf("fashion: %d captions for %d images", len(captions), len(images))
	}
	if scale > maxScale {
		return fmt.Errorf("fashion: scale %d is larger than %d", scale, maxScale)
	}
	for i, img := range images {
		if err := checkImage(img, i); err != nil {
			return err
		}
	}
	return nil
}

// encodeGray encodes a 28×28 image, each pixel repeated scale×scale times,
// as PNG: pixel value v is gray level v (0 black background, 255 white).
func encodeGray(img []uint8, scale int) ([]byte, error) {
	g := image.NewGray(image.Rect(0, 0, Width*scale, Height*scale))
	for y := 0; y < Height*scale; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+Width*scale]
		src := img[(y/scale)*Width : (y/scale+1)*Width]
		for x := range row {
			row[x] = src[x/scale]
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, g); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImagePNG encodes one image (NumPixels bytes, row-major) as a grayscale
// PNG, each pixel drawn as a scale×scale block (nearest neighbour); scale
// <= 0 means 3. Pixel value v becomes gray level v: 0, the background, is
// black. It fails if img is not NumPixels bytes or scale is over 64.
func ImagePNG(img []uint8, scale int) ([]byte, error) {
	if scale <= 0 {
		scale = 3
	}
	if scale > maxScale {
		return nil, fmt.Errorf("fashion: scale %d is larger than %d", scale, maxScale)
	}
	if err := checkImage(img, 0); err != nil {
		return nil, err
	}
	return encodeGray(img, scale)
}

// ImageGridSVG renders images (each NumPixels bytes) in a grid of cols
// columns (cols <= 0: up to 10), each image drawn scale times its size
// (scale <= 0: 3) with its caption below. A caption may hold several lines
// separated by "\n" (e.g. "true: Coat\npred: Shirt"); captions may be nil
// for none. Each image is embedded as a PNG data URI, drawn with crisp
// pixels. It fails if captions is not nil and differs in length from
// images, if an image is not NumPixels bytes, or if scale is over 64.
func ImageGridSVG(images [][]uint8, captions []string, cols int, scale int) ([]byte, error) {
	if scale <= 0 {
		scale = 3
	}
	if err := checkImages(images, captions, scale); err != nil {
		return nil, err
	}
	n := len(images)
	if cols <= 0 {
		cols = min(max(n, 1), 10)
	}
	cols = min(cols, max(n, 1))
	rows := (n + cols - 1) / cols
	const (
		capSize = 11.0
		lineH   = 14.0
		pad     = 8.0
	)
	side := float64(Width * scale)
	cellW, lines := side, 0
	for _, c := range captions {
		ls := strings.Split(c, "\n")
		lines = max(lines, len(ls))
		for _, l := range ls {
			cellW = math.Max(cellW, textWidth(l, capSize))
		}
	}
	if captions == nil {
		lines = 0
	}
	cellW += pad
	cellH := side + float64(lines)*lineH + pad
	if lines > 0 {
		cellH += 2
	}
	w := int(math.Ceil(float64(cols)*cellW + pad))
	h := int(math.Ceil(float64(rows)*cellH + pad))
	if n == 0 {
		w, h = 200, 40
	}
	var b svgBuf
	b.open(w, h)
	if n == 0 {
		b.text(100, 25, ` class="fm-nodata" text-anchor="middle" font-size="14" fill="#888888"`, "no images")
		b.close()
		return b.Bytes(), nil
	}
	for i, img := range images {
		data, err := encodeGray(img, 1)
		if err != nil {
			return nil, err
		}
		cx := pad + float64(i%cols)*cellW + cellW/2
		y := pad + float64(i/cols)*cellH
		b.f(`<image class="fm-image" x="%s" y="%s" width="%s" height="%s" style="image-rendering:optimizeSpeed;image-rendering:crisp-edges;image-rendering:pixelated" href="data:image/png;base64,%s"/>`+"\n",
			num(cx-side/2), num(y), num(side), num(side), base64.StdEncoding.EncodeToString(data))
		if captions == nil {
			continue
		}
		for j, l := range strings.Split(captions[i], "\n") {
			b.text(cx, y+side+lineH*float64(j+1), ` class="fm-caption" text-anchor="middle" font-size="11" fill="#222222"`, l)
		}
	}
	b.close()
	return b.Bytes(), nil
}

// MatrixText writes an image's numbers as the exercise shows them (PyTorch's
// print of the image tensor): each row of Width values in brackets, split
// in two lines of Width/2, so that it fits a notebook's width. A length that
// is not a multiple of Width leaves a shorter last row.
func MatrixText(img []uint8) string {
	var sb strings.Builder
	sb.Grow(len(img) * 5)
	half := Width / 2
	for start := 0; start < len(img); start += Width {
		row := img[start:min(start+Width, len(img))]
		sb.WriteByte('[')
		for i, v := range row {
			switch {
			case i == half:
				sb.WriteString(",\n ")
			case i > 0:
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "%3d", v)
		}
		sb.WriteString("]\n")
	}
	return sb.String()
}
