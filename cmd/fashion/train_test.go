package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/internal/trialevent"
)

// TestMain lets the tests run this command as a real child process: the
// test binary re-executed with FASHION_CMD_MAIN=1 is "fashion" itself, so
// signals and exit statuses are tested without building a second binary.
func TestMain(m *testing.M) {
	if os.Getenv("FASHION_CMD_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command is "fashion args..." as a child process (see TestMain).
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "FASHION_CMD_MAIN=1")
	return cmd
}

func needData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil && os.Getenv("FASHION_MNIST_DIR") == "" {
		t.Skip("real Fashion-MNIST not installed")
	}
}

// jsonLines parses -progress jsonl output with the trial runner's parser
// (trialevent.ParseAll: every line a known event with all its fields) and
// returns the lines as JSON objects, for the tests to check the names and
// values on the wire.
func jsonLines(out []byte) ([]map[string]any, error) {
	if _, err := trialevent.ParseAll(out); err != nil {
		return nil, err
	}
	var events []map[string]any
	for line := range bytes.Lines(out) {
		var ev map[string]any
		if err := json.Unmarshal(line, &ev); err != nil {
			return events, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// tiny is a trial that trains in well under a second on the pure-Go backend.
var tiny = []string{"-backend", "go", "-hidden", "16", "-train-limit", "600", "-quiet"}

func TestTrainConfigFile(t *testing.T) {
	dir := t.TempDir()
	file := func(content string) string {
		f, err := os.CreateTemp(dir, "cfg*.json")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(content)
		f.Close()
		return f.Name()
	}
	base := file(`{"epochs": 3, "lr": 0.01, "hidden": [16], "dropout": [0.2], "optimizer": "adam"}`)
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		check func(c fashion.Config) bool
	}{
		{"file alone", []string{"-config", base},
			"", func(c fashion.Config) bool {
				return c.Epochs == 3 && c.LR == 0.01 && reflect.DeepEqual(c.Hidden, []int{16}) && c.Optimizer == "adam" && c.BatchSize == 128
			}},
		{"a flag after the file overrides it", []string{"-config", base, "-epochs", "2"},
			"", func(c fashion.Config) bool { return c.Epochs == 2 && c.LR == 0.01 }},
		{"a flag before the file overrides it too", []string{"-epochs", "2", "-hidden", "8,8", "-config", base},
			"", func(c fashion.Config) bool {
				return c.Epochs == 2 && reflect.DeepEqual(c.Hidden, []int{8, 8}) && reflect.DeepEqual(c.Dropout, []float64{0.2})
			}},
		{"flags not given keep the file's values", []string{"-config", base, "-seed", "7"},
			"", func(c fashion.Config) bool {
				return c.Seed == 7 && c.Optimizer == "adam" && reflect.DeepEqual(c.Dropout, []float64{0.2})
			}},
		{"an empty list flag clears the file's list", []string{"-config", base, "-dropout", ""},
			"", func(c fashion.Config) bool { return len(c.Dropout) == 0 }},
		{"standard input", []string{"-config", "-", "-lr", "0.5"},
			`{"epochs": 5, "lr": 0.001}`, func(c fashion.Config) bool { return c.Epochs == 5 && c.LR == 0.5 }},
		{"no file: defaults and flags", []string{"-epochs", "4"},
			"", func(c fashion.Config) bool {
				d := fashion.DefaultConfig()
				d.Epochs = 4
				return reflect.DeepEqual(c, d)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseTrainArgs(tc.args, strings.NewReader(tc.stdin), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(o.cfg) {
				t.Errorf("config %+v", o.cfg)
			}
		})
	}

	for _, tc := range []struct {
		name, content string
		args          []string
		want          []string // in the error message
	}{
		{"unknown field", `{"epochs": 2, "drop_out": [0.2]}`, nil, []string{`unknown field "drop_out"`, "dropout", "cfg"}},
		{"Go name instead of JSON name", `{"BatchSize": 64}`, nil, []string{`unknown field "BatchSize"`, "batch_size"}},
		{"wrong type", `{"epochs": "3"}`, nil, []string{`"epochs"`, "an integer"}},
		{"wrong list type", `{"hidden": 16}`, nil, []string{`"hidden"`, "list of"}},
		{"bad value", `{"epochs": 0}`, nil, []string{"Config.Epochs = 0", "1..10000"}},
		{"bad name value", `{"optimizer": "adagrad"}`, nil, []string{"Config.Optimizer", "rmsprop"}},
		{"a flag's bad value", `{"epochs": 3}`, []string{"-lr", "-1"}, []string{"Config.LR = -1"}},
		{"syntax error", "{\n  \"epochs\": 3,\n}", nil, []string{":3:", "invalid JSON"}},
		{"not an object", `[{"epochs": 3}]`, nil, []string{"want a JSON object"}},
		{"empty", ``, nil, []string{"want a JSON object"}},
		{"trailing data", `{"epochs": 3} {"epochs": 4}`, nil, []string{"after the JSON object"}},
		{"truncated", `{"epochs": 3`, nil, []string{"truncated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-config", file(tc.content)}, tc.args...)
			_, err := parseTrainArgs(args, strings.NewReader(""), &bytes.Buffer{})
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v, want a usage error (exit 2)", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	for _, args := range [][]string{
		{"-config", filepath.Join(dir, "missing.json")},
		{"-progress", "xml"},
	} {
		if _, err := parseTrainArgs(args, strings.NewReader(""), &bytes.Buffer{}); !errors.As(err, new(usageError)) {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{errors.New("disk full"), 1},
		{usageError{errors.New("bad flag")}, 2},
		{stoppedError{syscall.SIGTERM, "stopped"}, 143},
		{stoppedError{syscall.SIGINT, "stopped"}, 130},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%#v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestTrainJSONLines: with -progress jsonl standard output holds only JSON
// lines, one per epoch then "done"; a stored run replays the same epochs
// and says cached.
func TestTrainJSONLines(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	runs := t.TempDir()
	out := filepath.Join(t.TempDir(), "copy.json")
	args := append([]string{"train", "-progress", "jsonl", "-runs-dir", runs, "-epochs", "3", "-out", out}, tiny...)
	var first []map[string]any
	for attempt, wantCached := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		if err := run(args, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		events, err := jsonLines(stdout.Bytes())
		if err != nil {
			t.Fatalf("run %d: %v\n%s", attempt, err, stdout.String())
		}
		if len(events) != 4 {
			t.Fatalf("run %d: %d events, want 3 epochs and done:\n%s", attempt, len(events), stdout.String())
		}
		for i, ev := range events[:3] {
			for _, f := range []string{"key", "epochs", "train_loss", "val_loss", "val_accuracy", "lr", "seconds"} {
				if _, ok := ev[f]; !ok {
					t.Errorf("epoch event %d lacks %q: %v", i, f, ev)
				}
			}
			if ev["event"] != "epoch" || ev["epoch"] != float64(i) || ev["epochs"] != float64(3) {
				t.Errorf("event %d = %v, want epoch %d of 3", i, ev, i)
			}
		}
		done := events[3]
		if done["event"] != "done" || done["cached"] != wantCached || done["key"] != events[0]["key"] {
			t.Errorf("run %d: last event %v, want done with cached %v", attempt, done, wantCached)
		}
		rec, err := fashion.LoadRun(done["record"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Key != done["key"] || rec.TestAccuracy != done["test_accuracy"] || float64(rec.BestEpoch().Epoch) != done["best_epoch"] {
			t.Errorf("record %s: key %s, test accuracy %v, best epoch %d; done event %v", done["record"], rec.Key, rec.TestAccuracy, rec.BestEpoch().Epoch, done)
		}
		if rec.KeptValAccuracy() != done["val_accuracy"] || float64(rec.KeptEpoch) != done["kept_epoch"] {
			t.Errorf("record %s: kept epoch %d, its val accuracy %v; done event %v", done["record"], rec.KeptEpoch, rec.KeptValAccuracy(), done)
		}
		if _, err := (fashion.Cache{Dir: runs}).Load(rec.Key); err != nil {
			t.Errorf("the run is not in the cache with its weights: %v", err)
		}
		if copyRec, err := fashion.LoadRun(out); err != nil || copyRec.Key != rec.Key {
			t.Errorf("-out copy: %v", err)
		}
		if !strings.Contains(stderr.String(), "Epoca actual : 2/3") {
			t.Errorf("the human epoch lines are not on standard error:\n%s", stderr.String())
		}
		if attempt == 0 {
			first = events
		} else {
			for i := range 3 {
				if !reflect.DeepEqual(first[i], events[i]) {
					t.Errorf("replayed epoch %d = %v, trained %v", i, events[i], first[i])
				}
			}
		}
	}
}

// TestTrainDivergingIsAnErrorEvent: a non-finite loss ends the run with an
// "error" line (and exit status 1), and nothing is stored.
func TestTrainDivergingIsAnErrorEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	runs := t.TempDir()
	var stdout bytes.Buffer
	// Three layers: plain SGD at lr 10 overflows in the second epoch (one
	// hidden layer of 16 only grows large).
	args := append(append([]string{"train", "-progress", "jsonl", "-runs-dir", runs, "-epochs", "4", "-optimizer", "sgd", "-lr", "10"}, tiny...), "-hidden", "16,16,16")
	err := run(args, strings.NewReader(""), &stdout, &bytes.Buffer{})
	if !errors.Is(err, fashion.ErrNonFinite) || exitCode(err) != 1 {
		t.Fatalf("error %v, want a non-finite loss (exit 1)", err)
	}
	events, perr := jsonLines(stdout.Bytes())
	if perr != nil || len(events) == 0 || events[len(events)-1]["event"] != "error" {
		t.Fatalf("events %v (%v), want an error event last", events, perr)
	}
	if entries, _ := os.ReadDir(runs); len(entries) != 0 {
		t.Errorf("runs dir holds %v after a failed run", entries)
	}
}

// TestTrainSignal sends SIGTERM and SIGINT to a real child process in the
// middle of training: it exits 143 or 130 with one line naming the epoch,
// and stores nothing.
func TestTrainSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGINT, "SIGINT", 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := t.TempDir()
			cmd := command(t, append([]string{"train", "-progress", "jsonl", "-runs-dir", runs, "-epochs", "10000"}, tiny...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() || !strings.Contains(lines.Text(), `"event":"epoch"`) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("first line %q, want an epoch event; stderr:\n%s", lines.Text(), stderr.String())
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() { // the epochs finished before the signal arrived
			}
			timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
			err = cmd.Wait()
			timer.Stop()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit status %d (%v), want %d", code, err, tc.code)
			}
			msg := strings.TrimSpace(stderr.String())
			last := msg[strings.LastIndex(msg, "\n")+1:]
			if !strings.Contains(last, "stopped by "+tc.name+" at epoch ") || !strings.Contains(last, "nothing stored") {
				t.Errorf("last line of standard error %q, want it to name the signal and the epoch", last)
			}
			if entries, _ := os.ReadDir(runs); len(entries) != 0 {
				t.Errorf("runs dir holds %v after a stopped run, want nothing", entries)
			}
		})
	}
}

// TestTrainConcurrentSameKey: two real processes train the same run into
// one runs directory at once (as two machines on shared storage); the cache
// ends with one valid entry and no leftovers.
func TestTrainConcurrentSameKey(t *testing.T) {
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	runs := t.TempDir()
	args := append([]string{"train", "-progress", "jsonl", "-runs-dir", runs, "-epochs", "6"}, tiny...)
	cmds := []*exec.Cmd{command(t, args...), command(t, args...)}
	outs := make([]*bytes.Buffer, len(cmds))
	for i, c := range cmds {
		outs[i] = &bytes.Buffer{}
		c.Stdout, c.Stderr = outs[i], &bytes.Buffer{}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	keys := map[any]bool{}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, c.Stderr)
		}
		events, err := jsonLines(outs[i].Bytes())
		if err != nil || len(events) != 7 || events[6]["event"] != "done" {
			t.Fatalf("process %d: %d events (%v), want 6 epochs and done:\n%s", i, len(events), err, outs[i])
		}
		keys[events[6]["key"]] = true
	}
	entries, err := os.ReadDir(runs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || len(keys) != 1 || !keys[entries[0].Name()] {
		t.Fatalf("runs dir holds %v (keys %v), want one entry of the run's key and no temporary directories", entries, keys)
	}
	run, err := fashion.Cache{Dir: runs}.Load(entries[0].Name())
	if err != nil || len(run.History) != 6 || len(run.Params) == 0 {
		t.Fatalf("the entry is not a valid run: %v", err)
	}
}

// TestTrainSeeds: -seeds N trains seeds Seed..Seed+N-1, each its own cached
// run with its own done event, and ends with their mean; bad values are
// usage errors.
func TestTrainSeeds(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"-seeds", "0"}, "-seeds 0: want 1..1000"},
		{[]string{"-seeds", "2", "-out", "x.json"}, "-out writes one record"},
	} {
		err := run(append([]string{"train"}, tc.args...), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.err) || exitCode(err) != 2 {
			t.Errorf("train %v: %v (exit %d), want exit 2 saying %q", tc.args, err, exitCode(err), tc.err)
		}
	}
	if testing.Short() {
		t.Skip("trains: not in -short")
	}
	needData(t)
	runs := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := append([]string{"train", "-progress", "jsonl", "-runs-dir", runs, "-epochs", "1", "-seed", "7", "-seeds", "3"}, tiny...)
	if err := run(args, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	events, err := jsonLines(stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var seeds []uint64
	for _, ev := range events {
		if ev["event"] != "done" {
			continue
		}
		rec, err := fashion.LoadRun(ev["record"].(string))
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, rec.Config.Seed)
	}
	if !reflect.DeepEqual(seeds, []uint64{7, 8, 9}) {
		t.Errorf("done events for seeds %v, want [7 8 9]", seeds)
	}
	if !strings.Contains(stderr.String(), "3 seeds from 7: test accuracy") {
		t.Errorf("no summary line:\n%s", stderr.String())
	}
}
