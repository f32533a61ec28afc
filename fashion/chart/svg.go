package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

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

// Grey is the colour of muted series (Series.Grey) and reference lines: a
// reference should be seen but not compete with the series it frames.
const Grey = "#888888"

const (
	defaultWidth  = 640
	defaultHeight = 360
	fontFamily    = "Helvetica, Arial, sans-serif"
	maxScale      = 64 // largest pixels-per-pixel accepted for images
)

// Texts are the words a chart writes of its own accord, beyond the titles,
// labels and names its caller gives: package chart has no language, so
// they come from the caller too, e.g. Texts{NoData: "no data", Missing:
// "n/a"}. A field left "" writes nothing; an unnamed series or bar is
// numbered ("#1" for a line chart's first series, "#0" for the first bar).
type Texts struct {
	// NoData stands for a chart (or panel) with nothing to draw, e.g.
	// "no data", or "no images" for an ImageGrid.
	NoData string
	// Missing stands for a value that cannot be drawn, e.g. "n/a" next to
	// a bar of NaN (Bars only).
	Missing string
}

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

// title writes the centred bold title of a drawing w wide, at the given
// font size or, if it would not fit, the size that fits (at least 9).
func (b *svgBuf) title(w, y float64, size int, s string) {
	b.text(w/2, y, fmt.Sprintf(` class="fm-title" text-anchor="middle" font-size="%d" font-weight="bold"`, fitTitle(s, size, w)), s)
}

// boldWidth is the share of the font size a bold character takes on
// average: more than textWidth's, bold fonts being wider.
const boldWidth = 0.64

// fitTitle is the font size, at most size and at least 9, at which the
// bold title s fits in a drawing w wide with a margin of 8 on each side.
// Words differ in length between languages: a title that fits in English
// may not in Spanish.
func fitTitle(s string, size int, w float64) int {
	n := float64(utf8.RuneCountInString(s))
	if n == 0 || boldWidth*float64(size)*n <= w-16 {
		return size
	}
	return max(int((w-16)/(boldWidth*n)), 9)
}

// noData writes the grey message that stands for an empty chart; nothing
// for "".
func (b *svgBuf) noData(x, y float64, s string) {
	if s == "" {
		return
	}
	b.text(x, y, ` class="fm-nodata" text-anchor="middle" font-size="14" fill="#888888"`, s)
}

// esc escapes s for XML text and attribute values. Characters XML cannot
// hold become U+FFFD.
func esc(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// num formats a coordinate with at most one decimal: enough for a screen,
// and it keeps the bytes short and the same on every platform.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// textWidth estimates the width in pixels of s at the given font size. There
// is no font to measure (the viewer picks it), so this is the average width
// of a sans-serif character; layouts leave some slack for it.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(utf8.RuneCountInString(s))
}

// finite reports whether v can be drawn.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
