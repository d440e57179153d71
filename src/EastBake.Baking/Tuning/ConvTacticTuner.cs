using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu.TensorCores;
using EastBake.Runtime.Plans;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace EastBake.Baking.Tuning;

/// <summary>
/// Measured tactic selection (what TensorRT's builder does): on the build GPU, every eligible
/// convolution is timed alone at the profile's opt shape with each candidate tile, and the
/// fastest is recorded. Layers of the same shape share one measurement.
/// </summary>
public static class ConvTacticTuner
{
    /// <summary>Tunes <paramref name="program"/> in place; returns the architecture tag (e.g. sm_90) and how many layers were tuned.</summary>
    public static (string Architecture, int Layers) Tune(EngineProgram program, ShapeProfile profile, Accelerator accelerator, IBakeLog log, int iterations = 20)
    {
        var arch = accelerator is CudaAccelerator cuda ? $"sm_{cuda.Architecture.Major}{cuda.Architecture.Minor}" : PlanTarget.Portable;
        var best = new Dictionary<ConvProblem, MmaTileShape>();
        int tuned = 0;
        var layers = program.Layers.OfType<Conv2DLayer>().Where(c => ConvTactics.Eligible(program, c, out _)).ToList();
        foreach (var c in layers)
        {
            var inT = program.Tensors[c.Input.Tensor];
            var problem = new ConvProblem(inT.Height(profile.OptHeight), inT.Width(profile.OptWidth), c.InChannels, c.OutChannels,
                c.KernelH, c.KernelW, c.StrideH, c.PadTop, c.PadLeft, c.PadBottom, c.PadRight, c.Residual.HasValue, c.Activation);
            if (!best.TryGetValue(problem, out var tile))
            {
                var times = ConvTimer.Candidates(c.OutChannels)
                    .Select(t => (Tile: t, Ms: ConvTimer.Time(accelerator, problem, t, iterations).Milliseconds)).ToList();
                tile = times.MinBy(t => t.Ms).Tile;
                best[problem] = tile;
                log.Info(string.Format(CultureInfo.InvariantCulture, "tuned {0}: {1}", c.Name,
                    string.Join(", ", times.Select(t => $"{t.Tile} {t.Ms:F4} ms" + (t.Tile == tile ? " *" : "")))));
            }
            ConvTactics.AssignTensorCore(program, c, tile);
            tuned++;
        }
        return (arch, tuned);
    }
}
