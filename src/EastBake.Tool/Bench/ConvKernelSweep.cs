using System.Globalization;
using EastBake.Baking.Tuning;
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
        foreach (var shape in shapes)
        {
            var problem = new ConvProblem(shape.InH, shape.InW, shape.Cin, shape.Cout, shape.K, shape.K, shape.Stride,
                shape.PadBegin, shape.PadBegin, shape.PadEnd, shape.PadEnd, false, EngineActivation.Relu);
            float[]? reference = null;
            var candidates = new List<MmaTileShape?>();
            if (includeDirect) candidates.Add(null);
            candidates.AddRange(ConvTimer.Candidates(shape.Cout).Select(t => (MmaTileShape?)t));
            foreach (var tile in candidates)
            {
                var (ms, output) = ConvTimer.Time(accelerator, problem, tile, iterations);
                double err = double.NaN;
                if (tile is null) reference = output;
                else if (reference is not null) err = ConvTimer.RelL2(output, reference);
                var name = tile?.ToString() ?? "direct";
                log($"{shape.Name,-18} {name,-9} {ms,9:F4} ms {shape.Flops / ms / 1e9,7:F1} TFLOP/s  relL2 {err:E1}");
                yield return new SweepResult(shape, name, ms, err);
            }
        }
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
