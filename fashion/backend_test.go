package fashion

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/pkg/pjrt"
)

// withoutXLAPlugins hides every place an XLA plugin could be found.
func withoutXLAPlugins(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOMLX_BACKEND", "")
	os.Unsetenv("GOMLX_BACKEND")
	t.Chdir(t.TempDir()) // outside the repository: no .xla/lib
	if _, err := os.Stat("/usr/local/lib/go-xla"); err == nil {
		t.Skip("/usr/local/lib/go-xla exists on this machine")
	}
}

func TestXLAAbsent(t *testing.T) {
	withoutXLAPlugins(t)
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	for _, name := range []string{"xla", "xla:cpu", "xla:cuda"} {
		_, err := NewBackend(name)
		if err == nil || !strings.Contains(err.Error(), "no PJRT") || !strings.Contains(err.Error(), "GOMLX_NO_AUTO_INSTALL") {
			t.Errorf("NewBackend(%q) without plugins: %v, want a clear error", name, err)
		}
	}
	if _, err := NewBackend("xla:/nonexistent/pjrt_c_api_cpu_plugin.so"); err == nil || !strings.Contains(err.Error(), "/nonexistent") {
		t.Errorf("a missing plugin path gave %v, want an error naming it", err)
	}
	b, err := NewBackend("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.HasPrefix(b.Config, "go:") || !strings.Contains(b.Reason, "no PJRT plugin") {
		t.Errorf("auto without plugins chose %s", b)
	}
}

// xlaCPUOrSkip returns the XLA CPU backend configuration, or skips.
func xlaCPUOrSkip(t *testing.T) string {
	t.Helper()
	if findXLAPlugin("cpu") == "" {
		t.Skip("no XLA CPU plugin installed (scripts/xla/install-cpu-plugin.sh)")
	}
	return "xla:cpu"
}

func TestAutoPicksInstalledXLA(t *testing.T) {
	xlaCPUOrSkip(t)
	t.Setenv("GOMLX_BACKEND", "")
	os.Unsetenv("GOMLX_BACKEND")
	b, err := NewBackend("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	want := "backend xla:cpu: a PJRT plugin is installed (plugin pjrt_c_api_cpu"
	if !strings.HasPrefix(b.Config, "xla:") || !strings.HasPrefix(b.String(), want) || hasPath(b.String()) {
		t.Errorf("auto with a CPU plugin installed: %q, want %q... without a path", b, want)
	}
}

// absolutePath matches a path that starts with a separator, after the start
// of the text, a space, a quote, a colon, a comma or a parenthesis.
var absolutePath = regexp.MustCompile(`(^|[\s"'(:,=])[/\\][^\s/\\]`)

// hasPath reports whether s shows an absolute file path.
func hasPath(s string) bool { return absolutePath.MatchString(s) }

// TestBackendName: a backend is named as a user names it, whatever
// configuration GoMLX was given; the plugin's file name and the options
// go to the reason, never a folder.
func TestBackendName(t *testing.T) {
	for _, tc := range []struct{ config, name, detail string }{
		{"xla:" + cpuPluginConfig("/work/main/.xla/lib/pjrt_c_api_cpu_plugin.so"), "xla:cpu", "plugin pjrt_c_api_cpu_plugin.so, shared_buffers"},
		{"xla:" + cpuPluginConfig("/home/u/.local/lib/go-xla/pjrt_c_api_cpu_v0.83.3_plugin.so"), "xla:cpu", "plugin pjrt_c_api_cpu_v0.83.3_plugin.so, shared_buffers"},
		{"xla:/work/main/.xla/lib/pjrt_c_api_cpu_plugin.so", "xla:cpu", "plugin pjrt_c_api_cpu_plugin.so"},
		{"xla:/home/u/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so", "xla:cuda", "plugin pjrt_c_api_cuda_plugin.so"},
		{"xla:cpu", "xla:cpu", ""},
		{"xla:cuda", "xla:cuda", ""},
		{"xla:cuda,shared_buffers", "xla:cuda", "shared_buffers"},
		{"xla", "xla", ""},
		{"go", "go", ""},
		{"go:parallelism=-1,dotgeneral_large,ops_parallel", "go", "options parallelism=-1,dotgeneral_large,ops_parallel"},
	} {
		if got := BackendName(tc.config); got != tc.name {
			t.Errorf("BackendName(%q) = %q, want %q", tc.config, got, tc.name)
		}
		if got := backendDetail(tc.config); got != tc.detail || hasPath(got) {
			t.Errorf("backendDetail(%q) = %q, want %q", tc.config, got, tc.detail)
		}
	}
	for s, want := range map[string]bool{
		"xla:/w/p.so": true, "found at /usr/local/lib/go-xla": true, `"/x"`: true, "(/x)": true, "/x": true,
		"xla:cpu": false, "a/b": false, "pure-Go backend": false, "options parallelism=-1": false, "1/2": false,
	} {
		if hasPath(s) != want {
			t.Errorf("hasPath(%q) = %v, want %v", s, !want, want)
		}
	}
}

// TestRecordNamesBackend: a record written with GoMLX's configuration and
// the plugin's path, as runs were before, reads back with the user's name
// and no path.
func TestRecordNamesBackend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	old := &Run{
		Config:        DefaultConfig(),
		Backend:       "xla:/work/main/.xla/lib/pjrt_c_api_cpu_plugin.so,shared_buffers",
		BackendReason: "PJRT plugin found at /work/main/.xla/lib/pjrt_c_api_cpu_plugin.so",
		History:       []Epoch{{}},
	}
	if err := old.Save(path); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Backend != "xla:cpu" || r.BackendReason != "PJRT plugin found at pjrt_c_api_cpu_plugin.so" {
		t.Errorf("read back: backend %q, reason %q; want xla:cpu and the plugin's file name", r.Backend, r.BackendReason)
	}
}

// TestBackendShownWithoutPaths trains a tiny run on each backend under
// test: the backend's line (Hooks.Backend) and the record name it as a user
// does, and neither shows a path.
func TestBackendShownWithoutPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	for _, backend := range backendsUnderTest() {
		t.Run(backend, func(t *testing.T) {
			cfg := quickConfig(256, 1)
			cfg.Backend = backend
			var lines []string
			run, err := Train(data, cfg, &Hooks{
				Backend: func(b *Backend) { lines = append(lines, b.String()) },
				Epoch:   func(e Epoch) error { lines = append(lines, FormatEpoch(e, cfg.Epochs)); return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if run.Backend != backend {
				t.Errorf("the record names the backend %q, want %q", run.Backend, backend)
			}
			path := filepath.Join(t.TempDir(), "run.json")
			if err := run.Save(path); err != nil {
				t.Fatal(err)
			}
			record, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range append(lines, strings.Split(string(record), "\n")...) {
				if hasPath(line) {
					t.Errorf("shows a path: %s", line)
				}
			}
			if len(lines) == 0 || !strings.HasPrefix(lines[0], "backend "+backend+": ") {
				t.Errorf("the backend's line is %q, want it to start with %q", lines, "backend "+backend+": ")
			}
		})
	}
}

// TestXLAMatchesGo trains the exercise's model a few steps on both backends
// from the same initial weights and batches.
func TestXLAMatchesGo(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	backend := xlaCPUOrSkip(t)
	data := loadReal(t)
	cfg := quickConfig(1280, 2) // 2 × 10 steps
	splits, err := Prepare(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	goRun, err := TrainSplits(splits, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Backend = backend
	xlaRun, err := TrainSplits(splits, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// float32 sums in different orders: agreement to 1e-4 relative after 20
	// steps (seen: ~1e-6).
	const tol = 1e-4
	for i := range goRun.History {
		g, x := goRun.History[i], xlaRun.History[i]
		for name, pair := range map[string][2]float64{"train loss": {g.TrainLoss, x.TrainLoss}, "val loss": {g.ValLoss, x.ValLoss}} {
			if math.Abs(pair[0]-pair[1]) > tol*pair[0] {
				t.Errorf("epoch %d %s: go %.7f, xla %.7f (beyond %g relative)", i, name, pair[0], pair[1], tol)
			}
		}
	}
	if math.Abs(goRun.TestAccuracy-xlaRun.TestAccuracy) > 0.002 {
		t.Errorf("test accuracy: go %.4f, xla %.4f", goRun.TestAccuracy, xlaRun.TestAccuracy)
	}
}

// TestGoBackendQuiet: GoMLX prints a line when the pure-Go backend's
// parallelism is set, which NewBackend does for every run; it must not reach
// the user's output.
func TestGoBackendQuiet(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	b, err := NewBackend("go")
	os.Stdout = saved
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b.Finalize()
	printed, _ := io.ReadAll(r)
	if len(printed) > 0 {
		t.Errorf("NewBackend(\"go\") printed %q", printed)
	}
}

// TestXLAClientOptions: the CUDA client grows its memory unless
// $FASHION_XLA_MEMORY_FRACTION asks for a fixed share; the CPU client gets
// no options (its plugin rejects them).
func TestXLAClientOptions(t *testing.T) {
	for _, tc := range []struct {
		kind, fraction string
		want           pjrt.NamedValuesMap
		err            string
	}{
		{"cuda", "", pjrt.NamedValuesMap{"preallocate": false}, ""},
		{"cuda", "0.25", pjrt.NamedValuesMap{"preallocate": true, "memory_fraction": float32(0.25)}, ""},
		{"cuda", "1", pjrt.NamedValuesMap{"preallocate": true, "memory_fraction": float32(1)}, ""},
		{"cpu", "", nil, ""},
		{"cpu", "0.25", nil, ""},
		{"cuda", "0", nil, `FASHION_XLA_MEMORY_FRACTION="0" is invalid: want the fraction`},
		{"cuda", "1.5", nil, `"1.5" is invalid`},
		{"cuda", "half", nil, `"half" is invalid`},
		{"cuda", "NaN", nil, `"NaN" is invalid`},
	} {
		got, err := xlaClientOptions(tc.kind, tc.fraction)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s with %q: error %v, want one containing %q", tc.kind, tc.fraction, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s with %q: %v, %v; want %v", tc.kind, tc.fraction, got, err, tc.want)
		}
	}
}

// TestXLAKind: plugins by name or by path are told apart.
func TestXLAKind(t *testing.T) {
	for opts, want := range map[string]string{
		"cuda": "cuda", "cpu": "cpu", "cuda,tf32": "cuda",
		"/home/u/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so": "cuda",
		"/w/.xla/lib/pjrt_c_api_cpu_v0.83_plugin.so,shared_buffers":  "cpu",
	} {
		if got := xlaKind(opts); got != want {
			t.Errorf("xlaKind(%q) = %q, want %q", opts, got, want)
		}
	}
}

// TestCanonicalBackend: a resolved configuration is named without the
// plugin's path or shared_buffers, keeping the options that matter.
func TestCanonicalBackend(t *testing.T) {
	for config, want := range map[string]string{
		"xla:/w/.xla/lib/pjrt_c_api_cpu_plugin.so,shared_buffers":        "xla:cpu",
		"xla:/other/place/pjrt_c_api_cpu_v0.83_plugin.so":                "xla:cpu",
		"xla:/h/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so,tf32": "xla:cuda,tf32",
		"xla:cuda":               "xla:cuda",
		"xla:cpu,shared_buffers": "xla:cpu",
		"go:parallelism=-1,dotgeneral_large,ops_parallel":  "go:parallelism=-1,dotgeneral_large,ops_parallel",
		"go:parallelism=2,dotgeneral_large,ops_sequential": "go:parallelism=2,dotgeneral_large,ops_sequential",
	} {
		if got := canonicalBackend(config); got != want {
			t.Errorf("canonicalBackend(%q) = %q, want %q", config, got, want)
		}
	}
}

// TestTeacherKeyedByResolvedBackend: the spellings of one backend give one
// teacher (one Config, so one run key), and the teacher's Backend resolves
// to the student's backend.
func TestTeacherKeyedByResolvedBackend(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*testing.T) []string // the spellings
		want  string
	}{
		{"pure Go", func(t *testing.T) []string {
			withoutXLAPlugins(t)
			return []string{"auto", "go", "go:parallelism=-1", "go:ops_parallel,dotgeneral_large"}
		}, goConfig("")},
		{"XLA CPU", func(t *testing.T) []string {
			xlaCPUOrSkip(t)
			if defaultXLAKind() == "cuda" {
				t.Skip(`"auto" is CUDA on this machine`)
			}
			t.Setenv("GOMLX_BACKEND", "")
			os.Unsetenv("GOMLX_BACKEND")
			plugin, err := filepath.Abs(findXLAPlugin("cpu"))
			if err != nil {
				t.Fatal(err)
			}
			return []string{"auto", "xla", "xla:cpu", "xla:" + plugin}
		}, "xla:cpu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spellings := tc.setup(t)
			var first Config
			for i, name := range spellings {
				cfg := DefaultConfig()
				cfg.Backend, cfg.Teacher = name, "cnn"
				tcfg, err := TeacherConfig(cfg)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if tcfg.Backend != tc.want {
					t.Errorf("the teacher of a student on %q has Backend %q, want %q", name, tcfg.Backend, tc.want)
				}
				if i == 0 {
					first = tcfg
				} else if RunKey(tcfg, "data") != RunKey(first, "data") {
					t.Errorf("the teachers of %q and %q have different run keys", spellings[0], name)
				}
				// The same plugin (shared_buffers aside) or the same options.
				student, errS := resolveBackend(name)
				teacher, errT := resolveBackend(tcfg.Backend)
				plugin := func(config string) string { p, _, _ := strings.Cut(config, ","); return p }
				if errS != nil || errT != nil || plugin(student.config) != plugin(teacher.config) || strings.HasPrefix(student.config, "go:") && student.config != teacher.config {
					t.Errorf("student on %q resolves to %q (%v), its teacher on %q to %q (%v)", name, student.config, errS, tcfg.Backend, teacher.config, errT)
				}
			}
		})
	}
	cfg := DefaultConfig()
	cfg.Backend = "cuda"
	if _, err := TeacherConfig(cfg); err == nil || !strings.Contains(err.Error(), `"cuda"`) {
		t.Errorf("TeacherConfig with Backend \"cuda\": %v, want an error naming it", err)
	}
}

// TestSessionSharesABackendSpelledTwice: "auto" and what it resolves to
// share one client in a session, each with its own reason, and Close
// finalizes it once.
func TestSessionSharesABackendSpelledTwice(t *testing.T) {
	withoutXLAPlugins(t)
	sess := NewSession()
	auto, err := sess.backend("auto")
	if err != nil {
		t.Fatal(err)
	}
	named, err := sess.backend("go")
	if err != nil {
		t.Fatal(err)
	}
	if auto.Backend != named.Backend {
		t.Error(`"auto" and "go" got two clients of the pure-Go backend`)
	}
	if auto.Reason == named.Reason || named.Reason != "requested" {
		t.Errorf("reasons %q and %q, want each its own", auto.Reason, named.Reason)
	}
	sess.Close()
}

// TestCUDAXLAFlags: the data dir and the autotune cache are added to
// $XLA_FLAGS, and a flag the user set is never overridden or repeated.
func TestCUDAXLAFlags(t *testing.T) {
	for _, tc := range []struct{ existing, dataDir, autotune, want string }{
		{"", "/n", "/r/.xla-autotune/abc", "--xla_gpu_cuda_data_dir=/n --xla_gpu_per_fusion_autotune_cache_dir=/r/.xla-autotune/abc"},
		{"", "/n", "", "--xla_gpu_cuda_data_dir=/n"},
		{"--xla_gpu_autotune_level=0", "/n", "/a", "--xla_gpu_autotune_level=0 --xla_gpu_cuda_data_dir=/n --xla_gpu_per_fusion_autotune_cache_dir=/a"},
		{"--xla_gpu_per_fusion_autotune_cache_dir=/mine", "/n", "/a", "--xla_gpu_per_fusion_autotune_cache_dir=/mine --xla_gpu_cuda_data_dir=/n"},
		{"--xla_gpu_cuda_data_dir=/cuda  --xla_gpu_per_fusion_autotune_cache_dir=/mine", "/n", "/a", "--xla_gpu_cuda_data_dir=/cuda --xla_gpu_per_fusion_autotune_cache_dir=/mine"},
	} {
		if got := cudaXLAFlags(tc.existing, tc.dataDir, tc.autotune); got != tc.want {
			t.Errorf("cudaXLAFlags(%q, %q, %q) = %q, want %q", tc.existing, tc.dataDir, tc.autotune, got, tc.want)
		}
	}
}

// TestPluginBuild: the autotune cache's key follows the plugin file, through
// links, and changes when the file does.
func TestPluginBuild(t *testing.T) {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "pjrt_c_api_cuda_plugin.so")
	if err := os.WriteFile(plugin, []byte("build 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.so")
	if err := os.Symlink(plugin, link); err != nil {
		t.Fatal(err)
	}
	first := pluginBuild(plugin)
	if pluginBuild(link) != first || len(first) != 12 {
		t.Errorf("pluginBuild: %q by path, %q by link; want the same 12 hex digits", first, pluginBuild(link))
	}
	if err := os.WriteFile(plugin, []byte("build 2, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if pluginBuild(plugin) == first {
		t.Error("pluginBuild did not change with the plugin file")
	}
}

// TestVisibleDevices: $CUDA_VISIBLE_DEVICES values that hide every GPU.
func TestVisibleDevices(t *testing.T) {
	for v, want := range map[string]bool{"": false, " ": false, "-1": false, "-1,0": false, "0": true, "1,0": true, "GPU-5d3c": true} {
		if got := visibleDevices(v); got != want {
			t.Errorf("visibleDevices(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestChooseBackendCUDASetUp: every spelling that ends on CUDA names the
// CUDA plugin, so that newBackend gives it the CUDA set-up (client options,
// XLA flags) and the trainer CUDA's steps per call; a bare "xla" on a
// machine with a GPU was the one that did not.
func TestChooseBackendCUDASetUp(t *testing.T) {
	dir := t.TempDir()
	cpu := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	cuda := filepath.Join(dir, "nvidia", "pjrt_c_api_cuda_plugin.so")
	for _, p := range []string{cpu, cuda} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gpuBox := xlaFacts{cpuPlugin: cpu, cudaPlugin: cuda, gpu: true}
	hidden := xlaFacts{cpuPlugin: cpu, cudaPlugin: cuda}   // $CUDA_VISIBLE_DEVICES hides the GPU
	bare := xlaFacts{gpu: true}                            // a GPU, no plugin installed
	bareLocked := xlaFacts{gpu: true, noAutoInstall: true} // ... and no downloads
	cpuOnly := xlaFacts{cpuPlugin: cpu}                    // no CUDA plugin
	for _, tc := range []struct {
		name, env   string
		facts       xlaFacts
		kind        string // "cuda", "cpu", "go" or "" for an error
		autoInstall bool
	}{
		{"auto", "", gpuBox, "cuda", false},
		{"auto", "xla", gpuBox, "cuda", false},
		{"auto", "xla:cuda", gpuBox, "cuda", false},
		{"xla", "", gpuBox, "cuda", false},
		{"xla:cuda", "", gpuBox, "cuda", false},
		{"xla:cuda,tf32", "", gpuBox, "cuda", false},
		{"xla:" + cuda, "", gpuBox, "cuda", false},
		{"xla:cpu", "", gpuBox, "cpu", false},
		{"auto", "", hidden, "cpu", false},
		{"xla", "", hidden, "cpu", false},
		{"auto", "xla", hidden, "cpu", false},
		{"xla", "", cpuOnly, "cpu", false},
		{"auto", "", bare, "go", false},
		{"xla:cuda", "", bare, "cuda", true},
		{"xla", "", bare, "cpu", true}, // named "cpu": GoMLX would have taken the CUDA plugin it downloads
		{"xla", "", bareLocked, "", false},
		{"xla:cuda", "", bareLocked, "", false},
	} {
		label := fmt.Sprintf("%q with $GOMLX_BACKEND=%q, %+v", tc.name, tc.env, tc.facts)
		config, _, autoInstall, err := chooseBackend(tc.name, tc.env, tc.facts)
		if tc.kind == "" {
			if err == nil {
				t.Errorf("%s: %q, want an error", label, config)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		b := &Backend{Config: config}
		kind := "go"
		if opts, ok := strings.CutPrefix(config, "xla:"); ok {
			kind = xlaKind(opts) // what newBackend sets up the client by
		}
		if kind != tc.kind || autoInstall != tc.autoInstall {
			t.Errorf("%s: %q (%s), auto-install %v; want %s, auto-install %v", label, config, kind, autoInstall, tc.kind, tc.autoInstall)
		}
		if tc.kind != "cuda" {
			continue
		}
		if got := BackendName(config); got != "xla:cuda" {
			t.Errorf("%s: shown as %q, want xla:cuda…", label, got)
		}
		if opts, err := xlaClientOptions(kind, ""); err != nil || !reflect.DeepEqual(opts, pjrt.NamedValuesMap{"preallocate": false}) {
			t.Errorf("%s: client options %v, %v; want no preallocation", label, opts, err)
		}
		if k := stepsPerCallFor(b, 16*20); k != 16 {
			t.Errorf("%s: %d steps per call, want CUDA's 16", label, k)
		}
	}
}

// TestXLATempDir: XLA's temporary autotune files go to a folder on the
// autotune cache's filesystem when the one it would take (tsl's
// GetTempFilename: $TEST_TMPDIR, $TMPDIR, $TMP, /tmp) is on another, as a
// Docker bind mount is; a $TEST_TMPDIR the user set is left alone.
func TestXLATempDir(t *testing.T) {
	const other = "/dev/shm" // a tmpfs: another filesystem than the test's temporary folder
	if _, err := os.Stat(other); err != nil {
		t.Skipf("%s: %v", other, err)
	}
	runs, err := os.MkdirTemp(other, "fashion-runs-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(runs) })
	tmp := t.TempDir()
	if sameDevice(runs, tmp) {
		t.Skipf("%s and %s are on one filesystem here", runs, tmp)
	}
	cache := filepath.Join(runs, autotuneDirName, "abc123")
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

	got := xlaTempDir(cache, env(map[string]string{"TMPDIR": tmp}))
	if got == "" || !sameDevice(got, cache) {
		t.Errorf("runs on %s, $TMPDIR on another filesystem: temporary folder %q, want one on the cache's filesystem", other, got)
	}
	if got := xlaTempDir(cache, env(map[string]string{"TMPDIR": tmp, "TEST_TMPDIR": tmp})); got != "" {
		t.Errorf("with $TEST_TMPDIR set by the user: %q, want it left alone", got)
	}
	if got := xlaTempDir(cache, env(map[string]string{"TMPDIR": runs})); got != "" {
		t.Errorf("$TMPDIR on the cache's filesystem already: %q, want nothing changed", got)
	}
	if got := xlaTempDir("", env(nil)); got != "" {
		t.Errorf("no autotune cache: %q, want nothing changed", got)
	}
	if got := flagValue("--a=1 --xla_gpu_per_fusion_autotune_cache_dir=/c --b", autotuneDirFlag); got != "/c" {
		t.Errorf("flagValue: %q, want /c", got)
	}
}
