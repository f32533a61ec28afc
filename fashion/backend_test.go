package fashion

import (
	"io"
	"math"
	"os"
	"strings"
	"testing"
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
	if !strings.HasPrefix(b.Config, "xla:") || !strings.Contains(b.String(), "backend xla:cpu: PJRT plugin found at") {
		t.Errorf("auto with a CPU plugin installed chose %s", b)
	}
}

// TestXLAMatchesGo trains the exercise's model a few steps on both backends
// from the same initial weights and batches.
func TestXLAMatchesGo(t *testing.T) {
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
