package fashion

import (
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck

	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
)

// quickConfig is the exercise's model trained briefly on a balanced subset.
func quickConfig(limit, epochs int) Config {
	cfg := DefaultConfig()
	cfg.TrainLimit = limit
	cfg.Epochs = epochs
	cfg.Backend = "go"
	return cfg
}

func TestTrainShortRunLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	cfg := quickConfig(6000, 3)
	var epochs []Epoch
	run, err := Train(data, cfg, &Hooks{Epoch: func(e Epoch) error { epochs = append(epochs, e); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.History) != 3 || !reflect.DeepEqual(epochs, run.History) {
		t.Fatalf("history has %d epochs and the hook saw %d, want 3 and the same", len(run.History), len(epochs))
	}
	first, last := run.History[0], run.History[2]
	if first.TrainBatches != 47 { // ceil(6000/128)
		t.Errorf("train batches = %d, want 47", first.TrainBatches)
	}
	if !(last.TrainLoss < first.TrainLoss && last.ValLoss < first.ValLoss) {
		t.Errorf("loss did not fall: train %.4f→%.4f, val %.4f→%.4f", first.TrainLoss, last.TrainLoss, first.ValLoss, last.ValLoss)
	}
	if run.TestAccuracy < 0.70 {
		t.Errorf("test accuracy %.3f after 3 epochs on 6000 images, want > 0.70", run.TestAccuracy)
	}
	if want := last.ValLoss*100/last.TrainLoss - 100; last.Diff != want {
		t.Errorf("Diff = %g, want ValLoss·100/TrainLoss − 100 = %g", last.Diff, want)
	}
	if len(run.Params) != 8 || !reflect.DeepEqual(run.Params[0].Dims, []int{784, 120}) {
		t.Errorf("params: %d variables, want 8 (weights and biases of 4 layers) starting with [784 120]", len(run.Params))
	}
}

func TestTrainSameSeedSameHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	cfg := quickConfig(1000, 2)
	a, err := Train(data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.History {
		ea, eb := a.History[i], b.History[i]
		if ea.TrainLoss != eb.TrainLoss || ea.ValLoss != eb.ValLoss || ea.ValAccuracy != eb.ValAccuracy {
			t.Fatalf("epoch %d differs with the same seed: %+v vs %+v", i, ea, eb)
		}
	}
	cfg.Seed++
	c, err := Train(data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.History[0].TrainLoss == a.History[0].TrainLoss {
		t.Errorf("another seed gave the same first-epoch loss %g", c.History[0].TrainLoss)
	}
}

func TestTrainStopsOnNonFiniteLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	cfg := quickConfig(2000, 3)
	cfg.Optimizer, cfg.LR = "sgd", 10 // plain SGD at lr 10 grows the weights until they overflow
	_, err := Train(data, cfg, nil)
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("Train with lr 10 returned %v, want an error wrapping ErrNonFinite", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "epoch ") || !strings.Contains(err.Error(), "step ") {
		t.Errorf("error %q does not name the epoch and step", err)
	}
}

func TestTrainEpochHookErrorStops(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	stop := errors.New("enough")
	calls := 0
	_, err := Train(data, quickConfig(500, 5), &Hooks{Epoch: func(Epoch) error { calls++; return stop }})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("got err %v after %d calls, want the hook's error after 1", err, calls)
	}
}

// TestGoBackendDoesNotHang runs many small training steps on the pure-Go
// backend in the settings NewBackend makes of the risky ones (parallel ops
// with one worker deadlocked GoMLX v0.26.0 every time) and fails if they do
// not finish in time.
func TestGoBackendDoesNotHang(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	for _, backend := range []string{"go:parallelism=1,dotgeneral_small,ops_parallel", "go:parallelism=1", "go:dotgeneral_small", "go"} {
		cfg := quickConfig(3200, 3) // 3 × 100 steps of 32, plus validation passes
		cfg.BatchSize = 32
		cfg.EvalBatchSize = 100
		cfg.Backend = backend
		done := make(chan error, 1)
		go func() {
			_, err := Train(data, cfg, nil)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", backend, err)
			}
		case <-time.After(3 * time.Minute):
			t.Fatalf("%s: 300 training steps did not finish in 3 minutes: the backend is deadlocked", backend)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig is invalid: %v", err)
	}
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"Hidden[1]", func(c *Config) { c.Hidden = []int{120, 0} }},
		{"Hidden", func(c *Config) { c.Hidden = make([]int, 17) }},
		{"Activation", func(c *Config) { c.Activation = "relu6" }},
		{"Init", func(c *Config) { c.Init = "he" + "_typo" }},
		{"Epochs", func(c *Config) { c.Epochs = 0 }},
		{"BatchSize", func(c *Config) { c.BatchSize = -1 }},
		{"Optimizer", func(c *Config) { c.Optimizer = "adagrad" }},
		{"LR", func(c *Config) { c.LR = 0 }},
		{"LR", func(c *Config) { c.LR = 1e9 }},
		{"Momentum", func(c *Config) { c.Momentum = 1 }},
		{"Alpha", func(c *Config) { c.Alpha = -0.1 }},
		{"Eps", func(c *Config) { c.Eps = 0 }},
		{"TrainLimit", func(c *Config) { c.TrainLimit = 70000 }},
		{"EvalBatchSize", func(c *Config) { c.EvalBatchSize = 0 }},
		{"Backend", func(c *Config) { c.Backend = "cuda" }},
		{"Backend", func(c *Config) { c.Backend = "auto:x" }},
		{"Shift", func(c *Config) { c.Shift = 9 }},
		{"Erase", func(c *Config) { c.Erase = 1.5 }},
		{"LabelSmoothing", func(c *Config) { c.LabelSmoothing = 1 }},
		{"Mixup", func(c *Config) { c.Mixup = -1 }},
		{"EMA", func(c *Config) { c.EMA = 1 }},
		{"SWAEpochs", func(c *Config) { c.SWAEpochs = 41 }},
		{"SWAEpochs", func(c *Config) { c.SWAEpochs, c.EarlyStop = 5, 3 }},
		{"SWAEpochs", func(c *Config) { c.SWAEpochs, c.EMA = 5, 0.99 }},
		{"Teacher", func(c *Config) { c.Teacher = "resnet" }},
		{"Teacher", func(c *Config) { c.Teacher, c.Arch = "cnn", "cnn" }},
		{"Teacher", func(c *Config) { c.Teacher, c.Shift = "cnn", 2 }},
		{"Teacher", func(c *Config) { c.Teacher, c.Flip = "cnn", true }},
		{"Teacher", func(c *Config) { c.Teacher, c.Erase = "cnn", 0.5 }},
		{"DistillAlpha", func(c *Config) { c.DistillAlpha = 2 }},
		{"DistillTemperature", func(c *Config) { c.DistillTemperature = 0.5 }},
		{"Arch", func(c *Config) { c.Arch = "transformer" }},
		{"Norm", func(c *Config) { c.Arch, c.Norm = "cnn", "batch" }},
		{"Dropout", func(c *Config) { c.Arch, c.Dropout = "cnn", []float64{0.2} }},
		{"L2", func(c *Config) { c.Arch, c.L2 = "cnn", 1e-3 }},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), "Config."+tc.field+" ") || !strings.Contains(err.Error(), "want ") {
			t.Errorf("invalid %s: Validate() = %v, want an error naming Config.%s and what is valid", tc.field, err, tc.field)
		}
	}
	// One mistake, one complaint: a bad Epochs is not reported again as
	// WarmupEpochs' empty range [0, 0).
	cfg := DefaultConfig()
	cfg.Epochs = 0
	if err := cfg.Validate(); err == nil || strings.Contains(err.Error(), "WarmupEpochs") {
		t.Errorf("Epochs = 0: Validate() = %v, want an error naming Epochs only", err)
	}
}

// TestConfigValidateMessages checks the wording of errors that list
// choices or a combination.
func TestConfigValidateMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown teacher", func(c *Config) { c.Teacher = "resnet" },
			`Config.Teacher = "resnet" is invalid: want "" (none) or "cnn"`},
		{"teacher with every augmentation", func(c *Config) { c.Teacher, c.Shift, c.Flip, c.Erase = "cnn", 2, true, 0.5 },
			`Config.Teacher = "cnn" is invalid: want "" (none) with Shift = 2, Flip = true, Erase = 0.5, or no augmentation with a teacher: its logits are those of the clean training images`},
		{"teacher with flip", func(c *Config) { c.Teacher, c.Flip = "cnn", true },
			`want "" (none) with Flip = true, or`},
		{"unknown optimizer", func(c *Config) { c.Optimizer = "adagrad" },
			`Config.Optimizer = "adagrad" is invalid: want one of sgd, rmsprop, adam, adamw`},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want it to contain %s", tc.name, err, tc.want)
		}
	}
	// The teacher on its own, and augmentation without one, are valid.
	for _, edit := range []func(*Config){
		func(c *Config) { c.Teacher = "cnn" },
		func(c *Config) { c.Shift, c.Flip, c.Erase = 2, true, 0.5 },
	} {
		cfg := DefaultConfig()
		edit(&cfg)
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate() = %v, want nil", err)
		}
	}
}

// TestEveryConfigFieldHasAFlag keeps the CLI and Config in step.
func TestEveryConfigFieldHasAFlag(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.RegisterFlags(fs)
	typ := reflect.TypeOf(cfg)
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		flagName := strings.ReplaceAll(name, "_", "-")
		if fs.Lookup(flagName) == nil {
			t.Errorf("Config.%s has no flag -%s", typ.Field(i).Name, flagName)
		}
	}
	if err := fs.Parse([]string{"-hidden", "256,128", "-lr", "0.001", "-epochs", "7"}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Hidden, []int{256, 128}) || cfg.LR != 0.001 || cfg.Epochs != 7 {
		t.Errorf("flags parsed into %+v", cfg)
	}
	if err := fs.Parse([]string{"-hidden", "12,x"}); err == nil {
		t.Error("-hidden 12,x was accepted")
	}
}

func TestRunSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs", "r.json")
	r := &Run{Config: DefaultConfig(), Backend: "go:ops_sequential", History: []Epoch{
		{Epoch: 0, TrainLoss: 0.5, ValLoss: 0.45}, {Epoch: 1, TrainLoss: 0.4, ValLoss: 0.41},
	}, TestAccuracy: 0.85}
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("run directory holds %d files, want only the record (no temporary file left)", len(entries))
	}
	got, err := LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.History, r.History) || got.TestAccuracy != r.TestAccuracy || got.BestEpoch().Epoch != 1 {
		t.Errorf("loaded %+v, saved %+v", got, r)
	}
	for name, content := range map[string]string{
		"truncated.json": `{"config": {"hidden": [120]`,
		"empty.json":     `{"config": {}, "history": []}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRun(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadRun(%s) = %v, want an error naming the file", name, err)
		}
	}
}

func TestNewBackend(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	os.Unsetenv("GOMLX_BACKEND")
	for _, tc := range []struct {
		name, wantConfig, wantErr string
	}{
		{"go", "go:parallelism=-1,dotgeneral_large,ops_parallel", ""},
		{"go:ops_sequential", "go:parallelism=-1,dotgeneral_large,ops_sequential", ""},
		{"go:parallelism=1", "go:parallelism=1,dotgeneral_large,ops_sequential", ""},
		{"go:parallelism=1,ops_parallel", "go:parallelism=1,dotgeneral_large,ops_sequential", ""},
		{"go:parallelism=-1,dotgeneral_small", "go:parallelism=-1,dotgeneral_small,ops_parallel", ""},
		{"go:bogus_option", "", "bogus_option"},
		{"tpu", "", `backend "tpu" is invalid`},
		{"", "", `backend "" is invalid`},
	} {
		b, err := NewBackend(tc.name)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewBackend(%q) error = %v, want one containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewBackend(%q): %v", tc.name, err)
			continue
		}
		if raceDetector { // see goUnbounded
			tc.wantConfig = strings.Replace(tc.wantConfig, "ops_parallel", "ops_sequential", 1)
		}
		if b.Config != tc.wantConfig {
			t.Errorf("NewBackend(%q).Config = %q, want %q", tc.name, b.Config, tc.wantConfig)
		}
		b.Finalize()
	}
	t.Setenv("GOMLX_BACKEND", "go:parallelism=2")
	b, err := NewBackend("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if b.Config != "go:parallelism=2,dotgeneral_large,ops_sequential" || !strings.Contains(b.String(), "$GOMLX_BACKEND") {
		t.Errorf("auto with $GOMLX_BACKEND set: %s", b)
	}
}

func TestExerciseHistory(t *testing.T) {
	h := ExerciseHistory()
	if len(h) != 40 {
		t.Fatalf("exercise log has %d epochs, want 40", len(h))
	}
	// First and last lines as printed in the exercise.
	if h[0].TrainLoss != 0.5160285907386463 || h[39].ValLoss != 0.5969214454293251 || h[39].TrainBatches != 469 {
		t.Errorf("exercise log parsed as %+v ... %+v", h[0], h[39])
	}
	if _, err := parseExerciseLog("0\t469\t0.5\tx\t1\n"); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("a bad number gave %v, want an error quoting it", err)
	}
}

// TestBaselineRecord checks the committed 40-epoch record (docs/baseline.json,
// made by "fashion train -backend go") shows the exercise's overfitting.
func TestBaselineRecord(t *testing.T) {
	run, err := LoadRun(filepath.Join("..", "docs", "baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.History) != 40 || !strings.HasPrefix(run.Backend, "go") {
		t.Fatalf("baseline has %d epochs on %q, want 40 on the go backend", len(run.History), run.Backend)
	}
	best, last := run.BestEpoch(), run.History[39]
	if best.ValLoss < 0.31 || best.ValLoss > 0.37 || best.Epoch < 5 || best.Epoch > 14 {
		t.Errorf("minimum validation loss %.4f at epoch %d, want 0.31..0.37 at epochs 5..14", best.ValLoss, best.Epoch)
	}
	if last.TrainLoss >= 0.12 || last.ValLoss <= 0.45 {
		t.Errorf("final train loss %.4f (want < 0.12), val loss %.4f (want > 0.45)", last.TrainLoss, last.ValLoss)
	}
}

// TestBatchesStandardizeAlike: a training batch is the same whether the host
// builds it (pure-Go backend) or the graph gathers it from the uint8 images
// (XLA), and both equal Standardize of the chosen images, bit for bit.
func TestBatchesStandardizeAlike(t *testing.T) {
	set := randomSet(5, 300)
	rng := rand.New(rand.NewPCG(9, 10)) // the batches drawn
	backends := cpuBackends(t)
	tr := &hostBatches{table: standardTable(Mean, Std), set: set}
	for _, b := range backends {
		for _, idx := range [][]int{{0}, {299, 0, 17, 17}, rng.Perm(300)[:128]} {
			hostX, hostY, err := tr.takeBatches(idx, 1)
			if err != nil {
				t.Fatal(err)
			}
			labels := make([]int32, set.Len())
			for i, l := range set.Labels {
				labels[i] = int32(l)
			}
			idx32 := make([]int32, len(idx))
			for i, j := range idx {
				idx32[i] = int32(j)
			}
			out, err := mlcontext.ExecOnceN(b, nil, func(mctx *mlcontext.Context, allX, allY, idx *Node) []*Node {
				x, y := gatherBatch(allX, allY, idx, tr.table)
				// The evaluator's form on this backend: arithmetic on the
				// pure-Go one only, as XLA rewrites the divisions (its values
				// are 1 ulp off).
				arith := standardizeOn(b, Gather(allX, ExpandAxes(idx, -1)), tr.table)
				return []*Node{x, y, arith}
			}, tensors.FromFlatDataAndDimensions(set.Images, set.Len(), NumPixels),
				tensors.FromFlatDataAndDimensions(labels, set.Len()), idx32)
			if err != nil {
				t.Fatal(err)
			}
			var want []float32
			var wantY []int32
			for _, j := range idx {
				want = append(want, Standardize(set.Image(j), Mean, Std)...)
				wantY = append(wantY, int32(set.Labels[j]))
			}
			for name, got := range map[string]*tensors.Tensor{"host": hostX, "graph": out[0], "graph arithmetic": out[2]} {
				if v := tensors.MustCopyFlatData[float32](got); !slices.Equal(v, want) {
					t.Errorf("%s, idx %v: %s batch differs from Standardize", b.Config, idx, name)
				}
			}
			for name, got := range map[string]*tensors.Tensor{"host": hostY, "graph": out[1]} {
				if v := tensors.MustCopyFlatData[int32](got); !slices.Equal(v, wantY) {
					t.Errorf("idx %v: %s labels %v, want %v", idx, name, v, wantY)
				}
			}
		}
	}
}

// TestStepsPerCall: running several steps per call of the training graph (as
// on XLA) trains exactly as one step per call, with every optimizer, per-step
// learning-rate schedules, dropout's random draws and batch norm's running
// statistics chained from step to step, and a partial last batch; on the
// pure-Go backend (batches from the host) and on XLA (the epoch on the
// device, picked by the step counter).
func TestStepsPerCall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	backends := []string{"go"}
	if findXLAPlugin("cpu") != "" {
		backends = append(backends, "xla:cpu")
	}
	for _, backend := range backends {
		for _, tc := range []struct {
			name string
			edit func(*Config)
		}{
			{"exercise", func(*Config) {}},
			{"adamw+dropout+onecycle", func(c *Config) {
				c.Optimizer, c.WeightDecay, c.Dropout, c.Schedule = "adamw", 0.01, []float64{0.3}, "onecycle"
			}},
			{"batchnorm+sgd+cosine by step", func(c *Config) {
				c.Norm, c.Optimizer, c.LR, c.Schedule, c.ScheduleBy = "batch", "sgd", 0.05, "cosine", "step"
			}},
		} {
			cfg := quickConfig(1300, 2) // 11 steps an epoch, the last of 20 examples
			cfg.Backend = backend
			tc.edit(&cfg)
			var runs [2]*Run
			for i, k := range []int{1, 3} {
				sess := NewSession()
				sess.StepsPerCall = k
				var steps []int
				run, err := sess.Train(context.Background(), data, cfg, &Hooks{Step: func(_, step, _ int) { steps = append(steps, step) }})
				sess.Close()
				if err != nil {
					t.Fatalf("%s on %s, %d steps per call: %v", tc.name, backend, k, err)
				}
				if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(steps, want) {
					t.Fatalf("%s on %s, %d steps per call: the Step hook saw %v, want %v", tc.name, backend, k, steps, want)
				}
				runs[i] = run
			}
			// The pure-Go backend executes each step's ops as written: the
			// same bits. XLA compiles the unrolled steps as one program and
			// may fuse across them, which reorders float32 arithmetic: a
			// few ulps, where a wrong batch or rate would move the loss by
			// percents.
			tol := 0.0
			if backend != "go" {
				tol = 1e-5
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= tol*math.Abs(a) }
			for e := range runs[0].History {
				a, b := runs[0].History[e], runs[1].History[e]
				if !near(a.TrainLoss, b.TrainLoss) || !near(a.ValLoss, b.ValLoss) || a.LR != b.LR {
					t.Errorf("%s on %s, epoch %d: 1 step per call gave train/val loss %.7f/%.7f lr %g, 3 gave %.7f/%.7f lr %g",
						tc.name, backend, e, a.TrainLoss, a.ValLoss, a.LR, b.TrainLoss, b.ValLoss, b.LR)
				}
			}
		}
	}
}

// randomSet is a set of n images of random pixels and labels, drawn from
// seed.
func randomSet(seed uint64, n int) *Set {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	set := &Set{Images: make([]uint8, n*NumPixels), Labels: make([]uint8, n)}
	for i := range set.Images {
		set.Images[i] = uint8(rng.IntN(256))
	}
	for i := range set.Labels {
		set.Labels[i] = uint8(rng.IntN(NumClasses))
	}
	return set
}

// cpuBackends are the pure-Go backend and, where its plugin is installed,
// XLA CPU, each finalized when the test ends.
func cpuBackends(t *testing.T) []*Backend {
	t.Helper()
	backends := []*Backend{testBackend(t)}
	if findXLAPlugin("cpu") != "" {
		xb, err := NewBackend(xlaCPUOrSkip(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(xb.Finalize)
		backends = append(backends, xb)
	}
	return backends
}
