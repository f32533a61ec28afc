package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/internal/trialevent"
)

// Options configure Run.
type Options struct {
	// RunsDir is the run cache the trials go through; "" is
	// fashion.DefaultRunsDir().
	RunsDir string

	// Parallel is the number of trials trained at once. At most 1: one
	// after another in this process. More: as that many child processes of
	// Command, each "COMMAND -config - -progress jsonl -runs-dir DIR -quiet"
	// with the trial's Config on its standard input (the trial runner,
	// "fashion train").
	Parallel int
	// Command is the trial runner and its first arguments, e.g.
	// {"bin/fashion", "train"}; needed when Parallel > 1.
	Command []string

	// Data is the data for trials trained in this process; nil loads it
	// with fashion.Load("").
	Data *fashion.Data

	// Log, if not nil, gets one line per finished trial.
	Log io.Writer
}

// TrialResult is a trial and how it ended.
type TrialResult struct {
	Trial
	Key          string  `json:"key,omitempty"`
	ValAccuracy  float64 `json:"val_accuracy"`  // of the kept epoch (fashion.Run.KeptValAccuracy): what trials are ranked by
	TestAccuracy float64 `json:"test_accuracy"` // reported, never used to choose
	KeptEpoch    int     `json:"kept_epoch"`
	Epochs       int     `json:"epochs_trained"`
	TrainSeconds float64 `json:"train_seconds"` // of the run, when it was trained
	Cached       bool    `json:"cached"`        // the run was already stored
	Error        string  `json:"error,omitempty"`

	// Run is the trial's record (without weights); nil if it failed.
	Run *fashion.Run `json:"-"`
}

// OK says whether the trial finished.
func (r *TrialResult) OK() bool { return r.Error == "" && r.Run != nil }

// Result is a finished sweep.
type Result struct {
	Space    *Space        `json:"space"`
	Searched []string      `json:"searched"` // the parameters that vary
	Trials   []TrialResult `json:"trials"`   // in trial order
	Best     int           `json:"best"`     // index in Trials of the best by validation accuracy; -1 if none finished
	Trained  int           `json:"trained"`
	Cached   int           `json:"cached"`
	Failed   int           `json:"failed"`
	Seconds  float64       `json:"seconds"` // wall time of this sweep
	RunsDir  string        `json:"runs_dir"`
	Parallel int           `json:"parallel"`
}

// BestTrial is the finished trial of highest validation accuracy, or nil.
func (r *Result) BestTrial() *TrialResult {
	if r.Best < 0 {
		return nil
	}
	return &r.Trials[r.Best]
}

// Run trains every trial of the space through the run cache and returns
// the results. A trial that fails (a diverging loss, say) is recorded with
// its error and the others go on; a cancelled ctx stops the trials (child
// processes get SIGTERM), stores nothing half-done and returns ctx's error.
// Finished trials stay in the cache, so a sweep run again resumes.
func Run(ctx context.Context, s *Space, opts Options) (*Result, error) {
	trials, err := s.Trials()
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.RunsDir == "" {
		opts.RunsDir = fashion.DefaultRunsDir()
	}
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	if opts.Parallel > 1 && len(opts.Command) == 0 {
		return nil, errors.New("sweep: Options.Parallel > 1 needs Options.Command, the trial runner (e.g. {\"bin/fashion\", \"train\"})")
	}
	var sess *fashion.Session // in-process trials of the same model compile once
	if opts.Parallel == 1 {
		if opts.Data == nil {
			if opts.Data, err = fashion.Load(""); err != nil {
				return nil, err
			}
		}
		sess = fashion.NewSession()
		sess.RunsDir = opts.RunsDir
		defer sess.Close()
	}
	start := time.Now()
	res := &Result{Space: s, Searched: s.Searched(), Trials: make([]TrialResult, len(trials)), Best: -1, RunsDir: opts.RunsDir, Parallel: opts.Parallel}
	var mu sync.Mutex
	done := 0
	finish := func(i int, r TrialResult) {
		mu.Lock()
		defer mu.Unlock()
		res.Trials[i] = r
		done++
		if opts.Log != nil {
			status := fmt.Sprintf("val %.2f%%", 100*r.ValAccuracy)
			switch {
			case r.Error != "":
				status = "failed: " + r.Error
			case r.Cached:
				status += " (stored)"
			}
			fmt.Fprintf(opts.Log, "trial %d/%d %s: %s\n", done, len(trials), r.Label(), status)
		}
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range opts.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var r TrialResult
				if opts.Parallel == 1 {
					r = trainHere(ctx, sess, trials[i], opts)
				} else {
					r = trainChild(ctx, trials[i], opts)
				}
				finish(i, r)
			}
		}()
	}
feed:
	for i := range trials {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sweep: stopped after %d of %d trials: %w", done, len(trials), err)
	}
	for i := range res.Trials {
		r := &res.Trials[i]
		switch {
		case !r.OK():
			res.Failed++
		case r.Cached:
			res.Cached++
		default:
			res.Trained++
		}
		if r.OK() && (res.Best < 0 || r.ValAccuracy > res.Trials[res.Best].ValAccuracy) {
			res.Best = i
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func fromRun(t Trial, run *fashion.Run, cached bool) TrialResult {
	return TrialResult{
		Trial: t, Key: run.Key, Run: run, Cached: cached,
		ValAccuracy: run.KeptValAccuracy(), TestAccuracy: run.TestAccuracy, KeptEpoch: run.KeptEpoch,
		Epochs: len(run.History), TrainSeconds: run.TrainSeconds,
	}
}

// trainHere trains a trial in this process.
func trainHere(ctx context.Context, sess *fashion.Session, t Trial, opts Options) TrialResult {
	run, cached, err := fashion.TrainCached(ctx, opts.Data, t.Config, fashion.CacheOptions{
		Cache: fashion.Cache{Dir: opts.RunsDir}, Session: sess,
	})
	if err != nil {
		return TrialResult{Trial: t, Key: fashion.RunKey(t.Config, opts.Data.Checksum), Error: oneLine(err.Error())}
	}
	run.Params = nil // the sweep keeps records; the weights stay in the cache
	return fromRun(t, run, cached)
}

// trainChild trains a trial as a child process of the trial runner and
// reads its JSON lines; a cancelled ctx sends it SIGTERM (then, if it has
// not exited within a minute, kills it).
func trainChild(ctx context.Context, t Trial, opts Options) TrialResult {
	fail := func(key string, err error) TrialResult {
		return TrialResult{Trial: t, Key: key, Error: oneLine(err.Error())}
	}
	cfgJSON, err := json.Marshal(t.Config)
	if err != nil {
		return fail("", err)
	}
	args := append(append([]string(nil), opts.Command[1:]...), "-config", "-", "-progress", "jsonl", "-runs-dir", opts.RunsDir, "-quiet")
	cmd := exec.CommandContext(ctx, opts.Command[0], args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	cmd.Stdin = bytes.NewReader(cfgJSON)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	// The last event decides; every line must be one (trialevent.Parse).
	var last trialevent.Event
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		ev, err := trialevent.Parse(sc.Bytes())
		if err != nil {
			return fail(last.Key(), fmt.Errorf("trial runner wrote a line that is not a trial event (%v): %q", err, sc.Text()))
		}
		last = ev
	}
	if runErr != nil {
		msg := strings.TrimSpace(stderr.String())
		msg = msg[strings.LastIndex(msg, "\n")+1:]
		if last.Error != nil {
			msg = last.Error.Error
		}
		return fail(last.Key(), fmt.Errorf("%s: %v: %s", filepath.Base(opts.Command[0]), runErr, msg))
	}
	if last.Done == nil {
		return fail(last.Key(), fmt.Errorf("trial runner ended without a \"done\" line"))
	}
	run, err := fashion.LoadRun(last.Done.Record)
	if err != nil {
		return fail(last.Key(), err)
	}
	return fromRun(t, run, last.Done.Cached)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }
