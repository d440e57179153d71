using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Ilgpu.TensorCores;
using EastBake.Runtime.Plans;
using ILGPU.Runtime;

namespace EastBake.Baking.Tuning;

/// <summary>The shape of one convolution as the kernels see it (FP16, NHWC, 8-aligned channels).</summary>
public sealed record ConvProblem(int InH, int InW, int Cin, int Cout, int KH, int KW, int Stride, int PadTop, int PadLeft,
    int PadBottom, int PadRight, bool Residual, EngineActivation Activation)
{
    public int OutH => (InH + PadTop + PadBottom - KH) / Stride + 1;
    public int OutW => (InW + PadLeft + PadRight - KW) / Stride + 1;
    public double Flops => 2.0 * OutH * OutW * Cout * Cin * KH * KW;
}

/// <summary>
/// Times convolution kernels on a device the way the baker's tuner and the benchmark sweep need:
/// one convolution alone in a program (random input and weights), median device time of the
/// layer over a number of runs, and its output for cross-checks between kernels.
/// </summary>
public static class ConvTimer
{
    /// <summary>Tiles worth timing for a layer: not more than twice as wide as its channels.</summary>
    public static IEnumerable<MmaTileShape> Candidates(int cout) => Enum.GetValues<MmaTileShape>().Where(t =>
    {
        var (_, bn) = ConvTactics.Size(t);
        return bn <= Math.Max(32, 2 * cout) && !(bn == 32 && cout > 64);
    });

    /// <summary>Median milliseconds of the convolution with <paramref name="tile"/> (null: the direct kernel), and its output.</summary>
    public static (double Milliseconds, float[] Output) Time(Accelerator accelerator, ConvProblem s, MmaTileShape? tile, int iterations, int seed = 1234)
    {
        var rng = new Random(seed);
        var image = new float[s.InH * s.InW * s.Cin];
        for (int i = 0; i < image.Length; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
        var program = Program(s, rng, tile);
        using var exec = new IlgpuExecutor(program, accelerator, new IlgpuExecutorOptions());
        var output = new float[exec.OutputLength(0, s.InH, s.InW)];
        exec.Poison();
        exec.Run(image, s.InH, s.InW, output);
        double ms = exec.ProfileLayers(s.InH, s.InW, iterations).First(l => l.Layer == "conv").Milliseconds;
        return (ms, output);
    }

    private static EngineProgram Program(ConvProblem s, Random rng, MmaTileShape? tile)
    {
        var half = EngineDataType.Float16;
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(s.InH, s.InW, s.InH, s.InW, sizeMultiple: 1), InputChannels = s.Cin };
        int x = p.AddTensor(new EngineTensor("x", s.Cin, 1, half));
        p.Layers.Add(new InputConvertLayer { Name = "in", Output = x, InputChannels = s.Cin, OutputChannels = s.Cin });
        var filter = new float[s.KH * s.KW * s.Cin * s.Cout];
        double scale = Math.Sqrt(3.0 / (s.KH * s.KW * s.Cin));
        for (int i = 0; i < filter.Length; i++) filter[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        int f = p.AddWeight(EngineWeight.FromFloats("w", filter, half, WeightLayout.Hwio));
        int b = p.AddWeight(EngineWeight.FromFloats("b", Enumerable.Range(0, s.Cout).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()));
        TensorRef? residual = null;
        if (s.Residual)
        {
            // A residual of the output's size: a strided 1×1 max pool of the input's first channels needs Cin ≥ Cout, so use a cheap conv.
            int r = p.AddTensor(new EngineTensor("r", s.Cout, s.Stride, half));
            int rf = p.AddWeight(EngineWeight.FromFloats("rw", Enumerable.Range(0, s.Cin * s.Cout).Select(_ => (float)(rng.NextDouble() * 0.1)).ToArray(), half, WeightLayout.Hwio));
            p.Layers.Add(new Conv2DLayer { Name = "res", Input = x, Output = r, Filter = rf, InChannels = s.Cin, OutChannels = s.Cout,
                KernelH = 1, KernelW = 1, StrideH = s.Stride, StrideW = s.Stride });
            residual = r;
        }
        int y = p.AddTensor(new EngineTensor("y", s.Cout, s.Stride, half));
        var conv = new Conv2DLayer
        {
            Name = "conv", Input = x, Output = y, Residual = residual, Filter = f, Bias = b, InChannels = s.Cin, OutChannels = s.Cout,
            KernelH = s.KH, KernelW = s.KW, StrideH = s.Stride, StrideW = s.Stride,
            PadTop = s.PadTop, PadLeft = s.PadLeft, PadBottom = s.PadBottom, PadRight = s.PadRight, Activation = s.Activation,
        };
        p.Layers.Add(conv);
        p.Outputs.Add(new EngineOutput("y", y, s.Cout));
        if (tile is { } t) ConvTactics.AssignTensorCore(p, conv, t);
        return p;
    }

    public static double RelL2(float[] a, float[] b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            num += d * d;
            den += (double)b[i] * b[i];
        }
        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }
}
