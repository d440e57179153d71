using System.Globalization;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Ilgpu.TensorCores;
using ILGPU.Runtime;

namespace EastBake.Tool.Bench;

/// <summary>One kernel choice's result on one convolution shape.</summary>
internal sealed record SweepResult(ConvShape Shape, string Kernel, double Milliseconds, double RelL2VsDirect);

/// <summary>
/// Times every applicable convolution kernel (the direct kernel and each tensor-core tile) on
/// each EAST convolution shape, FP16, with the same random input and weights, and checks each
/// against the direct kernel's output (relative L2). Used to pick heuristics and to see where
/// the network's time goes.
/// </summary>
internal static class ConvKernelSweep
{
    public static IEnumerable<SweepResult> Run(Accelerator accelerator, IReadOnlyList<ConvShape> shapes, int iterations, bool includeDirect, Action<string> log)
    {
        var rng = new Random(1234);
        foreach (var shape in shapes)
        {
            var image = new float[shape.InH * shape.InW * shape.Cin];
            for (int i = 0; i < image.Length; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
            var filter = new float[shape.K * shape.K * shape.Cin * shape.Cout];
            double scale = Math.Sqrt(3.0 / (shape.K * shape.K * shape.Cin));
            for (int i = 0; i < filter.Length; i++) filter[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
            var bias = Enumerable.Range(0, shape.Cout).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();

            float[]? reference = null;
            var candidates = new List<MmaTileShape?>();
            if (includeDirect) candidates.Add(null);
            candidates.AddRange(Enum.GetValues<MmaTileShape>().Where(t => Applicable(t, shape)).Select(t => (MmaTileShape?)t));
            foreach (var tile in candidates)
            {
                var program = Program(shape, filter, bias, tile);
                using var exec = new IlgpuExecutor(program, accelerator, new IlgpuExecutorOptions());
                var output = new float[exec.OutputLength(0, shape.InH, shape.InW)];
                exec.Poison();
                exec.Run(image, shape.InH, shape.InW, output);
                double err = double.NaN;
                if (tile is null) reference = output;
                else if (reference is not null) err = RelL2(output, reference);
                double ms = exec.ProfileLayers(shape.InH, shape.InW, iterations).First(l => l.Layer == "conv").Milliseconds;
                var name = tile?.ToString() ?? "direct";
                log($"{shape.Name,-18} {name,-9} {ms,9:F4} ms {shape.Flops / ms / 1e9,7:F1} TFLOP/s  relL2 {err:E1}");
                yield return new SweepResult(shape, name, ms, err);
            }
        }
    }

    /// <summary>Tiles worth timing: not wider than twice the channels (the rest would be mostly idle).</summary>
    private static bool Applicable(MmaTileShape t, ConvShape s)
    {
        var (_, bn) = ConvTactics.Size(t);
        return bn <= Math.Max(32, 2 * s.Cout) && !(bn == 32 && s.Cout > 64);
    }

    private static EngineProgram Program(ConvShape s, float[] filter, float[] bias, MmaTileShape? tile)
    {
        var half = EngineDataType.Float16;
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(s.InH, s.InW, s.InH, s.InW, sizeMultiple: 1), InputChannels = s.Cin };
        int x = p.AddTensor(new EngineTensor("x", s.Cin, 1, half));
        int y = p.AddTensor(new EngineTensor("y", s.Cout, s.Stride, half));
        p.Layers.Add(new InputConvertLayer { Name = "in", Output = x, InputChannels = s.Cin, OutputChannels = s.Cin });
        int f = p.AddWeight(EngineWeight.FromFloats("w", filter, half, WeightLayout.Hwio));
        int b = p.AddWeight(EngineWeight.FromFloats("b", bias));
        var conv = new Conv2DLayer
        {
            Name = "conv", Input = x, Output = y, Filter = f, Bias = b, InChannels = s.Cin, OutChannels = s.Cout,
            KernelH = s.K, KernelW = s.K, StrideH = s.Stride, StrideW = s.Stride,
            PadTop = s.PadBegin, PadLeft = s.PadBegin, PadBottom = s.PadEnd, PadRight = s.PadEnd, Activation = EngineActivation.Relu,
        };
        p.Layers.Add(conv);
        p.Outputs.Add(new EngineOutput("y", y, s.Cout));
        if (tile is { } t) ConvTactics.AssignTensorCore(p, conv, t);
        return p;
    }

    private static double RelL2(float[] a, float[] b)
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

    /// <summary>The sweep as a table: per shape the direct time, the best tile and its TFLOP/s; then the network totals.</summary>
    public static string Summarize(IReadOnlyList<SweepResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { $"{"conv",-18} {"n",2} {"M",7} {"N",5} {"K",5} {"GFLOP",7} {"direct ms",10} {"best",9} {"ms",8} {"TFLOP/s",8} {"relL2",8}" };
        double direct = 0, best = 0, flops = 0;
        foreach (var g in results.GroupBy(r => r.Shape))
        {
            var s = g.Key;
            var tc = g.Where(r => r.Kernel != "direct").OrderBy(r => r.Milliseconds).FirstOrDefault();
            var d = g.FirstOrDefault(r => r.Kernel == "direct");
            double bestMs = tc?.Milliseconds ?? d?.Milliseconds ?? double.NaN;
            direct += (d?.Milliseconds ?? double.NaN) * s.Count;
            best += bestMs * s.Count;
            flops += s.Flops * s.Count;
            lines.Add(string.Format(inv, "{0,-18} {1,2} {2,7} {3,5} {4,5} {5,7:F2} {6,10:F4} {7,9} {8,8:F4} {9,8:F1} {10,8:E1}",
                s.Name, s.Count, s.OutH * s.OutW, s.Cout, s.K * s.K * s.Cin, s.Flops / 1e9, d?.Milliseconds ?? double.NaN,
                tc?.Kernel ?? "-", bestMs, s.Flops / bestMs / 1e9, tc?.RelL2VsDirect ?? double.NaN));
        }
        lines.Add(string.Format(inv, "network convolutions: {0:F1} GFLOP; direct {1:F3} ms; best tensor-core tiles {2:F3} ms ({3:F1} TFLOP/s)",
            flops / 1e9, direct, best, flops / best / 1e9));
        return string.Join(Environment.NewLine, lines);
    }
}
