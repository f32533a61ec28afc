package lab

import (
	"errors"
	"fmt"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// DisplayComparison shows the validation-loss curves of runs in one chart
// and their table (figures.ComparisonMarkdown); outside a notebook it prints
// the table.
func DisplayComparison(runs []*fashion.Run) error {
	if len(runs) == 0 {
		return errors.New("lab: no runs to compare (run the training cells first)")
	}
	names := make([]string, len(runs))
	histories := make([][]fashion.Epoch, len(runs))
	for i, r := range runs {
		names[i], histories[i] = r.Name, r.History
	}
	if err := DisplayOverlay("Validation loss", "val_loss", names, histories); err != nil {
		return err
	}
	return DisplayMarkdown(figures.ComparisonMarkdown(runs))
}

// DisplayEvaluation evaluates a run on its test half and shows the test
// accuracy, the confusion matrix, the accuracy of each class and a gallery
// of misclassified images; outside a notebook it prints the figures.
func DisplayEvaluation(run *fashion.Run, gallery int) (*fashion.Evaluation, error) {
	test, err := TestHalf(run.Config)
	if err != nil {
		return nil, err
	}
	ev, err := run.Evaluate(test)
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: test accuracy %.2f%% (%d images), loss %.4f\n", run.Name, 100*ev.Accuracy, test.Len(), ev.Loss)
	if err := DisplayConfusion("Confusion matrix: "+run.Name, ev.Confusion); err != nil {
		return nil, err
	}
	if err := DisplayBars("Accuracy per class: "+run.Name, fashion.ClassNames[:], ev.PerClass[:], "%.1f%%"); err != nil {
		return nil, err
	}
	images, captions := figures.Misclassified(test, ev, gallery)
	if err := DisplayImages(images, captions, 8); err != nil {
		return nil, err
	}
	if !InNotebook() {
		for c, acc := range ev.PerClass {
			fmt.Printf("  %-12s %.1f%%\n", fashion.ClassNames[c], 100*acc)
		}
	}
	return ev, nil
}
