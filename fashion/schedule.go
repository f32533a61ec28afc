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

// lrSchedule gives each step its learning rate: ScheduledLR of the
// fractional epoch, or the plateau schedule's rate, which changes only
// between epochs.
type lrSchedule struct {
	cfg     Config
	plateau *plateau // nil unless Schedule is "plateau"
	lr      float64  // the plateau's current rate
}

func newLRSchedule(cfg Config) *lrSchedule {
	s := &lrSchedule{cfg: cfg, lr: cfg.LR}
	if cfg.Schedule == "plateau" {
		s.plateau = newPlateau(cfg)
	}
	return s
}

// rates returns the rates of the k steps from step of epoch (of steps).
func (s *lrSchedule) rates(epoch, step, k, steps int) []float64 {
	lrs := make([]float64, k)
	for j := range lrs {
		lrs[j] = s.lr
		if s.plateau == nil {
			lrs[j] = s.cfg.ScheduledLR(float64(epoch) + float64(step+j)/float64(steps))
		}
	}
	return lrs
}

// stepPlateau feeds the epoch's validation loss to the plateau schedule,
// which sets the rate of the next epoch; the other schedules ignore it.
func (s *lrSchedule) stepPlateau(valLoss float64) {
	if s.plateau != nil {
		s.lr = s.plateau.step(valLoss)
	}
}

// earlyStop is early stopping shaped like the plateau schedule: it watches
// the validation loss, keeps the best epoch's weights, and says when
// Config.EarlyStop epochs have passed without an improvement of more than
// Config.EarlyStopDelta. Disabled (never stops, keeps nothing) when
// EarlyStop is 0.
type earlyStop struct {
	patience int
	delta    float64
	best     Epoch
	params   []Param // the best epoch's weights
}

// paramSource is what earlyStop needs of the trainer.
type paramSource interface {
	params() ([]Param, error)
	load(ps []Param) error
}

func newEarlyStop(c Config) *earlyStop {
	return &earlyStop{patience: c.EarlyStop, delta: c.EarlyStopDelta, best: Epoch{Epoch: -1, ValLoss: math.Inf(1)}}
}

// shouldStop takes the epoch's line, keeps the model's weights if the epoch
// is the best so far, and reports whether Config.EarlyStop epochs have
// passed without a better one.
func (s *earlyStop) shouldStop(e Epoch, model paramSource) (stop bool, err error) {
	if s.patience == 0 {
		return false, nil
	}
	if e.ValLoss < s.best.ValLoss-s.delta {
		s.best = e
		s.params, err = model.params()
		return false, err
	}
	return e.Epoch-s.best.Epoch >= s.patience, nil
}

// restoreBest loads the best epoch's weights if they are not the last
// epoch's, and returns the epoch whose weights the model now holds.
func (s *earlyStop) restoreBest(model paramSource, last int) (kept int, err error) {
	if s.patience == 0 || s.best.Epoch < 0 || s.best.Epoch == last {
		return last, nil
	}
	return s.best.Epoch, model.load(s.params)
}
