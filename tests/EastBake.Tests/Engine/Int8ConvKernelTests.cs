using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Runtime.Ilgpu;
using EastBake.Tests.Onnx;
using ILGPU;
using ILGPU.Runtime;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Engine;

/// <summary>Runs only when the engine tests run on CUDA (EASTBAKE_ENGINE_TEST_DEVICE=cuda).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("EASTBAKE_ENGINE_TEST_DEVICE"), "cuda", StringComparison.OrdinalIgnoreCase))
            Skip = "dp4a runs on CUDA only: set EASTBAKE_ENGINE_TEST_DEVICE=cuda on a GPU machine";
    }
}

/// <summary>
/// The INT8 convolution against the quantized math done independently: the int32 accumulators
/// exactly (64-bit sums on the host), the float epilogue and the requantized int8 outputs, and
/// the dequantized result against the float64 reference interpreter's convolution.
/// </summary>
[Collection(EngineCollection.Name)]
public class Int8ConvKernelTests(CpuAcceleratorFixture fx)
{
    private sealed record Case(int H, int W, int Cin, int Cout, int K, int Stride, bool Relu, int Seed)
    {
        public int OutH => (H + Stride - 1) / Stride;
        public int OutW => (W + Stride - 1) / Stride;
        public (int Top, int Left) Pads => (Pad(H, OutH), Pad(W, OutW));
        private int Pad(int size, int outSize) => Math.Max((outSize - 1) * Stride + K - size, 0) / 2; // TF SAME: the odd pixel at the end
    }

    private static readonly Case[] Cases =
    [
        new(9, 11, 8, 12, 3, 1, true, 1),
        new(10, 7, 16, 4, 3, 2, false, 2),
        new(6, 6, 4, 8, 1, 1, true, 3),
        new(8, 9, 12, 5, 1, 2, false, 4),
    ];

    private sealed record Run(int[] Acc, float[] Float, sbyte[] Int8);

    private static (sbyte[] X, float Sx, Tensor W, sbyte[] Ohwi, float[] Sw, float[] Bias, float Sy) Data(Case c)
    {
        var r = new Random(c.Seed * 7919 + Environment.TickCount);
        var x = new sbyte[c.H * c.W * c.Cin];
        for (var i = 0; i < x.Length; i++) x[i] = (sbyte)r.Next(-128, 128);
        var w = TestGraphs.RandomTensor([c.K, c.K, c.Cin, c.Cout], r.Next(), 0.7f);
        var (ohwi, sw) = WeightScales.QuantizeToOhwi(w);
        var bias = Enumerable.Range(0, c.Cout).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        return (x, 0.02f + (float)r.NextDouble() * 0.01f, w, ohwi, sw, bias, 0.05f);
    }

    private Run Execute(Case c, sbyte[] x, float sx, sbyte[] ohwi, float[] sw, float[] bias, float sy, bool dp4a)
    {
        var acc = fx.Accelerator;
        var conv = new Int8Convolution<float, F32Ops>(acc, dp4a);
        int n = c.OutH * c.OutW * c.Cout;
        using var bx = acc.Allocate1D(x);
        using var bw = acc.Allocate1D(ohwi);
        using var be = acc.Allocate1D(sw.Concat(bias).ToArray());
        using var of = acc.Allocate1D(Enumerable.Repeat(float.NaN, n).ToArray());
        using var oq = acc.Allocate1D(Enumerable.Repeat((sbyte)99, n).ToArray());
        using var oa = acc.Allocate1D(Enumerable.Repeat(int.MinValue, n).ToArray());
        var (top, left) = c.Pads;
        var args = new Int8ConvArgs
        {
            InH = c.H, InW = c.W, InStride = c.Cin, InChannels = c.Cin, OutH = c.OutH, OutW = c.OutW, OutStride = c.Cout, OutChannels = c.Cout,
            PadTop = top, PadLeft = left, Relu = c.Relu ? 1 : 0, InputScale = sx, OutputScale = sy, Total = n,
        };
        foreach (var mode in new[] { Int8ConvOutput.Accumulator, Int8ConvOutput.Float, Int8ConvOutput.Int8 })
            conv.Launch(acc.DefaultStream, bx.View, bw.View, be.View, of.View, of.View, oq.View, oa.View, args with { Mode = (int)mode }, (c.K, c.K, c.Stride, c.Stride));
        acc.Synchronize();
        return new Run(oa.GetAsArray1D(), of.GetAsArray1D(), oq.GetAsArray1D());
    }

    /// <summary>Σ x·w in 64-bit over the taps inside the image (TF SAME padding), OHWI filter.</summary>
    private static long[] Accumulators(Case c, sbyte[] x, sbyte[] ohwi)
    {
        var (top, left) = c.Pads;
        var acc = new long[c.OutH * c.OutW * c.Cout];
        for (var oh = 0; oh < c.OutH; oh++)
            for (var ow = 0; ow < c.OutW; ow++)
                for (var o = 0; o < c.Cout; o++)
                {
                    long s = 0;
                    for (var ky = 0; ky < c.K; ky++)
                        for (var kx = 0; kx < c.K; kx++)
                        {
                            int ih = oh * c.Stride - top + ky, iw = ow * c.Stride - left + kx;
                            if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                            for (var i = 0; i < c.Cin; i++)
                                s += x[(ih * c.W + iw) * c.Cin + i] * (long)ohwi[((o * c.K + ky) * c.K + kx) * c.Cin + i];
                        }
                    acc[(oh * c.OutW + ow) * c.Cout + o] = s;
                }
        return acc;
    }

    [Fact]
    public void ScalarPathAccumulatesExactlyAndRequantizesAsTheMathSays()
    {
        foreach (var c in Cases)
        {
            var (x, sx, w, ohwi, sw, bias, sy) = Data(c);
            var run = Execute(c, x, sx, ohwi, sw, bias, sy, dp4a: false);
            var expected = Accumulators(c, x, ohwi);
            Assert.Equal(expected.Select(v => checked((int)v)), run.Acc);
            for (var k = 0; k < expected.Length; k++)
            {
                var o = k % c.Cout;
                var y = expected[k] * ((double)sx * sw[o]) + bias[o];
                if (c.Relu) y = Math.Max(y, 0);
                Assert.True(Math.Abs(run.Float[k] - y) <= 1e-5 * Math.Max(1, Math.Abs(y)), $"{c}: float output {k}: {run.Float[k]} vs {y}");
                var q = Math.Clamp(Math.Round(y / sy, MidpointRounding.ToEven), -128, 127);
                var nearTie = Math.Abs(Math.Abs(y / sy - Math.Truncate(y / sy)) - 0.5) < 1e-3;
                if (!nearTie) Assert.True(q == run.Int8[k], $"{c}: int8 output {k}: {run.Int8[k]} vs {q} (y/s = {y / sy})");
            }
        }
    }

    [Fact]
    public void DequantizedResultIsTheReferenceConvolutionOfTheDequantizedTensors()
    {
        var c = Cases[1];
        var (x, sx, w, ohwi, sw, bias, sy) = Data(c);
        var run = Execute(c, x, sx, ohwi, sw, bias, sy, dp4a: false);
        // The same network in float64 on the reference interpreter: conv (TF SAME) of x·s_x with the
        // dequantized filter (back to HWIO), plus the bias.
        var hwio = new float[w.Floats!.Length];
        for (var y = 0; y < c.K; y++)
            for (var xk = 0; xk < c.K; xk++)
                for (var i = 0; i < c.Cin; i++)
                    for (var o = 0; o < c.Cout; o++)
                        hwio[((y * c.K + xk) * c.Cin + i) * c.Cout + o] = ohwi[((o * c.K + y) * c.K + xk) * c.Cin + i] * sw[o];
        var g = new Graph("int8");
        var input = g.Input("x", 1, c.H, c.W, c.Cin);
        var conv = g.Conv("conv", input.Output, g.AddConst("w", Tensor.FromFloats([c.K, c.K, c.Cin, c.Cout], hwio)).Output, "SAME", c.Stride);
        conv.Inputs.Add(g.AddConst("b", Tensor.FromFloats([c.Cout], bias)).Output);
        g.Outputs.Add(conv.Output);
        g.TopologicalSort();
        var feed = Tensor.FromFloats([1, c.H, c.W, c.Cin], Array.ConvertAll(x, v => v * sx));
        var reference = ReferenceInterpreter.Run(g, new Dictionary<string, Tensor> { ["x"] = feed })["conv"];
        var maxErr = reference.Floats!.Zip(run.Float).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(maxErr < 1e-4, $"max |Δ| {maxErr}");
    }

    [CudaFact]
    public void Dp4aPathMatchesTheScalarPath()
    {
        Assert.True(new Int8Convolution<float, F32Ops>(fx.Accelerator).UseDp4a);
        foreach (var c in Cases.Where(c => c.Cin % 4 == 0))
        {
            var (x, sx, _, ohwi, sw, bias, sy) = Data(c);
            var scalar = Execute(c, x, sx, ohwi, sw, bias, sy, dp4a: false);
            var dp4a = Execute(c, x, sx, ohwi, sw, bias, sy, dp4a: true);
            Assert.Equal(scalar.Acc, dp4a.Acc);
            Assert.All(scalar.Int8.Zip(dp4a.Int8), p => Assert.InRange(p.Second - p.First, -1, 1));
        }
    }
}
