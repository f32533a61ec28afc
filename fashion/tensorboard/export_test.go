package tensorboard

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"google.golang.org/protobuf/encoding/protowire"
)

// readRecords splits a TFRecord file, checking both CRCs of every record.
func readRecords(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 12 {
			t.Fatalf("%d trailing bytes", len(data))
		}
		n := binary.LittleEndian.Uint64(data)
		if got := binary.LittleEndian.Uint32(data[8:]); got != maskedCRC(data[:8]) {
			t.Fatalf("length CRC %x, want %x", got, maskedCRC(data[:8]))
		}
		body := data[12 : 12+n]
		if got := binary.LittleEndian.Uint32(data[12+n:]); got != maskedCRC(body) {
			t.Fatalf("data CRC %x, want %x", got, maskedCRC(body))
		}
		out = append(out, body)
		data = data[16+n:]
	}
	return out
}

// fields decodes one message's fields: number → raw values (bytes for
// length-delimited fields, uint64 for varints and fixed ones).
func fields(t *testing.T, b []byte) map[protowire.Number][]any {
	t.Helper()
	m := map[protowire.Number][]any{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v any
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			v = uint64(x)
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
		if n < 0 {
			t.Fatalf("bad field %d: %v", num, protowire.ParseError(n))
		}
		m[num] = append(m[num], v)
		b = b[n:]
	}
	return m
}

func testRun() *fashion.Run {
	cfg := fashion.DefaultConfig()
	cfg.Dropout = []float64{0.2}
	return &fashion.Run{
		Name: "drop out", Key: "0123456789abcdef", Config: cfg,
		Started: time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC),
		History: []fashion.Epoch{
			{Epoch: 0, TrainLoss: 0.61, ValLoss: 0.48, TrainAccuracy: 0.78, ValAccuracy: 0.83, LR: 1e-4, Seconds: 2.5},
			{Epoch: 1, TrainLoss: 0.42, ValLoss: 0.44, TrainAccuracy: 0.85, ValAccuracy: 0.845, LR: 1e-4, Seconds: 2.25},
		},
		TestLoss: 0.45, TestAccuracy: 0.8412, KeptEpoch: 1,
	}
}

// TestExport decodes the written files and checks the scalars, steps,
// wall times and hparams against the run (the Python test does the same
// with TensorBoard's own reader).
func TestExport(t *testing.T) {
	dir := t.TempDir()
	run := testRun()
	paths, err := Export(dir, []*fashion.Run{run})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Dir(paths[1]) != filepath.Join(dir, "drop_out-0123456789abcdef") {
		t.Fatalf("paths %v", paths)
	}
	data, _ := os.ReadFile(paths[1])
	records := readRecords(t, data)
	if len(records) != 2+len(run.History)+2 {
		t.Fatalf("%d records, want version, session start, %d epochs, test, session end", len(records), len(run.History))
	}
	if v := fields(t, records[0])[3]; len(v) != 1 || string(v[0].([]byte)) != fileVersion {
		t.Errorf("first record's file_version %q", v)
	}
	scalars := map[string][]float32{}
	steps := map[string][]uint64{}
	var walls []float64
	var hparamTags []string
	for _, rec := range records[1:] {
		ev := fields(t, rec)
		walls = append(walls, math.Float64frombits(ev[1][0].(uint64)))
		step := uint64(0)
		if s, ok := ev[2]; ok {
			step = s[0].(uint64)
		}
		for _, v := range fields(t, ev[5][0].([]byte))[1] {
			val := fields(t, v.([]byte))
			tag := string(val[1][0].([]byte))
			if simple, ok := val[2]; ok {
				scalars[tag] = append(scalars[tag], math.Float32frombits(uint32(simple[0].(uint64))))
				steps[tag] = append(steps[tag], step)
				continue
			}
			meta := fields(t, fields(t, val[9][0].([]byte))[1][0].([]byte))
			if string(meta[1][0].([]byte)) != "hparams" {
				t.Errorf("plugin %q", meta[1][0])
			}
			hparamTags = append(hparamTags, tag)
			if tag == "_hparams_/session_start_info" {
				start := fields(t, fields(t, meta[2][0].([]byte))[3][0].([]byte))
				hp := map[string]map[protowire.Number][]any{}
				for _, e := range start[1] {
					entry := fields(t, e.([]byte))
					hp[string(entry[1][0].([]byte))] = fields(t, entry[2][0].([]byte))
				}
				if lr := math.Float64frombits(hp["lr"][2][0].(uint64)); lr != run.Config.LR {
					t.Errorf("hparam lr %v, want %v", lr, run.Config.LR)
				}
				if s := string(hp["optimizer"][3][0].([]byte)); s != "rmsprop" {
					t.Errorf("hparam optimizer %q", s)
				}
				if s := string(hp["dropout"][3][0].([]byte)); s != "0.2" {
					t.Errorf("hparam dropout %q, want \"0.2\"", s)
				}
				if s := string(hp["hidden"][3][0].([]byte)); s != "120,72,48" {
					t.Errorf("hparam hidden %q", s)
				}
				if _, ok := hp["train_limit"][2]; !ok {
					t.Errorf("hparam train_limit (omitted in the JSON) is not a number: %v", hp["train_limit"])
				}
			}
		}
	}
	if fmt.Sprint(hparamTags) != "[_hparams_/session_start_info _hparams_/session_end_info]" {
		t.Errorf("hparams summaries %v", hparamTags)
	}
	want := map[string][]float64{
		TagTrainLoss: {0.61, 0.42}, TagValLoss: {0.48, 0.44}, TagTrainAcc: {0.78, 0.85}, TagValAcc: {0.83, 0.845},
		TagLR: {1e-4, 1e-4}, TagTestLoss: {0.45}, TagTestAcc: {0.8412}, TagKeptValAcc: {0.845},
	}
	for tag, values := range want {
		if len(scalars[tag]) != len(values) {
			t.Errorf("%s: %v, want %v", tag, scalars[tag], values)
			continue
		}
		for i, v := range values {
			if scalars[tag][i] != float32(v) {
				t.Errorf("%s[%d] = %v, want %v", tag, i, scalars[tag][i], float32(v))
			}
		}
	}
	if fmt.Sprint(steps[TagValAcc]) != "[0 1]" || fmt.Sprint(steps[TagTestAcc]) != "[1]" {
		t.Errorf("steps: val %v, test %v", steps[TagValAcc], steps[TagTestAcc])
	}
	start := float64(run.Started.Unix())
	if walls[1] != start+2.5 || walls[2] != start+4.75 {
		t.Errorf("wall times %v, want start + the epochs' seconds", walls)
	}

	exp, _ := os.ReadFile(paths[0])
	if recs := readRecords(t, exp); len(recs) != 2 || !strings.Contains(string(recs[1]), "_hparams_/experiment") {
		t.Errorf("experiment file: %d records", len(recs))
	}
	// Exporting again replaces the same files.
	again, err := Export(dir, []*fashion.Run{run})
	if err != nil || fmt.Sprint(again) != fmt.Sprint(paths) {
		t.Errorf("second export %v (%v), want the same paths %v", again, err, paths)
	}
}

func TestExportErrors(t *testing.T) {
	noKey := testRun()
	noKey.Key = ""
	for _, tc := range []struct {
		name string
		runs []*fashion.Run
		want string
	}{
		{"no key", []*fashion.Run{noKey}, "no key"},
		{"twice", []*fashion.Run{testRun(), testRun()}, "given twice"},
	} {
		if _, err := Export(t.TempDir(), tc.runs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMaskedCRC(t *testing.T) {
	// CRC-32C of "123456789" is 0xe3069283 (the standard check value);
	// masked: rotate right 15, add 0xa282ead8.
	c := uint32(0xe3069283)
	if got, want := maskedCRC([]byte("123456789")), (c>>15|c<<17)+0xa282ead8; got != want {
		t.Errorf("maskedCRC = %#x, want %#x", got, want)
	}
}
