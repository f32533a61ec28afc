package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/stats"
	"github.com/fashion-gomlx/fashion-gomlx/internal/configjson"
	"github.com/fashion-gomlx/fashion-gomlx/internal/progress"
	"github.com/fashion-gomlx/fashion-gomlx/internal/trialevent"
)

// trainOptions are the parsed flags of "fashion train".
type trainOptions struct {
	cfg        fashion.Config // defaults, then the -config file, then the Config flags given
	configFrom string         // the -config source ("" for none)
	runsDir    string
	force      bool
	out        string
	progress   string // "text" or "jsonl"
	name       string
	dataDir    string
	noVerify   bool
	quiet      bool
	cpuProfile string
	seeds      int // runs with seeds Seed, Seed+1, …, in one process that compiles once
}

// parseTrainArgs reads the flags and the -config file. The order of
// precedence is: the Config flags given on the command line, then the file,
// then fashion.DefaultConfig(). Only flags that were set override the file
// (flag.Visit), so a default of a flag never undoes what the file says.
func parseTrainArgs(args []string, stdin io.Reader, stdout io.Writer) (trainOptions, error) {
	o := trainOptions{cfg: fashion.DefaultConfig()}
	flagCfg := fashion.DefaultConfig()
	fs := flag.NewFlagSet("fashion train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flagCfg.RegisterFlags(fs)
	configFlags := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { configFlags[f.Name] = true })

	fs.StringVar(&o.configFrom, "config", "", "JSON file of Config fields by their JSON names, as run records hold them (\"-\": standard input); flags given override it")
	fs.StringVar(&o.runsDir, "runs-dir", fashion.DefaultRunsDir(), "run cache: one directory per run (record and weights); a stored run returns at once ($FASHION_RUNS_DIR sets the default)")
	fs.BoolVar(&o.force, "force", false, "retrain even if the run is stored, and replace it")
	fs.StringVar(&o.out, "out", "", "also write a copy of the run record (JSON) to this path")
	fs.StringVar(&o.progress, "progress", "text", "progress on standard output: text (the exercise's epoch lines) or jsonl (one JSON object per line, human text to standard error)")
	fs.StringVar(&o.name, "name", "", "label kept in the record of a run trained now (e.g. \"dropout\")")
	fs.StringVar(&o.dataDir, "data", "", "directory with the four Fashion-MNIST files (default: search $FASHION_MNIST_DIR, ./data/fashion-mnist, /usr/share/datasets/fashion-mnist, then download)")
	fs.BoolVar(&o.noVerify, "no-verify", false, "skip the SHA-256 check of the data (a deliberately modified copy)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the training (go tool pprof) to this file")
	fs.IntVar(&o.seeds, "seeds", 1, "train this many runs, with seeds -seed, -seed+1, …, each its own cached run; the graphs compile once for all")
	if err := parseFlags(fs, args, stdout, "usage: fashion train [-config FILE|-] [flags]"); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if o.seeds < 1 || o.seeds > 1000 {
		return o, usageError{fmt.Errorf("-seeds %d: want 1..1000", o.seeds)}
	}
	if o.seeds > 1 && o.out != "" {
		return o, usageError{errors.New("-out writes one record: it cannot be used with -seeds above 1")}
	}
	if o.progress != "text" && o.progress != "jsonl" {
		return o, usageError{fmt.Errorf("-progress %q: want text or jsonl", o.progress)}
	}
	if o.configFrom != "" {
		var data []byte
		var err error
		source := o.configFrom
		if o.configFrom == "-" {
			source = "-config - (standard input)"
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(o.configFrom)
		}
		if err != nil {
			return o, usageError{fmt.Errorf("-config: %w", err)}
		}
		if o.cfg, err = configjson.Decode(data, source, o.cfg); err != nil {
			return o, usageError{err}
		}
	}
	// Apply the Config flags that were given, by name, onto the file's
	// config: their text form round-trips (lists as "120,72,48").
	final := flag.NewFlagSet("", flag.ContinueOnError)
	final.SetOutput(io.Discard)
	o.cfg.RegisterFlags(final)
	var setErr error
	fs.Visit(func(f *flag.Flag) {
		if configFlags[f.Name] && setErr == nil {
			setErr = final.Set(f.Name, f.Value.String())
		}
	})
	if setErr != nil {
		return o, usageError{setErr}
	}
	if err := o.cfg.Validate(); err != nil {
		if o.configFrom != "" {
			err = fmt.Errorf("-config %s: %w", o.configFrom, err)
		}
		return o, usageError{err}
	}
	return o, nil
}

// stoppedError is a run stopped by a signal; the process exits 128+sig.
type stoppedError struct {
	sig syscall.Signal
	msg string
}

func (e stoppedError) Error() string { return e.msg }

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}

// signalContext is a context cancelled by the first SIGTERM or SIGINT;
// received says which came (0 for none). After the first one the signals
// get their default action again, so a second Ctrl-C ends the process at
// once (the cache stays consistent: entries are renamed into place whole).
func signalContext() (ctx context.Context, received func() syscall.Signal, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	var mu sync.Mutex
	var got syscall.Signal
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			mu.Lock()
			got = s.(syscall.Signal)
			mu.Unlock()
			cancel()
		case <-done:
		}
	}()
	return ctx, func() syscall.Signal {
			mu.Lock()
			defer mu.Unlock()
			return got
		}, func() {
			signal.Stop(ch)
			close(done)
			cancel()
		}
}

// trainCmd trains one Config through the run cache (or returns the stored
// run), printing each epoch; it is also the trial runner of sweeps and of
// the Ray Tune driver (sweeps/tune.py), which read -progress jsonl.
func trainCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseTrainArgs(args, stdin, stdout)
	if err != nil {
		return err
	}
	human := stdout
	var events *json.Encoder // nil unless -progress jsonl
	if o.progress == "jsonl" {
		human = stderr
		events = json.NewEncoder(stdout)
	}
	emit := func(v any) error {
		if events == nil {
			return nil
		}
		return events.Encode(v) // one line each: Encode adds the newline
	}

	ctx, received, stopSignals := signalContext()
	defer stopSignals()

	data, err := fashion.LoadWith(fashion.LoadOptions{Dir: o.dataDir, NoVerify: o.noVerify, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(human, "Data: %s (%s): train %v, test %v\n", data.Dir, data.Source, data.Train.ImagesShape(), data.Test.ImagesShape())
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	// One session for the seeds: the second and later compile nothing.
	sess := fashion.NewSession()
	sess.RunsDir = o.runsDir
	defer sess.Close()
	var runs []*fashion.Run
	for i := range o.seeds {
		cfg := o.cfg
		cfg.Seed += uint64(i)
		run, err := trainSeed(ctx, received, sess, data, cfg, o, human, stderr, emit)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	if len(runs) > 1 {
		var acc []float64
		for _, r := range runs {
			acc = append(acc, 100*r.TestAccuracy)
		}
		mean, sd := stats.MeanSD(acc)
		fmt.Fprintf(human, "%d seeds from %d: test accuracy %.2f ± %.2f%% (mean ± sd); %d graphs compiled in all\n",
			len(runs), o.cfg.Seed, mean, sd, sess.Compiles())
	}
	return nil
}

// trainSeed trains (or reads back) one run of cfg in sess, printing its
// epochs and result, and emitting its events.
func trainSeed(ctx context.Context, received func() syscall.Signal, sess *fashion.Session, data *fashion.Data,
	cfg fashion.Config, o trainOptions, human, stderr io.Writer, emit func(any) error) (*fashion.Run, error) {
	key := fashion.RunKey(cfg, data.Checksum)
	if sig := received(); sig != 0 {
		return nil, stoppedError{sig, fmt.Sprintf("stopped by %s before training run %s: nothing stored", signalName(sig), key)}
	}
	bar := progress.New(nil, "", 0, progress.Count)
	if !o.quiet && progress.IsTerminal(stderr) {
		bar = progress.New(stderr, "", 0, progress.Count)
	}
	var mu sync.Mutex // the step hook and the signal report read these
	epoch, step, steps, emitted := 0, 0, 0, 0
	hooks := &fashion.Hooks{
		Backend: func(b *fashion.Backend) { fmt.Fprintf(human, "Seed %d: %s\n", cfg.Seed, b) },
		Step: func(e, s, n int) {
			mu.Lock()
			epoch, step, steps = e, s+1, n
			mu.Unlock()
			if s == 0 {
				bar.Reset(fmt.Sprintf("epoch %d", e), int64(n))
			}
			bar.Set(int64(s + 1))
		},
		Epoch: func(e fashion.Epoch) error {
			bar.Clear()
			fmt.Fprintln(human, fashion.FormatEpoch(e, cfg.Epochs))
			emitted++
			return emit(trialevent.NewEpoch(key, e, cfg.Epochs))
		},
	}
	run, cached, err := fashion.TrainCached(ctx, data, cfg, fashion.CacheOptions{
		Cache: fashion.Cache{Dir: o.runsDir}, Name: o.name, Force: o.force, Hooks: hooks, Session: sess,
	})
	bar.Clear()
	if err != nil {
		if sig := received(); sig != 0 && errors.Is(err, context.Canceled) {
			mu.Lock()
			defer mu.Unlock()
			return nil, stoppedError{sig, fmt.Sprintf("stopped by %s at epoch %d (step %d of %d) of run %s: nothing stored",
				signalName(sig), epoch, step, steps, key)}
		}
		if e := emit(trialevent.NewError(key, err)); e != nil {
			return nil, errors.Join(err, e)
		}
		return nil, err
	}
	if cached {
		fmt.Fprintf(human, "Run %s already stored in %s\n", key, o.runsDir)
		// A run stored by another process while this one trained has had
		// its epochs printed already; a stored run replays them.
		if emitted == 0 {
			for _, e := range run.History {
				fmt.Fprintln(human, fashion.FormatEpoch(e, run.Config.Epochs))
				if err := emit(trialevent.NewEpoch(key, e, run.Config.Epochs)); err != nil {
					return nil, err
				}
			}
		}
	}
	best := run.BestEpoch()
	fmt.Fprintf(human, "Test: loss %.4f, accuracy %.2f%% (%d examples); best val loss %.4f at epoch %d; %.2f s/epoch\n",
		run.TestLoss, 100*run.TestAccuracy, 5000, best.ValLoss, best.Epoch, run.SecondsPerEpoch)
	record, err := filepath.Abs(filepath.Join(o.runsDir, key, "run.json"))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(human, "Record stored in %s\n", record)
	if o.out != "" {
		if err := run.Save(o.out); err != nil {
			return nil, err
		}
		fmt.Fprintf(human, "Copy of the record in %s\n", o.out)
	}
	return run, emit(trialevent.NewDone(key, record, run, cached))
}
