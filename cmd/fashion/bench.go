package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// benchResult has the keys of bench/torch_ref.py's JSON, so bench/run.py
// and bench/compare.py read both alike.
type benchResult struct {
	Impl              string          `json:"impl"`
	Backend           string          `json:"backend"`
	Version           string          `json:"version"`
	Threads           int             `json:"threads"`
	BatchSize         int             `json:"batch_size"`
	Epochs            int             `json:"epochs"`
	TrainExamplesPerS float64         `json:"train_examples_per_s"`
	SecondsPerEpoch   float64         `json:"seconds_per_epoch"`
	EvalExamplesPerS  float64         `json:"eval_examples_per_s"`
	EvalBestBatch     int             `json:"eval_best_batch"`
	StepsPerCall      int             `json:"steps_per_call"`      // 0: the backend's choice
	FirstEpochSeconds float64         `json:"first_epoch_seconds"` // with the graphs' compilation
	PeakRSSMB         float64         `json:"peak_rss_mb"`
	CPUModel          string          `json:"cpu_model"`
	History           []fashion.Epoch `json:"history"`
}

// benchCmd measures training and evaluation speed of the exercise's
// configuration. The first epoch (graph compilation) is left out of the
// rates when there are several.
func benchCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fashion bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := fashion.DefaultConfig()
	cfg.Epochs = 3
	cfg.RegisterFlags(fs)
	out := fs.String("json", "", "write the result as JSON here")
	evalRepeats := fs.Int("eval-repeats", 5, "timed evaluations of the 10,000 test images (best is reported)")
	stepsPerCall := fs.Int("steps-per-call", 0, "training steps per call of the step graph (0: the backend's choice; results do not depend on it)")
	if err := parseFlags(fs, args, stdout, "usage: fashion bench [flags] (every train flag; -epochs defaults to 3)"); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	data, err := fashion.Load("")
	if err != nil {
		return err
	}
	if *stepsPerCall < 0 {
		return usageError{fmt.Errorf("-steps-per-call %d: want 0 (the backend's choice) or more", *stepsPerCall)}
	}
	sess := fashion.NewSession()
	sess.StepsPerCall = *stepsPerCall
	defer sess.Close()
	run, err := sess.Train(context.Background(), data, cfg, nil)
	if err != nil {
		return err
	}
	epochs := run.History
	if len(epochs) > 1 {
		epochs = epochs[1:]
	}
	trainRates := make([]float64, len(epochs))
	seconds := make([]float64, len(epochs))
	n := float64(min(cfg.TrainLimit, data.Train.Len()))
	if cfg.TrainLimit == 0 {
		n = float64(data.Train.Len())
	}
	for i, e := range epochs {
		trainRates[i], seconds[i] = n/e.TrainSeconds, e.Seconds
	}

	// As the Python references do: the best of evaluating the 10,000 test
	// images in batches of 1000 and in one batch, and also in batches of
	// DefaultConfig's EvalBatchSize (5000), what training uses.
	test := data.Test
	bestEval, bestBatch := 0.0, 0
	for _, batch := range []int{1000, fashion.DefaultConfig().EvalBatchSize, test.Len()} {
		run.Config.EvalBatchSize = batch
		rate, err := evalRate(sess, run, test, *evalRepeats)
		if err != nil {
			return err
		}
		if rate > bestEval {
			bestEval, bestBatch = rate, batch
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)

	res := benchResult{
		Impl: "gomlx", Backend: run.Backend, Version: "gomlx v0.26.0", Threads: runtime.NumCPU(),
		BatchSize: cfg.BatchSize, Epochs: cfg.Epochs,
		TrainExamplesPerS: median(trainRates), SecondsPerEpoch: median(seconds),
		EvalExamplesPerS: bestEval, EvalBestBatch: bestBatch, StepsPerCall: *stepsPerCall, FirstEpochSeconds: run.History[0].Seconds, PeakRSSMB: float64(ru.Maxrss) / 1024, CPUModel: cpuModel(),
		History: run.History,
	}
	fmt.Fprintf(stdout, "gomlx on %s: %.0f train examples/s, %.2f s/epoch, %.0f eval examples/s, peak RSS %.0f MB\n",
		res.Backend, res.TrainExamplesPerS, res.SecondsPerEpoch, res.EvalExamplesPerS, res.PeakRSSMB)
	if *out != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		return writeFile(*out, append(data, '\n'))
	}
	return nil
}

// evalRate is the best of repeats timed evaluations of test (after one that
// compiles the graph and sends the set to the backend), in examples/s. Each
// evaluation reads the predicted classes back to the host, as the Python
// references do (bench/README.md). It runs on the session's backend, the
// one that trained: a second CUDA client in one process was never run on a
// card, and would take memory of its own.
func evalRate(sess *fashion.Session, run *fashion.Run, test *fashion.Set, repeats int) (float64, error) {
	ev, err := sess.NewEvaluator(run)
	if err != nil {
		return 0, err
	}
	defer ev.Close()
	if _, err := ev.Evaluate(test); err != nil {
		return 0, err
	}
	best := 0.0
	for range repeats {
		start := time.Now()
		if _, err := ev.Evaluate(test); err != nil {
			return 0, err
		}
		best = max(best, float64(test.Len())/time.Since(start).Seconds())
	}
	return best, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
