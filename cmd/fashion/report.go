package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/study"
)

// reportCmd writes the notebook's plots and tables for the stored runs as
// one static HTML page.
func reportCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fashion report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", filepath.Join("docs", "report.html"), "HTML file to write")
	notebook := fs.String("notebook", "", "the notebook whose experiment cells are the study's variants (default: "+study.NotebookFile+" in the repository)")
	if err := parseFlags(fs, args, stdout, "usage: fashion report [-out FILE] [-notebook PATH]  (the stored runs of fashion study or the notebook)"); err != nil {
		return err
	}
	path, err := notebookPath(*notebook)
	if err != nil {
		return err
	}
	variants, _, err := study.LoadVariants(path)
	if err != nil {
		return err
	}
	cache := fashion.Cache{Dir: fashion.DefaultRunsDir()}
	runs, err := study.StoredRuns(cache, variants)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("no stored runs of the study in %s: run fashion study first", cache.Dir)
	}
	best, err := cache.Load(fashion.BestByValidation(runs).Key)
	if err != nil {
		return err
	}
	data, err := fashion.Load("")
	if err != nil {
		return err
	}
	test, err := fashion.TestHalf(data, best.Config)
	if err != nil {
		return err
	}
	ev, err := best.Evaluate(test)
	if err != nil {
		return err
	}
	page, err := study.ReportHTML("Fashion-MNIST con GoMLX: entrenamientos", runs, best, test, ev)
	if err != nil {
		return err
	}
	if err := writeFile(*out, page); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d runs, %d bytes)\n", *out, len(runs), len(page))
	return nil
}
