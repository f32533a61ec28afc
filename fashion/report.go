package fashion

import (
	"bytes"
	"fmt"
	"html"
	"time"
)

// ReportHTML renders a self-contained HTML page (inline SVG, no scripts, no
// external resources) with what the notebook shows: every run's curves, the
// baseline next to the exercise's PyTorch log, an overlay of all validation
// losses, the comparison table, and the evaluation of best on its test half
// (accuracy, confusion matrix, accuracy per class, misclassified images).
// test holds the raw test-half images of best's split (see TestSplit).
func ReportHTML(title string, runs []*Run, best *Run, test *Set, ev *Evaluation) ([]byte, error) {
	var b bytes.Buffer
	esc := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:90%%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
td:first-child,td:nth-child(2),th{text-align:left}svg{max-width:100%%;height:auto}</style></head><body>
<h1>%s</h1><p>Generated %s by <code>fashion report</code>.</p>
`, esc(title), esc(title), time.Now().UTC().Format("2006-01-02 15:04 UTC"))

	names := make([]string, len(runs))
	histories := make([][]Epoch, len(runs))
	for i, r := range runs {
		names[i], histories[i] = r.Name, r.History
	}
	if len(runs) > 0 {
		b.WriteString("<h2>Comparación de todos los entrenamientos</h2>\n")
		overlay, err := OverlaySVG("Validation loss", "val_loss", names, histories)
		if err != nil {
			return nil, err
		}
		b.Write(overlay)
		b.WriteString(comparisonHTML(runs))
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "<h2>%s</h2><p>%s</p>\n", esc(r.Name), esc(r.Config.Summary()+"; "+ConfigDiff(r.Config)))
		b.Write(CurvesSVG(r.Name, r.History))
		if r.Name == "baseline" {
			overlay, err := OverlaySVG("Validation loss: GoMLX vs. PyTorch (exercise)", "val_loss",
				[]string{"GoMLX", "PyTorch (exercise)"}, [][]Epoch{r.History, ExerciseHistory()})
			if err != nil {
				return nil, err
			}
			b.Write(overlay)
		}
	}
	if best != nil && ev != nil {
		fmt.Fprintf(&b, "<h2>Evaluación final: %s</h2><p>Test accuracy %.2f%% on %d images, loss %.4f.</p>\n",
			esc(best.Name), 100*ev.Accuracy, len(ev.Predictions), ev.Loss)
		b.Write(ConfusionSVG("Confusion matrix: "+best.Name, ev.Confusion, nil))
		b.Write(BarsSVG("Accuracy per class: "+best.Name, ClassNames[:], ev.PerClass[:], "%.1f%%"))
		if test != nil {
			images, captions := Misclassified(test, ev, 24)
			gallery, err := ImageGridSVG(images, captions, 8, 0)
			if err != nil {
				return nil, err
			}
			b.Write(gallery)
		}
	}
	b.WriteString("</body></html>\n")
	return b.Bytes(), nil
}

// comparisonHTML is ComparisonMarkdown as an HTML table.
func comparisonHTML(runs []*Run) string {
	var b bytes.Buffer
	b.WriteString("<table><tr>")
	for _, h := range comparisonHeader {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr>\n")
	for _, row := range comparisonRows(runs) {
		b.WriteString("<tr>")
		for _, cell := range row {
			b.WriteString("<td>" + html.EscapeString(cell) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}
