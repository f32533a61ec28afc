package tensorboard

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"
	"github.com/fashion-gomlx/fashion-gomlx/internal/configjson"
	"google.golang.org/protobuf/encoding/protowire"
)

// The scalar tags of every run (see the package documentation).
const (
	TagTrainLoss = "loss/train"
	TagValLoss   = "loss/val"
	TagTrainAcc  = "accuracy/train"
	TagValAcc    = "accuracy/val"
	TagLR        = "lr"
	TagTestLoss  = "loss/test"
	TagTestAcc   = "accuracy/test"
	// TagKeptValAcc is the validation accuracy of the epoch whose weights
	// the run kept (fashion.Run.KeptValAccuracy), written once at the last
	// step: HParams shows a metric's last value, which for accuracy/val is
	// the last epoch's, not the kept one that runs are compared on.
	TagKeptValAcc = "accuracy/val_kept"
)

// metrics are the HParams table's metric columns, in order.
var metrics = []string{TagKeptValAcc, TagValAcc, TagValLoss, TagTrainAcc, TagTrainLoss, TagTestAcc, TagTestLoss}

const fileVersion = "brain.Event:2"

// RunDir is the directory name of a run under the export: "<name>-<key>",
// or the key for a run without a name.
func RunDir(r *fashion.Run) string {
	if r.Name == "" {
		return r.Key
	}
	name := strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == ' ' || c < ' ' {
			return '_'
		}
		return c
	}, r.Name)
	return name + "-" + r.Key
}

// Export writes the runs' event files under dir (see the package
// documentation) and returns their paths, the experiment's first. Runs
// without a key (not from the run cache) are an error naming them.
func Export(dir string, runs []*fashion.Run) ([]string, error) {
	seen := map[string]bool{}
	for i, r := range runs {
		if r.Key == "" || len(r.History) == 0 {
			return nil, fmt.Errorf("tensorboard: run %d (%q) has no key or no history: want runs from the run cache", i, r.Name)
		}
		if seen[RunDir(r)] {
			return nil, fmt.Errorf("tensorboard: run %s is given twice", RunDir(r))
		}
		seen[RunDir(r)] = true
	}
	hps := make([]map[string]any, len(runs))
	for i, r := range runs {
		hps[i] = hparams(r.Config)
	}
	var paths []string
	expPath := filepath.Join(dir, "events.out.tfevents.0.fashion-gomlx.hparams")
	created := 0.0
	for i, r := range runs {
		if t := float64(r.Started.Unix()); i == 0 || t < created {
			created = t
		}
	}
	if err := atomicfile.Write(expPath, experimentFile(hps, created)); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	paths = append(paths, expPath)
	for i, r := range runs {
		path := filepath.Join(dir, RunDir(r), fmt.Sprintf("events.out.tfevents.%d.fashion-gomlx", r.Started.Unix()))
		if err := atomicfile.Write(path, runFile(r, hps[i])); err != nil {
			return nil, fmt.Errorf("tensorboard: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// runFile is one run's event file: the file version, the HParams session
// start, one event per epoch with its scalars, the test scores, the session
// end.
func runFile(r *fashion.Run, hp map[string]any) []byte {
	start := float64(r.Started.UnixNano()) / 1e9
	var b []byte
	b = appendRecord(b, event(start, 0, fileVersion, nil))
	b = appendRecord(b, event(start, 0, "", summary(pluginValue("_hparams_/session_start_info", "hparams", sessionStart(hp, start)))))
	wall := start
	for _, e := range r.History {
		wall += e.Seconds
		b = appendRecord(b, event(wall, int64(e.Epoch), "", summary(
			scalarValue(TagTrainLoss, e.TrainLoss),
			scalarValue(TagValLoss, e.ValLoss),
			scalarValue(TagTrainAcc, e.TrainAccuracy),
			scalarValue(TagValAcc, e.ValAccuracy),
			scalarValue(TagLR, e.LR),
		)))
	}
	last := int64(r.History[len(r.History)-1].Epoch)
	b = appendRecord(b, event(wall, last, "", summary(
		scalarValue(TagTestLoss, r.TestLoss), scalarValue(TagTestAcc, r.TestAccuracy), scalarValue(TagKeptValAcc, r.KeptValAccuracy()))))
	return appendRecord(b, event(wall, last, "", summary(pluginValue("_hparams_/session_end_info", "hparams", sessionEnd(wall)))))
}

// hparams are a Config's fields by JSON name as numbers, strings or
// booleans (what HParams shows); lists become "120,72,48", an absent list "".
func hparams(c fashion.Config) map[string]any {
	data, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	out := map[string]any{}
	for _, name := range configjson.FieldNames() {
		f, _ := configjson.Field(name)
		switch v := m[name].(type) {
		case []any:
			parts := make([]string, len(v))
			for i, x := range v {
				parts[i] = fmt.Sprint(x)
			}
			out[name] = strings.Join(parts, ",")
		case nil: // an omitted empty field
			if f.Type.Kind() == reflect.Slice || f.Type.Kind() == reflect.String {
				out[name] = ""
			} else {
				out[name] = 0.0
			}
		default:
			out[name] = v
		}
	}
	return out
}

// value is google.protobuf.Value: number_value = 2, string_value = 3,
// bool_value = 4.
func value(v any) []byte {
	switch v := v.(type) {
	case float64:
		return appendDouble(nil, 2, v)
	case bool:
		b := uint64(0)
		if v {
			b = 1
		}
		return appendVarint(nil, 4, b)
	case string:
		// An empty string still sets the oneof: write the field.
		b := protowire.AppendTag(nil, 3, protowire.BytesType)
		return protowire.AppendString(b, v)
	}
	panic(fmt.Sprintf("tensorboard: hparam of type %T", v))
}

// sessionStart is HParamsPluginData{session_start_info = 3:
// SessionStartInfo{hparams = 1 (map<string, Value>: entries {key = 1,
// value = 2}), start_time_secs = 5}}; version = 1 is 0, left out.
func sessionStart(hp map[string]any, start float64) []byte {
	var info []byte
	for _, name := range sortedKeys(hp) {
		entry := appendString(nil, 1, name)
		entry = appendMessage(entry, 2, value(hp[name]))
		info = appendMessage(info, 1, entry)
	}
	info = appendDouble(info, 5, start)
	return appendMessage(nil, 3, info)
}

// sessionEnd is HParamsPluginData{session_end_info = 4: SessionEndInfo{
// status = 1: STATUS_SUCCESS (1), end_time_secs = 2}}.
func sessionEnd(end float64) []byte {
	info := appendVarint(nil, 1, 1)
	info = appendDouble(info, 2, end)
	return appendMessage(nil, 4, info)
}

// experimentFile holds HParamsPluginData{experiment = 2: Experiment{
// hparam_infos = 4, metric_infos = 5, time_created_secs = 3}}: the HParams
// table's columns. HParamInfo: name = 1, type = 4 (DATA_TYPE_STRING 1,
// BOOL 2, FLOAT64 3), domain_discrete = 5 (ListValue{values = 1}) for
// strings and booleans, differs = 7. MetricInfo: name = 1 (MetricName{tag =
// 2}).
func experimentFile(hps []map[string]any, created float64) []byte {
	var exp []byte
	if len(hps) > 0 {
		for _, name := range sortedKeys(hps[0]) {
			info := appendString(nil, 1, name)
			var distinct []any
			for _, hp := range hps {
				if !containsValue(distinct, hp[name]) {
					distinct = append(distinct, hp[name])
				}
			}
			switch hps[0][name].(type) {
			case string, bool:
				typ := uint64(1)
				if _, ok := hps[0][name].(bool); ok {
					typ = 2
				}
				info = appendVarint(info, 4, typ)
				sort.Slice(distinct, func(i, j int) bool { return fmt.Sprint(distinct[i]) < fmt.Sprint(distinct[j]) })
				var list []byte
				for _, v := range distinct {
					list = appendMessage(list, 1, value(v))
				}
				info = appendMessage(info, 5, list)
			default:
				info = appendVarint(info, 4, 3)
			}
			if len(distinct) > 1 {
				info = appendVarint(info, 7, 1)
			}
			exp = appendMessage(exp, 4, info)
		}
	}
	for _, m := range metrics {
		exp = appendMessage(exp, 5, appendMessage(nil, 1, appendString(nil, 2, m)))
	}
	exp = appendDouble(exp, 3, created)
	content := appendMessage(nil, 2, exp)
	var b []byte
	b = appendRecord(b, event(created, 0, fileVersion, nil))
	return appendRecord(b, event(created, 0, "", summary(pluginValue("_hparams_/experiment", "hparams", content))))
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
