using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Reference;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;
using EastBake.Tests.Onnx;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Calibration;

/// <summary>The ONNX precision emulation against the same math done by hand around the float64 reference interpreter.</summary>
public class PrecisionEmulationTests
{
    private static Graph TwoConvs(Tensor w1, Tensor w2)
    {
        var g = new Graph("two_convs");
        var x = g.Input("x", 1, 8, 8, 8);
        var c1 = g.Conv("conv1", x.Output, g.AddConst("w1", w1).Output);
        var c2 = g.Conv("conv2", c1.Output, g.AddConst("w2", w2).Output);
        g.Outputs.Add(c2.Output);
        return g;
    }

    private static Tensor Map(Tensor t, Func<float, float> f) => Tensor.FromFloats(t.Shape, Array.ConvertAll(t.Floats!, v => f(v)));

    [Fact]
    public void Fp16AndInt8LayersComputeWhatTheirPrecisionComputes()
    {
        var seed = Distributions.FreshSeed();
        var w1 = TestGraphs.RandomTensor([3, 3, 8, 8], seed, 0.3f);
        var w2 = TestGraphs.RandomTensor([1, 1, 8, 4], seed + 1, 0.5f);
        var x = TestGraphs.RandomTensor([1, 8, 8, 8], seed + 2, 3f);
        var g = TwoConvs(w1, w2);
        var onnx = OnnxExporter.Export(g);
        var y1 = ReferenceInterpreter.Run(TwoConvs(Map(w1, v => (float)(Half)v), w2), new Dictionary<string, Tensor> { ["x"] = Map(x, v => (float)(Half)v) }, keepAll: true)["conv1"];
        // A coarse range (a quarter of the max): clipping and rounding both show.
        var amax = y1.Floats!.Max(Math.Abs) / 4;
        var table = new CalibrationTable
        {
            Method = "MinMax", ModelHash = "m", ImageSetHash = "i", ImageCount = 1,
            Tensors = new Dictionary<string, TensorRange> { ["conv1"] = new(amax, amax * 4) },
        };
        LayerPrecision[] layers = [new("conv1", Precision.FP16, "test"), new("conv2", Precision.INT8, "test")];
        var emulated = PrecisionEmulation.Apply(onnx, layers, table);

        // By hand: conv1 on float16-rounded input and weights; conv2 on y1 quantized to int8 steps of
        // amax/127 (saturating at −128…127) with per-output-channel int8 weights.
        var s = amax / 127f;
        var yq = Map(y1, v => (float)Math.Clamp(Math.Round(v / s, MidpointRounding.ToEven), -128, 127) * s);
        var scales = WeightScales.PerOutputChannelScale(w2);
        var w2q = Tensor.FromFloats(w2.Shape, w2.Floats!.Select((v, k) => WeightScales.Quantize(v, scales[k % 4]) * scales[k % 4]).ToArray());
        var g2 = new Graph("conv2");
        var yIn = g2.Input("y", 1, 8, 8, 8);
        var c2 = g2.Conv("conv2", yIn.Output, g2.AddConst("w2q", w2q).Output);
        g2.Outputs.Add(c2.Output);
        var expected = ReferenceInterpreter.Run(g2, new Dictionary<string, Tensor> { ["y"] = yq })["conv2"];

        var feeds = new Dictionary<string, Tensor> { ["x"] = x };
        var actual = OrtRunner.Run(emulated, feeds)["conv2"];
        var fp32 = OrtRunner.Run(onnx, feeds)["conv2"];
        var error = Compare.RelL2(actual, expected);
        var quantizationEffect = Compare.RelL2(fp32, expected);
        Assert.True(error < 2e-3, $"emulation vs hand INT8: rel L2 {error:E2} (seed {seed})");
        Assert.True(quantizationEffect > 20 * error, $"INT8 vs FP32 {quantizationEffect:E2} should dwarf the emulation error {error:E2}");
    }

    [Fact]
    public void Fp16PlanRoundsTheOutputs()
    {
        var seed = Distributions.FreshSeed();
        var g = TwoConvs(TestGraphs.RandomTensor([3, 3, 8, 8], seed, 0.3f), TestGraphs.RandomTensor([1, 1, 8, 4], seed + 1, 0.5f));
        var emulated = PrecisionEmulation.Fp16(OnnxExporter.Export(g));
        var y = OrtRunner.Run(emulated, new Dictionary<string, Tensor> { ["x"] = TestGraphs.RandomTensor([1, 8, 8, 8], seed + 2, 3f) })["conv2"];
        Assert.All(y.Floats!, v => Assert.Equal((float)(Half)v, v));
    }
}
