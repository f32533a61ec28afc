// Package lab is the notebook layer: what a cell of notebooks/fashion.ipynb
// calls, in a few lines that say what differs from the exercise.
//
//	cfg := fashion.DefaultConfig()
//	cfg.Dropout = []float64{0.2}
//	lab.Must(lab.Experiment("dropout", cfg, lab.Section("L2 y dropout"), lab.Seeds(3)))
//
// GoNB runs every cell as a new process, so [Experiment] keeps each finished
// run in the run cache (data/runs) and a re-run cell returns the stored run
// at once. Each new configuration of a name is a [Version] of it, listed in
// the notebook's index (<runs>/notebook/<name>.json, see [IndexDir]): the
// cell draws it against the name's earlier versions and the baseline and
// says what changed; [Versions], [Forget] and [ForgetVersion] list and drop
// them without touching other names or the cache. Two kernels (or a kernel
// and a script) may change one name's index at once: each change holds the
// lock file <name>.json.lock beside it (left in place; removed with the
// index). [Teacher] trains the CNN that Config.Teacher distills from,
// outside the comparison. [Experiments] (the latest
// version of each name the notebook defined, never the study's runs),
// [DisplayComparison] (panels per section, Wilson intervals, seed spread,
// McNemar's test against the baseline) and [BestExperiment] (chosen on
// validation accuracy) read them back. [GoSource] and [BuildModel] show the
// package's GoMLX code and the model's variables.
//
// Every Display function draws in the cell's output in a notebook, does
// nothing (but check its arguments) outside one, and returns an error,
// which cells wrap in [Must] or [NoError].
//
// This is the only package of the module that imports GoNB (gonbui); the
// charts come from [github.com/fashion-gomlx/fashion-gomlx/fashion/figures],
// the statistics from [github.com/fashion-gomlx/fashion-gomlx/fashion/stats].
package lab
