package fashion

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// exerciseLog is the exercise's 40-epoch PyTorch log (RTX 5070), transcribed
// as a table.
//
//go:embed exercise_log.tsv
var exerciseLog string

// ExerciseHistory returns the exercise's own per-epoch log (PyTorch, same
// model and settings as DefaultConfig), the reference the baseline should
// reproduce. Only Epoch, TrainBatches, TrainLoss, ValLoss and Diff are set.
func ExerciseHistory() []Epoch {
	h, err := parseExerciseLog(exerciseLog)
	if err != nil {
		panic(err) // The embedded file is part of the package: a test covers it.
	}
	return h
}

func parseExerciseLog(text string) ([]Epoch, error) {
	var h []Epoch
	for n, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "epoch\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("fashion: exercise_log.tsv:%d: %d fields, want 5", n+1, len(f))
		}
		var e Epoch
		var err error
		parse := func(s string) float64 {
			v, perr := strconv.ParseFloat(s, 64)
			if perr != nil && err == nil {
				err = fmt.Errorf("fashion: exercise_log.tsv:%d: %q is not a number", n+1, s)
			}
			return v
		}
		e.Epoch, e.TrainBatches = int(parse(f[0])), int(parse(f[1]))
		e.TrainLoss, e.ValLoss, e.Diff = parse(f[2]), parse(f[3]), parse(f[4])
		if err != nil {
			return nil, err
		}
		h = append(h, e)
	}
	return h, nil
}

// CompareMarkdown renders a run's history next to the exercise's log as a
// Markdown table.
func CompareMarkdown(r *Run) string {
	ref := ExerciseHistory()
	var b strings.Builder
	b.WriteString("| epoch | train loss Go | train loss PyTorch | val loss Go | val loss PyTorch | Diff % Go | Diff % PyTorch | val acc Go |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, e := range r.History {
		var p Epoch
		if i < len(ref) {
			p = ref[i]
		}
		fmt.Fprintf(&b, "| %d | %.4f | %.4f | %.4f | %.4f | %.1f | %.1f | %.2f%% |\n",
			e.Epoch, e.TrainLoss, p.TrainLoss, e.ValLoss, p.ValLoss, e.Diff, p.Diff, 100*e.ValAccuracy)
	}
	return b.String()
}
