package fashion

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestRunKey(t *testing.T) {
	a := DefaultConfig()
	b := DefaultConfig()
	if RunKey(a, "x") != RunKey(b, "x") {
		t.Error("equal configs give different keys")
	}
	b.Dropout = []float64{0.2}
	if RunKey(a, "x") == RunKey(b, "x") || RunKey(a, "x") == RunKey(a, "y") {
		t.Error("a different config or data checksum gives the same key")
	}
	if v := CodeVersion(); len(v) != 12 {
		t.Errorf("CodeVersion() = %q, want 12 hex digits", v)
	}
}

func TestTrainCached(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	data := loadReal(t)
	cache := Cache{Dir: t.TempDir()}
	cfg := quickConfig(500, 1)
	trained, fromCache, err := TrainCached(context.Background(), data, cfg, CacheOptions{Cache: cache, Name: "tiny"})
	if err != nil || fromCache {
		t.Fatalf("first TrainCached: fromCache=%v err=%v, want a fresh run", fromCache, err)
	}
	recPath, paramsPath := cache.paths(trained.Key)
	for _, step := range []struct {
		name       string
		damage     func()
		opts       CacheOptions
		wantCached bool
	}{
		{"stored", func() {}, CacheOptions{}, true},
		{"forced", func() {}, CacheOptions{Force: true}, false},
		{"corrupt weights", func() { os.WriteFile(paramsPath, []byte("garbage"), 0o644) }, CacheOptions{}, false},
		{"missing weights", func() { os.Remove(paramsPath) }, CacheOptions{}, false},
		{"truncated record", func() {
			data, _ := os.ReadFile(recPath)
			os.WriteFile(recPath, data[:len(data)/2], 0o644)
		}, CacheOptions{}, false},
		{"stored again", func() {}, CacheOptions{}, true},
	} {
		step.damage()
		step.opts.Cache, step.opts.Name = cache, "tiny"
		run, fromCache, err := TrainCached(context.Background(), data, cfg, step.opts)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if fromCache != step.wantCached {
			t.Errorf("%s: fromCache = %v, want %v", step.name, fromCache, step.wantCached)
		}
		if !reflect.DeepEqual(run.History[0].TrainLoss, trained.History[0].TrainLoss) || len(run.Params) != len(trained.Params) {
			t.Errorf("%s: the run differs from the one trained", step.name)
		}
		if fromCache && !reflect.DeepEqual(run.Params, trained.Params) {
			t.Errorf("%s: cached parameters differ from the trained ones", step.name)
		}
	}
	runs, err := cache.Runs()
	if err != nil || len(runs) != 1 || runs[0].Name != "tiny" {
		t.Errorf("Runs() = %d runs, err %v; want the one run named tiny", len(runs), err)
	}
	if rec, err := cache.Record(trained.Key); err != nil {
		t.Errorf("Record(%s): %v", trained.Key, err)
	} else if rec.Key != trained.Key || len(rec.Params) != 0 {
		t.Errorf("Record(%s): key %q, %d params; want the record alone", trained.Key, rec.Key, len(rec.Params))
	}
	if _, err := cache.Record("0123456789abcdef"); !errors.Is(err, ErrNotCached) {
		t.Errorf("Record of a key never stored: %v, want ErrNotCached", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(cache.Dir, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left in the cache: %v", leftovers)
	}
}

// TestCacheFiles: a file put beside a stored run is read back only while
// its record vouches for it; damaged, missing or unlisted, it is
// ErrNotCached (the caller computes it again), never its bytes.
func TestCacheFiles(t *testing.T) {
	cache := Cache{Dir: t.TempDir()}
	stored := func() *Run {
		run := &Run{Key: "00112233aabbccdd", Config: DefaultConfig(), History: []Epoch{{Epoch: 0, TrainLoss: 1, ValLoss: 1}}, Params: []Param{{Scope: "/m", Name: "w", Dims: []int{2}, Values: []float32{1, 2}}}}
		if _, err := cache.Replace(run); err != nil {
			t.Fatal(err)
		}
		return run
	}
	run := stored()
	const name = "logits.f32"
	path := filepath.Join(cache.Dir, run.Key, name)
	want := []byte("0123456789abcdef")
	if _, err := cache.File(run.Key, name); !errors.Is(err, ErrNotCached) {
		t.Errorf("File before PutFile: %v, want ErrNotCached", err)
	}
	put := func() {
		if err := cache.PutFile(run.Key, name, want); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name   string
		damage func()
		ok     bool
	}{
		{"put", put, true},
		{"one byte changed", func() { os.WriteFile(path, []byte("0123456789abcdeF"), 0o644) }, false},
		{"put again", put, true},
		{"truncated", func() { os.WriteFile(path, want[:8], 0o644) }, false},
		{"put again", put, true},
		{"missing", func() { os.Remove(path) }, false},
		{"put again", put, true},
		{"another file put", func() {
			if err := cache.PutFile(run.Key, "other", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"record without it", func() {
			rec, _ := cache.Record(run.Key)
			delete(rec.Files, name)
			rec.Save(filepath.Join(cache.Dir, run.Key, recordFile))
		}, false},
		{"put again", put, true},
		{"run stored again", func() { run = stored() }, false},
	} {
		step.damage()
		got, err := cache.File(run.Key, name)
		switch {
		case step.ok && (err != nil || !slices.Equal(got, want)):
			t.Errorf("%s: File = %q, %v; want %q", step.name, got, err, want)
		case !step.ok && (!errors.Is(err, ErrNotCached) || got != nil):
			t.Errorf("%s: File = %q, %v; want ErrNotCached", step.name, got, err)
		}
	}
	if err := cache.PutFile("ffffffffffffffff", name, want); !errors.Is(err, ErrNotCached) {
		t.Errorf("PutFile beside no run: %v, want ErrNotCached", err)
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", ".hidden", recordFile, paramsFile, "run.json.lock"} {
		if err := cache.PutFile(run.Key, bad, want); err == nil || errors.Is(err, ErrNotCached) {
			t.Errorf("PutFile(%q): %v, want an invalid name", bad, err)
		}
		if _, err := cache.File(run.Key, bad); err == nil || errors.Is(err, ErrNotCached) {
			t.Errorf("File(%q): %v, want an invalid name", bad, err)
		}
	}
	if locks, _ := filepath.Glob(filepath.Join(cache.Dir, run.Key, "*.lock")); len(locks) != 0 {
		t.Errorf("lock files left in the entry: %v", locks)
	}
	if _, err := cache.Load(run.Key); err != nil {
		t.Errorf("the entry does not load after its files were put: %v", err)
	}
}

// TestCodeVersionCoversEverySource: every non-test Go file of the package is
// hashed into CodeVersion or listed in notHashed with why, so a new file
// counts until someone argues otherwise; the files that train are hashed.
// Each file is probed with an edit to its code: a new function changes the
// version exactly when the file is hashed, a new type when its types are.
func TestCodeVersionCoversEverySource(t *testing.T) {
	onDisk, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	onDisk = slices.DeleteFunc(onDisk, func(n string) bool { return strings.HasSuffix(n, "_test.go") })
	slices.Sort(onDisk)
	if embedded := sourceNames(); !slices.Equal(embedded, onDisk) {
		t.Fatalf("CodeVersion reads %v, the package has %v", embedded, onDisk)
	}
	for name, why := range notHashed {
		if !slices.Contains(onDisk, name) {
			t.Errorf("notHashed lists %s, which the package does not have", name)
		}
		if len(strings.Fields(why)) < 3 {
			t.Errorf("notHashed[%q] = %q: say why its code cannot change a run's numbers", name, why)
		}
	}
	for name := range recordTypesOnly {
		if notHashed[name] == "" {
			t.Errorf("recordTypesOnly lists %s, which notHashed does not", name)
		}
	}
	for _, must := range []string{"train.go", "trainer.go", "evaluate.go", "backend.go", "batches.go", "model.go", "optim.go", "data.go", "session.go", "teacher.go"} {
		if notHashed[must] != "" {
			t.Errorf("%s is not hashed into CodeVersion", must)
		}
	}

	for _, name := range onDisk {
		src, err := sources.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// The file alone: the others add the same to both versions.
		base := packageVersion(map[string][]byte{name: src})
		for _, probe := range []struct {
			code   string
			hashed bool
		}{
			{"\nfunc codeVersionProbe() int { return 1 }\n", notHashed[name] == ""},
			{"\ntype codeVersionProbe int\n", notHashed[name] == "" || recordTypesOnly[name]},
		} {
			edited := append(slices.Clip(src), probe.code...)
			if changed := packageVersion(map[string][]byte{name: edited}) != base; changed != probe.hashed {
				t.Errorf("%s with %q added: version changed %v, want %v", name, probe.code, changed, probe.hashed)
			}
		}
	}
}
