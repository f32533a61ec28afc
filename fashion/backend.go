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
	r, err := resolveBackend(name)
	if err != nil {
		return nil, err
	}
	return r.create(autotuneRoot)
}

// resolvedBackend is a Config.Backend value resolved on this machine.
type resolvedBackend struct {
	config string // what GoMLX is given, e.g. "xla:/…/pjrt_c_api_cpu_plugin.so,shared_buffers"
	reason string // why this backend
	name   string // the same backend however it was asked for (see canonicalBackend), e.g. "xla:cpu"
}

// resolveBackend resolves a Config.Backend value without creating the
// backend: "auto" to what this machine has, an XLA plugin to where it is
// installed (which tells GoMLX whether it may download one), the pure-Go
// backend's options to those it runs with.
func resolveBackend(name string) (resolvedBackend, error) {
	if err := validateBackendName(name); err != nil {
		return resolvedBackend{}, fmt.Errorf("fashion: backend %q is invalid: want %w", name, err)
	}
	config, reason := name, "requested"
	if name == "auto" {
		if env := os.Getenv(backends.ConfigEnvVar); env != "" {
			config, reason = env, "$"+backends.ConfigEnvVar+" is set"
			if err := validateBackendName(config); err != nil || config == "auto" {
				return resolvedBackend{}, fmt.Errorf("fashion: $%s=%q is invalid: want one of go, go:<options>, xla, xla:<plugin>",
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
			return resolvedBackend{}, err
		}
		config = "xla:" + xlaOpts
	}
	return resolvedBackend{config: config, reason: reason, name: canonicalBackend(config)}, nil
}

// canonicalBackend names a resolved configuration as a Config.Backend value
// that is the same for every spelling of the backend ("auto", "xla",
// "xla:cpu" on a machine with only the CPU plugin) and on every machine:
// an XLA plugin by its kind (cpu, cuda), not its path, and without
// shared_buffers (how buffers are shared with the host, not what is
// computed); the pure-Go backend with goConfig's options. Resolved again,
// it gives the same configuration (on the plugin of that kind installed
// here).
func canonicalBackend(config string) string {
	base, opts, _ := strings.Cut(config, ":")
	if base != "xla" {
		return config
	}
	plugin, rest, _ := strings.Cut(opts, ",")
	switch {
	case plugin == "":
		plugin = defaultXLAKind()
	case filepath.IsAbs(plugin):
		plugin = xlaKind(plugin)
	}
	parts := []string{"xla:" + plugin}
	for _, o := range strings.Split(rest, ",") {
		if o != "" && o != "shared_buffers" {
			parts = append(parts, o)
		}
	}
	return strings.Join(parts, ",")
}

// create creates the resolved backend.
func (r resolvedBackend) create(autotuneRoot string) (*Backend, error) {
	b, err := newBackend(r.config, autotuneRoot)
	if err != nil {
		err = fmt.Errorf("fashion: backend %q: %w", r.config, err)
		if opts, ok := strings.CutPrefix(r.config, "xla:"); ok {
			kind, _, _ := strings.Cut(opts, ",")
			err = fmt.Errorf("%w; %s", err, installHint(kind))
		}
		return nil, err
	}
	return &Backend{Backend: b, Config: r.config, Reason: r.reason}, nil
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
