// Package trialevent defines the JSON lines of the trial runner,
// "fashion train -progress jsonl": one object per line on standard output,
// an "epoch" event per epoch, then "done", or "error" when the run failed.
//
// It is the one definition of those lines: cmd/fashion writes them with
// these types, fashion/sweep reads them with Parse (its -parallel trials are
// child processes of the trial runner), and sweeps/tune.py (the Ray Tune
// driver) reads them through sweeps/trial-events.schema.json, the JSON
// Schema generated from these types by Schema (a test fails when the file
// and the types differ: go test ./internal/trialevent -update rewrites it).
//
// Every field of an event is always written. Numbers that may be NaN or
// infinite (losses of a diverging run) are Number, written as null.
package trialevent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// The kinds of event, the value of every line's "event" field.
const (
	KindEpoch = "epoch"
	KindDone  = "done"
	KindError = "error"
)

// Number is a float64 that encodes NaN and ±Inf as null: encoding/json
// refuses them, and a diverging run must still give valid JSON lines. A null
// decodes as NaN.
type Number float64

// MarshalJSON writes n, or null when it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Number(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Number(f)
	return nil
}

// The events. The doc tags are the descriptions in the JSON Schema.
type (
	// EpochEvent is one finished epoch (a stored run replays its epochs).
	EpochEvent struct {
		Event       string `json:"event" doc:"\"epoch\""`
		Key         string `json:"key" doc:"the run's key in the run cache"`
		Epoch       int    `json:"epoch" doc:"0-based, as in the run records and the epoch lines"`
		Epochs      int    `json:"epochs" doc:"Config.Epochs: the last epoch is epochs-1 (early stopping may end the run before)"`
		TrainLoss   Number `json:"train_loss" doc:"null when not finite"`
		ValLoss     Number `json:"val_loss" doc:"null when not finite"`
		ValAccuracy Number `json:"val_accuracy" doc:"of this epoch, in [0, 1]"`
		LR          Number `json:"lr" doc:"the learning rate of this epoch"`
		Seconds     Number `json:"seconds" doc:"wall time of the epoch"`
	}
	// DoneEvent ends a run that finished: it is stored in the run cache.
	DoneEvent struct {
		Event        string `json:"event" doc:"\"done\""`
		Key          string `json:"key" doc:"the run's key in the run cache"`
		Record       string `json:"record" doc:"the cache's run.json of the run, an absolute path"`
		TestAccuracy Number `json:"test_accuracy" doc:"reported, never used to choose"`
		BestEpoch    int    `json:"best_epoch" doc:"the epoch of lowest validation loss"`
		KeptEpoch    int    `json:"kept_epoch" doc:"the epoch whose weights were kept (early stopping)"`
		ValAccuracy  Number `json:"val_accuracy" doc:"of the kept epoch (fashion.Run.KeptValAccuracy): what sweeps rank by"`
		Cached       bool   `json:"cached" doc:"the run was already stored (its epochs were replayed)"`
	}
	// ErrorEvent ends a run that failed (e.g. a non-finite loss); the
	// process exits with status 1 and nothing is stored.
	ErrorEvent struct {
		Event string `json:"event" doc:"\"error\""`
		Key   string `json:"key" doc:"the run's key in the run cache"`
		Error string `json:"error" doc:"the error message"`
	}
)

// NewEpoch is the event of epoch e of a run of the given key and epochs.
func NewEpoch(key string, e fashion.Epoch, epochs int) EpochEvent {
	return EpochEvent{KindEpoch, key, e.Epoch, epochs, Number(e.TrainLoss), Number(e.ValLoss), Number(e.ValAccuracy), Number(e.LR), Number(e.Seconds)}
}

// NewDone is the event of a finished run; record is the path of its run.json.
func NewDone(key, record string, run *fashion.Run, cached bool) DoneEvent {
	return DoneEvent{KindDone, key, record, Number(run.TestAccuracy), run.BestEpoch().Epoch, run.KeptEpoch, Number(run.KeptValAccuracy()), cached}
}

// NewError is the event of a failed run.
func NewError(key string, err error) ErrorEvent {
	return ErrorEvent{KindError, key, err.Error()}
}

// Event is one parsed line: Kind says which of Epoch, Done and Error is set.
type Event struct {
	Kind  string
	Epoch *EpochEvent
	Done  *DoneEvent
	Error *ErrorEvent
}

// Key is the run key of the event, whatever its kind.
func (e Event) Key() string {
	switch {
	case e.Epoch != nil:
		return e.Epoch.Key
	case e.Done != nil:
		return e.Done.Key
	case e.Error != nil:
		return e.Error.Key
	}
	return ""
}

// kinds maps each kind to its type.
var kinds = map[string]reflect.Type{
	KindEpoch: reflect.TypeFor[EpochEvent](),
	KindDone:  reflect.TypeFor[DoneEvent](),
	KindError: reflect.TypeFor[ErrorEvent](),
}

// kindOrder is the order of the kinds in the schema.
var kindOrder = []string{KindEpoch, KindDone, KindError}

// Parse reads one line: a JSON object whose "event" is a known kind and
// that has every field of that kind's type, each of its type (null for a
// Number). Fields it does not know are ignored, so an older reader takes a
// newer runner's lines.
func Parse(line []byte) (Event, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil || fields == nil {
		if err == nil {
			err = fmt.Errorf("null")
		}
		return Event{}, fmt.Errorf("not a JSON object: %w", err)
	}
	var kind string
	if raw, ok := fields["event"]; !ok {
		return Event{}, fmt.Errorf("no \"event\"")
	} else if err := json.Unmarshal(raw, &kind); err != nil {
		return Event{}, fmt.Errorf("\"event\" is not a string: %s", raw)
	}
	t, ok := kinds[kind]
	if !ok {
		return Event{}, fmt.Errorf("unknown event %q (want %s)", kind, strings.Join(kindOrder, ", "))
	}
	for _, f := range jsonFields(t) {
		if _, ok := fields[f.name]; !ok {
			return Event{}, fmt.Errorf("%s event without %q", kind, f.name)
		}
		if f.typ != numberType && string(fields[f.name]) == "null" {
			return Event{}, fmt.Errorf("%s event: %q is null", kind, f.name)
		}
	}
	v := reflect.New(t)
	if err := json.Unmarshal(line, v.Interface()); err != nil {
		return Event{}, fmt.Errorf("%s event: %w", kind, err)
	}
	ev := Event{Kind: kind}
	switch p := v.Interface().(type) {
	case *EpochEvent:
		ev.Epoch = p
	case *DoneEvent:
		ev.Done = p
	case *ErrorEvent:
		ev.Error = p
	}
	return ev, nil
}

// ParseAll reads the -progress jsonl output of a run: every line must be an
// event (see Parse). The error names the line.
func ParseAll(out []byte) ([]Event, error) {
	var events []Event
	if len(out) == 0 {
		return nil, nil
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		ev, err := Parse(line)
		if err != nil {
			return events, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

var numberType = reflect.TypeFor[Number]()

type field struct {
	name string // JSON name
	typ  reflect.Type
	doc  string
}

// jsonFields lists the JSON fields of an event type, in order.
func jsonFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, field{name, f.Type, f.Tag.Get("doc")})
	}
	return out
}
