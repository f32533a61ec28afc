package fashion

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	mlcontext "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// cnnParams is the parameter count of the "cnn" network: two 3×3
// convolutions (1→32, 32→64 channels), a dense layer of 128 on the 7×7×64
// pooled maps, and the output.
const cnnParams = (9*1+1)*32 + (9*32+1)*64 + (7*7*64+1)*128 + (128+1)*NumClasses

// cnnLogits is the "cnn" network (Config.Arch), the distillation teacher:
// conv 3×3·32 → ReLU → max pool 2×2 → conv 3×3·64 → ReLU → max pool 2×2 →
// dense 128 → ReLU → dense 10, on images x [B,784]. GoMLX's layers create
// and initialize its variables (from the context's seeded generator) under
// the model's scope, so that Run.Params and setParams treat it as the MLP.
func cnnLogits(mctx *mlcontext.Context, x *Node) *Node {
	b := x.Shape().Dimensions[0]
	scope := mctx.InAbsPath(mlcontext.RootScope + modelScope).Checked(false)
	h := Reshape(x, b, ImageSide, ImageSide, 1) // channels last
	h = activations.Relu(layers.Convolution(scope.In("conv_0"), h).Channels(32).KernelSize(3).PadSame().Done())
	h = MaxPool(h).Window(2).Done()
	h = activations.Relu(layers.Convolution(scope.In("conv_1"), h).Channels(64).KernelSize(3).PadSame().Done())
	h = MaxPool(h).Window(2).Done()
	h = Reshape(h, b, -1)
	h = activations.Relu(layers.DenseWithBias(scope.In("dense_0"), h, 128))
	return layers.DenseWithBias(scope.In("output"), h, NumClasses)
}
