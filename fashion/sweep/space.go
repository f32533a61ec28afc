package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/internal/configjson"
)

// Kind is how a parameter takes its values.
type Kind string

// The kinds of a parameter; the names are the keys of the space file.
const (
	Fixed      Kind = "value"      // one value for every trial
	Grid       Kind = "grid"       // every value, combined with every other grid value
	Choice     Kind = "choice"     // one value drawn per trial
	Uniform    Kind = "uniform"    // a number drawn uniformly in [Low, High]
	LogUniform Kind = "loguniform" // a number drawn uniformly in [log Low, log High]
	RandInt    Kind = "randint"    // an integer drawn in [Low, High], both included
	// OneOf draws one of several sets of values of Config fields per trial:
	// settings that are valid only in some combinations (SWA or EMA, not
	// both) are drawn together, so no trial is invalid by chance.
	OneOf Kind = "one_of"
)

var kinds = []Kind{Fixed, Grid, Choice, Uniform, LogUniform, RandInt, OneOf}

// Param is one setting of a space: a fashion.Config field by its JSON name,
// or for OneOf a group's name (a label, not a field).
type Param struct {
	Name      string
	Kind      Kind
	Values    []any    // Fixed (one value), Grid, Choice: JSON values; OneOf: map[string]any, each with every Member
	Low, High float64  // Uniform, LogUniform, RandInt
	Members   []string // OneOf: the Config fields each set gives, sorted
}

// Searched says whether the parameter varies between trials.
func (p Param) Searched() bool { return p.Kind != Fixed }

// Space is a parsed search space. Params are sorted by name, so the draws
// do not depend on the order of the file.
type Space struct {
	Params  []Param
	Samples int    // random draws, at least 1
	Seed    uint64 // seed of the draws

	raw json.RawMessage // the file as given, kept in sweep.json
}

// MaxTrials bounds the size of an expanded space: a typo such as a grid of
// 10 values on 8 parameters (10^8 trials) is an error, not a hung sweep.
const MaxTrials = 100000

// ReadSpace parses a space file (see the package documentation).
func ReadSpace(path string) (*Space, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return ParseSpace(data, path)
}

// ParseSpace parses a space from JSON; source names it in errors.
func ParseSpace(data []byte, source string) (*Space, error) {
	var file struct {
		Samples *int                       `json:"samples"`
		Seed    *uint64                    `json:"seed"`
		Params  map[string]json.RawMessage `json:"params"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("sweep: %s: %v (want an object with \"params\" and optionally \"samples\" and \"seed\")", source, err)
	}
	if len(file.Params) == 0 {
		return nil, fmt.Errorf("sweep: %s: \"params\" is missing or empty: want at least one fashion.Config field by its JSON name", source)
	}
	s := &Space{Samples: 1, raw: json.RawMessage(bytes.TrimSpace(data))}
	if file.Samples != nil {
		if *file.Samples < 1 {
			return nil, fmt.Errorf("sweep: %s: \"samples\" = %d: want at least 1", source, *file.Samples)
		}
		s.Samples = *file.Samples
	}
	if file.Seed != nil {
		s.Seed = *file.Seed
	}
	names := make([]string, 0, len(file.Params))
	for name := range file.Params {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		p, err := parseParam(name, file.Params[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep: %s: params.%s: %w", source, name, err))
			continue
		}
		s.Params = append(s.Params, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// A field set by two parameters (a param and a one_of group, or two
	// groups) would take whichever came last: ambiguous, so refused.
	owner := map[string]string{}
	for _, p := range s.Params {
		fields := []string{p.Name}
		if p.Kind == OneOf {
			fields = p.Members
		}
		for _, f := range fields {
			if o, ok := owner[f]; ok {
				errs = append(errs, fmt.Errorf("sweep: %s: params.%s sets %s, which params.%s sets too: want each field set once", source, p.Name, f, o))
			}
			owner[f] = p.Name
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	drawn := false
	grid := 1
	for _, p := range s.Params {
		switch p.Kind {
		case Grid:
			grid *= len(p.Values)
			if grid > MaxTrials {
				return nil, fmt.Errorf("sweep: %s: the grid has more than %d points", source, MaxTrials)
			}
		case Choice, Uniform, LogUniform, RandInt, OneOf:
			drawn = true
		}
	}
	if s.Samples > 1 && !drawn {
		return nil, fmt.Errorf("sweep: %s: \"samples\" = %d but no parameter is drawn (choice, uniform, loguniform, randint): every sample would be the same trial", source, s.Samples)
	}
	if grid*s.Samples > MaxTrials {
		return nil, fmt.Errorf("sweep: %s: %d grid points × %d samples is more than %d trials", source, grid, s.Samples, MaxTrials)
	}
	return s, nil
}

// parseParam reads one parameter: an object with one kind as its key, or
// any other JSON value as a fixed value.
func parseParam(name string, raw json.RawMessage) (Param, error) {
	var group struct {
		OneOf json.RawMessage `json:"one_of"`
	}
	if json.Unmarshal(raw, &group) == nil && group.OneOf != nil {
		return parseOneOf(name, raw)
	}
	field, ok := configjson.Field(name)
	if !ok {
		return Param{}, fmt.Errorf("unknown name %q: want one of %s", name, strings.Join(configjson.FieldNames(), ", "))
	}
	p := Param{Name: name, Kind: Fixed}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return p, err
		}
		p.Values = []any{v}
		return p, checkValue(field, v)
	}
	var spec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &spec); err != nil {
		return p, err
	}
	if len(spec) != 1 {
		return p, fmt.Errorf("want an object with one key, the kind (%s), or a plain value", kindList())
	}
	for k, arg := range spec {
		p.Kind = Kind(k)
		switch p.Kind {
		case Fixed:
			var v any
			if err := json.Unmarshal(arg, &v); err != nil {
				return p, err
			}
			p.Values = []any{v}
			return p, checkValue(field, v)
		case Grid, Choice:
			if err := json.Unmarshal(arg, &p.Values); err != nil {
				return p, fmt.Errorf("%s: want a list of values", k)
			}
			if len(p.Values) == 0 {
				return p, fmt.Errorf("%s: the list is empty: want at least one value", k)
			}
			for i, v := range p.Values {
				if err := checkValue(field, v); err != nil {
					return p, fmt.Errorf("%s[%d]: %w", k, i, err)
				}
			}
			return p, nil
		case Uniform, LogUniform, RandInt:
			var bounds []float64
			if err := json.Unmarshal(arg, &bounds); err != nil || len(bounds) != 2 {
				return p, fmt.Errorf("%s: want [low, high], two numbers", k)
			}
			p.Low, p.High = bounds[0], bounds[1]
			return p, checkRange(field, p)
		default:
			return p, fmt.Errorf("unknown kind %q: want one of %s", k, kindList())
		}
	}
	panic("unreachable")
}

// parseOneOf reads {"one_of": [{field: value, ...}, ...]}: the sets, each
// an object of fixed values of the same Config fields, under a name that
// is not a field (it names the group in errors and in Tune's config).
func parseOneOf(name string, raw json.RawMessage) (Param, error) {
	p := Param{Name: name, Kind: OneOf}
	if _, isField := configjson.Field(name); isField {
		return p, fmt.Errorf("one_of: %q is a Config field: name the group otherwise (e.g. \"averaging\"); its sets give the fields", name)
	}
	var spec map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &spec); err != nil || len(spec) != 1 {
		return p, errors.New("one_of: want {\"one_of\": [{field: value, ...}, ...]}, a list of objects of Config fields")
	}
	sets := spec[string(OneOf)]
	if len(sets) == 0 {
		return p, errors.New("one_of: the list is empty: want at least one object of Config fields")
	}
	for i, set := range sets {
		if len(set) == 0 {
			return p, fmt.Errorf("one_of[%d]: empty object: want the Config fields the set gives", i)
		}
		members := make([]string, 0, len(set))
		values := map[string]any{}
		for f, v := range set {
			field, ok := configjson.Field(f)
			if !ok {
				return p, fmt.Errorf("one_of[%d]: unknown name %q: want one of %s", i, f, strings.Join(configjson.FieldNames(), ", "))
			}
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return p, fmt.Errorf("one_of[%d].%s: %w", i, f, err)
			}
			if err := checkValue(field, x); err != nil {
				return p, fmt.Errorf("one_of[%d].%s: %w", i, f, err)
			}
			members = append(members, f)
			values[f] = x
		}
		sort.Strings(members)
		// The same fields in every set: each trial's table row then has a
		// value for every member, never a default left implicit.
		if i == 0 {
			p.Members = members
		} else if !slices.Equal(members, p.Members) {
			return p, fmt.Errorf("one_of[%d] gives %s but one_of[0] gives %s: want the same fields in every set",
				i, strings.Join(members, ", "), strings.Join(p.Members, ", "))
		}
		p.Values = append(p.Values, values)
	}
	return p, nil
}

func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// checkValue checks that v decodes into the field, as a trial will do it.
func checkValue(field reflect.StructField, v any) error {
	name := configjson.JSONName(field)
	data, err := json.Marshal(map[string]any{name: asField(field, v)})
	if err != nil {
		return err
	}
	if _, err := configjson.Decode(data, "value", fashion.DefaultConfig()); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "value: "))
	}
	return nil
}

// checkRange checks a range's bounds and that its draws fit the field.
func checkRange(field reflect.StructField, p Param) error {
	kind := field.Type.Kind()
	if kind == reflect.Slice {
		kind = field.Type.Elem().Kind()
	}
	isFloat := kind == reflect.Float64 || kind == reflect.Float32
	isInt := kind >= reflect.Int && kind <= reflect.Uint64
	switch {
	case math.IsNaN(p.Low) || math.IsNaN(p.High) || math.IsInf(p.Low, 0) || math.IsInf(p.High, 0):
		return fmt.Errorf("%s [%g, %g]: want finite bounds", p.Kind, p.Low, p.High)
	case p.Low > p.High:
		return fmt.Errorf("%s [%g, %g]: reversed range, want low < high", p.Kind, p.Low, p.High)
	case p.Low == p.High:
		return fmt.Errorf("%s [%g, %g]: empty range, want low < high (or a fixed value)", p.Kind, p.Low, p.High)
	case p.Kind == LogUniform && p.Low <= 0:
		return fmt.Errorf("loguniform [%g, %g]: want low > 0 (a logarithm is drawn)", p.Low, p.High)
	case p.Kind == RandInt && !isInt:
		return fmt.Errorf("randint draws integers but %s is %s: use uniform or loguniform", p.Name, field.Type)
	case p.Kind == RandInt && (p.Low != math.Trunc(p.Low) || p.High != math.Trunc(p.High)):
		return fmt.Errorf("randint [%g, %g]: want integer bounds", p.Low, p.High)
	case p.Kind != RandInt && !isFloat:
		return fmt.Errorf("%s draws fractional numbers but %s is %s: use randint or grid", p.Kind, p.Name, field.Type)
	}
	for _, v := range []float64{p.Low, p.High} {
		if err := checkValue(field, v); err != nil {
			return fmt.Errorf("%s bound %g: %w", p.Kind, v, err)
		}
	}
	return nil
}

// asField makes a number for a list field a one-element list.
func asField(field reflect.StructField, v any) any {
	if field.Type.Kind() == reflect.Slice {
		if _, isNumber := v.(float64); isNumber {
			return []any{v}
		}
	}
	return v
}

// Trial is one point of a space: the values of its searched parameters and
// the Config they make.
type Trial struct {
	Index  int            `json:"index"`  // 0-based, in expansion order
	Values map[string]any `json:"values"` // the searched parameters' values (JSON)
	Config fashion.Config `json:"config"`
}

// Label is the trial's searched values as "name=value" pairs, sorted.
func (t Trial) Label() string {
	names := make([]string, 0, len(t.Values))
	for n := range t.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + formatValue(t.Values[n])
	}
	return strings.Join(parts, " ")
}

func formatValue(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// Searched are the names of the parameters that vary, sorted: for a
// OneOf group, the fields its sets give.
func (s *Space) Searched() []string {
	var names []string
	for _, p := range s.Params {
		switch {
		case p.Kind == OneOf:
			names = append(names, p.Members...)
		case p.Searched():
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Trials expands the space: for each of Samples draws, every grid point
// (the last parameter by name varying fastest), each with its own draws of
// the drawn parameters. The same space always gives the same trials. A
// trial whose Config is invalid is an error naming it; trials with the same
// Config are kept once.
func (s *Space) Trials() ([]Trial, error) {
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	var grid []Param
	for _, p := range s.Params {
		if p.Kind == Grid {
			grid = append(grid, p)
		}
	}
	points := 1
	for _, p := range grid {
		points *= len(p.Values)
	}
	var trials []Trial
	seen := map[string]bool{}
	for sample := range s.Samples {
		for point := range points {
			values := map[string]any{}
			fixed := map[string]any{}
			rest := point
			for i := len(grid) - 1; i >= 0; i-- {
				n := len(grid[i].Values)
				values[grid[i].Name] = grid[i].Values[rest%n]
				rest /= n
			}
			for _, p := range s.Params {
				switch p.Kind {
				case Fixed:
					fixed[p.Name] = p.Values[0]
				case Choice:
					values[p.Name] = p.Values[rng.IntN(len(p.Values))]
				case Uniform:
					values[p.Name] = round3(p.Low + rng.Float64()*(p.High-p.Low))
				case LogUniform:
					lo, hi := math.Log(p.Low), math.Log(p.High)
					values[p.Name] = round3(math.Exp(lo + rng.Float64()*(hi-lo)))
				case RandInt:
					values[p.Name] = float64(int64(p.Low) + rng.Int64N(int64(p.High-p.Low)+1))
				case OneOf:
					for f, v := range p.Values[rng.IntN(len(p.Values))].(map[string]any) {
						values[f] = v
					}
				}
			}
			cfg, err := s.apply(fixed, values)
			if err != nil {
				return nil, fmt.Errorf("sweep: trial %d (sample %d, grid point %d: %s): %w",
					len(trials), sample, point, Trial{Values: values}.Label(), err)
			}
			key, _ := json.Marshal(cfg)
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
			trials = append(trials, Trial{Index: len(trials), Values: values, Config: cfg})
		}
	}
	return trials, nil
}

// apply sets the values on fashion.DefaultConfig() through its JSON and
// validates the result.
func (s *Space) apply(sets ...map[string]any) (fashion.Config, error) {
	obj := map[string]any{}
	for _, set := range sets {
		for name, v := range set {
			field, _ := configjson.Field(name)
			obj[name] = asField(field, v)
		}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fashion.Config{}, err
	}
	cfg, err := configjson.Decode(data, "values", fashion.DefaultConfig())
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// round3 rounds to 3 significant digits.
func round3(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}

// MarshalJSON writes the space as its file gave it.
func (s *Space) MarshalJSON() ([]byte, error) {
	if len(s.raw) == 0 {
		return []byte("null"), nil
	}
	return s.raw, nil
}
