package chart

import "math"

// SmallMultiples is a grid of line charts (panels) in one SVG under a shared
// title, filled row by row: one chart per technique, say, each against the
// same baseline, so that the eye compares shapes instead of untangling one
// crowded chart.
//
// Each panel is drawn as its LineChart would be, in a box of PanelWidth ×
// PanelHeight (the panels' own Width and Height are ignored). A nil panel
// leaves its cell empty.
//
// Classes: fm-title (the shared one, and each panel's own), fm-panel (one
// <g> per non-nil panel), and the classes of LineChart inside.
type SmallMultiples struct {
	Title  string
	Panels []*LineChart
	// Columns is the number of panels per row; 0 means up to 3.
	Columns int
	// PanelWidth and PanelHeight are the size of each panel in pixels; 0
	// means 400×300.
	PanelWidth, PanelHeight int
	// SharedY puts every panel on the same Y range, the union of their
	// data (and of their YMin, YMax): differences in level between panels
	// then show as such. Panels with a log Y axis share their own range.
	SharedY bool
	// Texts.NoData is written when there are no panels ("" for nothing);
	// each panel writes its own Texts.
	Texts Texts
}

// SVG renders the panels as one self-contained SVG document. With no panels
// it is a small SVG with Texts.NoData.
func (m *SmallMultiples) SVG() []byte {
	pw, ph := m.PanelWidth, m.PanelHeight
	if pw <= 0 {
		pw = 400
	}
	if ph <= 0 {
		ph = 300
	}
	n := len(m.Panels)
	cols := m.Columns
	if cols <= 0 {
		cols = 3
	}
	cols = min(cols, max(n, 1))
	rows := (n + cols - 1) / cols

	top := 0.0
	if m.Title != "" {
		top = 34
	}
	w := cols * pw
	h := int(math.Ceil(top)) + rows*ph
	if n == 0 {
		w, h = max(pw, int(math.Ceil(textWidth(m.Title, 17)+20))), int(top)+60
	}
	var b svgBuf
	b.open(w, h)
	if m.Title != "" {
		b.title(float64(w), 24, 17, m.Title)
	}
	if n == 0 {
		b.noData(float64(w)/2, top+35, m.Texts.NoData)
		b.close()
		return b.Bytes()
	}

	panels := m.Panels
	if m.SharedY {
		panels = m.shareY()
	}
	for i, c := range panels {
		if c == nil {
			continue
		}
		b.f(`<g class="fm-panel" transform="translate(%d %s)">`+"\n", (i%cols)*pw, num(top+float64((i/cols)*ph)))
		c.render(&b, float64(pw), float64(ph))
		b.WriteString("</g>\n")
	}
	b.close()
	return b.Bytes()
}

// shareY returns copies of the panels whose YMin and YMax are the union of
// every panel's Y range, one union for linear axes and one for log axes.
func (m *SmallMultiples) shareY() []*LineChart {
	type span struct {
		lo, hi float64
		ok     bool
	}
	spans := [2]span{{math.Inf(1), math.Inf(-1), false}, {math.Inf(1), math.Inf(-1), false}} // linear, log
	for _, c := range m.Panels {
		if c == nil {
			continue
		}
		k := 0
		if c.LogY {
			k = 1
		}
		s := &spans[k]
		if lo, hi, ok := c.yExtent(); ok {
			s.lo, s.hi, s.ok = math.Min(s.lo, lo), math.Max(s.hi, hi), true
		}
		if c.YMin < c.YMax && (!c.LogY || c.YMin > 0) {
			s.lo, s.hi, s.ok = math.Min(s.lo, c.YMin), math.Max(s.hi, c.YMax), true
		}
	}
	out := make([]*LineChart, len(m.Panels))
	for i, c := range m.Panels {
		if c == nil {
			continue
		}
		cp := *c
		s := spans[0]
		if c.LogY {
			s = spans[1]
		}
		if s.ok && s.lo < s.hi {
			cp.YMin, cp.YMax = s.lo, s.hi
		}
		out[i] = &cp
	}
	return out
}
