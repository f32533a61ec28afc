package lab

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// DisplayAgainstBaseline shows, as a Markdown list, the baseline's
// figures, then one line in Spanish for each named experiment of the
// notebook (its latest version) against it: test accuracy (mean ± sd over its seeds) with its Wilson 95%
// interval, validation accuracy, the difference in points and McNemar's
// exact p on the test half (first seeds; Compare). The notebook's prose
// takes its figures from these lines, written by code from the stored
// runs, so they cannot disagree with the comparison. A name the notebook
// has not trained is an error naming it.
func DisplayAgainstBaseline(names ...string) error {
	lines, err := againstBaseline(names)
	if err != nil {
		return err
	}
	return DisplayMarkdown("- " + strings.Join(lines, "\n- ") + "\n")
}

func againstBaseline(names []string) ([]string, error) {
	exps, err := Experiments()
	if err != nil {
		return nil, err
	}
	var chosen []*Version
	for _, v := range exps {
		if v.Name == Baseline || slices.Contains(names, v.Name) {
			chosen = append(chosen, v)
		}
	}
	for _, n := range append([]string{Baseline}, names...) {
		if !slices.ContainsFunc(chosen, func(v *Version) bool { return v.Name == n }) {
			return nil, fmt.Errorf("lab: DisplayAgainstBaseline: the notebook has no experiment %q (run its cell first)", n)
		}
	}
	cmp, err := Compare(chosen)
	if err != nil {
		return nil, err
	}
	row := func(name string) ComparisonRow {
		return cmp.Rows[slices.IndexFunc(cmp.Rows, func(r ComparisonRow) bool { return r.Version.Name == name })]
	}
	figuresOf := func(r ComparisonRow) string {
		s := fmt.Sprintf("`%s`: prueba %s (Wilson 95 %%: %.1f–%.1f %%), validación %s",
			r.Version.Name, pct(r.Test, r.TestSD), 100*r.TestLo, 100*r.TestHi, pct(r.Val, r.ValSD))
		if n := len(r.Version.Seeds); n > 1 {
			s += fmt.Sprintf(" (%d semillas)", n)
		}
		return s
	}
	base := row(Baseline)
	lines := []string{figuresOf(base)}
	for _, n := range names {
		if n == Baseline {
			continue
		}
		r := row(n)
		l := figuresOf(r) + fmt.Sprintf("; frente a la línea base %+.2f puntos en prueba", 100*(r.Test-base.Test))
		if !math.IsNaN(r.P) {
			l += fmt.Sprintf(", McNemar %s (%d imágenes acierta solo esta, %d solo la línea base)", figures.FormatP(r.P), r.OnlyThis, r.OnlyBase)
		}
		lines = append(lines, l)
	}
	return lines, nil
}
