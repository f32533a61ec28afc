//go:build linux && amd64

// Command cudainstall installs the XLA PJRT CUDA plugin for GoMLX where
// GoMLX looks for it: <dir>/nvidia/pjrt_c_api_cuda_plugin.so, with the NVIDIA
// libraries it needs beside it in <dir>/nvidia/ (dir defaults to
// ~/.local/lib/go-xla).
//
// It uses the installer of go-xla at the version go.mod pins (v0.1.4), which
// takes the plugin from PyPI's jax-cuda13-pjrt (or jax-cuda12-pjrt) wheel and
// the NVIDIA libraries from the nvidia-* wheels that jax-cuda13-plugin
// depends on. Unlike GoMLX's auto-install (which takes "latest"), the plugin
// version is pinned by -version. No GPU is needed to install.
//
//	go run ./scripts/cudainstall                  # install unless already installed (idempotent)
//	go run ./scripts/cudainstall -check           # exit 0 if installed, 1 if not; no network
//	go run ./scripts/cudainstall -from SITE       # offline: link a pip-installed jax-cuda13-pjrt
//
// -from SITE lays out symbolic links to a Python site-packages directory that
// already holds jax_plugins/xla_cuda13/xla_cuda_plugin.so and nvidia/ (from
// `pip install jax-cuda13-pjrt jax-cuda13-plugin[with-cuda]`): the plugin's
// RPATH ($ORIGIN/../nvidia/cu13/lib, .../cudnn/lib, .../nccl/lib) then finds
// the libraries through the links.
//
// After installing, set before the Go program starts:
//
//	export GOMLX_NO_AUTO_INSTALL=1
//	export XLA_FLAGS=--xla_gpu_cuda_data_dir=$HOME/.local/lib/go-xla/nvidia
//
// (go-xla v0.1.4 otherwise points XLA at its author's home directory.)
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/go-xla/pkg/installer"
)

// DefaultVersion is the jax-cuda13-pjrt version installed by default: the one
// whose XLA the CPU plugin (lammps-jax-pjrt-cpu 0.11.2) was built from.
const DefaultVersion = "0.11.2"

// markerName records, inside nvidia/, what was installed there.
const markerName = ".cudainstall"

func main() {
	var (
		plugin  = flag.String("plugin", "cuda13", `"cuda13" (jax-cuda13-pjrt) or "cuda12" (jax-cuda12-pjrt)`)
		version = flag.String("version", DefaultVersion, `version of the jax-<plugin>-pjrt wheel, or "latest"`)
		dir     = flag.String("dir", "", "go-xla directory (default ~/.local/lib/go-xla)")
		from    = flag.String("from", "", "offline: Python site-packages holding jax_plugins/xla_<plugin>/ and nvidia/ to link instead of downloading")
		cache   = flag.Bool("cache", true, "keep the downloaded wheels in ~/.cache/go-xla (set -cache=false in images)")
		force   = flag.Bool("force", false, "reinstall even if installed")
		check   = flag.Bool("check", false, "only report whether a plugin is installed (exit 1 if not); no network")
		verbose = flag.Bool("v", false, "verbose installer output")
	)
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./scripts/cudainstall [flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fail(2, fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if *plugin != "cuda13" && *plugin != "cuda12" {
		fail(2, fmt.Errorf("-plugin %q: want cuda13 or cuda12", *plugin))
	}
	goxla := *dir
	if goxla == "" {
		lib, err := installer.DefaultHomeLibPath()
		if err != nil {
			fail(1, err)
		}
		goxla = filepath.Join(lib, "go-xla")
	}
	goxla, err := filepath.Abs(goxla)
	if err != nil {
		fail(1, err)
	}
	nvidia := filepath.Join(goxla, "nvidia")
	pluginPath := filepath.Join(nvidia, "pjrt_c_api_cuda_plugin.so")

	want := *plugin + " " + *version
	if *from != "" {
		want = *plugin + " from " + *from
	}
	have, installed := installedMarker(nvidia, pluginPath)
	if *check {
		if !installed {
			fmt.Printf("not installed: %s missing\n", pluginPath)
			os.Exit(1)
		}
		fmt.Printf("installed: %s (%s)\n", pluginPath, have)
		return
	}
	if installed && !*force && (have == want || (*version == "latest" && *from == "")) {
		fmt.Printf("already installed: %s (%s)\n", pluginPath, have)
		printEnv(nvidia)
		return
	}

	if *from != "" {
		err = linkFromPython(*plugin, *from, goxla)
	} else {
		verbosity := installer.Normal
		if *verbose {
			verbosity = installer.Verbose
		}
		err = installer.CudaInstall(*plugin, *version, goxla, *cache, verbosity)
	}
	if err != nil {
		fail(1, err)
	}
	if _, err := os.Stat(pluginPath); err != nil {
		fail(1, fmt.Errorf("installer finished but %s is missing: %w", pluginPath, err))
	}
	if err := linkNVVM(nvidia); err != nil {
		fail(1, err)
	}
	if err := os.WriteFile(filepath.Join(nvidia, markerName), []byte(want+"\n"), 0o644); err != nil {
		fail(1, err)
	}
	fmt.Printf("installed: %s (%s)\n", pluginPath, want)
	printEnv(nvidia)
}

// installedMarker reports whether the plugin file exists and what the marker
// says was installed ("unknown" when GoMLX's own auto-install put it there).
func installedMarker(nvidia, pluginPath string) (string, bool) {
	if _, err := os.Stat(pluginPath); err != nil {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(nvidia, markerName))
	if err != nil {
		return "unknown version", true
	}
	return strings.TrimSpace(string(b)), true
}

// linkFromPython lays out goxla/nvidia/ as go-xla's installer does, with
// symbolic links into a site-packages directory instead of copies.
func linkFromPython(plugin, site, goxla string) error {
	site, err := filepath.Abs(site)
	if err != nil {
		return err
	}
	so := filepath.Join(site, "jax_plugins", "xla_"+plugin, "xla_cuda_plugin.so")
	if _, err := os.Stat(so); err != nil {
		return fmt.Errorf("-from %s: no jax-%s-pjrt there: %w", site, plugin, err)
	}
	libs := filepath.Join(site, "nvidia")
	entries, err := os.ReadDir(libs)
	if err != nil {
		return fmt.Errorf("-from %s: no NVIDIA libraries (pip's nvidia-* wheels) there: %w", site, err)
	}
	nvidia := filepath.Join(goxla, "nvidia")
	if err := os.RemoveAll(nvidia); err != nil {
		return err
	}
	if err := os.MkdirAll(nvidia, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "__") {
			continue
		}
		if err := os.Symlink(filepath.Join(libs, e.Name()), filepath.Join(nvidia, e.Name())); err != nil {
			return err
		}
	}
	// The same links as go-xla's installer makes: nvidia/bin/ptxas, and for
	// cuda13 libcublas{,Lt}.so.13 in the lib directory above go-xla.
	sub := "cu13"
	if plugin == "cuda12" {
		sub = "cuda_nvcc"
	}
	if _, err := os.Stat(filepath.Join(nvidia, sub, "bin", "ptxas")); err == nil {
		if err := os.MkdirAll(filepath.Join(nvidia, "bin"), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(filepath.Join("..", sub, "bin", "ptxas"), filepath.Join(nvidia, "bin", "ptxas")); err != nil {
			return err
		}
	}
	if plugin == "cuda13" {
		lib := filepath.Dir(goxla)
		for _, name := range []string{"libcublasLt.so.13", "libcublas.so.13"} {
			dst := filepath.Join(lib, name)
			if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
				return err
			}
			if err := os.Symlink(filepath.Join(".", filepath.Base(goxla), "nvidia", "cu13", "lib", name), dst); err != nil {
				return err
			}
		}
	}
	// Linked last: it marks a complete layout.
	return os.Symlink(so, filepath.Join(nvidia, "pjrt_c_api_cuda_plugin.so"))
}

// linkNVVM makes nvidia/ a complete CUDA data directory for XLA
// (--xla_gpu_cuda_data_dir wants bin/ptxas and nvvm/libdevice in it): the
// CUDA 13 wheels put libdevice under nvidia/cu13/nvvm, so nvidia/nvvm links
// there. Nothing is changed when nvidia/nvvm exists or cu13/nvvm does not.
func linkNVVM(nvidia string) error {
	if _, err := os.Lstat(filepath.Join(nvidia, "nvvm")); err == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(nvidia, "cu13", "nvvm", "libdevice")); err != nil {
		return nil
	}
	return os.Symlink(filepath.Join("cu13", "nvvm"), filepath.Join(nvidia, "nvvm"))
}

func printEnv(nvidia string) {
	fmt.Println("set before the Go program starts:")
	fmt.Println("  export GOMLX_NO_AUTO_INSTALL=1")
	fmt.Printf("  export XLA_FLAGS=--xla_gpu_cuda_data_dir=%s\n", nvidia)
}

func fail(code int, err error) {
	var usage string
	if code == 2 {
		usage = " (see -h)"
	}
	fmt.Fprintf(os.Stderr, "cudainstall: %v%s\n", err, usage)
	if errors.Is(err, os.ErrPermission) {
		fmt.Fprintln(os.Stderr, "cudainstall: choose a writable directory with -dir")
	}
	os.Exit(code)
}
