using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu.TensorCores;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Tuning;

/// <summary>
/// Chooses each convolution's kernel at bake time, as TensorRT's builder does. Without a GPU the
/// choice is the tile heuristic of <see cref="ConvTactics.Heuristic"/> at the profile's opt shape
/// (FP16 layers that fit the tensor-core kernel); the filter is permuted to the chosen kernel's
/// layout here, so loading a plan does no re-layout on the device it was tuned for.
/// </summary>
public static class ConvTacticSelector
{
    /// <summary>Records heuristic tensor-core tactics; returns how many layers got one.</summary>
    public static int ApplyHeuristics(EngineProgram program, ShapeProfile profile)
    {
        int count = 0;
        foreach (var c in program.Layers.OfType<Conv2DLayer>())
        {
            if (!ConvTactics.Eligible(program, c, out _)) continue;
            var outT = program.Tensors[c.Output.Tensor];
            long pixels = (long)outT.Height(profile.OptHeight) * outT.Width(profile.OptWidth);
            ConvTactics.AssignTensorCore(program, c, ConvTactics.Heuristic(pixels, c.OutChannels, c.KernelH * c.KernelW * c.InChannels));
            count++;
        }
        // INT8 layers: the same tiles (their filters are OHWI already); K counts int8 pairs.
        foreach (var q in program.Layers.OfType<QuantizedConv2DLayer>())
        {
            if (!ConvTactics.EligibleInt8(program, q, out _)) continue;
            var c = q.Conv;
            var outT = program.Tensors[c.Output.Tensor];
            long pixels = (long)outT.Height(profile.OptHeight) * outT.Width(profile.OptWidth);
            q.Tactic = ConvTactics.For(ConvTactics.Heuristic(pixels, c.OutChannels, c.KernelH * c.KernelW * c.InChannels / 2));
            count++;
        }
        return count;
    }
}
