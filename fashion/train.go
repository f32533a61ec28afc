package fashion

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Epoch is one line of the training history, the exercise's per-epoch print
// plus accuracies.
type Epoch struct {
	Epoch         int     `json:"epoch"`          // 0-based, as the exercise prints it
	TrainBatches  int     `json:"train_batches"`  // training steps in the epoch (469)
	TrainLoss     float64 `json:"train_loss"`     // mean of the batch losses, in train mode
	TrainAccuracy float64 `json:"train_accuracy"` // fraction right during those steps
	ValLoss       float64 `json:"val_loss"`       // mean loss over the validation half, eval mode
	ValAccuracy   float64 `json:"val_accuracy"`
	Diff          float64 `json:"diff_percent"`  // ValLoss·100/TrainLoss − 100, the exercise's "Diff"
	LR            float64 `json:"lr"`            // learning rate used in the epoch
	Seconds       float64 `json:"seconds"`       // wall time of the epoch, training and validation
	TrainSeconds  float64 `json:"train_seconds"` // wall time of the training steps alone
}

// Hooks are optional callbacks of Train; nil fields are skipped.
type Hooks struct {
	// Epoch is called after each epoch; an error stops training and is
	// returned by Train.
	Epoch func(Epoch) error
	// Step is called after each training step (e.g. for a progress bar).
	// Batch losses stay on the device until the epoch ends (reading each one
	// would stall every step), so the step's loss is not passed.
	Step func(epoch, step, steps int)
	// Backend is called once the backend is chosen, with its description.
	Backend func(b *Backend)
}

// ErrNonFinite is wrapped by the error Train returns when the loss becomes
// NaN or ±Inf (as with the exercise's first try, lr 0.1).
var ErrNonFinite = errors.New("loss is not finite")

// Train trains cfg's model on the data and evaluates it on the test half.
// Training knows nothing of plots or printing: hooks receive the progress.
func Train(d *Data, cfg Config, hooks *Hooks) (*Run, error) {
	return TrainContext(context.Background(), d, cfg, hooks)
}

// TrainContext is Train that stops between steps once ctx is done,
// returning an error that names the epoch and step and wraps ctx.Err().
func TrainContext(ctx context.Context, d *Data, cfg Config, hooks *Hooks) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return trainValidated(ctx, d, cfg, hooks)
}

// trainValidated is Train for a Config already validated (once per run),
// in a session of its own.
func trainValidated(ctx context.Context, d *Data, cfg Config, hooks *Hooks) (*Run, error) {
	sess := NewSession()
	defer sess.Close()
	return sess.trainValidated(ctx, d, cfg, nil, hooks)
}

// TrainSplits is Train on already prepared splits.
func TrainSplits(s *Splits, cfg Config, hooks *Hooks) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return trainSplits(context.Background(), s, cfg, hooks)
}

// trainSplits trains on s in a session of its own.
func trainSplits(ctx context.Context, s *Splits, cfg Config, hooks *Hooks) (*Run, error) {
	sess := NewSession()
	defer sess.Close()
	return sess.trainSplits(ctx, s, cfg, hooks)
}

// trainSplits is the training loop; each paragraph is one concern, and the
// pieces it calls are in session.go (backend and compiled graphs, shared
// between runs), trainer.go (graphs), batches.go (where batches come from),
// schedule.go (learning rate, early stopping) and evaluate.go.
func (sess *Session) trainSplits(ctx context.Context, s *Splits, cfg Config, hooks *Hooks) (run *Run, err error) {
	if cfg.Teacher != "" {
		return nil, fmt.Errorf("fashion: Config.Teacher = %q needs the data its teacher trains on: use Train or TrainCached, not TrainSplits", cfg.Teacher)
	}
	return sess.trainSplitsWith(ctx, s, cfg, nil, hooks, nil)
}

// trainSplitsWith is the training loop, with a learner's technique beside
// cfg's own (tech, nil for none) and the teacher's logits of the training
// set when distilling. Each paragraph is one concern.
func (sess *Session) trainSplitsWith(ctx context.Context, s *Splits, cfg Config, tech *Technique, hooks *Hooks, teacher []float32) (run *Run, err error) {
	if hooks == nil {
		hooks = &Hooks{}
	}
	backend, err := sess.backend(cfg.Backend)
	if err != nil {
		return nil, err
	}
	if hooks.Backend != nil {
		hooks.Backend(backend)
	}
	// GoMLX reports graph-building problems by panicking; a bug there must
	// not take down a notebook or CLI, so it becomes an error here.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fashion: training failed: %v", r)
		}
	}()
	start := time.Now()
	tr, err := sess.trainer(backend, cfg, tech, s.Train, teacher)
	if err != nil {
		return nil, err
	}
	kept := false // the trainer goes back to the session only after a run that went well
	defer func() { sess.release(tr, kept) }()

	run = &Run{Config: cfg, Backend: BackendName(backend.Config), BackendReason: backend.Reason, Started: start.UTC()}
	if tech != nil {
		run.Technique = &TechniqueRecord{Name: tech.Name, Version: tr.technique}
	}
	lr, early := newLRSchedule(cfg), newEarlyStop(cfg)
	for epoch := range cfg.Epochs {
		epochStart := time.Now()
		sumLR, err := tr.trainEpoch(ctx, epoch, lr, hooks)
		if err != nil {
			return nil, err
		}

		e, err := tr.recordEpoch(epoch, s.Val, sumLR, epochStart)
		if err != nil {
			return nil, err
		}
		if err := tr.averageEpoch(&e, s, epochStart); err != nil {
			return nil, err
		}
		run.History = append(run.History, e)
		if hooks.Epoch != nil {
			if err := hooks.Epoch(e); err != nil {
				return nil, err
			}
		}
		lr.stepPlateau(e.ValLoss)
		if done, err := early.shouldStop(e, tr); err != nil || done {
			run.StoppedEarly = done
			if err != nil {
				return nil, err
			}
			break
		}
	}

	if run.KeptEpoch, err = early.restoreBest(tr, len(run.History)-1); err != nil {
		return nil, err
	}
	run.TrainSeconds = time.Since(start).Seconds()
	run.SecondsPerEpoch = run.TrainSeconds / float64(len(run.History))
	if run.TestLoss, run.TestAccuracy, err = tr.evaluate(s.Test); err != nil {
		return nil, fmt.Errorf("fashion: test evaluation: %w", err)
	}
	if run.Params, err = tr.params(); err != nil {
		return nil, err
	}
	kept = true
	return run, nil
}

// trainEpoch runs one epoch's steps in a fresh order, k steps a call (each
// with its own batch and rate), and returns the sum of the steps' rates. It
// stops between calls once ctx is done.
func (t *trainer) trainEpoch(ctx context.Context, epoch int, lr *lrSchedule, hooks *Hooks) (sumLR float64, err error) {
	n, steps := t.trainLen, t.steps
	lrs := lr.rates(epoch, 0, steps, steps)
	if err := t.batches.startEpoch(epochOrder(t.cfg.Seed, epoch, n), lrs, t.lambdas(epoch)); err != nil {
		return 0, fmt.Errorf("fashion: epoch %d: %w", epoch, err)
	}
	for step := 0; step < steps; {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("fashion: stopped at epoch %d, step %d: %w", epoch, step, err)
		}
		k := t.stepsPerCall(step, n)
		if err := t.trainSteps(step, k); err != nil {
			return 0, fmt.Errorf("fashion: epoch %d, step %d: %w", epoch, step, err)
		}
		for j := 0; hooks.Step != nil && j < k; j++ {
			hooks.Step(epoch, step+j, steps)
		}
		step += k
		if err := t.checkFinite(epoch, step, k, steps); err != nil {
			return 0, err
		}
	}
	for _, r := range lrs {
		sumLR += r // in step order: the recorded mean rate is exact
	}
	return sumLR, nil
}

// epochOrder is the order of the training examples in an epoch: a fresh
// permutation from (seed, epoch), reproducible and, unlike GoMLX's
// InMemoryDataset.Shuffle, independent of math/rand's global state.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
}

// recordEpoch reads the epoch's training totals, validates on val and
// returns the epoch's line of the history.
func (t *trainer) recordEpoch(epoch int, val *Set, sumLR float64, start time.Time) (Epoch, error) {
	n, steps := t.trainLen, t.steps
	sumLoss, correct, err := t.epochTotals()
	if err != nil {
		return Epoch{}, err
	}
	trainSeconds := time.Since(start).Seconds()
	valLoss, valAcc, err := t.evaluate(val)
	if err != nil {
		return Epoch{}, fmt.Errorf("fashion: epoch %d, validation: %w", epoch, err)
	}
	e := Epoch{
		Epoch:         epoch,
		TrainBatches:  steps,
		TrainLoss:     sumLoss / float64(steps),
		TrainAccuracy: correct / float64(n),
		ValLoss:       valLoss,
		ValAccuracy:   valAcc,
		LR:            sumLR / float64(steps),
		Seconds:       time.Since(start).Seconds(),
		TrainSeconds:  trainSeconds,
	}
	e.Diff = e.ValLoss*100/e.TrainLoss - 100
	return e, nil
}
