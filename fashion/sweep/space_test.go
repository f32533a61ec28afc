package sweep

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func TestParseSpaceErrors(t *testing.T) {
	for _, tc := range []struct {
		name, space string
		want        []string // in the error
	}{
		{"not JSON", `{"params": `, []string{"space.json"}},
		{"unknown top-level field", `{"sample": 3, "params": {"lr": 0.1}}`, []string{`"sample"`}},
		{"no params", `{"samples": 3}`, []string{`"params" is missing`}},
		{"empty params", `{"params": {}}`, []string{`"params" is missing or empty`}},
		{"unknown name", `{"params": {"learning_rate": {"grid": [0.1]}}}`, []string{"params.learning_rate", `unknown name "learning_rate"`, "lr"}},
		{"Go name", `{"params": {"LR": 0.1}}`, []string{`unknown name "LR"`}},
		{"empty choices", `{"params": {"optimizer": {"choice": []}}}`, []string{"params.optimizer", "choice", "empty"}},
		{"empty grid", `{"params": {"optimizer": {"grid": []}}}`, []string{"params.optimizer", "grid", "empty"}},
		{"choice not a list", `{"params": {"optimizer": {"choice": "adam"}}}`, []string{"params.optimizer", "want a list"}},
		{"unknown kind", `{"params": {"lr": {"normal": [0, 1]}}}`, []string{"params.lr", `unknown kind "normal"`, "loguniform"}},
		{"two kinds", `{"params": {"lr": {"grid": [0.1], "choice": [0.2]}}}`, []string{"params.lr", "one key"}},
		{"reversed range", `{"params": {"dropout": {"uniform": [0.5, 0.1]}}}`, []string{"params.dropout", "reversed"}},
		{"empty range", `{"params": {"lr": {"loguniform": [0.1, 0.1]}}}`, []string{"params.lr", "empty range"}},
		{"reversed int range", `{"params": {"epochs": {"randint": [9, 3]}}}`, []string{"params.epochs", "reversed"}},
		{"loguniform at zero", `{"params": {"l2": {"loguniform": [0, 0.01]}}}`, []string{"params.l2", "low > 0"}},
		{"loguniform below zero", `{"params": {"lr": {"loguniform": [-1, 0.01]}}}`, []string{"params.lr", "low > 0"}},
		{"range of one number", `{"params": {"lr": {"uniform": [0.1]}}}`, []string{"params.lr", "[low, high]"}},
		{"range of strings", `{"params": {"lr": {"uniform": ["a", "b"]}}}`, []string{"params.lr", "[low, high]"}},
		{"uniform on an integer", `{"params": {"epochs": {"uniform": [1, 5]}}}`, []string{"params.epochs", "use randint"}},
		{"randint on a float", `{"params": {"lr": {"randint": [1, 5]}}}`, []string{"params.lr", "use uniform"}},
		{"randint with fractions", `{"params": {"epochs": {"randint": [1.5, 5]}}}`, []string{"params.epochs", "integer bounds"}},
		{"randint on a string", `{"params": {"optimizer": {"randint": [1, 5]}}}`, []string{"params.optimizer", "use uniform"}},
		{"wrong type fixed", `{"params": {"epochs": "ten"}}`, []string{"params.epochs", "a JSON string", "an integer"}},
		{"wrong type in a grid", `{"params": {"optimizer": {"grid": ["adam", 3]}}}`, []string{"params.optimizer", "grid[1]", "a string"}},
		{"wrong type in choices", `{"params": {"hidden": {"choice": [[16], ["x"]]}}}`, []string{"params.hidden", "choice[1]"}},
		{"fraction for an integer", `{"params": {"epochs": {"grid": [2, 2.5]}}}`, []string{"params.epochs", "grid[1]"}},
		{"samples zero", `{"samples": 0, "params": {"lr": {"loguniform": [1e-4, 1e-2]}}}`, []string{`"samples" = 0`}},
		{"samples with nothing drawn", `{"samples": 3, "params": {"lr": {"grid": [0.1, 0.01]}}}`, []string{"no parameter is drawn"}},
		{"negative seed", `{"seed": -1, "params": {"lr": 0.1}}`, []string{"seed"}},
		{"too many trials", `{"samples": 100000, "params": {"lr": {"loguniform": [1e-4, 1e-2]}, "epochs": {"grid": [1, 2]}}}`, []string{"more than 100000"}},
		{"one_of named as a field", `{"params": {"ema": {"one_of": [{"ema": 0.999}]}}}`, []string{"params.ema", "is a Config field"}},
		{"one_of empty", `{"params": {"averaging": {"one_of": []}}}`, []string{"params.averaging", "empty"}},
		{"one_of not objects", `{"params": {"averaging": {"one_of": [0.999]}}}`, []string{"params.averaging", "list of objects"}},
		{"one_of empty set", `{"params": {"averaging": {"one_of": [{}]}}}`, []string{"params.averaging", "one_of[0]", "empty object"}},
		{"one_of unknown field", `{"params": {"averaging": {"one_of": [{"emma": 0.999}]}}}`, []string{"params.averaging", `unknown name "emma"`}},
		{"one_of wrong type", `{"params": {"averaging": {"one_of": [{"swa_epochs": "ten"}]}}}`, []string{"params.averaging", "one_of[0].swa_epochs"}},
		{"one_of sets of other fields", `{"params": {"averaging": {"one_of": [{"ema": 0.999, "swa_epochs": 0}, {"swa_epochs": 10}]}}}`, []string{"params.averaging", "one_of[1]", "same fields"}},
		{"one_of field also a param", `{"params": {"ema": {"choice": [0, 0.9]}, "averaging": {"one_of": [{"ema": 0.999}]}}}`, []string{"params.averaging", "sets ema", "params.ema"}},
		{"every bad parameter named", `{"params": {"lr": {"uniform": [1, 0]}, "bogus": 1}}`, []string{"params.lr", "params.bogus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpace([]byte(tc.space), "space.json")
			if err == nil {
				t.Fatalf("no error for %s", tc.space)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestTrialsInvalidConfigNamesTheTrial(t *testing.T) {
	s, err := ParseSpace([]byte(`{"params": {"optimizer": {"grid": ["adamw", "sgd"]}, "weight_decay": 0.01}}`), "s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Trials()
	if err == nil || !strings.Contains(err.Error(), "trial 1") || !strings.Contains(err.Error(), "optimizer=sgd") || !strings.Contains(err.Error(), "WeightDecay") {
		t.Errorf("error %v, want one naming trial 1 (optimizer=sgd) and WeightDecay", err)
	}
}

func TestTrials(t *testing.T) {
	for _, tc := range []struct {
		name   string
		space  string
		trials int
		check  func(t *testing.T, trials []Trial)
	}{
		{"grid is a cartesian product, last name fastest", `{"params": {"optimizer": {"grid": ["adam", "sgd"]}, "norm": {"grid": ["none", "batch", "layer"]}, "epochs": 3}}`, 6,
			func(t *testing.T, trials []Trial) {
				var got []string
				for _, tr := range trials {
					got = append(got, tr.Config.Norm+"/"+tr.Config.Optimizer)
					if tr.Config.Epochs != 3 || len(tr.Values) != 2 {
						t.Errorf("trial %d: epochs %d, values %v", tr.Index, tr.Config.Epochs, tr.Values)
					}
				}
				want := []string{"none/adam", "none/sgd", "batch/adam", "batch/sgd", "layer/adam", "layer/sgd"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("order %v, want %v", got, want)
				}
			}},
		{"draws stay in their ranges and types", `{"samples": 40, "seed": 3, "params": {"lr": {"loguniform": [1e-4, 1e-2]}, "dropout": {"uniform": [0, 0.5]}, "batch_size": {"randint": [32, 34]}, "init": {"choice": ["he_normal", "pytorch"]}}}`, 40,
			func(t *testing.T, trials []Trial) {
				sizes, inits := map[int]bool{}, map[string]bool{}
				for _, tr := range trials {
					c := tr.Config
					if c.LR < 1e-4 || c.LR > 1e-2 || len(c.Dropout) != 1 || c.Dropout[0] < 0 || c.Dropout[0] > 0.5 || c.BatchSize < 32 || c.BatchSize > 34 {
						t.Errorf("trial %d out of range: lr %g, dropout %v, batch %d", tr.Index, c.LR, c.Dropout, c.BatchSize)
					}
					if c.LR != round3(c.LR) {
						t.Errorf("lr %v not rounded to 3 digits", c.LR)
					}
					sizes[c.BatchSize], inits[c.Init] = true, true
				}
				if len(sizes) != 3 || len(inits) != 2 {
					t.Errorf("40 draws gave batch sizes %v and inits %v, want every value", sizes, inits)
				}
			}},
		{"samples times grid points", `{"samples": 3, "params": {"lr": {"loguniform": [1e-4, 1e-2]}, "norm": {"grid": ["none", "batch"]}}}`, 6, nil},
		{"duplicates kept once", `{"samples": 30, "params": {"norm": {"choice": ["none", "batch"]}}}`, 2, nil},
		{"a list field takes a list or a number", `{"params": {"hidden": {"grid": [[16], [32, 16]]}, "dropout": 0.1}}`, 2,
			func(t *testing.T, trials []Trial) {
				if !reflect.DeepEqual(trials[1].Config.Hidden, []int{32, 16}) || !reflect.DeepEqual(trials[1].Config.Dropout, []float64{0.1}) {
					t.Errorf("trial 1: hidden %v, dropout %v", trials[1].Config.Hidden, trials[1].Config.Dropout)
				}
			}},
		// EMA and SWA drawn independently make invalid trials; drawn as
		// one_of sets, every trial is one of the sets.
		{"one_of draws whole sets", `{"samples": 30, "seed": 2, "params": {"epochs": 20, "averaging": {"one_of": [{"ema": 0, "swa_epochs": 0}, {"ema": 0.999, "swa_epochs": 0}, {"ema": 0, "swa_epochs": 5}]}, "lr": {"choice": [0.001, 0.002]}}}`, 6,
			func(t *testing.T, trials []Trial) {
				seen := map[[2]float64]bool{}
				for _, tr := range trials {
					c := tr.Config
					set := [2]float64{c.EMA, float64(c.SWAEpochs)}
					if set != [2]float64{0, 0} && set != [2]float64{0.999, 0} && set != [2]float64{0, 5} {
						t.Errorf("trial %d: ema %g, swa_epochs %d: not one of the sets", tr.Index, c.EMA, c.SWAEpochs)
					}
					if tr.Values["ema"] != c.EMA || tr.Values["swa_epochs"] != float64(c.SWAEpochs) || len(tr.Values) != 3 {
						t.Errorf("trial %d: values %v, want ema, swa_epochs (the set's) and lr", tr.Index, tr.Values)
					}
					seen[set] = true
				}
				if len(seen) != 3 {
					t.Errorf("30 draws gave the sets %v, want all three", seen)
				}
			}},
		{"fixed values only: one trial, the rest are defaults", `{"params": {"epochs": {"value": 2}, "lr": 0.001}}`, 1,
			func(t *testing.T, trials []Trial) {
				want := fashion.DefaultConfig()
				want.Epochs, want.LR = 2, 0.001
				if !reflect.DeepEqual(trials[0].Config, want) || len(trials[0].Values) != 0 {
					t.Errorf("config %+v, values %v", trials[0].Config, trials[0].Values)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSpace([]byte(tc.space), "s")
			if err != nil {
				t.Fatal(err)
			}
			trials, err := s.Trials()
			if err != nil {
				t.Fatal(err)
			}
			if len(trials) != tc.trials {
				t.Fatalf("%d trials, want %d", len(trials), tc.trials)
			}
			again, _ := s.Trials()
			if !reflect.DeepEqual(trials, again) {
				t.Errorf("the same space gave other trials the second time")
			}
			if tc.check != nil {
				tc.check(t, trials)
			}
		})
	}
}

func TestSeedChangesDraws(t *testing.T) {
	draw := func(seed string) []Trial {
		s, err := ParseSpace([]byte(`{"samples": 5, "seed": `+seed+`, "params": {"lr": {"loguniform": [1e-4, 1e-1]}}}`), "s")
		if err != nil {
			t.Fatal(err)
		}
		trials, err := s.Trials()
		if err != nil {
			t.Fatal(err)
		}
		return trials
	}
	if reflect.DeepEqual(draw("1"), draw("2")) {
		t.Error("seeds 1 and 2 drew the same trials")
	}
}

func TestSearchedNamesOneOfMembers(t *testing.T) {
	s, err := ParseSpace([]byte(`{"samples": 2, "params": {"lr": {"choice": [0.1, 0.2]}, "epochs": 9, "averaging": {"one_of": [{"swa_epochs": 0, "ema": 0.9}, {"ema": 0, "swa_epochs": 3}]}}}`), "s")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Searched(), []string{"ema", "lr", "swa_epochs"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Searched() = %v, want %v", got, want)
	}
}

// TestExampleSpaces expands every space of sweeps/examples: each is valid,
// but beyond.json, the record of the 2026-12-04 sweep, which predates the
// rule that a teacher goes without augmentation (sweeps/beyond_sweep.sh).
func TestExampleSpaces(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "sweeps", "examples", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example spaces (%v)", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := ReadSpace(path)
			if err != nil {
				t.Fatal(err)
			}
			trials, err := s.Trials()
			if filepath.Base(path) == "beyond.json" {
				if err == nil || !strings.Contains(err.Error(), "Teacher") {
					t.Errorf("beyond.json: error %v, want the teacher/augmentation refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(trials) < s.Samples/2 {
				t.Errorf("%d trials of %d samples", len(trials), s.Samples)
			}
		})
	}
}
