package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/sweep"
)

// sweepCmd runs a search space's trials through the run cache and writes
// the results; standard output gets only the best Config (a -config file),
// so "fashion sweep -space s.json > best.json" keeps it.
func sweepCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fashion sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spacePath := fs.String("space", "", "search space file (JSON; see go doc ./fashion/sweep)")
	parallel := fs.Int("parallel", 1, "trials at once: 1 trains them one after another in this process; N > 1 runs N child processes of \"fashion train\"")
	runsDir := fs.String("runs-dir", fashion.DefaultRunsDir(), "run cache the trials go through (finished trials are not retrained)")
	out := fs.String("out", filepath.Join("data", "sweep"), "directory for sweep.json, sweep.md (the table), sweep.svg (the chart) and best.json")
	dataDir := fs.String("data", "", "directory with the four Fashion-MNIST files (default: the usual search)")
	check := fs.Bool("check", false, "only check the space file (and every trial's Config), list the trials on standard output and exit; sweeps/tune.py calls it first")
	if err := parseFlags(fs, args, stdout, "usage: fashion sweep -space FILE [flags]"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *spacePath == "" {
		return usageError{errors.New("-space FILE is required")}
	}
	if *parallel < 1 {
		return usageError{fmt.Errorf("-parallel %d: want at least 1", *parallel)}
	}
	space, err := sweep.ReadSpace(*spacePath)
	if err != nil {
		return usageError{err}
	}
	trials, err := space.Trials()
	if err != nil {
		return usageError{err}
	}
	if *check {
		for _, t := range trials {
			fmt.Fprintf(stdout, "trial %d: %s\n", t.Index, t.Label())
		}
		return nil
	}
	fmt.Fprintf(stderr, "%d trials of %s (searched: %v), %d at a time, runs in %s\n", len(trials), *spacePath, space.Searched(), *parallel, *runsDir)

	opts := sweep.Options{RunsDir: *runsDir, Parallel: *parallel, Log: stderr}
	if *parallel > 1 {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		opts.Command = []string{exe, "train"}
		if *dataDir != "" {
			opts.Command = append(opts.Command, "-data", *dataDir)
		}
	} else if opts.Data, err = fashion.LoadWith(fashion.LoadOptions{Dir: *dataDir, Progress: stderr}); err != nil {
		return err
	}
	ctx, received, stopSignals := signalContext()
	defer stopSignals()
	res, err := sweep.Run(ctx, space, opts)
	if err != nil {
		if sig := received(); sig != 0 {
			return stoppedError{sig, fmt.Sprintf("stopped by %s: %v; finished trials are in %s, run the same command again to resume", signalName(sig), err, *runsDir)}
		}
		return err
	}
	if err := res.Save(*out); err != nil {
		return err
	}
	fmt.Fprint(stderr, res.Markdown())
	fmt.Fprintf(stderr, "Results in %s (sweep.json, sweep.md, sweep.svg, best.json)\n", *out)
	best := res.BestConfigJSON()
	if best == nil {
		return fmt.Errorf("sweep: all %d trials failed (see %s)", len(res.Trials), filepath.Join(*out, "sweep.md"))
	}
	b := res.BestTrial()
	fmt.Fprintf(stderr, "Best by validation accuracy: trial %d (%s), val %.2f%%; its config follows on standard output\n", b.Index, b.Label(), 100*b.ValAccuracy)
	_, err = stdout.Write(best)
	return err
}
