package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// reportCmd writes the notebook's plots and tables for the stored runs as
// one static HTML page.
func reportCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fashion report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", filepath.Join("docs", "report.html"), "HTML file to write")
	if err := parseFlags(fs, args, stdout, "usage: fashion report [-out FILE]  (the stored runs of fashion study or the notebook)"); err != nil {
		return err
	}
	runs, err := fashion.Experiments()
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("no stored runs in %s: run fashion study or the notebook first", fashion.DefaultRunsDir())
	}
	best, err := fashion.BestExperiment()
	if err != nil {
		return err
	}
	test, tensors, err := fashion.TestSplit(best.Config)
	if err != nil {
		return err
	}
	ev, err := best.Evaluate(tensors)
	if err != nil {
		return err
	}
	page, err := fashion.ReportHTML("Fashion-MNIST con GoMLX: entrenamientos", runs, best, test, ev)
	if err != nil {
		return err
	}
	if err := writeFile(*out, page); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d runs, %d bytes)\n", *out, len(runs), len(page))
	return nil
}
