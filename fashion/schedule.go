package fashion

import "math"

// ScheduledLR is the learning rate at fractional epoch t (epoch + step/steps)
// for every schedule but "plateau", which depends on the validation losses
// (see plateau). With ScheduleBy "epoch" the rate holds all epoch long.
func (c Config) ScheduledLR(t float64) float64 {
	if c.ScheduleBy != "step" {
		t = math.Floor(t)
	}
	total := float64(c.Epochs)
	switch c.Schedule {
	case "step":
		return c.LR * math.Pow(c.Gamma, math.Floor(t/float64(c.StepSize)))
	case "exponential":
		return c.LR * math.Pow(c.Gamma, t)
	case "cosine":
		if t < c.WarmupEpochs {
			start := c.LR / 100
			return start + (c.LR-start)*t/c.WarmupEpochs
		}
		p := (t - c.WarmupEpochs) / (total - c.WarmupEpochs)
		return c.MinLR + (c.LR-c.MinLR)*(1+math.Cos(math.Pi*math.Min(p, 1)))/2
	case "onecycle":
		// torch.optim.lr_scheduler.OneCycleLR with its defaults: pct_start
		// 0.3, div_factor 25, final_div_factor 1e4, cosine annealing.
		peak := c.MaxLR
		if peak == 0 {
			peak = 10 * c.LR
		}
		start := peak / 25
		end := start / 1e4
		up := 0.3 * total
		if t < up {
			return start + (peak-start)*(1-math.Cos(math.Pi*t/up))/2
		}
		p := math.Min((t-up)/(total-up), 1)
		return end + (peak-end)*(1+math.Cos(math.Pi*p))/2
	}
	return c.LR // "constant", and "plateau" before its first reduction
}

// plateau is torch.optim.lr_scheduler.ReduceLROnPlateau(mode="min",
// threshold=1e-4, threshold_mode="rel", cooldown=0) driven by the
// validation loss.
type plateau struct {
	lr, factor float64
	patience   int
	best       float64
	bad        int
}

func newPlateau(c Config) *plateau {
	return &plateau{lr: c.LR, factor: c.Gamma, patience: c.Patience, best: math.Inf(1)}
}

// step takes an epoch's validation loss and returns the rate for the next epoch.
func (p *plateau) step(valLoss float64) float64 {
	if valLoss < p.best*(1-1e-4) {
		p.best, p.bad = valLoss, 0
	} else {
		p.bad++
	}
	if p.bad > p.patience {
		p.lr *= p.factor
		p.bad = 0
	}
	return p.lr
}
