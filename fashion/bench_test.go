package fashion

import (
	"testing"
)

// BenchmarkTrainEpoch measures one training epoch of the exercise's
// configuration (batch 128, 469 steps) plus its validation pass on the
// default backend: go test ./fashion -run XXX -bench TrainEpoch -benchtime 3x
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
	var secs float64
	for _, e := range run.History {
		secs += e.Seconds
	}
	perEpoch := secs / float64(len(run.History))
	b.ReportMetric(perEpoch, "s/epoch")
	b.ReportMetric(float64(splits.Train.Len())/perEpoch, "examples/s")
}
