package fashion

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends/xla"
)

// XLA plugins are looked for, never downloaded by "auto", in:
//
//   - $PJRT_PLUGIN_LIBRARY_PATH (':'-separated), as go-xla does;
//   - .xla/lib under the repository root (scripts/xla/install-cpu-plugin.sh
//     puts the PyPI CPU plugin there);
//   - ~/.local/lib/go-xla and /usr/local/lib/go-xla, where GoMLX's installer
//     puts them (the CUDA plugin in their nvidia/ subfolder).
func xlaPluginDirs() []string {
	var dirs []string
	if env := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"); env != "" {
		dirs = append(dirs, filepath.SplitList(env)...)
	}
	if root := RepoRoot(); root != "" {
		dirs = append(dirs, filepath.Join(root, ".xla", "lib"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local", "lib", "go-xla"))
	}
	return append(dirs, "/usr/local/lib/go-xla")
}

// findXLAPlugin returns the path of an installed plugin file for "cpu" or
// "cuda", or "".
func findXLAPlugin(kind string) string {
	for _, dir := range xlaPluginDirs() {
		var patterns []string
		if kind == "cuda" {
			patterns = []string{filepath.Join(dir, "nvidia", "pjrt_c_api_cuda_plugin.so"), filepath.Join(dir, "pjrt_c_api_cuda_plugin.so")}
		} else {
			patterns = []string{filepath.Join(dir, "pjrt_c_api_cpu_plugin.so"), filepath.Join(dir, "pjrt_c_api_cpu_v*_plugin.so")}
		}
		for _, p := range patterns {
			if matches, _ := filepath.Glob(p); len(matches) > 0 {
				return matches[0]
			}
		}
	}
	return ""
}

// hasNVIDIAGPU reports whether the NVIDIA driver exposes a device that this
// process may use: an empty $CUDA_VISIBLE_DEVICES (or -1) hides them all,
// as Ray and schedulers set it for a job given no GPU.
func hasNVIDIAGPU() bool {
	if v, set := os.LookupEnv("CUDA_VISIBLE_DEVICES"); set && !visibleDevices(v) {
		return false
	}
	_, err := os.Stat("/dev/nvidia0")
	return err == nil
}

// visibleDevices reports whether a $CUDA_VISIBLE_DEVICES value names any
// device: CUDA stops at the first invalid entry, so "" and "-1,0" name none.
func visibleDevices(v string) bool {
	first, _, _ := strings.Cut(v, ",")
	first = strings.TrimSpace(first)
	return first != "" && !strings.HasPrefix(first, "-")
}

// xlaFacts are what the choice of an XLA plugin depends on. NewBackend
// reads them from the machine (machineXLAFacts); tests give their own.
type xlaFacts struct {
	cpuPlugin, cudaPlugin string // installed plugin files (findXLAPlugin), "" if none
	gpu                   bool   // an NVIDIA GPU this process may use (hasNVIDIAGPU)
	noAutoInstall         bool   // $GOMLX_NO_AUTO_INSTALL is set
}

func machineXLAFacts() xlaFacts {
	return xlaFacts{cpuPlugin: findXLAPlugin("cpu"), cudaPlugin: findXLAPlugin("cuda"), gpu: hasNVIDIAGPU(),
		noAutoInstall: os.Getenv(xla.NoAutoInstallEnv) != ""}
}

// plugin is the installed plugin file of kind "cpu" or "cuda", or "".
func (f xlaFacts) plugin(kind string) string {
	switch kind {
	case "cpu":
		return f.cpuPlugin
	case "cuda":
		return f.cudaPlugin
	}
	return ""
}

// installed reports the XLA configuration of an installed plugin, CUDA
// (with a GPU present) before CPU, and where it was found; "" if none.
func (f xlaFacts) installed() (config, where string) {
	if f.cudaPlugin != "" && f.gpu {
		return "cuda", f.cudaPlugin
	}
	if f.cpuPlugin != "" {
		return cpuPluginConfig(f.cpuPlugin), f.cpuPlugin
	}
	return "", ""
}

// cpuPluginConfig selects a CPU plugin by its absolute path, which bypasses
// GoMLX's search and installer; shared_buffers restores the zero-copy
// buffers GoMLX enables only for the plugin named "cpu".
func cpuPluginConfig(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path + ",shared_buffers"
}

// resolveXLA turns "xla[:plugin]" options into what GoMLX should be given,
// and whether GoMLX may download the plugin: only when an explicit request
// finds none installed and $GOMLX_NO_AUTO_INSTALL is unset.
//
// A bare "xla" names its plugin: CUDA when one is installed and a GPU is
// visible, else CPU. Left empty, GoMLX would load its first plugin, CUDA,
// under a name (xlaKind "cpu") that skipped the CUDA set-up: the client
// preallocating 75% of the card, no XLA flags, 4 steps per call.
func resolveXLA(opts string, facts xlaFacts) (resolved string, autoInstall bool, err error) {
	plugin, rest, hasRest := strings.Cut(opts, ",")
	if filepath.IsAbs(plugin) {
		if _, err := os.Stat(plugin); err != nil {
			return "", false, fmt.Errorf("fashion: XLA plugin %s: %w", plugin, err)
		}
		return opts, false, nil
	}
	kind := plugin
	if kind == "" {
		kind = "cpu"
		if facts.gpu && facts.cudaPlugin != "" {
			kind = "cuda"
		}
	}
	named := kind
	if hasRest {
		named += "," + rest
	}
	path := facts.plugin(kind)
	switch {
	case path != "" && kind == "cpu":
		return cpuPluginConfig(path), false, nil
	case path != "":
		return named, false, nil
	case facts.noAutoInstall:
		return "", false, fmt.Errorf("fashion: no PJRT %s plugin installed (looked in %s) and $%s is set; %s",
			kind, strings.Join(xlaPluginDirs(), ", "), xla.NoAutoInstallEnv, installHint(kind))
	}
	// An explicit request with nothing installed: GoMLX's installer may
	// download the plugin (from GitHub for the CPU one, PyPI for CUDA).
	return named, true, nil
}

// defaultXLAKind is the plugin kind that "xla" without a plugin means:
// CUDA where a GPU and its plugin are, else the CPU.
func defaultXLAKind() string {
	if hasNVIDIAGPU() && findXLAPlugin("cuda") != "" {
		return "cuda"
	}
	return "cpu"
}

func installHint(kind string) string {
	if kind == "cuda" {
		return "see README.md, With CUDA"
	}
	return "install the PyPI one with scripts/xla/install-cpu-plugin.sh"
}

// xlaKind is "cuda" or "cpu" for an XLA backend's options (a plugin name
// or path, then options).
func xlaKind(opts string) string {
	plugin, _, _ := strings.Cut(opts, ",")
	name := strings.ToLower(filepath.Base(plugin))
	if strings.Contains(name, "cuda") || strings.Contains(name, "nvidia") {
		return "cuda"
	}
	return "cpu"
}

// MemoryFractionEnv names the environment variable that makes each CUDA
// client take a fixed fraction of the card's memory up front, e.g. 0.2 for
// up to five processes on one card. Unset, the client grows its memory as
// it needs it (see xlaClientOptions).
const MemoryFractionEnv = "FASHION_XLA_MEMORY_FRACTION"

// xlaClientOptions are the PJRT client options for a plugin kind. XLA's GPU
// client preallocates 75% of the card for each process by default
// (xla/pjrt/c/pjrt_c_api_gpu_internal.cc reads "preallocate",
// "memory_fraction" and "allocator"), so a second training on the card —
// another notebook, a parallel sweep trial — failed with out-of-memory
// (docs/gpu.md). Without preallocation several processes share the card.
// The CPU plugin rejects these options ("Unexpected option name"), so it
// gets none.
func xlaClientOptions(kind, memoryFraction string) (pjrt.NamedValuesMap, error) {
	if kind != "cuda" {
		return nil, nil
	}
	if memoryFraction == "" {
		return pjrt.NamedValuesMap{"preallocate": false}, nil
	}
	f, err := strconv.ParseFloat(memoryFraction, 32)
	if err != nil || !(f > 0 && f <= 1) {
		return nil, fmt.Errorf("fashion: $%s=%q is invalid: want the fraction of the GPU's memory each process preallocates, in (0, 1], e.g. 0.25",
			MemoryFractionEnv, memoryFraction)
	}
	return pjrt.NamedValuesMap{"preallocate": true, "memory_fraction": float32(f)}, nil
}

// autotuneDirName is the folder of the run cache that holds XLA's CUDA
// autotuning results, one subfolder per plugin build.
const autotuneDirName = ".xla-autotune"

// executablesDirName is the folder of the run cache that holds compiled XLA
// executables, one subfolder per plugin build (withExecutableCache).
const executablesDirName = ".xla-executables"

// executableCacheOption is pjrt.ExecutableCacheDirOption of the patched
// go-xla in third_party/go-xla (PATCH.md), spelled out so that this package
// also builds with upstream go-xla: go.mod's replace applies only when this
// module is the main one, and a GoNB notebook's module requires it instead.
const executableCacheOption = "go_xla_executable_cache_dir"

// goXLACachesExecutables reports whether the go-xla linked in is the
// patched one. Upstream's passes every client option to the plugin, and the
// CPU plugin rejects unknown ones, so the cache option must not reach it.
func goXLACachesExecutables() bool {
	_, ok := reflect.TypeFor[*pjrt.LoadedExecutable]().MethodByName("FromCache")
	return ok
}

// withExecutableCache adds to a client's options the folder where go-xla
// keeps the executables it compiles (third_party/go-xla/PATCH.md), beside
// the autotune cache under the run cache: GoNB runs each notebook cell as
// a new process, which otherwise compiles every graph again (most of the
// first epoch; docs/performance.md). An empty autotuneRoot, or an upstream
// go-xla, leaves the client without one. The subfolder per plugin build
// only eases removing old builds' files: go-xla's key already includes the
// plugin build, the devices, the host CPU and $XLA_FLAGS.
func withExecutableCache(options pjrt.NamedValuesMap, opts, autotuneRoot string) pjrt.NamedValuesMap {
	if autotuneRoot == "" || !goXLACachesExecutables() {
		return options
	}
	dir := filepath.Join(filepath.Dir(autotuneRoot), executablesDirName)
	plugin, _, _ := strings.Cut(opts, ",")
	if !filepath.IsAbs(plugin) {
		plugin = findXLAPlugin(xlaKind(opts)) // what GoMLX will load by name
	}
	if plugin != "" {
		dir = filepath.Join(dir, pluginBuild(plugin))
	}
	out := pjrt.NamedValuesMap{executableCacheOption: dir}
	for k, v := range options {
		out[k] = v
	}
	return out
}

// The XLA flags the package may add. An unknown flag aborts the process,
// so only flags the supported plugin (jax-cuda13-pjrt 0.11.2) has are used.
// --xla_gpu_kernel_cache_file is deliberately absent: with it a second
// process died with CUDA_ERROR_ILLEGAL_INSTRUCTION (docs/gpu.md).
const (
	cudaDataDirFlag  = "--xla_gpu_cuda_data_dir"
	autotuneDirFlag  = "--xla_gpu_per_fusion_autotune_cache_dir"
	xlaFlagsVariable = "XLA_FLAGS"
)

// cudaXLAFlags returns $XLA_FLAGS (existing) with what a CUDA run needs
// added, never overriding a flag the user set:
//   - the CUDA data dir: go-xla v0.1.4 points XLA at its author's home
//     directory (pjrt/cuda_linux.go) unless XLA_FLAGS names one;
//   - the per-fusion autotune cache, so that a new process (each notebook
//     cell is one) does not autotune again what an earlier one did, which
//     took more than half of a 1-epoch run's first epoch on an H200
//     (docs/performance.md).
func cudaXLAFlags(existing, dataDir, autotuneDir string) string {
	flags := strings.Fields(existing)
	has := func(name string) bool {
		for _, f := range flags {
			if f == name || strings.HasPrefix(f, name+"=") {
				return true
			}
		}
		return false
	}
	if dataDir != "" && !has(cudaDataDirFlag) {
		flags = append(flags, cudaDataDirFlag+"="+dataDir)
	}
	if autotuneDir != "" && !has(autotuneDirFlag) {
		flags = append(flags, autotuneDirFlag+"="+autotuneDir)
	}
	return strings.Join(flags, " ")
}

// setCUDAFlags sets XLA_FLAGS for the CUDA plugin of opts (a path, then
// options) before it loads; the plugin reads them once per process. The
// autotune cache is keyed by the plugin's build (pluginBuild): results of
// one XLA version are not trusted by another. A cache folder that cannot be
// created is left out rather than failing the run.
func setCUDAFlags(opts, autotuneRoot string) {
	plugin, _, _ := strings.Cut(opts, ",")
	if !filepath.IsAbs(plugin) {
		plugin = findXLAPlugin("cuda") // what GoMLX will load by name
	}
	dataDir, autotuneDir := "", ""
	if plugin != "" {
		dataDir = filepath.Dir(plugin)
		if autotuneRoot != "" {
			autotuneDir = filepath.Join(autotuneRoot, pluginBuild(plugin))
			if err := os.MkdirAll(autotuneDir, 0o755); err != nil {
				autotuneDir = ""
			}
		}
	}
	flags := cudaXLAFlags(os.Getenv(xlaFlagsVariable), dataDir, autotuneDir)
	os.Setenv(xlaFlagsVariable, flags)
	if tmp := xlaTempDir(flagValue(flags, autotuneDirFlag), os.Getenv); tmp != "" {
		os.Setenv(xlaTempDirVariable, tmp)
	}
}

// xlaTempDirVariable moves the folder of XLA's temporary files. An XLA
// that writes an autotune result to a temporary file and renames it into
// the cache folder (AddResultToFileBasedCacheIfEnabled,
// xla/service/gpu/autotuning/autotuner_util.cc) took that file from tsl's
// io::GetTempFilename (tsl/platform/path.cc): in the first existing folder
// among $TEST_TMPDIR, $TMPDIR, $TMP and /tmp. The rename fails across
// filesystems, as from a container's /tmp to a bind-mounted data/runs.
// Later XLA writes into <cache>/tmp itself, where this changes nothing.
// TEST_TMPDIR is read first, so it wins over a $TMPDIR set for other
// programs, and Go's os.TempDir does not read it; tsl's
// Env::GetLocalTempDirectories reads it first too, so XLA's other
// temporary files go there as well.
const xlaTempDirVariable = "TEST_TMPDIR"

// xlaTempDir returns the folder, created, that $TEST_TMPDIR should name
// so that XLA's temporary autotune files are on the filesystem of the
// cache folder cacheDir: <cacheDir>/tmp. It returns "" to leave things as
// they are: no cache, a $TEST_TMPDIR the user set, the folder XLA would
// take already on the cache's filesystem, or a folder that cannot be
// created. getenv reads the environment.
func xlaTempDir(cacheDir string, getenv func(string) string) string {
	if cacheDir == "" || getenv(xlaTempDirVariable) != "" {
		return ""
	}
	if tmp := tslTempDir(getenv); tmp != "" && sameDevice(tmp, cacheDir) {
		return ""
	}
	dir := filepath.Join(cacheDir, "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	return dir
}

// tslTempDir is the folder tsl's GetTempFilename takes when $TEST_TMPDIR
// is unset: the first existing one of $TMPDIR, $TMP and /tmp.
func tslTempDir(getenv func(string) string) string {
	for _, dir := range []string{getenv("TMPDIR"), getenv("TMP"), "/tmp"} {
		if info, err := os.Stat(dir); dir != "" && err == nil && info.IsDir() {
			return dir
		}
	}
	return ""
}

// sameDevice reports whether two existing paths are on one filesystem
// (st_dev), where a rename between them works.
func sameDevice(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return false
	}
	sa, okA := ia.Sys().(*syscall.Stat_t)
	sb, okB := ib.Sys().(*syscall.Stat_t)
	return okA && okB && sa.Dev == sb.Dev
}

// flagValue is the value of the last --name=value in an XLA_FLAGS string,
// or "".
func flagValue(flags, name string) string {
	value := ""
	for _, f := range strings.Fields(flags) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			value = v
		}
	}
	return value
}

// pluginBuild names a plugin file's build: a hash of its resolved path,
// size and modification time. PJRT reports only its C API version, which
// many XLA releases share, so the file itself identifies the build.
func pluginBuild(path string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", real)
	if info, err := os.Stat(real); err == nil {
		fmt.Fprintf(h, "%d %d\n", info.Size(), info.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
