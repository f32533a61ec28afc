package fashion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
)

// Session shares what the runs of one process can share: one backend per
// Config.Backend, the splits of the data, and the compiled graphs of each
// model shape. Compiling is most of a short run on XLA (on an H200, two
// thirds of a 40-epoch run; docs/performance.md), so the seeds of one experiment, the variants of a
// study or a sweep's trials that differ only in what the graphs take as
// inputs (seed, learning rate and its schedule, epochs, early stopping,
// mixup's α, and the values of dropout's rates, L2, label smoothing,
// erasing and distillation: settings.go) compile once: the next run resets
// the variables of the previous one's graphs to what a new run would start
// from, and trains bit for bit as it would have (TestSessionReuseTrainsAlike,
// TestSessionSettingsAreInputs).
//
// A Session is safe for concurrent use; runs that overlap get their own
// trainers. Close releases everything; the zero value is not usable, call
// NewSession.
type Session struct {
	// StepsPerCall, if > 0, replaces the backend's training steps per call
	// (stepsPerCallFor). Results do not depend on it (TestStepsPerCall);
	// speed does.
	StepsPerCall int

	// RunsDir is the run cache whose folder .xla-autotune keeps XLA's CUDA
	// autotuning between processes (see cudaXLAFlags); "" is
	// DefaultRunsDir().
	RunsDir string

	mu       sync.Mutex
	backends map[string]*Backend
	splits   map[splitsKey]*Splits
	idle     map[string][]*trainer // trainers not in use, by graphsKey
	compiles atomic.Int64
	closed   bool
}

// NewSession returns an empty session.
func NewSession() *Session {
	return &Session{backends: map[string]*Backend{}, splits: map[splitsKey]*Splits{}, idle: map[string][]*trainer{}}
}

// Compiles is how many training and evaluation graphs the session has
// compiled so far.
func (sess *Session) Compiles() int { return int(sess.compiles.Load()) }

// Close releases the session's compiled graphs, data on the devices and
// backends. Runs must be finished.
func (sess *Session) Close() {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	for _, ts := range sess.idle {
		for _, t := range ts {
			t.finalize()
		}
	}
	finalized := map[backends.Backend]bool{} // a backend shared by two names is finalized once
	for _, b := range sess.backends {
		if !finalized[b.Backend] {
			b.Finalize()
			finalized[b.Backend] = true
		}
	}
	sess.idle, sess.backends, sess.splits, sess.closed = nil, nil, nil, true
}

var errSessionClosed = errors.New("fashion: the session is closed")

// Train is TrainContext in the session.
func (sess *Session) Train(ctx context.Context, d *Data, cfg Config, hooks *Hooks) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return sess.trainValidated(ctx, d, cfg, nil, hooks)
}

// trainValidated is Train for a Config already validated (once per run),
// with a learner's technique (nil for none).
func (sess *Session) trainValidated(ctx context.Context, d *Data, cfg Config, tech *Technique, hooks *Hooks) (*Run, error) {
	s, err := sess.prepare(d, cfg)
	if err != nil {
		return nil, err
	}
	var teacher []float32
	var teacherKey string
	if cfg.Teacher != "" {
		if teacher, teacherKey, err = sess.teacher(ctx, d, cfg, s.Train); err != nil {
			return nil, err
		}
	}
	run, err := sess.trainSplitsWith(ctx, s, cfg, tech, hooks, teacher)
	if run != nil {
		run.TeacherKey = teacherKey
	}
	return run, err
}

// splitsKey identifies a run's splits: the data and the Config fields that
// Prepare reads.
type splitsKey struct {
	data       *Data
	trainLimit int
	splitSeed  uint64
}

// prepare is Prepare, once per data and split: the same sets, so that their
// copies on the devices are reused too.
func (sess *Session) prepare(d *Data, cfg Config) (*Splits, error) {
	key := splitsKey{d, cfg.TrainLimit, cfg.SplitSeed}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.closed {
		return nil, errSessionClosed
	}
	if s, ok := sess.splits[key]; ok {
		return s, nil
	}
	s, err := Prepare(d, cfg)
	if err == nil {
		sess.splits[key] = s
	}
	return s, err
}

// backend returns the session's backend for a Config.Backend value,
// creating it the first time. Two values that resolve to one backend
// ("auto" and "xla:cpu": a student and its teacher, see TeacherConfig)
// share its client, each with its own reason: two clients of one device
// would hold two copies of everything, and on a GPU with
// $FASHION_XLA_MEMORY_FRACTION each would take its share of the memory.
func (sess *Session) backend(name string) (*Backend, error) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.closed {
		return nil, errSessionClosed
	}
	if b, ok := sess.backends[name]; ok {
		return b, nil
	}
	r, err := resolveBackend(name)
	if err != nil {
		return nil, err
	}
	for _, b := range sess.backends {
		if b.Config == r.config {
			shared := &Backend{Backend: b.Backend, Config: r.config, Reason: r.reason}
			sess.backends[name] = shared
			return shared, nil
		}
	}
	runs := sess.RunsDir
	if runs == "" {
		runs = DefaultRunsDir()
	}
	b, err := r.create(filepath.Join(runs, autotuneDirName))
	if err != nil {
		return nil, err
	}
	sess.backends[name] = b
	return b, nil
}

// graphsKey is what a run's compiled graphs depend on: the Config without
// the fields only the host reads (the learning rate enters each step as an
// input, mixup's λ are drawn on the host) and without the values of the
// settings (settings.go: dropout's rates, L2, max-norm's bound, EMA's decay, label
// smoothing, erasing, distillation's α and T, graph inputs too), of which
// it keeps only whether each is on; and the version of a learner's
// technique, and the steps per call. What is left is the graph's shape and
// structure: widths, activation, normalization, optimizer, the techniques
// on. The backend and the training set are the trainer's own, checked in
// trainer.
func graphsKey(cfg Config, technique string, stepsPerCall int) string {
	c := cfg
	if c.Arch == "mlp" { // a reset draws the MLP's weights for the seed; GoMLX's layers draw the CNN's when first built
		c.Seed = 0
	}
	c.Epochs, c.LR = 0, 0
	c.Schedule, c.ScheduleBy, c.StepSize, c.Gamma, c.WarmupEpochs, c.MinLR, c.MaxLR, c.Patience = "", "", 0, 0, 0, 0, 0, 0
	c.EarlyStop, c.EarlyStopDelta = 0, 0
	on := func(v float64) float64 { // a rate of 0 builds nothing
		if v > 0 {
			return 1
		}
		return 0
	}
	c.Dropout = make([]float64, len(cfg.Hidden))
	for i := range c.Dropout {
		c.Dropout[i] = on(cfg.DropoutRate(i))
	}
	c.L2, c.MaxNorm, c.LabelSmoothing, c.Erase, c.Mixup = on(c.L2), on(c.MaxNorm), on(c.LabelSmoothing), on(c.Erase), on(c.Mixup)
	c.EMA = on(c.EMA)
	c.DistillAlpha, c.DistillTemperature = 0, 0 // distillation is on with Teacher
	data, _ := json.Marshal(c)
	return fmt.Sprintf("%s technique=%s k=%d", data, technique, stepsPerCall)
}

// trainer returns a trainer for cfg and tech (nil: none) on backend and the
// training set train: an idle one with the same graphs, reset for cfg, or
// a new one.
func (sess *Session) trainer(backend *Backend, cfg Config, tech *Technique, train *Set, teacher []float32) (*trainer, error) {
	techVersion, err := techniqueVersion(tech)
	if err != nil {
		return nil, err
	}
	key := graphsKey(cfg, techVersion, sess.StepsPerCall)
	sess.mu.Lock()
	var t *trainer
	for i, c := range sess.idle[key] {
		if c.backend == backend && c.train == train {
			t = c
			sess.idle[key] = append(sess.idle[key][:i], sess.idle[key][i+1:]...)
			break
		}
	}
	sess.mu.Unlock()
	if t == nil {
		t, err = newTrainer(backend, cfg, tech, train, teacher, sess.StepsPerCall, &sess.compiles)
		if err == nil {
			t.technique = techVersion
		}
		return t, err
	}
	if err := t.reset(cfg); err != nil {
		t.finalize()
		return nil, err
	}
	return t, nil
}

// release gives t back to the session after a run; a trainer whose run
// failed holds a half-trained state and is dropped.
func (sess *Session) release(t *trainer, ok bool) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if !ok || sess.closed {
		t.finalize()
		return
	}
	key := graphsKey(t.cfg, t.technique, sess.StepsPerCall)
	sess.idle[key] = append(sess.idle[key], t)
}
