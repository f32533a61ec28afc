package fashion

import (
	"math"
	"math/rand/v2"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
)

// The training losses beyond the exercise's cross-entropy, each per example
// [B] (the step takes their mean) and each as its usual definition:

// smoothedCrossEntropy is torch.nn.CrossEntropyLoss(label_smoothing=ε): the
// target puts 1−ε on the label and ε/K on every class, so the loss is
// (1−ε)·CE(label) + ε·mean over the K classes of −log p. ε is a scalar
// node (a setting, settings.go); nil is no smoothing.
func smoothedCrossEntropy(logits, labels, eps *Node) *Node {
	if eps == nil {
		return crossEntropy(logits, labels)
	}
	logp := LogSoftmax(logits, -1)
	uniform := Neg(ReduceMean(logp, -1))
	return Add(Mul(crossEntropy(logits, labels), OneMinus(eps)), Mul(uniform, eps))
}

// mixPairs is mixup's pairing within the batch: example i is mixed with
// example i+1 (the last with the first). The batch is a random draw of the
// epoch's order, so these pairs are random pairs.
func mixPairs(x *Node) *Node {
	b := x.Shape().Dimensions[0]
	if b < 2 {
		return x
	}
	return Concatenate([]*Node{Slice(x, AxisRange(1, b)), Slice(x, AxisRange(0, 1))}, 0)
}

// mixImages is mixup's input: λ·x + (1−λ)·x_pair, with λ a scalar.
func mixImages(x, lambda *Node) *Node {
	one := OnesLike(lambda)
	return Add(Mul(x, lambda), Mul(mixPairs(x), Sub(one, lambda)))
}

// mixLoss is mixup's loss of the mixed images' logits: λ·loss(labels) +
// (1−λ)·loss(labels of the pairs).
func mixLoss(loss func(logits, labels *Node) *Node, logits, labels, lambda *Node) *Node {
	one := OnesLike(lambda)
	return Add(Mul(loss(logits, labels), lambda), Mul(loss(logits, mixPairs(labels)), Sub(one, lambda)))
}

// distillationLoss is Hinton et al.'s (2015) loss of a student with logits
// s learning from a teacher's logits t at temperature T:
// α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE(s, labels), per example.
// T² keeps the soft term's gradients on the scale of the hard one's. T and
// α are scalar nodes (settings, settings.go), so α = 1 computes the hard
// term too, times 0.
func distillationLoss(student, teacher, labels, temperature, alpha *Node) *Node {
	pt := Softmax(Div(teacher, temperature), -1)
	logpt := LogSoftmax(Div(teacher, temperature), -1)
	logps := LogSoftmax(Div(student, temperature), -1)
	kl := ReduceSum(Mul(pt, Sub(logpt, logps)), -1)
	soft := Mul(kl, Mul(alpha, Square(temperature)))
	return Add(soft, Mul(crossEntropy(student, labels), OneMinus(alpha)))
}

// emaUpdate is one step of an exponential moving average of a variable:
// decay·average + (1−decay)·w, as torch.optim.swa_utils' EMA
// (get_ema_multi_avg_fn), with decay a scalar node (emaDecay).
func emaUpdate(average, w, decay *Node) *Node {
	return Add(Mul(average, decay), Mul(w, OneMinus(decay)))
}

// emaDecay is the decay of the EMA update (decay, a scalar node: a graph
// input, settings.go) after n [scalar, float] earlier
// updates: min(decay, (1+n)/(10+n)), tf.train.ExponentialMovingAverage's
// warm-up with num_updates. The first updates weigh the new weights most
// (0.9 at n = 0), so the average leaves the initial weights within a few
// dozen steps instead of 1/(1−decay).
func emaDecay(decay, n *Node) *Node {
	warm := Div(AddScalar(n, 1), AddScalar(n, 10))
	return Min(ConvertDType(decay, n.DType()), warm)
}

// mixupLambdas draws mixup's λ for each step of an epoch from Beta(α, α),
// reproducibly from the run's seed and the epoch. Drawn on the host and
// sent with the epoch's rates: GoMLX v0.26.0 has no Beta (nor Gamma)
// sampler, and neither has math/rand/v2, so betaSample is written here.
func mixupLambdas(seed uint64, epoch, steps int, alpha float64) []float64 {
	rng := rand.New(rand.NewPCG(seed^0x6d697875, uint64(epoch)))
	lambdas := make([]float64, steps)
	for i := range lambdas {
		lambdas[i] = betaSample(rng, alpha, alpha)
	}
	return lambdas
}

// betaSample draws from Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x, y := gammaSample(rng, a), gammaSample(rng, b)
	return x / (x + y)
}

// gammaSample draws from Gamma(shape, 1) by Marsaglia and Tsang's method
// (2000); a shape below 1 is boosted: Gamma(a) = Gamma(a+1)·U^(1/a).
func gammaSample(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaSample(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
