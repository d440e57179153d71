using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// Inference FusedBatchNorm (v1/v2/v3) right after a Conv2D folds into the conv's filter and
/// bias, per output channel c, computed in double and rounded once:
/// s = γ/√(var+ε), w' = w·s, b' = (b − mean)·s + β.
/// New constants are created (the old filter may be shared with another conv).
/// </summary>
public sealed class BatchNormIntoConv : IGraphPass
{
    public string Name => "BatchNormIntoConv";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var changes = new List<string>();
        foreach (var bn in graph.Nodes.Where(n => Ops.IsFusedBatchNorm(n.Op) && n.Inputs.Count >= 5).ToList())
        {
            if (NodeAttributes.Bool(bn, Attr.IsTraining, false)) continue;
            // Only y may be read: the batch statistics outputs have no meaning after folding.
            if (bn.Outputs.Skip(1).Any(o => !GraphRewrite.Unused(graph, o))) continue;
            var conv = bn.Inputs[0].Producer;
            if (conv.Op != Ops.Conv2D || conv.Has(Attr.Activation)) continue;
            if (GraphRewrite.SoleReader(graph, conv.Output) != bn) continue;
            if (GraphRewrite.ConstOf(conv.Inputs[1]) is not { Floats: { } w } filter || filter.Rank != 4) continue;
            var channels = (int)filter.Shape[3];
            var gamma = Channels(bn.Inputs[1], channels);
            var beta = Channels(bn.Inputs[2], channels);
            var mean = Channels(bn.Inputs[3], channels);
            var variance = Channels(bn.Inputs[4], channels);
            double[]? bias = conv.Inputs.Count > 2 ? Channels(conv.Inputs[2], channels) : new double[channels];
            if (gamma is null || beta is null || mean is null || variance is null || bias is null) continue;
            var eps = NodeAttributes.Double(bn, Attr.Epsilon, 1e-4);

            var scale = new double[channels];
            var newBias = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                scale[c] = gamma[c] / Math.Sqrt(variance[c] + eps);
                newBias[c] = (float)((bias[c] - mean[c]) * scale[c] + beta[c]);
            }
            var newW = new float[w.Length];
            for (var i = 0; i < w.Length; i++) newW[i] = (float)(w[i] * scale[i % channels]); // HWIO: O innermost

            conv.Inputs[1] = graph.AddConst(conv.Name + "/weights_folded", Tensor.FromFloats((long[])filter.Shape.Clone(), newW)).Output;
            var b = graph.AddConst(conv.Name + "/bias_folded", Tensor.FromFloats([channels], newBias)).Output;
            if (conv.Inputs.Count > 2) conv.Inputs[2] = b; else conv.Inputs.Add(b);
            GraphRewrite.Absorb(graph, conv, bn);
            changes.Add($"{bn.Name} -> {conv.Name}");
        }
        return changes;
    }

    /// <summary>A per-channel constant as doubles; a single value broadcasts (TF allows a scalar scale).</summary>
    private static double[]? Channels(Value v, int channels)
    {
        if (GraphRewrite.ConstOf(v) is not { } t) return null;
        if (t.Length == channels) return t.ToDoubles();
        if (t.Length == 1) return Enumerable.Repeat(t.Get(0), channels).ToArray();
        return null;
    }
}
