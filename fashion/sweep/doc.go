// Package sweep searches fashion.Config settings: it reads a search space
// (JSON), expands it into trials (grid and random search, as Ray Tune
// does), trains each trial through the run cache (fashion.TrainCached, in
// this process or as child processes of the trial runner "fashion train"),
// and reports the trials sorted by validation accuracy, with a chart for a
// notebook cell.
//
// # The space file
//
//	{
//	  "samples": 8,            // random draws (default 1); each is combined with every grid point
//	  "seed": 1,               // seed of the draws (default 0): the same file gives the same trials
//	  "params": {
//	    "epochs": 10,                          // a fixed value (any JSON value but an object)
//	    "hidden": {"value": [120, 72, 48]},    // a fixed value, explicitly
//	    "optimizer": {"grid": ["adam", "rmsprop"]},  // every value, in every sample
//	    "norm": {"choice": ["none", "batch"]},       // one value drawn per trial
//	    "dropout": {"uniform": [0, 0.5]},            // a number drawn in [low, high]
//	    "lr": {"loguniform": [1e-4, 1e-2]},          // drawn uniformly in log space
//	    "batch_size": {"randint": [32, 256]},        // an integer in [low, high], both included
//	    "averaging": {"one_of": [                    // one set of fields drawn per trial
//	      {"ema": 0, "swa_epochs": 0}, {"ema": 0.999, "swa_epochs": 0}, {"ema": 0, "swa_epochs": 10}]}
//	  }
//	}
//
// (JSON has no comments; they explain the fields here.) Names are the JSON
// names of fashion.Config, as the run records hold them; every trial starts
// from fashion.DefaultConfig(), takes its values through the Config's JSON
// (the same strict decoding as "fashion train -config") and is validated.
// A number for a list field (hidden, dropout) is a one-element list: a
// dropout drawn from [0, 0.5] applies to every hidden layer. Drawn numbers
// are rounded to 3 significant digits, which keeps tables readable and
// makes near-equal draws one trial; trials with the same Config are kept
// once.
//
// A one_of group draws settings that are valid only together: each set is
// an object of fixed values of the same Config fields (every set names
// every one of them), the group's name is a label, not a field, and no
// field is set by two parameters. SWA and EMA drawn as two choices would
// make invalid trials (Config.Validate refuses both at once), and an
// invalid trial is an error of the whole space; drawn as sets, none is.
// Searched lists a group's fields, not its name.
//
// Every mistake is an error naming the parameter: an unknown name, a value
// of the wrong type for the field, empty choices or grids, a reversed or
// empty range, a log-uniform bound <= 0, a uniform range on an integer field
// (use randint), an unknown kind, "samples" > 1 with nothing to draw.
//
// # Resuming
//
// Trials are cached runs: a sweep killed and started again returns the
// finished trials from the cache at once and trains only the others. Two
// sweeps on one shared runs directory share their trials the same way.
//
// The Ray Tune driver (sweeps/tune.py in the repository) reads the same file
// and runs the same trial runner, so a space tried here scales out there.
package sweep
