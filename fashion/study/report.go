package study

import (
	"bytes"
	"fmt"
	"html"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// ReportHTML renders a self-contained HTML page (inline SVG, no scripts, no
// external resources) with what the notebook shows: every run's curves, the
// baseline next to the exercise's PyTorch log, an overlay of all validation
// losses, the comparison table, and the evaluation of best on its test half
// (accuracy, confusion matrix, accuracy per class, misclassified images).
// test holds the raw test-half images of best's split (see fashion.TestHalf).
func ReportHTML(title string, runs []*fashion.Run, best *fashion.Run, test *fashion.Set, ev *fashion.Evaluation) ([]byte, error) {
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
	histories := make([][]fashion.Epoch, len(runs))
	for i, r := range runs {
		names[i], histories[i] = r.Name, r.History
	}
	if len(runs) > 0 {
		b.WriteString("<h2>Comparación de todos los entrenamientos</h2>\n")
		overlay, err := figures.OverlaySVG("Validation loss", "val_loss", names, histories)
		if err != nil {
			return nil, err
		}
		b.Write(overlay)
		b.WriteString(figures.HTMLTable(figures.ComparisonHeader, figures.ComparisonRows(runs)))
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "<h2>%s</h2><p>%s</p>\n", esc(r.Name), esc(r.Config.Summary()+"; "+r.Config.Diff(fashion.DefaultConfig())))
		b.Write(figures.CurvesSVG(r.Name, r.History))
		if r.Name == "baseline" {
			overlay, err := figures.OverlaySVG("Validation loss: GoMLX vs. PyTorch (exercise)", "val_loss",
				[]string{"GoMLX", "PyTorch (exercise)"}, [][]fashion.Epoch{r.History, fashion.ExerciseHistory()})
			if err != nil {
				return nil, err
			}
			b.Write(overlay)
		}
	}
	if best != nil && ev != nil {
		fmt.Fprintf(&b, "<h2>Evaluación final: %s</h2><p>Test accuracy %.2f%% on %d images, loss %.4f.</p>\n",
			esc(best.Name), 100*ev.Accuracy, len(ev.Predictions), ev.Loss)
		b.Write(figures.ConfusionSVG("Confusion matrix: "+best.Name, ev.Confusion))
		b.Write(figures.PerClassBarsSVG("Accuracy per class: "+best.Name, ev.PerClass))
		if test != nil {
			images, captions := figures.Misclassified(test, ev, 24)
			gallery, err := figures.ImagesSVG(images, captions, 8)
			if err != nil {
				return nil, err
			}
			b.Write(gallery)
		}
	}
	b.WriteString("</body></html>\n")
	return b.Bytes(), nil
}
