package trialevent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// SchemaFile is where the repository keeps Schema's output, relative to its
// root: sweeps/tune.py reads the events through it.
const SchemaFile = "sweeps/trial-events.schema.json"

// kindDocs describe the kinds in the schema.
var kindDocs = map[string]string{
	KindEpoch: "One finished epoch; a stored run replays its epochs.",
	KindDone:  "The run finished and is stored in the run cache (the last line).",
	KindError: "The run failed (e.g. a non-finite loss): nothing is stored and the process exits with status 1 (the last line).",
}

// Schema is the JSON Schema (draft 2020-12) of the events, from the Go
// types: the kind of each is its "event" constant; every field is required;
// a Number is a number or null. Fields not named are allowed (readers ignore
// them).
func Schema() []byte {
	defs := obj{}
	var oneOf []any
	for _, kind := range kindOrder {
		props := obj{}
		var required []string
		for _, f := range jsonFields(kinds[kind]) {
			required = append(required, f.name)
			if f.name == "event" {
				props = append(props, kv{f.name, obj{{"const", kind}}})
				continue
			}
			p := obj{{"type", jsonType(f.typ)}}
			if f.doc != "" {
				p = append(p, kv{"description", f.doc})
			}
			props = append(props, kv{f.name, p})
		}
		defs = append(defs, kv{kind, obj{
			{"type", "object"},
			{"description", kindDocs[kind]},
			{"properties", props},
			{"required", required},
		}})
		oneOf = append(oneOf, obj{{"$ref", "#/$defs/" + kind}})
	}
	s := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"title", "fashion train -progress jsonl: one event per line"},
		{"description", "Generated from the Go types of internal/trialevent (go test ./internal/trialevent -update); do not edit by hand."},
		{"oneOf", oneOf},
		{"$defs", defs},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // only strings, lists and objects: cannot fail
	}
	return b.Bytes()
}

func jsonType(t reflect.Type) any {
	switch {
	case t == numberType:
		return []string{"number", "null"}
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Int:
		return "integer"
	case t.Kind() == reflect.Bool:
		return "boolean"
	}
	panic(fmt.Sprintf("trialevent: no JSON Schema type for %v", t))
}

// obj is a JSON object that keeps the order of its keys.
type (
	kv struct {
		k string
		v any
	}
	obj []kv
)

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
