package fashion

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The executable cache (third_party/go-xla/PATCH.md) is tested with real
// processes, as GoNB runs notebook cells: each child (xlaCacheChild) creates
// a client on the cache folder, compiles or loads a small program, runs it
// and prints whether it came from the cache.

const (
	xlaCacheChildEnv  = "FASHION_TEST_XLA_CACHE_CHILD"  // the cache folder
	xlaCachePluginEnv = "FASHION_TEST_XLA_CACHE_PLUGIN" // the plugin file
)

// xlaCacheProgram is f(x) = x*x + 1 in StableHLO.
const xlaCacheProgram = `module @m {
  func.func @main(%arg0: tensor<f32>) -> tensor<f32> {
    %0 = stablehlo.multiply %arg0, %arg0 : tensor<f32>
    %c = stablehlo.constant dense<1.0> : tensor<f32>
    %1 = stablehlo.add %0, %c : tensor<f32>
    return %1 : tensor<f32>
  }
}`

// TestXLACacheChild is the child process; it does nothing in a normal run.
func TestXLACacheChild(t *testing.T) {
	dir := os.Getenv(xlaCacheChildEnv)
	if dir == "" {
		t.Skip("child process of TestExecutableCache*")
	}
	if err := xlaCacheChild(dir, os.Getenv(xlaCachePluginEnv)); err != nil {
		t.Fatal(err)
	}
}

func xlaCacheChild(dir, pluginPath string) error {
	plugin, err := pjrt.GetPlugin(pluginPath)
	if err != nil {
		return err
	}
	client, err := plugin.NewClient(pjrt.NamedValuesMap{pjrt.ExecutableCacheDirOption: dir})
	if err != nil {
		return err
	}
	exec, err := client.Compile().WithStableHLO([]byte(xlaCacheProgram)).Done()
	if err != nil {
		return err
	}
	in, err := pjrt.ScalarToBufferOnDeviceNum(client, 0, float32(3))
	if err != nil {
		return err
	}
	out, err := exec.Execute(in).OnDeviceByNum(0).Done()
	if err != nil {
		return err
	}
	got, err := pjrt.BufferToScalar[float32](out[0])
	if err != nil {
		return err
	}
	if got != 10 {
		return fmt.Errorf("f(3) = %g, want 10", got)
	}
	fmt.Printf("fromCache=%v\n", exec.FromCache())
	return nil
}

// childResult is what a child process reported.
type childResult struct {
	fromCache bool
	stderr    string
}

// runXLACacheChild runs a child on dir with the plugin and fails the test
// unless it ran the program right.
func runXLACacheChild(t *testing.T, dir, plugin string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestXLACacheChild$", "-test.v")
	cmd.Env = append(os.Environ(), xlaCacheChildEnv+"="+dir, xlaCachePluginEnv+"="+plugin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child process: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	switch {
	case strings.Contains(stdout.String(), "fromCache=true"):
		return childResult{true, stderr.String()}
	case strings.Contains(stdout.String(), "fromCache=false"):
		return childResult{false, stderr.String()}
	}
	t.Fatalf("child process reported nothing:\n%s", stdout.String())
	return childResult{}
}

func xlaCachePluginOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts XLA processes: not in -short")
	}
	plugin := findXLAPlugin("cpu")
	if plugin == "" {
		t.Skip("no XLA CPU plugin installed (scripts/xla/install-cpu-plugin.sh)")
	}
	abs, err := filepath.Abs(plugin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// onlyCacheFile returns the path of the folder's single entry, an
// executable.
func onlyCacheFile(t *testing.T, dir string) string {
	t.Helper()
	names := dirNames(t, dir) // data_test.go
	if len(names) != 1 || !strings.HasSuffix(names[0], ".pjrt") {
		t.Fatalf("cache folder holds %q, want one .pjrt file", names)
	}
	return filepath.Join(dir, names[0])
}

// TestExecutableCacheConcurrentProcesses: two processes compiling the same
// program at once into an empty folder both succeed and leave one whole
// file, which a third process loads instead of compiling.
func TestExecutableCacheConcurrentProcesses(t *testing.T) {
	plugin := xlaCachePluginOrSkip(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	results := make([]childResult, 2)
	for i := range results {
		wg.Go(func() { results[i] = runXLACacheChild(t, dir, plugin) })
	}
	wg.Wait()
	onlyCacheFile(t, dir)
	if r := runXLACacheChild(t, dir, plugin); !r.fromCache {
		t.Errorf("a process after the two compiled again instead of loading their executable")
	}
}

// TestExecutableCacheDamagedFiles: a damaged file is detected before the
// plugin sees it; the program is compiled (not loaded), and the file
// replaced by a whole one that the next process loads.
func TestExecutableCacheDamagedFiles(t *testing.T) {
	plugin := xlaCachePluginOrSkip(t)
	dir := t.TempDir()
	if r := runXLACacheChild(t, dir, plugin); r.fromCache {
		t.Fatal("first process in an empty folder loaded from the cache")
	}
	if r := runXLACacheChild(t, dir, plugin); !r.fromCache {
		t.Fatal("second process compiled again: the cache did not keep the executable")
	}
	path := onlyCacheFile(t, dir)
	valid, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const header = 8 + 4 + 8 + 32 + 32 // magic, version, length, key, payload sha256
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	for _, tc := range []struct {
		name   string
		damage func(valid []byte) []byte
	}{
		{"truncated", func(v []byte) []byte { return v[:len(v)/2] }},
		{"shorter than the header", func(v []byte) []byte { return v[:header-1] }},
		{"empty", func([]byte) []byte { return nil }},
		{"random bytes", func(v []byte) []byte { return random(len(v)) }},
		{"valid header, other payload", func(v []byte) []byte {
			return append(bytes.Clone(v[:header]), random(len(v)-header)...)
		}},
		{"valid header, one payload byte flipped", func(v []byte) []byte {
			d := bytes.Clone(v)
			d[header+len(d[header:])/2] ^= 0xff
			return d
		}},
		{"another key", func(v []byte) []byte {
			d := bytes.Clone(v)
			d[8+4+8] ^= 0xff
			return d
		}},
		{"another format version", func(v []byte) []byte {
			d := bytes.Clone(v)
			d[8]++
			return d
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			damaged := tc.damage(valid)
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			if r := runXLACacheChild(t, dir, plugin); r.fromCache {
				t.Fatal("the damaged file was loaded")
			}
			got, err := os.ReadFile(onlyCacheFile(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(got, damaged) {
				t.Fatal("the damaged file was left in place")
			}
			if r := runXLACacheChild(t, dir, plugin); !r.fromCache {
				t.Fatal("the file that replaced the damaged one was not loaded")
			}
		})
	}
}

// noSerializationPlugin wraps the CPU plugin with the two serialization
// entries of its API table set to NULL, as a plugin that lacks them.
const noSerializationPlugin = `#include <dlfcn.h>
#include <stdlib.h>
#include "pjrt_c_api.h"

static PJRT_Api api;

const PJRT_Api* GetPjrtApi(void) {
	void *h = dlopen(getenv("` + xlaCachePluginEnv + `_REAL"), RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) return NULL;
	const PJRT_Api* (*get)(void) = (const PJRT_Api* (*)(void))dlsym(h, "GetPjrtApi");
	if (get == NULL) return NULL;
	api = *get();
	api.PJRT_Executable_Serialize = NULL;
	api.PJRT_Executable_DeserializeAndLoad = NULL;
	return &api;
}
`

// TestExecutableCacheWithoutSerialization: with a plugin that cannot
// serialize executables, every process compiles, nothing is stored, and the
// cache says so once at most.
func TestExecutableCacheWithoutSerialization(t *testing.T) {
	real := xlaCachePluginOrSkip(t)
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler to build the plugin without serialization")
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "wrapper.c")
	if err := os.WriteFile(src, []byte(noSerializationPlugin), 0o644); err != nil {
		t.Fatal(err)
	}
	plugin := filepath.Join(tmp, "pjrt_c_api_cpu_plugin.so")
	build := exec.Command(cc, "-shared", "-fPIC", "-I", filepath.Join("..", "third_party", "go-xla", "pkg", "pjrt"),
		"-o", plugin, src, "-ldl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the wrapper plugin: %v\n%s", err, out)
	}
	t.Setenv(xlaCachePluginEnv+"_REAL", real)
	dir := filepath.Join(tmp, "cache")
	for range 2 {
		r := runXLACacheChild(t, dir, plugin)
		if r.fromCache {
			t.Fatal("loaded from the cache with a plugin that cannot deserialize")
		}
		if n := strings.Count(r.stderr, "not storing compiled executables"); n > 1 {
			t.Errorf("the warning was logged %d times, want at most once:\n%s", n, r.stderr)
		}
	}
	if names, err := os.ReadDir(dir); err == nil && len(names) > 0 {
		t.Errorf("cache folder holds %d entries, want none", len(names))
	}
}

// TestExecutableCacheWiring: a backend made for a run cache keeps its
// executables in <runs>/.xla-executables/<plugin build>/.
func TestExecutableCacheWiring(t *testing.T) {
	plugin := xlaCachePluginOrSkip(t)
	if !goXLACachesExecutables() {
		t.Fatal("the go-xla linked in is not third_party/go-xla (go.mod's replace)")
	}
	if executableCacheOption != pjrt.ExecutableCacheDirOption {
		t.Fatalf("executableCacheOption = %q, go-xla's is %q", executableCacheOption, pjrt.ExecutableCacheDirOption)
	}
	runs := t.TempDir()
	b, err := newBackendIn("xla:"+plugin, filepath.Join(runs, autotuneDirName))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.AddScalar(x, 1) }, float32(2))
	if got.Value().(float32) != 3 {
		t.Fatalf("x+1 at 2 = %v", got.Value())
	}
	onlyCacheFile(t, filepath.Join(runs, executablesDirName, pluginBuild(plugin)))
}
