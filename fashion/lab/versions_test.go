package lab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
	"github.com/fashion-gomlx/fashion-gomlx/internal/filelock"
)

// tiny is a configuration that trains in about a second on the pure-Go
// backend.
func tiny() fashion.Config {
	cfg := fashion.DefaultConfig()
	cfg.Backend, cfg.Hidden, cfg.TrainLimit, cfg.Epochs = "go", []int{16}, 600, 2
	return cfg
}

// tempRuns points the run cache (and so the notebook's index) at a fresh
// directory, in full mode, and needs the data.
func tempRuns(t *testing.T) string {
	t.Helper()
	if _, err := Data(); err != nil {
		t.Skip("no data:", err)
	}
	dir := t.TempDir()
	t.Setenv("FASHION_RUNS_DIR", dir)
	t.Setenv(QuickEnv, "0")
	return dir
}

func mustExperiment(t *testing.T, name string, cfg fashion.Config, opts ...Option) *Version {
	t.Helper()
	v, err := Experiment(name, cfg, opts...)
	if err != nil {
		t.Fatalf("Experiment(%q): %v", name, err)
	}
	return v
}

func mustVersions(t *testing.T, name string) []*Version {
	t.Helper()
	vs, err := Versions(name)
	if err != nil {
		t.Fatalf("Versions(%q): %v", name, err)
	}
	return vs
}

// TestVersions: a re-run with a change keeps both versions, an unchanged
// re-run is a cache hit that adds none, and going back to an earlier
// configuration makes that version the latest without a duplicate.
func TestVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	tempRuns(t)
	cfg := tiny()
	cfg.Dropout = []float64{0.2}
	v1 := mustExperiment(t, "dropout", cfg, Section("L2 y dropout"))
	if v1.N != 1 || len(v1.Runs) != 1 || v1.Section != "L2 y dropout" {
		t.Fatalf("first run: version %d with %d runs in section %q, want 1, 1, %q", v1.N, len(v1.Runs), v1.Section, "L2 y dropout")
	}

	again := mustExperiment(t, "dropout", cfg, Section("L2 y dropout"))
	if again.N != 1 || !again.Runs[0].Started.Equal(v1.Runs[0].Started) {
		t.Errorf("unchanged re-run: version %d trained %v, want version 1 read back (trained %v)", again.N, again.Runs[0].Started, v1.Runs[0].Started)
	}
	if vs := mustVersions(t, "dropout"); len(vs) != 1 {
		t.Errorf("unchanged re-run: %d versions, want 1", len(vs))
	}

	cfg.Dropout = []float64{0.5}
	v2 := mustExperiment(t, "dropout", cfg, Section("L2 y dropout"))
	vs := mustVersions(t, "dropout")
	if v2.N != 2 || len(vs) != 2 {
		t.Fatalf("re-run with dropout 0.5: version %d of %d, want 2 of 2", v2.N, len(vs))
	}
	if got := [2]float64{vs[0].Config.Dropout[0], vs[1].Config.Dropout[0]}; got != [2]float64{0.2, 0.5} {
		t.Errorf("versions' dropout %v, want [0.2 0.5]", got)
	}
	if vs[0].Keys[0] == vs[1].Keys[0] || vs[0].Runs[0].Key != vs[0].Keys[0] {
		t.Errorf("versions share or lost their runs: %v, %v", vs[0].Keys, vs[1].Keys)
	}
	if line := changeLine(vs[1], vs[0], "v1"); !strings.Contains(line, "dropout=[0.5] (antes dropout=[0.2])") || !strings.Contains(line, "exactitud de validación") {
		t.Errorf("change line %q does not say what changed", line)
	}
	if line := changeLine(vs[1], &Version{Name: "baseline", Config: tiny(), Seeds: []uint64{42}, Runs: vs[0].Runs}, "baseline"); !strings.Contains(line, "dropout=[0.5] (antes sin fijar)") {
		t.Errorf("change line against the baseline %q", line)
	}

	cfg.Dropout = []float64{0.2}
	back := mustExperiment(t, "dropout", cfg, Section("L2 y dropout"))
	vs = mustVersions(t, "dropout")
	if back.N != 1 || len(vs) != 2 || vs[1].N != 1 {
		t.Errorf("back to dropout 0.2: version %d, versions %d (latest v%d); want v1 the latest of 2", back.N, len(vs), vs[len(vs)-1].N)
	}
	if exps, err := Experiments(); err != nil || len(exps) != 1 || exps[0].N != 1 {
		t.Errorf("Experiments() after going back = %v, %v; want dropout v1", exps, err)
	}
}

// TestForget: forgetting a name, or one version, leaves the other names
// (and every run in the cache) alone.
func TestForget(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	tempRuns(t)
	cfg := tiny()
	mustExperiment(t, "baseline", cfg)
	cfg.L2 = 1e-3
	l2 := mustExperiment(t, "l2", cfg)
	cfg.L2 = 1e-2
	mustExperiment(t, "l2", cfg)
	cfg = tiny()
	cfg.Dropout = []float64{0.2}
	mustExperiment(t, "dropout", cfg)

	if err := Forget("dropout"); err != nil {
		t.Fatal(err)
	}
	if _, err := Versions("dropout"); err == nil || !strings.Contains(err.Error(), `no experiment named "dropout"`) {
		t.Errorf("Versions of a forgotten name: error %v", err)
	}
	if vs := mustVersions(t, "l2"); len(vs) != 2 {
		t.Errorf("l2 has %d versions after forgetting dropout, want 2", len(vs))
	}
	if err := ForgetVersion("l2", 1); err != nil {
		t.Fatal(err)
	}
	if vs := mustVersions(t, "l2"); len(vs) != 1 || vs[0].N != 2 {
		t.Errorf("l2 after forgetting v1: %d versions, want v2 alone", len(vs))
	}
	// The forgotten version's run is still in the cache.
	if _, err := runs().Load(l2.Keys[0]); err != nil {
		t.Errorf("l2 v1's run was deleted: %v", err)
	}
	if _, err := StoredExperiment("baseline"); err != nil {
		t.Errorf("baseline after forgetting others: %v", err)
	}
	names := func() []string {
		exps, err := Experiments()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range exps {
			out = append(out, v.Name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"baseline", "l2"}) {
		t.Errorf("Experiments() = %v, want [baseline l2]", got)
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown name", Forget("nothing"), `no experiment named "nothing"`},
		{"unknown version", ForgetVersion("l2", 7), `"l2" has no version 7 (versions: 2)`},
		{"bad name", Forget("../x"), `name "../x" is invalid`},
		{"bad config", func() error {
			bad := tiny()
			bad.LR = 0
			_, err := Experiment("l2", bad)
			return err
		}(), "lab: experiment l2: fashion: Config.LR = 0 is invalid"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

// TestScope: the notebook's comparison takes what its cells defined; a run
// the study stored in the same cache is not among them, nor a quick one.
func TestScope(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	dir := tempRuns(t)
	data, _ := Data()
	cfg := tiny()
	mustExperiment(t, "baseline", cfg)
	study := tiny()
	study.Dropout, study.Schedule = []float64{0.2}, "plateau"
	// What fashion study does: TrainCached under the variant's name.
	if _, _, err := fashion.TrainCached(context.Background(), data, study, fashion.CacheOptions{Cache: fashion.Cache{Dir: dir}, Name: "dropout_plateau"}); err != nil {
		t.Fatal(err)
	}
	exps, err := Experiments()
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 1 || exps[0].Name != "baseline" {
		t.Errorf("Experiments() = %d experiments (first %q), want the baseline alone", len(exps), exps[0].Name)
	}
	best, err := BestExperiment()
	if err != nil || best.Name != "baseline" {
		t.Errorf("BestExperiment() = %v, %v; want the baseline", best, err)
	}
	t.Setenv(QuickEnv, "1")
	if exps, err := Experiments(); err != nil || len(exps) != 0 {
		t.Errorf("quick mode sees %d full experiments (%v)", len(exps), err)
	}
}

// TestSeeds: n seeds are n cached runs with consecutive seeds and the same
// split; the version reports their mean and sample sd.
func TestSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	tempRuns(t)
	v := mustExperiment(t, "baseline", tiny(), Seeds(2))
	if !slices.Equal(v.Seeds, []uint64{42, 43}) || len(v.Keys) != 2 || v.Keys[0] == v.Keys[1] {
		t.Fatalf("seeds %v, keys %v: want 42 and 43 as two runs", v.Seeds, v.Keys)
	}
	for i, r := range v.Runs {
		if r.Config.Seed != v.Seeds[i] || r.Config.SplitSeed != 42 {
			t.Errorf("run %d: seed %d, split seed %d; want %d, 42", i, r.Config.Seed, r.Config.SplitSeed, v.Seeds[i])
		}
	}
	a, b := v.Runs[0].TestAccuracy, v.Runs[1].TestAccuracy
	mean, sd := v.TestAccuracy()
	// Two values: mean (a+b)/2, sample sd |a−b|/√2.
	if math.Abs(mean-(a+b)/2) > 1e-12 || math.Abs(sd-math.Abs(a-b)/math.Sqrt2) > 1e-12 {
		t.Errorf("TestAccuracy() = %v ± %v for %v and %v", mean, sd, a, b)
	}
	if _, err := Experiment("x", tiny(), Seeds(0)); err == nil || !strings.Contains(err.Error(), "Seeds(0)") {
		t.Errorf("Seeds(0): error %v", err)
	}
}

// TestVersionAggregation checks the mean ± sd over seeds on made-up runs:
// validation accuracies 0.80, 0.84, 0.82 (deviations ∓0.02, 0: sd
// √(0.0008/2) = 0.02) and best validation losses 0.30, 0.34, 0.32.
func TestVersionAggregation(t *testing.T) {
	run := func(val, testAcc, bestLoss float64) *fashion.Run {
		return &fashion.Run{TestAccuracy: testAcc, KeptEpoch: 1, History: []fashion.Epoch{
			{Epoch: 0, ValLoss: bestLoss + 0.1, ValAccuracy: 0.5}, {Epoch: 1, ValLoss: bestLoss, ValAccuracy: val}}}
	}
	v := &Version{Runs: []*fashion.Run{run(0.80, 0.81, 0.30), run(0.84, 0.85, 0.34), run(0.82, 0.83, 0.32)}}
	for _, tc := range []struct {
		name     string
		f        func() (float64, float64)
		mean, sd float64
	}{
		{"val accuracy", v.ValAccuracy, 0.82, 0.02},
		{"test accuracy", v.TestAccuracy, 0.83, 0.02},
		{"best val loss", v.BestValLoss, 0.32, 0.02},
	} {
		if m, s := tc.f(); math.Abs(m-tc.mean) > 1e-12 || math.Abs(s-tc.sd) > 1e-12 {
			t.Errorf("%s: %v ± %v, want %v ± %v", tc.name, m, s, tc.mean, tc.sd)
		}
	}
	if got := pct(v.ValAccuracy()); got != "82.00 ± 2.00%" {
		t.Errorf("pct = %q", got)
	}
	one := &Version{Runs: v.Runs[:1]}
	if got := pct(one.ValAccuracy()); got != "80.00%" {
		t.Errorf("one seed: pct = %q, want no spread", got)
	}
}

// TestCompare: rows sorted by validation accuracy; McNemar's discordant
// counts agree with the two runs' test accuracies (right only for one
// minus right only for the other is the difference in images right), and
// the predictions are kept, so a second comparison evaluates nothing.
func TestCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	dir := tempRuns(t)
	mustExperiment(t, "baseline", tiny())
	cfg := tiny()
	cfg.Optimizer, cfg.LR = "adam", 1e-3
	mustExperiment(t, "adam", cfg, Section("Optimizadores"))
	exps, err := Experiments()
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(exps)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Rows) != 2 || cmp.Images != 5000 || cmp.Rows[0].Val < cmp.Rows[1].Val {
		t.Fatalf("comparison of %d rows on %d images, not sorted by validation accuracy", len(cmp.Rows), cmp.Images)
	}
	var base, adam ComparisonRow
	for _, r := range cmp.Rows {
		if r.Version.Name == "adam" {
			adam = r
		} else {
			base = r
		}
	}
	if !math.IsNaN(base.P) || math.IsNaN(adam.P) || adam.P <= 0 || adam.P > 1 {
		t.Errorf("p-values: baseline %v, adam %v; want NaN and one in (0, 1]", base.P, adam.P)
	}
	if got, want := adam.OnlyThis-adam.OnlyBase, int(math.Round(5000*(adam.Test-base.Test))); got != want {
		t.Errorf("discordant %d − %d = %d, but the accuracies differ by %d images", adam.OnlyThis, adam.OnlyBase, got, want)
	}
	if !(adam.TestLo < adam.Test && adam.Test < adam.TestHi) {
		t.Errorf("Wilson interval [%v, %v] does not hold %v", adam.TestLo, adam.TestHi, adam.Test)
	}
	// The lines the notebook's prose takes its figures from carry the
	// comparison's own numbers; a name not trained is an error naming it.
	lines, err := againstBaseline([]string{"adam"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], fmt.Sprintf("`baseline`: prueba %.2f%%", 100*base.Test)) ||
		!strings.HasPrefix(lines[1], fmt.Sprintf("`adam`: prueba %.2f%%", 100*adam.Test)) ||
		!strings.Contains(lines[1], fmt.Sprintf("%+.2f puntos", 100*(adam.Test-base.Test))) ||
		!strings.Contains(lines[1], figures.FormatP(adam.P)) {
		t.Errorf("againstBaseline: lines %q do not carry the comparison's figures", lines)
	}
	if _, err := againstBaseline([]string{"nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("againstBaseline of an untrained name: %v, want an error naming it", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "notebook", "predictions", "*.txt"))
	if len(files) != 2 {
		t.Errorf("%d prediction files kept, want 2", len(files))
	}
	// A damaged file is recomputed, not trusted.
	if err := os.WriteFile(files[0], []byte("xyz"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Compare(exps)
	sameP := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	if err != nil || !sameP(again.Rows[0].P, cmp.Rows[0].P) || !sameP(again.Rows[1].P, cmp.Rows[1].P) {
		t.Errorf("second comparison differs: %v", err)
	}
	table := cmp.Markdown()
	for _, w := range []string{"| experimento | sección |", "Optimizadores", "referencia", "adam v1"} {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q:\n%s", w, table)
		}
	}
	panels := Panels(exps)
	if len(panels) != 1 || panels[0].Title != "Optimizadores" || len(panels[0].Groups) != 2 || !panels[0].Groups[0].Grey {
		t.Errorf("panels %+v, want Optimizadores with the grey baseline and adam", panels)
	}
	if err := DisplayComparison(exps); err != nil {
		t.Error(err)
	}
}

// indexRuns points the notebook's index at a fresh runs directory, in full
// mode, without needing the data: the index only lists run keys.
func indexRuns(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("FASHION_RUNS_DIR", dir)
	t.Setenv(QuickEnv, "0")
	return dir
}

// fakeVersion is a version of name made of one fake run key: recording
// it reads and writes the index only.
func fakeVersion(name, key string) *Version {
	return &Version{Name: name, Config: fashion.DefaultConfig(), Seeds: []uint64{42}, Keys: []string{key}}
}

// Settings of TestIndexLockProcesses, passed to its children.
const (
	lockChildEnv  = "FASHION_LAB_LOCK_CHILD"    // the child's number
	lockStartEnv  = "FASHION_LAB_LOCK_START"    // when to start, Unix ns
	lockCountEnv  = "FASHION_LAB_LOCK_VERSIONS" // versions each child adds
	lockName      = "shared"
	lockChildren  = 4
	lockVersions  = 40
	lockForgetGap = 5 // each child forgets every 5th version it added
)

// childKey is the run key of version i of child c.
func childKey(c, i int) string { return fmt.Sprintf("child%d-%03d", c, i) }

// TestIndexLockProcesses: several processes (this test binary run again
// as TestIndexLockChild) add many distinct versions to one name at once,
// and forget some of their own, against one runs directory; every version
// each kept is in the index, numbered once. Without the index's lock,
// concurrent read-modify-writes lose versions.
func TestIndexLockProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: not in -short")
	}
	if !filelock.CrossProcess {
		t.Skip("no cross-process file lock on this platform")
	}
	if os.Getenv(lockChildEnv) != "" {
		t.Skip("in a child")
	}
	dir := indexRuns(t)
	start := time.Now().Add(300 * time.Millisecond) // every child started by then
	var wg sync.WaitGroup
	outs := make([][]byte, lockChildren)
	errs := make([]error, lockChildren)
	for c := range lockChildren {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIndexLockChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(),
			"FASHION_RUNS_DIR="+dir, QuickEnv+"=0",
			lockChildEnv+"="+strconv.Itoa(c),
			lockStartEnv+"="+strconv.FormatInt(start.UnixNano(), 10),
			lockCountEnv+"="+strconv.Itoa(lockVersions))
		wg.Go(func() { outs[c], errs[c] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for c, err := range errs {
		if err != nil || !strings.Contains(string(outs[c]), "--- PASS: TestIndexLockChild") {
			t.Errorf("child %d: %v\n%s", c, err, outs[c])
		}
	}
	ix, err := readIndex(lockName)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for c := range lockChildren {
		for i := range lockVersions {
			if i%lockForgetGap != lockForgetGap-1 {
				want = append(want, childKey(c, i))
			}
		}
	}
	numbers := map[int]string{}
	for _, v := range ix.Versions {
		got = append(got, v.Keys[0])
		if other, ok := numbers[v.N]; ok {
			t.Errorf("version %d is both %s and %s", v.N, other, v.Keys[0])
		}
		numbers[v.N] = v.Keys[0]
	}
	slices.Sort(got)
	var lost, extra []string
	for _, k := range want {
		if _, found := slices.BinarySearch(got, k); !found {
			lost = append(lost, k)
		}
	}
	for _, k := range got {
		if !slices.Contains(want, k) {
			extra = append(extra, k)
		}
	}
	if len(lost) > 0 || len(extra) > 0 {
		t.Errorf("index of %d versions, want %d: %d lost (%v), %d forgotten versions back or unknown (%v)",
			len(got), len(want), len(lost), lost, len(extra), extra)
	}
}

// TestIndexLockChild is one child of TestIndexLockProcesses (skipped
// unless run as one): from the start time on, it adds its versions one by
// one to the shared name, forgetting every lockForgetGap-th right after
// adding it. It goes on after a failure, so that the parent sees all that
// was lost.
func TestIndexLockChild(t *testing.T) {
	c, err := strconv.Atoi(os.Getenv(lockChildEnv))
	if err != nil {
		t.Skip("not a child of TestIndexLockProcesses")
	}
	startNS, err1 := strconv.ParseInt(os.Getenv(lockStartEnv), 10, 64)
	n, err2 := strconv.Atoi(os.Getenv(lockCountEnv))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Unix(0, startNS)))
	for i := range n {
		ix, at, err := record(fakeVersion(lockName, childKey(c, i)))
		if err != nil {
			t.Error(err)
			continue
		}
		if i%lockForgetGap == lockForgetGap-1 {
			if err := ForgetVersion(lockName, ix.Versions[at].N); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestIndexLockWait: while another holds a name's lock, record, Forget and
// ForgetVersion give up after indexLockWait with an error naming the lock
// file, and change nothing; released, they proceed, and forgetting the
// name removes its lock file with its index.
func TestIndexLockWait(t *testing.T) {
	indexRuns(t)
	if _, _, err := record(fakeVersion("held", "k1")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l, err := filelock.Acquire(ctx, lockPath("held"))
	if err != nil {
		t.Fatal(err)
	}
	defer func(old time.Duration) { indexLockWait = old }(indexLockWait)
	indexLockWait = 100 * time.Millisecond
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"record", func() error { _, _, err := record(fakeVersion("held", "k2")); return err }},
		{"Forget", func() error { return Forget("held") }},
		{"ForgetVersion", func() error { return ForgetVersion("held", 1) }},
	} {
		err := tc.f()
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), lockPath("held")) {
			t.Errorf("%s while the lock is held: error %v, want a timeout naming %s", tc.name, err, lockPath("held"))
		}
	}
	if ix, err := readIndex("held"); err != nil || len(ix.Versions) != 1 {
		t.Fatalf("index after the timeouts: %v, %v; want v1 alone", ix, err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := record(fakeVersion("held", "k2")); err != nil {
		t.Fatal(err)
	}
	if err := Forget("held"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{indexPath("held"), lockPath("held")} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after Forget: %v, want it gone", p, err)
		}
	}
	// Forgetting an unknown name leaves no lock file either, nor a
	// notebook directory where there was none.
	if err := Forget("nothing"); err == nil {
		t.Error("Forget of an unknown name: no error")
	}
	if _, err := os.Stat(lockPath("nothing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file of an unknown name: %v", err)
	}
	t.Setenv("FASHION_RUNS_DIR", t.TempDir())
	if err := ForgetVersion("nothing", 1); err == nil || !strings.Contains(err.Error(), `"nothing" has no version 1`) {
		t.Errorf("ForgetVersion in an empty runs directory: error %v", err)
	}
	if _, err := os.Stat(IndexDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ForgetVersion made %s: %v", IndexDir(), err)
	}
}

// TestSeedsCompileOnce: an experiment's seeds compile the training and
// evaluation graphs once: three seeds compile what one seed does.
func TestSeedsCompileOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	tempRuns(t)
	counts := map[int]int{}
	for _, n := range []int{1, 3} {
		sess := fashion.NewSession()
		cfg := tiny()
		cfg.Seed = uint64(100 * n) // runs not stored yet
		mustExperiment(t, fmt.Sprintf("seeds%d", n), cfg, Seeds(n), InSession(sess))
		counts[n] = sess.Compiles()
		sess.Close()
	}
	if counts[1] < 2 || counts[3] != counts[1] {
		t.Errorf("graphs compiled: %d for one seed, %d for three; want the same, at least 2 (training and evaluation)", counts[1], counts[3])
	}
	if _, err := Experiment("x", tiny(), InSession(nil)); err == nil || !strings.Contains(err.Error(), "InSession(nil)") {
		t.Errorf("InSession(nil): error %v", err)
	}
}
