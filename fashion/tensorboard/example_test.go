package tensorboard_test

import (
	"fmt"
	"log"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/tensorboard"
)

// Every stored run as event files for "tensorboard --logdir data/tensorboard".
func ExampleExport() {
	runs, err := fashion.Cache{Dir: "data/runs"}.Runs()
	if err != nil {
		log.Fatal(err)
	}
	paths, err := tensorboard.Export("data/tensorboard", runs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(paths)-1, "runs written")
}
