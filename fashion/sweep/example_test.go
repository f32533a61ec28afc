package sweep_test

import (
	"context"
	"fmt"
	"log"

	"github.com/fashion-gomlx/fashion-gomlx/fashion/sweep"
)

// A space of two optimizers (a grid) and two learning rates drawn from a
// log-uniform range for each: four trials.
func ExampleParseSpace() {
	space, err := sweep.ParseSpace([]byte(`{
	  "samples": 2, "seed": 1,
	  "params": {
	    "epochs": 10,
	    "optimizer": {"grid": ["adam", "rmsprop"]},
	    "lr": {"loguniform": [1e-4, 1e-2]}
	  }
	}`), "space.json")
	if err != nil {
		log.Fatal(err)
	}
	trials, err := space.Trials()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("searched:", space.Searched())
	for _, t := range trials {
		fmt.Printf("trial %d: %s (epochs %d)\n", t.Index, t.Label(), t.Config.Epochs)
	}
	// Output:
	// searched: [lr optimizer]
	// trial 0: lr=0.000182 optimizer=adam (epochs 10)
	// trial 1: lr=0.000547 optimizer=rmsprop (epochs 10)
	// trial 2: lr=0.000102 optimizer=adam (epochs 10)
	// trial 3: lr=0.00345 optimizer=rmsprop (epochs 10)
}

// A notebook cell runs a sweep in its process and shows the chart
// (fashion/lab's Display functions take the SVG).
func ExampleRun() {
	space, err := sweep.ReadSpace("space.json")
	if err != nil {
		log.Fatal(err)
	}
	res, err := sweep.Run(context.Background(), space, sweep.Options{RunsDir: "data/runs"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.Markdown())
	svg := res.ChartSVG()
	_ = svg
}
