package fashion

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// hasNVIDIAGPU reports whether the NVIDIA driver exposes a device.
func hasNVIDIAGPU() bool {
	_, err := os.Stat("/dev/nvidia0")
	return err == nil
}

// installedXLAPlugin reports the XLA configuration of an installed plugin,
// CUDA (with a GPU present) before CPU, and where it was found; "" if none.
func installedXLAPlugin() (config, where string) {
	if p := findXLAPlugin("cuda"); p != "" && hasNVIDIAGPU() {
		return "cuda", p
	}
	if p := findXLAPlugin("cpu"); p != "" {
		return cpuPluginConfig(p), p
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
// and prepares the process for it. It never lets GoMLX download a plugin
// unless an explicit request finds none installed and $GOMLX_NO_AUTO_INSTALL
// is unset.
func resolveXLA(opts string) (string, error) {
	plugin, _, _ := strings.Cut(opts, ",")
	if filepath.IsAbs(plugin) {
		xla.EnableAutoInstall(false)
		if _, err := os.Stat(plugin); err != nil {
			return "", fmt.Errorf("fashion: XLA plugin %s: %w", plugin, err)
		}
		return opts, nil
	}
	kind := plugin
	if kind == "" {
		kind = "cpu"
		if hasNVIDIAGPU() && findXLAPlugin("cuda") != "" {
			kind = "cuda"
		}
	}
	path := findXLAPlugin(kind)
	switch {
	case path != "" && kind == "cpu":
		xla.EnableAutoInstall(false)
		return cpuPluginConfig(path), nil
	case path != "":
		xla.EnableAutoInstall(false)
		if kind == "cuda" && os.Getenv("XLA_FLAGS") == "" {
			// go-xla v0.1.4 points XLA at its author's home directory
			// (cuda_linux.go) unless XLA_FLAGS already names the CUDA data dir.
			os.Setenv("XLA_FLAGS", "--xla_gpu_cuda_data_dir="+filepath.Dir(path))
		}
		return opts, nil
	case os.Getenv(xla.NoAutoInstallEnv) != "":
		return "", fmt.Errorf("fashion: no PJRT %s plugin installed (looked in %s) and $%s is set; %s",
			kind, strings.Join(xlaPluginDirs(), ", "), xla.NoAutoInstallEnv, installHint(kind))
	}
	// An explicit request with nothing installed: GoMLX's installer may
	// download the plugin (from GitHub for the CPU one, PyPI for CUDA).
	xla.EnableAutoInstall(true)
	return opts, nil
}

func installHint(kind string) string {
	if kind == "cuda" {
		return "see README.md, With CUDA"
	}
	return "install the PyPI one with scripts/xla/install-cpu-plugin.sh"
}
