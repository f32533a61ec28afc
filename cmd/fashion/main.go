// Command fashion trains the Fashion-MNIST MLP of the exercise with GoMLX.
//
// Usage:
//
//	fashion train [flags]   train one configuration, print each epoch, save the run record
//	fashion study [flags]   train the baseline and one variant per technique; write docs/study.{md,json}
//	fashion bench [flags]   measure training and evaluation speed (see bench/run.py)
//	fashion report [flags]  write the stored runs' plots and tables as one HTML page
//	fashion compare RUN     print a run record's history next to the exercise's log (Markdown)
//
// Run "fashion train -h" for the flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/internal/progress"
)

// usageError exits with status 2: bad flags or values.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "fashion: "+oneLine(strings.TrimPrefix(err.Error(), "fashion: ")))
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\nfashion: ", "; "), "\n", "; ")
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("missing command: want \"train\", \"study\", \"bench\", \"report\" or \"compare\" (see fashion help)")}
	}
	switch args[0] {
	case "train":
		return trainCmd(args[1:], stdout, stderr)
	case "study":
		return studyCmd(args[1:], stdout, stderr)
	case "bench":
		return benchCmd(args[1:], stdout)
	case "report":
		return reportCmd(args[1:], stdout)
	case "compare":
		if len(args) != 2 {
			return usageError{errors.New("usage: fashion compare RUN.json")}
		}
		run, err := fashion.LoadRun(args[1])
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, fashion.CompareMarkdown(run))
		return nil
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, "usage: fashion train [flags]    (fashion train -h for the flags)")
		fmt.Fprintln(stdout, "       fashion study [flags]    (the techniques study; fashion study -h)")
		fmt.Fprintln(stdout, "       fashion bench [flags]    (speed of training and evaluation; fashion bench -h)")
		fmt.Fprintln(stdout, "       fashion report [-out F]  (stored runs as one HTML page)")
		fmt.Fprintln(stdout, "       fashion compare RUN.json (a run's history next to the exercise's log)")
		return nil
	}
	return usageError{fmt.Errorf("unknown command %q: want \"train\", \"study\", \"bench\", \"report\" or \"compare\"", args[0])}
}

func trainCmd(args []string, stdout, stderr io.Writer) error {
	cfg := fashion.DefaultConfig()
	fs := flag.NewFlagSet("fashion train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.RegisterFlags(fs)
	dataDir := fs.String("data", "", "directory with the four Fashion-MNIST files (default: search $FASHION_MNIST_DIR, ./data/fashion-mnist, /usr/share/datasets/fashion-mnist, then download)")
	noVerify := fs.Bool("no-verify", false, "skip the SHA-256 check of the data (a deliberately modified copy)")
	out := fs.String("out", "", "run record path (default data/runs/train-<time>.json)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the training (go tool pprof) to this file")
	if err := parseFlags(fs, args, stdout, "usage: fashion train [flags]"); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if *out == "" {
		*out = filepath.Join("data", "runs", "train-"+time.Now().Format("20060102-150405")+".json")
	}

	data, err := fashion.LoadWith(fashion.LoadOptions{Dir: *dataDir, NoVerify: *noVerify, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Datos: %s (%s): train %v, test %v\n", data.Dir, data.Source, data.Train.ImagesShape(), data.Test.ImagesShape())
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	bar := progress.New(nil, "", 0, progress.Count)
	if !*quiet && progress.IsTerminal(stderr) {
		bar = progress.New(stderr, "", 0, progress.Count)
	}
	run, err := fashion.Train(data, cfg, &fashion.Hooks{
		Backend: func(b *fashion.Backend) { fmt.Fprintf(stdout, "Usando %s\n", b) },
		Step: func(epoch, step, steps int) {
			if step == 0 {
				bar.Reset(fmt.Sprintf("epoch %d", epoch), int64(steps))
			}
			bar.Set(int64(step + 1))
		},
		Epoch: func(e fashion.Epoch) error {
			bar.Clear()
			fmt.Fprintln(stdout, fashion.FormatEpoch(e, cfg.Epochs))
			return nil
		},
	})
	bar.Clear()
	if err != nil {
		return err
	}
	best := run.BestEpoch()
	fmt.Fprintf(stdout, "Test: loss %.4f, accuracy %.2f%% (%d ejemplos); mejor val loss %.4f en la epoca %d; %.2f s/epoca\n",
		run.TestLoss, 100*run.TestAccuracy, 5000, best.ValLoss, best.Epoch, run.SecondsPerEpoch)
	if err := run.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Registro guardado en %s\n", *out)
	return nil
}

// parseFlags parses args with fs (quiet, ContinueOnError): -h prints usage
// and the flags to stdout and returns flag.ErrHelp; a bad flag is a
// usageError (exit status 2).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, usage string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fmt.Fprintln(stdout, usage)
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return usageError{err}
	}
	return nil
}

// startCPUProfile starts runtime/pprof's CPU profile into path; stop ends it
// and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
