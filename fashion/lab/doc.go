// Package lab is the notebook layer: what a cell of notebooks/fashion.ipynb
// calls, in a few lines that say what differs from the exercise.
//
//	cfg := fashion.DefaultConfig()
//	cfg.Dropout = []float64{0.2}
//	run := lab.Must(lab.Experiment("dropout", cfg))
//
// GoNB runs every cell as a new process, so [Experiment] keeps each finished
// run in the run cache (data/runs) and a re-run cell returns the stored run
// at once; [Experiments], [StoredExperiment] and [BestExperiment] read them
// back for the comparison and the final evaluation. Every Display function
// draws in the cell's output in a notebook, does nothing (but check its
// arguments) outside one, and returns an error, which cells wrap in [Must].
//
// This is the only package of the module that imports GoNB (gonbui); the
// charts come from [github.com/fashion-gomlx/fashion-gomlx/fashion/figures].
package lab
