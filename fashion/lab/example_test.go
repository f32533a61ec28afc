package lab_test

import (
	"fmt"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/lab"
)

// Curves drawn while a model trains: Update is the epoch hook, Done leaves
// the final chart. Outside a notebook it only records the history.
func ExampleLivePlot() {
	live := lab.NewLivePlot("my model")
	hooks := &fashion.Hooks{Epoch: live.Update}
	// run, err := fashion.Train(data, cfg, hooks) calls the hook after
	// every epoch; here we call it by hand.
	for i := range 3 {
		if err := hooks.Epoch(fashion.Epoch{Epoch: i, TrainLoss: 0.5, ValLoss: 0.6}); err != nil {
			fmt.Println(err)
		}
	}
	if err := live.Done(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(len(live.History()), "epochs")
	// Output:
	// 3 epochs
}

// A notebook cell that trains an experiment with three seeds in its
// section; changing cfg and running the cell again adds a version, which
// the cell draws against the earlier ones and the baseline. (Not run here:
// it trains.)
func ExampleExperiment() {
	cfg := fashion.DefaultConfig()
	cfg.Dropout = []float64{0.2}
	v := lab.Must(lab.Experiment("dropout", cfg, lab.Section("L2 y dropout"), lab.Seeds(3)))
	mean, sd := v.TestAccuracy()
	fmt.Printf("dropout v%d: exactitud de prueba %.2f ± %.2f%%\n", v.N, 100*mean, 100*sd)

	// The versions of the name, and forgetting the first one (its runs stay
	// in the cache).
	for _, old := range lab.Must(lab.Versions("dropout")) {
		fmt.Println(old.N, old.Config.Diff(fashion.DefaultConfig()))
	}
	lab.NoError(lab.ForgetVersion("dropout", 1))
}

// The package's own GoMLX code, printed from its source.
func ExampleGoSource() {
	src, err := lab.GoSource("Model.Logits")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.SplitN(src, "\n", 2)[0])
	// Output:
	// // Logits builds the forward pass of images x [batch,784] to logits [batch,10]:
}
