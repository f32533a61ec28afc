// Package configjson reads a fashion.Config from JSON strictly: the trial
// runner's -config file and the sweep's trial settings go through it, so
// both accept the same names (the JSON names the run records hold) and
// reject the same mistakes.
//
// encoding/json alone ignores unknown fields and reports type mistakes
// with byte offsets; a misspelled "drop_out" would then train the default
// silently. Decode refuses it and names the field and what is valid.
package configjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

// Decode applies the JSON object in data to base (fields the object omits
// keep base's values) and returns the result, not yet validated: callers
// apply their overrides first, then call Config.Validate. source names the
// input in errors (a file name, "standard input", "trial 3").
//
// Errors name source and the field: an unknown field (with the valid names),
// a value of the wrong type (with the type wanted), bad syntax (with line
// and column), trailing data, or something other than one object.
func Decode(data []byte, source string, base fashion.Config) (fashion.Config, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return base, fmt.Errorf("%s: want a JSON object of fashion.Config fields (e.g. {\"lr\": 0.001})", source)
	}
	cfg := base
	// Lists replace, never merge: json.Unmarshal into a non-empty slice
	// reuses its backing array, so start lists from scratch when the object
	// names them.
	cfg.Hidden = append([]int(nil), base.Hidden...)
	cfg.Dropout = append([]float64(nil), base.Dropout...)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return base, explain(err, data, source)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return base, fmt.Errorf("%s: unexpected data after the JSON object", source)
	}
	return cfg, nil
}

// explain turns encoding/json's errors into messages naming the field.
func explain(err error, data []byte, source string) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: field %q: a JSON %s is not valid, want %s", source, field, typeErr.Value, describe(typeErr.Type))
	case errors.As(err, &syntaxErr):
		line, col := position(data, syntaxErr.Offset)
		return fmt.Errorf("%s:%d:%d: invalid JSON: %v", source, line, col, syntaxErr)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return fmt.Errorf("%s: unknown field %s: want one of %s", source, name, strings.Join(FieldNames(), ", "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: truncated JSON object", source)
	}
	return fmt.Errorf("%s: %w", source, err)
}

// describe says in words what a Go type wants in JSON.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Uint64, reflect.Uint32, reflect.Uint:
		return "a non-negative integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(describe(t.Elem()), "a")
	}
	return t.String()
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for _, b := range data[:min(int(offset), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// FieldNames are the JSON names of fashion.Config's fields, sorted.
func FieldNames() []string {
	var names []string
	t := reflect.TypeFor[fashion.Config]()
	for i := range t.NumField() {
		if name := JSONName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// JSONName is the name encoding/json gives a struct field ("" if skipped).
func JSONName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return f.Name
}

// Field returns the fashion.Config field whose JSON name is name.
func Field(name string) (reflect.StructField, bool) {
	t := reflect.TypeFor[fashion.Config]()
	for i := range t.NumField() {
		if JSONName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}
