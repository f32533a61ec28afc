package fashion

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/backends/xla"
)

// The pure-Go backend's options. GoMLX v0.26.0's pure-Go backend deadlocks
// when it runs ops in parallel on its bounded worker pool: each op holds a
// worker while its matrix product waits for sub-tasks from the same pool, and
// when every worker is such an op nobody runs them (always with
// go:parallelism=1, about once in twenty runs with the default pool; a run
// with ops_parallel,dotgeneral_large hung here too). With parallelism=-1
// the pool is unbounded: every task gets a goroutine at once, nothing waits
// for a worker, so it cannot deadlock, and independent ops (the two halves of
// a batch, see Model.logitsInParts; the updates of different weights) run on
// both cores, which makes an epoch faster (docs/performance.md has the
// figures).
// When the user bounds the pool (parallelism=N), ops_sequential is forced:
// ops then run on the caller's goroutine, which holds no worker.
// TestGoBackendDoesNotHang runs many steps in each setting under a timeout.
//
// go test -race reports a data race in GoMLX v0.26.0's parallel op execution
// (backends/simplego/exec.go): an op decides whether it may overwrite an
// input in place by reading the input's use counter (line 430) without the
// lock under which the input's other users increment it (line 478) once
// they have finished. A stale read only forgoes the in-place write; a fresh
// one comes after the other user's reads, which end before its mutex
// operations. So the race is in the bookkeeping, not in the values: training
// gave bit-identical losses run after run (TestStepsPerCall) and equal to
// ops_sequential's. Built with -race (raceDetector), the package runs the ops
// in sequence instead, so that programs and tests using it can look for races
// of their own.
const (
	goUnbounded  = "parallelism=-1"
	goParallel   = "ops_parallel"
	goSequential = "ops_sequential"
	// goFastOptions is added unless another DotGeneral algorithm is chosen:
	// the blocked ("large") matrix product is faster for this MLP's products
	// ([128,784]·[784,120] and its gradient) than the one GoMLX picks for
	// them: one epoch took 15.7 s by default, 10.7 s with dotgeneral_large
	// (same losses; go run ./cmd/fashion train -epochs 1 -backend go:<options>).
	goFastOptions = "dotgeneral_large"
)

// Backend is a GoMLX backend plus why it was chosen.
type Backend struct {
	backends.Backend
	Config string // the configuration given to GoMLX, e.g. "go:parallelism=-1,dotgeneral_large,ops_parallel"
	Reason string // one line on why this backend runs
}

// validateBackendName checks the syntax of a Config.Backend value without
// creating the backend.
func validateBackendName(name string) error {
	base, _, _ := strings.Cut(name, ":")
	if base == "auto" && name != "auto" {
		return fmt.Errorf(`"auto" with no options`)
	}
	valid := []string{"auto", simplego.BackendName, "xla"}
	if !slices.Contains(valid, base) {
		return fmt.Errorf("one of auto, go, go:<options>, xla, xla:<plugin>")
	}
	return nil
}

// NewBackend creates the backend named by a Config.Backend value:
//
//   - "auto": $GOMLX_BACKEND if set; else XLA (CUDA, then CPU) when a PJRT
//     plugin is already installed (never downloading one); else "go".
//   - "go" or "go:<options>": GoMLX's pure-Go backend, with options that
//     cannot deadlock (see goUnbounded).
//   - "xla" or "xla:<plugin>": GoMLX's XLA backend; an error if no plugin
//     is installed.
//
// GoMLX panics on unknown or unavailable backends; NewBackend returns errors.
func NewBackend(name string) (*Backend, error) {
	return newBackendIn(name, filepath.Join(DefaultRunsDir(), autotuneDirName))
}

// newBackendIn is NewBackend with the CUDA autotune cache under
// autotuneRoot (see cudaXLAFlags); "" leaves XLA without one.
func newBackendIn(name, autotuneRoot string) (*Backend, error) {
	if err := validateBackendName(name); err != nil {
		return nil, fmt.Errorf("fashion: backend %q is invalid: want %w", name, err)
	}
	config, reason := name, "requested"
	if name == "auto" {
		if env := os.Getenv(backends.ConfigEnvVar); env != "" {
			config, reason = env, "$"+backends.ConfigEnvVar+" is set"
			if err := validateBackendName(config); err != nil || config == "auto" {
				return nil, fmt.Errorf("fashion: $%s=%q is invalid: want one of go, go:<options>, xla, xla:<plugin>",
					backends.ConfigEnvVar, env)
			}
		} else if plugin, where := installedXLAPlugin(); plugin != "" {
			config, reason = "xla:"+plugin, "PJRT plugin found at "+where
		} else {
			config, reason = simplego.BackendName, "no PJRT plugin installed; pure-Go backend"
		}
	}
	base, opts, _ := strings.Cut(config, ":")
	switch base {
	case simplego.BackendName:
		config = goConfig(opts)
	case "xla":
		xlaOpts, err := resolveXLA(opts)
		if err != nil {
			return nil, err
		}
		config = "xla:" + xlaOpts
	}
	b, err := newBackend(config, autotuneRoot)
	if err != nil {
		err = fmt.Errorf("fashion: backend %q: %w", config, err)
		if base == "xla" {
			kind, _, _ := strings.Cut(opts, ",")
			err = fmt.Errorf("%w; %s", err, installHint(kind))
		}
		return nil, err
	}
	return &Backend{Backend: b, Config: config, Reason: reason}, nil
}

// goConfig completes pure-Go backend options as explained at goUnbounded.
func goConfig(opts string) string {
	var parts []string
	parallelism, sequential, algorithm := "", false, false
	for _, o := range strings.Split(opts, ",") {
		switch {
		case o == "" || o == goParallel:
		case o == goSequential:
			sequential = true
		case strings.HasPrefix(o, "parallelism="):
			parallelism = o
		default:
			parts = append(parts, o)
			algorithm = algorithm || strings.HasPrefix(o, "dotgeneral_")
		}
	}
	if !algorithm {
		parts = append(parts, goFastOptions)
	}
	switch {
	case parallelism == "" || parallelism == goUnbounded:
		parts = append([]string{goUnbounded}, parts...)
		if sequential || raceDetector {
			parts = append(parts, goSequential)
		} else {
			parts = append(parts, goParallel)
		}
	default:
		parts = append([]string{parallelism}, parts...)
		parts = append(parts, goSequential)
	}
	return simplego.BackendName + ":" + strings.Join(parts, ",")
}

// newBackend turns GoMLX's panics on bad configurations into errors. An
// XLA backend gets its plugin kind's client options (xlaClientOptions) and,
// on CUDA, XLA flags (cudaXLAFlags) before the plugin loads.
func newBackend(config, autotuneRoot string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if opts, ok := strings.CutPrefix(config, "xla:"); ok {
		kind := xlaKind(opts)
		options, err := xlaClientOptions(kind, os.Getenv(MemoryFractionEnv))
		if err != nil {
			return nil, err
		}
		if kind == "cuda" {
			setCUDAFlags(opts, autotuneRoot)
		}
		return xla.NewWithOptions(opts, options)
	}
	if strings.HasPrefix(config, simplego.BackendName+":") && strings.Contains(config, "parallelism=") {
		// GoMLX v0.26.0 prints "SimpleGo backend: parallelism set to N" to
		// stdout whenever parallelism is configured, which the package does
		// for every run: the line would fill each notebook cell's output.
		defer quietStdout()()
	}
	return backends.NewWithConfig(config)
}

// quietStdout sends os.Stdout to the null device until the returned function
// is called. Only for the instant of creating a backend: other goroutines'
// prints in that instant would be lost too.
func quietStdout() (restore func()) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}
}

// IsGo reports whether this is GoMLX's pure-Go backend.
func (b *Backend) IsGo() bool {
	base, _, _ := strings.Cut(b.Config, ":")
	return base == simplego.BackendName
}

// String is the one line that says which backend runs and why.
func (b *Backend) String() string {
	return fmt.Sprintf("backend %s: %s", shortConfig(b.Config), b.Reason)
}

// shortConfig names an XLA plugin given by path by its kind ("xla:cpu").
func shortConfig(config string) string {
	base, opts, _ := strings.Cut(config, ":")
	plugin, _, _ := strings.Cut(opts, ",")
	if base == "xla" && strings.HasPrefix(plugin, "/") {
		return "xla:" + xlaKind(opts)
	}
	return config
}
