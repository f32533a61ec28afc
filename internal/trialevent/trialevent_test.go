package trialevent

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

var update = flag.Bool("update", false, "rewrite "+SchemaFile+" from the Go types")

// root is the repository's root, from this package's directory.
const root = "../.."

// TestSchemaFile: sweeps/trial-events.schema.json is what Schema makes of
// the Go types (go test ./internal/trialevent -update rewrites it).
func TestSchemaFile(t *testing.T) {
	path := filepath.Join(root, SchemaFile)
	want := Schema()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the Go types of internal/trialevent: run go test ./internal/trialevent -update\nwant:\n%s", SchemaFile, want)
	}
	// And it is the schema of every field of the three types.
	var s struct {
		Defs map[string]struct {
			Properties map[string]map[string]any `json:"properties"`
			Required   []string                  `json:"required"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatal(err)
	}
	for kind, typ := range kinds {
		var names []string
		for _, f := range jsonFields(typ) {
			names = append(names, f.name)
			if _, ok := s.Defs[kind].Properties[f.name]; !ok {
				t.Errorf("schema: %s event lacks property %q", kind, f.name)
			}
		}
		if !slices.Equal(names, s.Defs[kind].Required) || len(s.Defs[kind].Properties) != len(names) {
			t.Errorf("schema: %s event requires %v, has %d properties; the Go type has %v", kind, s.Defs[kind].Required, len(s.Defs[kind].Properties), names)
		}
	}
}

// pythonReadRe finds the fields the Python scripts read from an event: they
// call it ev (ev["key"], ev.get("key")).
var pythonReadRe = regexp.MustCompile(`\bev(?:\[\s*|\.get\(\s*)["'](\w+)["']`)

// TestPythonReadsKnownFields: every event field sweeps/tune.py and
// sweeps/summarize.py and sweeps/ablation.py read is a field of one of the Go types.
func TestPythonReadsKnownFields(t *testing.T) {
	known := map[string]bool{}
	for _, typ := range kinds {
		for _, f := range jsonFields(typ) {
			known[f.name] = true
		}
	}
	for _, file := range []string{"sweeps/tune.py", "sweeps/summarize.py", "sweeps/ablation.py"} {
		src, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		reads := pythonReadRe.FindAllStringSubmatch(string(src), -1)
		if len(reads) == 0 {
			t.Errorf("%s reads no event field (ev[...]): has the code changed its name for events?", file)
		}
		for _, m := range reads {
			if !known[m[1]] {
				t.Errorf("%s reads %q from an event: no event of internal/trialevent has it", file, m[0])
			}
		}
	}
}

func TestNumber(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		b, err := json.Marshal(Number(f))
		if err != nil || string(b) != "null" {
			t.Errorf("Number(%v) = %s, %v; want null", f, b, err)
		}
	}
	b, _ := json.Marshal(Number(0.25))
	var n Number
	if string(b) != "0.25" || json.Unmarshal(b, &n) != nil || n != 0.25 {
		t.Errorf("0.25 → %s → %v", b, n)
	}
	if err := json.Unmarshal([]byte("null"), &n); err != nil || !math.IsNaN(float64(n)) {
		t.Errorf("null → %v, %v; want NaN", n, err)
	}
	if err := json.Unmarshal([]byte(`"1"`), &n); err == nil {
		t.Error("a string decoded as a Number")
	}
}

// TestRoundTrip: what the runner writes, Parse reads back, for each kind;
// NaN comes back as NaN.
func TestRoundTrip(t *testing.T) {
	run := &fashion.Run{
		TestAccuracy: 0.8, KeptEpoch: 1,
		History: []fashion.Epoch{{Epoch: 0, ValLoss: 0.5, ValAccuracy: 0.7}, {Epoch: 1, ValLoss: 0.4, ValAccuracy: 0.75}, {Epoch: 2, ValLoss: 0.45, ValAccuracy: 0.78}},
	}
	epoch := NewEpoch("k", fashion.Epoch{Epoch: 2, TrainLoss: math.NaN(), ValLoss: math.Inf(1), ValAccuracy: 0.5, LR: 1e-3, Seconds: 1.5}, 3)
	done := NewDone("k", "/runs/k/run.json", run, true)
	if done.ValAccuracy != 0.75 || done.KeptEpoch != 1 || done.BestEpoch != 1 || !done.Cached {
		t.Errorf("NewDone: %+v, want the kept epoch 1's val accuracy 0.75", done)
	}
	fail := NewError("k", errors.New("loss not finite"))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, v := range []any{epoch, done, fail} {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), `"train_loss":null,"val_loss":null`) {
		t.Errorf("non-finite numbers not written as null:\n%s", out.String())
	}
	events, err := ParseAll(out.Bytes())
	if err != nil || len(events) != 3 {
		t.Fatalf("ParseAll: %d events, %v", len(events), err)
	}
	got := events[0].Epoch
	if events[0].Kind != KindEpoch || got == nil || !math.IsNaN(float64(got.TrainLoss)) || !math.IsNaN(float64(got.ValLoss)) || got.Epoch != 2 || got.ValAccuracy != 0.5 {
		t.Errorf("epoch event read back as %+v", events[0])
	}
	if events[1].Kind != KindDone || !reflect.DeepEqual(*events[1].Done, done) {
		t.Errorf("done event read back as %+v, want %+v", events[1].Done, done)
	}
	if events[2].Kind != KindError || !reflect.DeepEqual(*events[2].Error, fail) || events[2].Key() != "k" {
		t.Errorf("error event read back as %+v", events[2].Error)
	}
	if ev, err := ParseAll(nil); err != nil || len(ev) != 0 {
		t.Errorf("no output: %v, %v", ev, err)
	}
}

func TestParseErrors(t *testing.T) {
	done := `{"event":"done","key":"k","record":"/r","test_accuracy":0.8,"best_epoch":1,"kept_epoch":1,"val_accuracy":0.7,"cached":false}`
	if _, err := Parse([]byte(strings.Replace(done, `"key"`, `"extra":1,"key"`, 1))); err != nil {
		t.Errorf("a field the reader does not know: %v, want it ignored", err)
	}
	for _, tc := range []struct{ line, want string }{
		{`not json`, "not a JSON object"},
		{`[1]`, "not a JSON object"},
		{`null`, "not a JSON object"},
		{`{"key":"k"}`, `no "event"`},
		{`{"event":1}`, `"event" is not a string`},
		{`{"event":"epochs"}`, `unknown event "epochs"`},
		{strings.Replace(done, `"kept_epoch":1,`, "", 1), `done event without "kept_epoch"`},
		{strings.Replace(done, `"kept_epoch":1`, `"kept_epoch":"1"`, 1), "done event: json: cannot unmarshal"},
		{strings.Replace(done, `"kept_epoch":1`, `"kept_epoch":null`, 1), `"kept_epoch" is null`},
		{strings.Replace(done, `"val_accuracy":0.7`, `"val_accuracy":"x"`, 1), "done event"},
		{strings.Replace(done, `"cached":false`, `"cached":0`, 1), "done event"},
	} {
		if _, err := Parse([]byte(tc.line)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s): %v, want an error containing %q", tc.line, err, tc.want)
		}
	}
	if _, err := ParseAll([]byte(done + "\n{}\n")); err == nil || !strings.Contains(err.Error(), "line 2 ") {
		t.Errorf("ParseAll: %v, want an error naming line 2", err)
	}
}
