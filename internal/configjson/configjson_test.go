package configjson

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func TestDecode(t *testing.T) {
	base := fashion.DefaultConfig()
	base.Dropout = []float64{0.5, 0.5, 0.5}
	for _, tc := range []struct {
		name, in string
		want     func(c fashion.Config) bool
		err      string // "" for none
	}{
		{"omitted fields keep base", `{"lr": 0.01}`, func(c fashion.Config) bool { return c.LR == 0.01 && c.Epochs == 40 && len(c.Dropout) == 3 }, ""},
		{"a list replaces, never merges", `{"dropout": [0.1]}`, func(c fashion.Config) bool { return reflect.DeepEqual(c.Dropout, []float64{0.1}) }, ""},
		{"unknown field", `{"lr": 0.01, "lrate": 2}`, nil, `src: unknown field "lrate": want one of `},
		{"wrong type", `{"nesterov": "yes"}`, nil, `src: field "nesterov": a JSON string is not valid, want true or false`},
		{"negative seed", `{"seed": -1}`, nil, `field "seed": a JSON number -1 is not valid, want a non-negative integer`},
		{"list of the wrong type", `{"hidden": ["a"]}`, nil, `field "hidden": a JSON string is not valid, want an integer`},
		{"syntax error with position", "{\n \"lr\": 0.1,,\n}", nil, "src:2:"},
		{"not an object", `42`, nil, "want a JSON object"},
		{"trailing data", `{} []`, nil, "after the JSON object"},
		{"truncated", `{"lr": `, nil, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in), "src", base)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !tc.want(got) {
				t.Fatalf("got %+v, %v", got, err)
			}
			if !reflect.DeepEqual(base.Dropout, []float64{0.5, 0.5, 0.5}) {
				t.Errorf("Decode changed the base's list: %v", base.Dropout)
			}
		})
	}
}

func TestFieldNames(t *testing.T) {
	names := FieldNames()
	if len(names) != reflect.TypeFor[fashion.Config]().NumField() {
		t.Errorf("%d names for %d fields", len(names), reflect.TypeFor[fashion.Config]().NumField())
	}
	for _, n := range []string{"lr", "batch_size", "dropout", "train_limit"} {
		if _, ok := Field(n); !ok {
			t.Errorf("Field(%q) not found", n)
		}
	}
	if _, ok := Field("LR"); ok {
		t.Error("Field(\"LR\"): Go names are not JSON names")
	}
}
