package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/tensorboard"
)

// tensorboardCmd writes every stored run as TensorBoard event files.
func tensorboardCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fashion tensorboard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runsDir := fs.String("runs", fashion.DefaultRunsDir(), "run cache to export (every stored run)")
	out := fs.String("out", "", "directory for the event files (then: tensorboard --logdir DIR)")
	if err := parseFlags(fs, args, stdout, "usage: fashion tensorboard [-runs DIR] -out DIR"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *out == "" {
		return usageError{fmt.Errorf("-out DIR is required")}
	}
	runs, err := fashion.Cache{Dir: *runsDir}.Runs()
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("no stored runs in %s", *runsDir)
	}
	paths, err := tensorboard.Export(*out, runs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d runs of %s written to %s (tensorboard --logdir %s)\n", len(paths)-1, *runsDir, *out, *out)
	return nil
}
