// Command fashion trains the Fashion-MNIST MLP of the exercise with GoMLX.
//
// Usage:
//
//	fashion train [flags]   train one configuration through the run cache, print each epoch (or JSON lines)
//	fashion sweep -space F  run a search space's trials through the run cache; print the best config
//	fashion tensorboard     write the stored runs as TensorBoard event files (-out DIR)
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
	"runtime/pprof"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// usageError exits with status 2: bad flags or values.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "fashion: "+errorLine(strings.TrimPrefix(err.Error(), "fashion: ")))
	os.Exit(exitCode(err))
}

// exitCode is the process status for err: 2 for bad usage, 128+signal for a
// run stopped by a signal (143 for SIGTERM, 130 for SIGINT, as a shell
// reports a process it killed), else 1.
func exitCode(err error) int {
	var ue usageError
	var se stoppedError
	switch {
	case errors.As(err, &ue):
		return 2
	case errors.As(err, &se):
		return 128 + int(se.sig)
	}
	return 1
}

// errorLine puts a (possibly joined) error message on one line, without
// the "fashion: " prefix that each joined error repeats.
func errorLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\nfashion: ", "; "), "\n", "; ")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("missing command: want \"train\", \"sweep\", \"tensorboard\", \"study\", \"bench\", \"report\" or \"compare\" (see fashion help)")}
	}
	switch args[0] {
	case "train":
		return trainCmd(args[1:], stdin, stdout, stderr)
	case "sweep":
		return sweepCmd(args[1:], stdout, stderr)
	case "tensorboard":
		return tensorboardCmd(args[1:], stdout)
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
		fmt.Fprintln(stdout, "       fashion sweep -space F   (a search space's trials; fashion sweep -h)")
		fmt.Fprintln(stdout, "       fashion tensorboard -out D (stored runs as TensorBoard event files)")
		fmt.Fprintln(stdout, "       fashion study [flags]    (the techniques study; fashion study -h)")
		fmt.Fprintln(stdout, "       fashion bench [flags]    (speed of training and evaluation; fashion bench -h)")
		fmt.Fprintln(stdout, "       fashion report [-out F]  (stored runs as one HTML page)")
		fmt.Fprintln(stdout, "       fashion compare RUN.json (a run's history next to the exercise's log)")
		return nil
	}
	return usageError{fmt.Errorf("unknown command %q: want \"train\", \"sweep\", \"tensorboard\", \"study\", \"bench\", \"report\" or \"compare\"", args[0])}
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
