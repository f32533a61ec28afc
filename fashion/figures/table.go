package figures

import (
	"fmt"
	"html"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// ComparisonHeader and ComparisonRows are the comparison table of runs
// (what `fashion report` shows): what differs from the exercise, best
// validation loss and its epoch, final losses, test accuracy and speed.
// ComparisonHeader is English's; Labels.ComparisonHeader is the same
// header in other words.
var ComparisonHeader = English.ComparisonHeader

// ComparisonRows gives one row of ComparisonHeader per run.
func ComparisonRows(runs []*fashion.Run) [][]string {
	rows := make([][]string, len(runs))
	for i, r := range runs {
		best, last := r.BestEpoch(), r.History[len(r.History)-1]
		diff := r.Config.Diff(fashion.DefaultConfig())
		if diff == "" {
			diff = "—"
		}
		rows[i] = []string{r.Name, diff, fmt.Sprintf("%.4f (%d)", best.ValLoss, best.Epoch),
			fmt.Sprintf("%.4f", last.TrainLoss), fmt.Sprintf("%.4f", last.ValLoss),
			fmt.Sprintf("%.2f%%", 100*r.TestAccuracy), fmt.Sprintf("%.2f", r.SecondsPerEpoch)}
	}
	return rows
}

// Markdown renders a table; columns after the first two are right-aligned.
func Markdown(header []string, rows [][]string) string { return MarkdownAligned(header, rows, 2) }

// MarkdownAligned renders a table whose first left columns are
// left-aligned (text) and the others right-aligned (numbers).
func MarkdownAligned(header []string, rows [][]string, left int) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < left {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// HTMLTable renders a table as HTML, every cell escaped.
func HTMLTable(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("<table><tr>")
	for _, h := range header {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr>\n")
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, cell := range row {
			b.WriteString("<td>" + html.EscapeString(cell) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}

// Misclassified returns up to n images of set the model got wrong (ev is
// its evaluation of set), with captions "<True>: X\n<Predicted>: Y", X and
// Y named by Classes.
func (l *Labels) Misclassified(set *fashion.Set, ev *fashion.Evaluation, n int) (images [][]uint8, captions []string) {
	for i, p := range ev.Predictions {
		if len(images) == n {
			break
		}
		if truth := set.Labels[i]; int32(truth) != p {
			images = append(images, set.Image(i))
			captions = append(captions, l.True+": "+l.Classes[truth]+"\n"+l.Predicted+": "+l.Classes[p])
		}
	}
	return images, captions
}

// Misclassified is English.Misclassified: captions "true: X\npred: Y".
func Misclassified(set *fashion.Set, ev *fashion.Evaluation, n int) (images [][]uint8, captions []string) {
	return English.Misclassified(set, ev, n)
}
