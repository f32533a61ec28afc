package fashion

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// TeacherConfig is the teacher that a student of cfg distills from
// (Config.Teacher "cnn"): the "cnn" network, Adam lr 1e-3 for 12 epochs on
// images shifted by up to 2 pixels and flipped, seed 42, on the student's
// data (TrainLimit, SplitSeed) and backend. Every student seed shares it,
// and it is trained once, through the run cache, like any run.
//
// Its Backend is the one the student's resolves to on this machine, named
// the same however the student's is spelled ("xla:cpu" for "auto",
// "xla" and "xla:cpu" where only the CPU plugin is installed; see
// canonicalBackend): the teacher's run key depends on its Config, and two
// spellings of one backend must find one teacher, not train two. An
// invalid or unresolvable backend is an error.
func TeacherConfig(cfg Config) (Config, error) {
	r, err := resolveBackend(cfg.Backend)
	if err != nil {
		return Config{}, fmt.Errorf("fashion: the teacher's backend: %w", err)
	}
	t := DefaultConfig()
	t.Arch, t.Optimizer, t.LR, t.Epochs = "cnn", "adam", 1e-3, 12
	t.Shift, t.Flip = 2, true
	t.TrainLimit, t.SplitSeed, t.Backend, t.EvalBatchSize = cfg.TrainLimit, cfg.SplitSeed, r.name, cfg.EvalBatchSize
	return t, nil
}

// teacherLogitsFile, in a teacher's cache entry, holds its logits of every
// training example (float32, little-endian, [N,10]), computed once and
// kept with Cache.PutFile, so that its record holds its SHA-256.
const teacherLogitsFile = "train_logits.f32"

// teacher returns the logits of cfg's teacher on the training set train
// and the teacher's run key: the stored ones, or computed from the stored
// teacher (trained first if it is not stored) and kept in its cache entry.
func (sess *Session) teacher(ctx context.Context, d *Data, cfg Config, train *Set) ([]float32, string, error) {
	tcfg, err := TeacherConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	cache := Cache{Dir: sess.RunsDir}
	if cache.Dir == "" {
		cache.Dir = DefaultRunsDir()
	}
	run, _, err := TrainCached(ctx, d, tcfg, CacheOptions{Cache: cache, Name: "teacher", Session: sess})
	if err != nil {
		return nil, "", fmt.Errorf("fashion: the teacher: %w", err)
	}
	// The stored logits only when the record vouches for them (their
	// SHA-256) and they are as many as the training set's: a missing,
	// damaged or foreign file is computed again from the teacher, which
	// TrainCached trained again if its weights were damaged.
	want := train.Len() * NumClasses
	if data, err := cache.File(run.Key, teacherLogitsFile); err == nil && len(data) == 4*want {
		logits := make([]float32, want)
		for i := range logits {
			logits[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		return logits, run.Key, nil
	} else if err != nil && !errors.Is(err, ErrNotCached) {
		return nil, "", err
	}
	ev, err := sess.NewEvaluator(run) // the session's backend: one client per device
	if err != nil {
		return nil, "", err
	}
	defer ev.Close()
	logits, err := ev.Logits(train)
	if err != nil {
		return nil, "", fmt.Errorf("fashion: the teacher's logits: %w", err)
	}
	data := make([]byte, 4*len(logits))
	for i, v := range logits {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	if err := cache.PutFile(run.Key, teacherLogitsFile, data); err != nil {
		return nil, "", err
	}
	return logits, run.Key, nil
}

// Logits returns the model's logits of every example of s ([N·10], row by
// row), in evaluation mode, in chunks of Config.EvalBatchSize.
func (e *Evaluator) Logits(s *Set) (logits []float32, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fashion: logits: %v", p)
		}
	}()
	cfg := e.cfg
	model := &Model{cfg: cfg}
	exec, err := mlcontext.NewExec(e.backend, e.mctx.Reuse(), func(mctx *mlcontext.Context, pixels *Node) *Node {
		return model.Logits(mctx, standardizeOn(e.backend, pixels, standardTable(Mean, Std)))
	})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	logits = make([]float32, 0, s.Len()*NumClasses)
	for start := 0; start < s.Len(); start += cfg.EvalBatchSize {
		end := min(s.Len(), start+cfg.EvalBatchSize)
		x := tensors.FromFlatDataAndDimensions(s.Images[start*NumPixels:end*NumPixels], end-start, NumPixels)
		out, err := exec.Exec(x)
		if err != nil {
			return nil, err
		}
		logits = append(logits, tensors.MustCopyFlatData[float32](out[0])...)
		finalizeAll(out)
	}
	return logits, nil
}
