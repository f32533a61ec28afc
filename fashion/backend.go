package fashion

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// goSafeOptions is appended to every pure-Go backend configuration.
//
// GoMLX v0.26.0's pure-Go backend can deadlock: with parallel op execution
// each op runs on a worker of a bounded pool, and the small-matrix DotGeneral
// (dotgeneral_small.go) then waits on that same pool for its own sub-tasks;
// when every worker is an op waiting for sub-tasks nobody can run them (always
// with go:parallelism=1, about once in twenty runs at the default). With
// ops_sequential the ops run on the calling goroutine, which holds no worker,
// so the sub-tasks always find one and the matrix products still use every
// core. TestGoBackendDoesNotHang runs many steps under a timeout to show it.
const goSafeOptions = "ops_sequential"

// Backend is a GoMLX backend plus why it was chosen.
type Backend struct {
	backends.Backend
	Config string // the configuration given to GoMLX, e.g. "go:ops_sequential"
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
//   - "go" or "go:<options>": GoMLX's pure-Go backend, always with
//     ops_sequential (see goSafeOptions).
//   - "xla" or "xla:<plugin>": GoMLX's XLA backend; an error if no plugin
//     is installed.
//
// GoMLX panics on unknown or unavailable backends; NewBackend returns errors.
func NewBackend(name string) (*Backend, error) {
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
	b, err := newBackend(config)
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

// goFastOptions is added to pure-Go backend options that choose no
// DotGeneral algorithm: the blocked ("large") matrix product is faster for
// this MLP's products ([128,784]·[784,120] and its gradient) than the one
// GoMLX picks for them. Measured on the 2-core machine, one epoch of the
// exercise: 15.7 s by default, 10.7 s with dotgeneral_large (same losses):
// go run ./cmd/fashion train -epochs 1 -backend go:<options>.
const goFastOptions = "dotgeneral_large"

// goConfig adds goSafeOptions (and goFastOptions unless another DotGeneral
// choice is given) to pure-Go backend options.
func goConfig(opts string) string {
	var parts []string
	chosen := false
	for _, o := range strings.Split(opts, ",") {
		if o != "" && o != goSafeOptions && o != "ops_parallel" {
			parts = append(parts, o)
			chosen = chosen || strings.HasPrefix(o, "dotgeneral_")
		}
	}
	if !chosen {
		parts = append(parts, goFastOptions)
	}
	parts = append(parts, goSafeOptions)
	return simplego.BackendName + ":" + strings.Join(parts, ",")
}

// newBackend turns GoMLX's panics on bad configurations into errors.
func newBackend(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return backends.NewWithConfig(config)
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
		if strings.Contains(filepath.Base(plugin), "cuda") {
			return "xla:cuda"
		}
		return "xla:cpu"
	}
	return config
}
