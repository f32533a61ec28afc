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
//     cannot deadlock (see goConfig).
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

// newBackend turns GoMLX's panics on bad configurations into errors. An
// XLA backend gets its plugin kind's client options (xlaClientOptions), the
// executable cache beside the autotune one (withExecutableCache) and, on
// CUDA, XLA flags (cudaXLAFlags) before the plugin loads.
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
		options = withExecutableCache(options, opts, autotuneRoot)
		if kind == "cuda" {
			setCUDAFlags(opts, autotuneRoot)
		}
		return xla.NewWithOptions(opts, options)
	}
	defer hideParallelismLine(config)() // gomlx_workarounds.go
	return backends.NewWithConfig(config)
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
