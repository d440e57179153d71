using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.Engine;

/// <summary>
/// A tiny EAST-shaped program (profile 32..64, multiples of 32): input convert with means into 4
/// channels (1 padding) → conv 7×7/2 → max pool 3×3/2 SAME → 1×1 conv → 3×3 conv with fused
/// residual → Add+ReLU → 3×3/2 conv → resize ×2 into a concat slice, 1×1 conv into the other
/// slice → concat copy → 3×3 conv → score (1×1 + Sigmoid) and geometry (1×1 + GeometryHead).
/// </summary>
internal static class MiniEastProgram
{
    public static EngineProgram Build(TestPrecision precision, int seed)
    {
        var rng = new Random(seed);
        var type = EngineTest.Type(precision);
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(32, 32, 64, 64), InputChannels = 3 };
        int T(string name, int ch, int den) => p.AddTensor(new EngineTensor(name, ch, den, type));
        Conv2DLayer Conv(string name, TensorRef input, TensorRef output, int k, int s, int padTL, int padBR, int cin, int cout,
            EngineActivation act, TensorRef? residual = null, double gain = 1)
        {
            var (f, b) = EngineTest.ConvWeights(p, rng, k, k, cin, cout, type, gain);
            var l = new Conv2DLayer
            {
                Name = name, Input = input, Output = output, Residual = residual, Filter = f, Bias = b, InChannels = cin, OutChannels = cout,
                KernelH = k, KernelW = k, StrideH = s, StrideW = s, PadTop = padTL, PadLeft = padTL, PadBottom = padBR, PadRight = padBR,
                Activation = act,
            };
            p.Layers.Add(l);
            return l;
        }

        int x = T("input", 4, 1);
        p.Layers.Add(new InputConvertLayer { Name = "sub_mean", Output = x, InputChannels = 3, OutputChannels = 4, Mean = [123.68f, 116.78f, 103.94f] });
        int c1 = T("conv1", 8, 2), p1 = T("pool1", 8, 4), a = T("a", 8, 4), b = T("b", 8, 4), r = T("r", 8, 4), d = T("d", 8, 8);
        int cat = T("cat", 12, 4), cat2 = T("cat2", 20, 4), e = T("e", 8, 4), sl = T("score_logit", 1, 4), gl = T("geo_logit", 5, 4);
        int score = T("score", 1, 4), geo = T("geometry", 5, 4);
        // gain 1/64 stands in for the folded BatchNorm: activations stay O(1) as in the real network,
        // so FP16 rounding is judged where it matters rather than on ±100s with cancellation.
        Conv("conv1", x, c1, 7, 2, 3, 3, 4, 8, EngineActivation.Relu, gain: 1.0 / 64);
        p.Layers.Add(new MaxPoolLayer { Name = "pool1", Input = c1, Output = p1, Channels = 8, KernelH = 3, KernelW = 3, StrideH = 2, StrideW = 2, PadBottom = 1, PadRight = 1 });
        Conv("c2", p1, a, 1, 1, 0, 0, 8, 8, EngineActivation.Relu);
        Conv("c3", a, b, 3, 1, 1, 1, 8, 8, EngineActivation.Relu, residual: p1).Tactic = new Tactic(0, GroupSize: 8);
        p.Layers.Add(new AddLayer { Name = "add", A = b, B = p1, Output = r, Channels = 8, Relu = true });
        Conv("c4", r, d, 3, 2, 0, 1, 8, 8, EngineActivation.Relu);
        p.Layers.Add(new ResizeBilinearLayer { Name = "unpool", Input = d, Output = new TensorRef(cat, 0), Channels = 8 });
        Conv("c5", r, new TensorRef(cat, 8), 1, 1, 0, 0, 8, 4, EngineActivation.Relu);
        p.Layers.Add(new ConcatLayer { Name = "concat", Inputs = [(cat, 12), (p1, 8)], Output = cat2 });
        Conv("c6", cat2, e, 3, 1, 1, 1, 20, 8, EngineActivation.Relu);
        Conv("c7", e, sl, 1, 1, 0, 0, 8, 1, EngineActivation.None);
        p.Layers.Add(new SigmoidLayer { Name = "score", Input = sl, Output = score, Channels = 1 });
        Conv("c8", e, gl, 1, 1, 0, 0, 8, 5, EngineActivation.None);
        p.Layers.Add(new GeometryHeadLayer { Name = "geometry", Input = gl, Output = geo });
        p.Outputs.Add(new EngineOutput("score", score, 1));
        p.Outputs.Add(new EngineOutput("geometry", geo, 5));
        return p;
    }
}
