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
	Reason string // one line on why this backend runs, and its plugin and options; no paths
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
	config      string // what GoMLX is given, e.g. "xla:/…/pjrt_c_api_cpu_plugin.so,shared_buffers"
	reason      string // why this backend
	name        string // the same backend however it was asked for (see canonicalBackend), e.g. "xla:cpu"
	autoInstall bool   // whether GoMLX may download a missing XLA plugin
}

// resolveBackend resolves a Config.Backend value without creating the
// backend (see chooseBackend), on this machine's plugins and GPU.
func resolveBackend(name string) (resolvedBackend, error) {
	config, reason, autoInstall, err := chooseBackend(name, os.Getenv(backends.ConfigEnvVar), machineXLAFacts())
	if err != nil {
		return resolvedBackend{}, err
	}
	return resolvedBackend{config: config, reason: reason, name: canonicalBackend(config), autoInstall: autoInstall}, nil
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
	if strings.HasPrefix(r.config, "xla:") {
		xla.EnableAutoInstall(r.autoInstall)
	}
	b, err := newBackend(r.config, autotuneRoot)
	if err != nil {
		err = fmt.Errorf("fashion: backend %q: %w", r.config, err)
		if opts, ok := strings.CutPrefix(r.config, "xla:"); ok {
			kind, _, _ := strings.Cut(opts, ",")
			err = fmt.Errorf("%w; %s", err, installHint(kind))
		}
		return nil, err
	}
	reason := r.reason
	if detail := backendDetail(r.config); detail != "" {
		reason += " (" + detail + ")"
	}
	return &Backend{Backend: b, Config: r.config, Reason: reason}, nil
}

// chooseBackend turns a Config.Backend value into the configuration given
// to GoMLX and why, from $GOMLX_BACKEND (env) and the installed XLA plugins
// (facts); autoInstall says whether GoMLX may download a missing XLA plugin.
// An XLA configuration always names its plugin, so that newBackend gives a
// CUDA one its set-up whichever spelling chose it.
func chooseBackend(name, env string, facts xlaFacts) (config, reason string, autoInstall bool, err error) {
	if err := validateBackendName(name); err != nil {
		return "", "", false, fmt.Errorf("fashion: backend %q is invalid: want %w", name, err)
	}
	config, reason = name, "requested"
	if name == "auto" {
		if env != "" {
			config, reason = env, "$"+backends.ConfigEnvVar+" is set"
			if err := validateBackendName(config); err != nil || config == "auto" {
				return "", "", false, fmt.Errorf("fashion: $%s=%q is invalid: want one of go, go:<options>, xla, xla:<plugin>",
					backends.ConfigEnvVar, env)
			}
		} else if plugin, _ := facts.installed(); plugin != "" {
			config, reason = "xla:"+plugin, "a PJRT plugin is installed"
		} else {
			config, reason = simplego.BackendName, "no PJRT plugin installed; pure-Go backend"
		}
	}
	base, opts, _ := strings.Cut(config, ":")
	switch base {
	case simplego.BackendName:
		config = goConfig(opts)
	case "xla":
		xlaOpts, install, err := resolveXLA(opts, facts)
		if err != nil {
			return "", "", false, err
		}
		config, autoInstall = "xla:"+xlaOpts, install
	}
	return config, reason, autoInstall, nil
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
	return fmt.Sprintf("backend %s: %s", BackendName(b.Config), b.Reason)
}

// BackendName is the backend of a GoMLX configuration as a user names it
// (Config.Backend), and as runs record and show it: "go", "xla:cpu",
// "xla:cuda", or "xla:<plugin>" for another plugin named by name. A
// plugin given by path is named by its kind, so no file path is shown;
// the options are left out (backendDetail has them).
func BackendName(config string) string {
	base, opts, _ := strings.Cut(config, ":")
	if base != "xla" || opts == "" {
		return base
	}
	plugin, _, _ := strings.Cut(opts, ",")
	if strings.ContainsAny(plugin, `/\`) {
		return "xla:" + xlaKind(opts)
	}
	return "xla:" + plugin
}

// backendDetail is what BackendName leaves out of a configuration, for
// Backend.Reason: the plugin's file name (not its folder) and the options,
// e.g. "plugin pjrt_c_api_cpu_plugin.so, shared_buffers".
func backendDetail(config string) string {
	base, opts, _ := strings.Cut(config, ":")
	if base != "xla" {
		if opts == "" {
			return ""
		}
		return "options " + opts
	}
	plugin, rest, _ := strings.Cut(opts, ",")
	var parts []string
	if strings.ContainsAny(plugin, `/\`) {
		parts = append(parts, "plugin "+filepath.Base(plugin))
	}
	if rest != "" {
		parts = append(parts, rest)
	}
	return strings.Join(parts, ", ")
}
