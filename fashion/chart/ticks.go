package chart

import (
	"math"
	"strconv"
	"strings"
)

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
