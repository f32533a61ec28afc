package chart

import (
	"fmt"
	"math"
	"strconv"
)

// Bars is a horizontal bar chart, one bar per value in the order given,
// labelled by its name on the left and by its value on the right. The axis
// always holds 0; bars of negative values go left of it. Non-finite values
// get no bar, and Texts.Missing (e.g. "n/a") as their label.
//
// Every word on the chart is the caller's: Title, Names (unnamed bars are
// numbered "#0", "#1", ...) and Texts.
//
// Classes: fm-title, fm-grid, fm-ticks, fm-name, fm-bar (one <rect> per
// drawn bar, with a <title>), fm-value, fm-axes, fm-nodata.
type Bars struct {
	Title string
	// Names label the bars; nil numbers them "#0", "#1", ..., otherwise
	// there must be one name per value.
	Names  []string
	Values []float64
	// Percent shows values as percentages: labels and ticks are 100 times
	// the value, and the axis spans at least [0, 1] (0% to 100%), so that
	// bars of different charts compare.
	Percent bool
	// Format writes the value labels and the ticks (a fmt verb for one
	// float64); "" means "%.1f%%" with Percent, "%g" without.
	Format string
	// Texts.NoData is written on a chart with no values, Texts.Missing
	// next to a value that cannot be drawn; "" writes nothing.
	Texts Texts
}

// SVG renders the bar chart as a self-contained SVG document 640 pixels
// wide. It fails if Names is not nil and differs in length from Values.
// With no values it is a small SVG with Texts.NoData.
func (c *Bars) SVG() ([]byte, error) {
	if c.Names != nil && len(c.Names) != len(c.Values) {
		return nil, fmt.Errorf("chart: %d names for %d bars", len(c.Names), len(c.Values))
	}
	format := c.Format
	switch {
	case format != "":
	case c.Percent:
		format = "%.1f%%"
	default:
		format = "%g"
	}
	show := func(v float64) string {
		if c.Percent {
			v *= 100
		}
		return fmt.Sprintf(format, v)
	}
	label := func(i int) string {
		if c.Names != nil {
			return c.Names[i]
		}
		return "#" + strconv.Itoa(i)
	}
	const (
		w     = 640.0
		barH  = 22.0
		gap   = 6.0
		fontS = 12
	)
	nameW := 0.0
	lo, hi := 0.0, 0.0
	if c.Percent {
		hi = 1
	}
	valW := 0.0
	for i, v := range c.Values {
		nameW = math.Max(nameW, textWidth(label(i), fontS))
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			valW = math.Max(valW, textWidth(show(v), fontS))
		}
	}
	if lo == hi { // only zeros, or nothing finite
		hi = lo + 1
	}
	top := 12.0
	if c.Title != "" {
		top = 46
	}
	left := 10 + nameW + 8
	right := w - 14 - math.Max(valW, 24)
	plotW := math.Max(right-left, 20)
	n := len(c.Values)
	plotH := float64(n)*(barH+gap) + gap
	h := top + plotH + 30
	if n == 0 {
		h = top + 60
	}
	var b svgBuf
	H := int(math.Ceil(h))
	b.open(int(w), H)
	if c.Title != "" {
		b.title(w, 26, 16, c.Title)
	}
	if n == 0 {
		b.noData(w/2, top+30, c.Texts.NoData)
		b.close()
		return b.Bytes(), nil
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
		b.text(ax.pos(t), top+plotH+16, "", show(t))
	}
	b.WriteString("</g>\n")
	zero := ax.pos(0)
	for i, v := range c.Values {
		y := top + gap + float64(i)*(barH+gap)
		b.text(left-6, y+barH/2+4, ` class="fm-name" text-anchor="end"`, label(i))
		if !finite(v) {
			if c.Texts.Missing != "" {
				b.text(zero+4, y+barH/2+4, ` class="fm-value" fill="#888888"`, c.Texts.Missing)
			}
			continue
		}
		x0, x1 := zero, ax.pos(v)
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		b.f(`<rect class="fm-bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
			num(x0), num(y), num(x1-x0), num(barH), Palette[0], esc(label(i)))
		b.text(x1+4, y+barH/2+4, ` class="fm-value" fill="#222222"`, show(v))
	}
	b.f(`<path class="fm-axes" d="M%s %sV%s" stroke="#444444"/>`+"\n", num(zero), num(top), num(top+plotH))
	b.close()
	return b.Bytes(), nil
}
