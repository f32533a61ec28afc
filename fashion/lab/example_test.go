package lab_test

import (
	"fmt"

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
