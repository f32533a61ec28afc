package fashion_test

import (
	"fmt"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
)

func ExampleDefaultConfig() {
	cfg := fashion.DefaultConfig()
	fmt.Println(cfg.Hidden, cfg.Epochs, cfg.BatchSize, cfg.Optimizer, cfg.LR, cfg.Momentum)
	// Output: [120 72 48] 40 128 rmsprop 0.0001 0.9
}

func ExampleConfig_Validate() {
	cfg := fashion.DefaultConfig()
	cfg.LR = -1
	cfg.Optimizer = "adagrad"
	fmt.Println(cfg.Validate())
	// Output:
	// fashion: Config.Optimizer = "adagrad" is invalid: want one of sgd, rmsprop, adam, adamw
	// fashion: Config.LR = -1 is invalid: want a number in (0, 10]
}

// Train the exercise's model for a few epochs on a subset and print the
// history's lines as the exercise does.
func ExampleTrain() {
	data, err := fashion.Load("")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := fashion.DefaultConfig()
	cfg.Epochs = 2
	cfg.TrainLimit = 6000
	run, err := fashion.Train(data, cfg, &fashion.Hooks{
		Epoch: func(e fashion.Epoch) error {
			fmt.Println(fashion.FormatEpoch(e, cfg.Epochs))
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test accuracy %.1f%% on %s\n", 100*run.TestAccuracy, run.Backend)
}

func ExampleConfig_Summary() {
	fmt.Println(fashion.DefaultConfig().Summary())
	// Output: MLP 784-120-72-48-10 (relu, init pytorch, norm none), 106906 parameters; rmsprop lr 0.0001, batch 128, 40 epochs
}

func ExampleConfig_DropoutRate() {
	cfg := fashion.DefaultConfig() // hidden layers 120, 72, 48
	cfg.Dropout = []float64{0.2}   // one value: every hidden layer
	fmt.Println(cfg.DropoutRate(0), cfg.DropoutRate(2))
	cfg.Dropout = []float64{0.1, 0.2, 0.3} // one per hidden layer
	fmt.Println(cfg.DropoutRate(0), cfg.DropoutRate(2))
	// Output:
	// 0.2 0.2
	// 0.1 0.3
}
