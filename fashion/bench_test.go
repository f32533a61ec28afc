package fashion

import (
	"testing"
)

// BenchmarkTrainEpoch measures training epochs of the exercise's
// configuration (batch 128, 469 steps) on the default backend; the metrics
// are the training steps' time, without validation and (with -benchtime 2x
// or more) without the first epoch's compilation:
// go test ./fashion -run XXX -bench TrainEpoch -benchtime 3x
func BenchmarkTrainEpoch(b *testing.B) {
	data := loadReal(b)
	cfg := DefaultConfig()
	cfg.Epochs = b.N
	splits, err := Prepare(data, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	run, err := TrainSplits(splits, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	// The first epoch includes compiling the graphs: leave it out when
	// there are others, as bench/run.py does.
	epochs := run.History
	if len(epochs) > 1 {
		epochs = epochs[1:]
	}
	var secs float64
	for _, e := range epochs {
		secs += e.TrainSeconds
	}
	perEpoch := secs / float64(len(epochs))
	b.ReportMetric(perEpoch, "s/epoch")
	b.ReportMetric(float64(splits.Train.Len())/perEpoch, "examples/s")
}
