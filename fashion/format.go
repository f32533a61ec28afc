package fashion

import "fmt"

// FormatEpoch is the one line printed for each epoch by the command line,
// the notebook and the examples: the exercise's print ("Epoca actual",
// train and validation loss, Diff) on one line, with the validation
// accuracy and the epoch's seconds.
func FormatEpoch(e Epoch, epochs int) string {
	return fmt.Sprintf("Epoca actual : %d/%d  Train loss : %.4f  Val loss : %.4f  Diff: %6.1f  Val acc : %.2f%%  (%.1f s)",
		e.Epoch, epochs, e.TrainLoss, e.ValLoss, e.Diff, 100*e.ValAccuracy, e.Seconds)
}
