// Package fashion is the core of the Fashion-MNIST exercise in Go: data,
// preprocessing, the MLP, its optimizers and schedules, training,
// evaluation, run records, the run cache and the choice of backend. It
// knows nothing of notebooks or charts (those are fashion/lab and
// fashion/figures); training reports its progress through [Hooks] and
// returns a [Run].
//
// One run, from the files to the score:
//
//	data, err := fashion.Load("")           // the four IDX files, checksums verified
//	cfg := fashion.DefaultConfig()          // the exercise: 784-120-72-48-10, RMSprop, 40 epochs
//	cfg.Dropout = []float64{0.2}            // what this experiment changes
//	run, err := fashion.Train(data, cfg, nil)
//	test, err := fashion.TestHalf(data, cfg)
//	ev, err := run.Evaluate(test)           // predictions, confusion matrix, accuracy per class
//
// What happens inside [Train]: [Config.Validate] once; [Prepare] splits the
// data ([Splits]: the training set, the stratified validation and test
// halves, all uint8); [NewBackend] picks XLA or GoMLX's pure-Go backend
// ([Backend]); [NewModel] draws the initial weights on the host; then each
// epoch runs its steps in a seeded order (each step's batch standardized as
// it is drawn, on the host or inside the graph), validates through the
// package's one evaluation graph, calls [Hooks.Epoch], updates the plateau
// schedule and early stopping; finally the kept weights are scored on the
// test half.
//
// [TrainCached] does the same through a [Cache], keyed by [RunKey] (the
// full Config, the data's checksum and [CodeVersion], a hash of this
// package's code that decides the numbers), so a run is trained once and
// read back after;
// [TrainContext] and [TrainCached] stop a run between steps once their
// context is done.
//
// Importing the package changes GoMLX for the whole process: it registers
// its own gradient of Dot (the matrix product) in GoMLX's global
// VJPRegistration, GoMLX's values up to float32 rounding computed as two
// matrix products, which GoMLX v0.26.0's pure-Go backend runs several times
// faster. That and the package's other workarounds of GoMLX v0.26.0 are in
// gomlx_workarounds.go, each with what would remove it.
//
// Every bad input is an error naming the file, field or value and what was
// expected. GoMLX builds graphs by panicking on errors; the package turns
// those panics into errors at its boundary.
package fashion

// Names in this package's code: ctx is always a standard library
// context.Context (cancellation), and package context is the standard
// library's. GoMLX's context package is imported as mlcontext, and a
// *mlcontext.Context (the model's variables and their scopes) is mctx; a
// scope of it taken for one layer is lctx.
