package sweep

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
)

// Ranked are the trials best first: finished ones by validation accuracy
// (ties in trial order), then the failed ones.
func (r *Result) Ranked() []*TrialResult {
	out := make([]*TrialResult, len(r.Trials))
	for i := range r.Trials {
		out[i] = &r.Trials[i]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.OK() != b.OK() {
			return a.OK()
		}
		return a.ValAccuracy > b.ValAccuracy
	})
	return out
}

// Markdown is a table of the trials sorted by validation accuracy: one
// column per searched parameter, then the scores. The test accuracy is
// shown but never used to rank.
func (r *Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d trials: %d trained, %d from the run cache, %d failed; %.1f s wall time, %d at a time; runs in %s.\n\n",
		len(r.Trials), r.Trained, r.Cached, r.Failed, r.Seconds, r.Parallel, r.RunsDir)
	b.WriteString("| rank | trial |")
	for _, n := range r.Searched {
		b.WriteString(" " + n + " |")
	}
	b.WriteString(" val acc | kept epoch | epochs | test acc | key | |\n|---:|---:|")
	for range r.Searched {
		b.WriteString("---|")
	}
	b.WriteString("---:|---:|---:|---:|---|---|\n")
	for i, t := range r.Ranked() {
		fmt.Fprintf(&b, "| %d | %d |", i+1, t.Index)
		for _, n := range r.Searched {
			b.WriteString(" " + formatValue(t.Values[n]) + " |")
		}
		if !t.OK() {
			fmt.Fprintf(&b, " | | | | %s | failed: %s |\n", t.Key, strings.ReplaceAll(t.Error, "|", `\|`))
			continue
		}
		note := ""
		if t.Cached {
			note = "stored"
		}
		fmt.Fprintf(&b, " %.2f%% | %d | %d | %.2f%% | %s | %s |\n", 100*t.ValAccuracy, t.KeptEpoch, t.Epochs, 100*t.TestAccuracy, t.Key, note)
	}
	return b.String()
}

// BestConfigJSON is the best trial's Config as a "fashion train -config"
// file, or nil if no trial finished.
func (r *Result) BestConfigJSON() []byte {
	best := r.BestTrial()
	if best == nil {
		return nil
	}
	data, _ := json.MarshalIndent(best.Config, "", "  ")
	return append(data, '\n')
}

// ChartSVG draws the validation accuracy of every finished trial against
// each searched setting, one panel per setting: numbers on their axis (log
// scale for a log-uniform one), names and lists at evenly spaced positions
// named in the axis label.
func (r *Result) ChartSVG() []byte {
	m := &chart.SmallMultiples{Title: "Validation accuracy (kept epoch) of each trial", SharedY: true}
	for _, name := range r.Searched {
		i := slices.IndexFunc(r.Space.Params, func(p Param) bool { return p.Name == name })
		logX := r.Space.Params[i].Kind == LogUniform
		xs, labels := positions(r.Trials, name, logX)
		// Each point its own run (a NaN between them): the chart then draws
		// markers and no line, a scatter plot.
		var s chart.Series
		s.Name = name
		for j := range r.Trials {
			t := &r.Trials[j]
			if !t.OK() || math.IsNaN(xs[j]) {
				continue
			}
			s.X = append(s.X, xs[j], math.NaN())
			s.Y = append(s.Y, 100*t.ValAccuracy, math.NaN())
		}
		xlabel := name
		if logX {
			xlabel = "log10(" + name + ")"
		}
		if labels != "" {
			xlabel += ": " + labels
		}
		m.Panels = append(m.Panels, &chart.LineChart{Title: name, XLabel: xlabel, YLabel: "val accuracy (%)", Series: []chart.Series{s}})
	}
	return m.SVG()
}

// positions places each trial's value of name on an axis: the number
// itself (its log10 with logX), or for other values the index of the value
// among the distinct ones, which labels lists ("0=adam 1=sgd").
func positions(trials []TrialResult, name string, logX bool) (xs []float64, labels string) {
	xs = make([]float64, len(trials))
	numeric := true
	for _, t := range trials {
		if _, ok := t.Values[name].(float64); !ok {
			numeric = false
		}
	}
	if numeric {
		for i, t := range trials {
			xs[i] = t.Values[name].(float64)
			if logX {
				xs[i] = math.Log10(xs[i])
			}
		}
		return xs, ""
	}
	var distinct []string
	for _, t := range trials {
		if v := formatValue(t.Values[name]); !slices.Contains(distinct, v) {
			distinct = append(distinct, v)
		}
	}
	sort.Strings(distinct)
	parts := make([]string, len(distinct))
	for i, v := range distinct {
		parts[i] = strconv.Itoa(i) + "=" + v
	}
	for i, t := range trials {
		xs[i] = float64(slices.Index(distinct, formatValue(t.Values[name])))
	}
	return xs, strings.Join(parts, " ")
}

// Save writes the sweep into dir: sweep.json (the space, every trial, the
// best), sweep.md (the table), best.json (the best Config, a -config file)
// and sweep.svg (the chart).
func (r *Result) Save(dir string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("sweep: encoding the result: %w", err)
	}
	md := "# Sweep\n\n" + r.Markdown()
	if best := r.BestTrial(); best != nil {
		md += fmt.Sprintf("\nBest by validation accuracy: trial %d (%s), val %.2f%%, test %.2f%%; its config is best.json (`fashion train -config best.json`).\n\n![validation accuracy against each searched setting](sweep.svg)\n",
			best.Index, best.Label(), 100*best.ValAccuracy, 100*best.TestAccuracy)
	}
	files := map[string][]byte{"sweep.json": append(data, '\n'), "sweep.md": []byte(md), "sweep.svg": r.ChartSVG()}
	if best := r.BestConfigJSON(); best != nil {
		files["best.json"] = best
	}
	for _, name := range []string{"sweep.json", "sweep.md", "sweep.svg", "best.json"} {
		if content, ok := files[name]; ok {
			if err := atomicfile.Write(filepath.Join(dir, name), content); err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
		}
	}
	return nil
}
