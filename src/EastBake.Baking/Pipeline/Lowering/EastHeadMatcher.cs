using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>EAST's three head convs and the arithmetic after them, to be lowered as one conv with the EastHead epilogue.</summary>
internal sealed record EastHead(Node ScoreConv, Node DistanceConv, Node AngleConv, Value Score, Value Geometry,
    float TextScale, float AngleScale, IReadOnlyList<Node> Covered)
{
    public IEnumerable<Node> Convs => [ScoreConv, DistanceConv, AngleConv];
}

/// <summary>
/// Recognizes the EAST heads by structure, not by name: a channel ConcatV2 of
/// <c>sigmoid(conv_d(x))·t</c> (4 channels) and <c>(sigmoid(conv_a(x)) − 0.5)·k</c> (1 channel,
/// any chain of constant Mul/RealDiv/Sub/Add that reduces to that form), plus a sibling
/// <c>sigmoid(conv_s(x))</c> (1 channel) on the same x. Each conv is 1×1, stride 1, without a fused
/// activation, and every intermediate value has one reader. t and k are read from the graph.
/// </summary>
internal static class EastHeadMatcher
{
    public static EastHead? Match(GraphIndex g, Node concat)
    {
        if (concat.Op != Ops.ConcatV2 || concat.Inputs.Count != 3 || !InputMeanMatcher.IsChannelAxis(concat.Inputs[2])) return null;
        if (Trace(g, concat.Inputs[0], concat, 4) is not { } d || Math.Abs(d.Shift) > 1e-6 * Math.Abs(d.Scale)) return null;
        if (Trace(g, concat.Inputs[1], concat, 1) is not { } a || a.Scale == 0 || Math.Abs(a.Shift + 0.5 * a.Scale) > 1e-6 * Math.Abs(a.Scale))
            return null;
        var (dConv, dSigmoid, dChain, textScale, _) = d;
        var (aConv, aSigmoid, aChain, angleScale, _) = a;
        var x = dConv.Inputs[0];
        if (aConv.Inputs[0] != x) return null;
        // The score: a sibling 1×1 conv with one output channel, read only by a Sigmoid; prefer one that is a graph output.
        var scores = g.Readers(x).Select(r => r.Node)
            .Where(c => c != dConv && c != aConv && IsHeadConv(c, 1) && g.SoleReader(c.Output) is { Op: Ops.Sigmoid })
            .Select(c => (Conv: c, Sigmoid: g.SoleReader(c.Output)!))
            .OrderBy(s => g.IsOutput(s.Sigmoid.Output) ? 0 : 1).ThenBy(s => g.Position(s.Conv)).ToList();
        if (scores.Count == 0) return null;
        var (sConv, sSigmoid) = scores[0];
        return new EastHead(sConv, dConv, aConv, sSigmoid.Output, concat.Output, (float)textScale, (float)angleScale,
            [sConv, sSigmoid, dConv, dSigmoid, .. dChain, aConv, aSigmoid, .. aChain, concat]);
    }

    /// <summary>From a concat input back to <c>sigmoid(conv(x))</c>: the conv, the sigmoid, the chain between, and the chain's affine form.</summary>
    private static (Node Conv, Node Sigmoid, List<Node> Chain, double Scale, double Shift)? Trace(GraphIndex g, Value v, Node reader, int channels)
    {
        var chain = new List<Node>();
        var cur = v;
        var next = reader;
        for (int guard = 0; guard < 16; guard++)
        {
            if (g.SoleReader(cur) != next) return null;
            var p = cur.Producer;
            if (p.Op == Ops.Sigmoid)
            {
                var conv = p.Inputs[0].Producer;
                if (!IsHeadConv(conv, channels) || g.SoleReader(conv.Output) != p) return null;
                double scale = 1, shift = 0;
                foreach (var n in chain)
                {
                    PointwiseOps.TryParse(n, channels, out _, out var steps, out _);
                    foreach (var step in steps)
                    {
                        if (step is not AffineOp { } op || op.A.Distinct().Count() != 1 || op.C.Distinct().Count() != 1) return null;
                        (scale, shift) = (scale * op.A[0], shift * op.A[0] + op.C[0]);
                    }
                }
                return (conv, p, chain, scale, shift);
            }
            if (!PointwiseOps.TryParse(p, channels, out var data, out _, out _) || p.Op is Ops.Relu or Ops.Sigmoid) return null;
            chain.Insert(0, p);
            next = p;
            cur = data;
        }
        return null;
    }

    private static bool IsHeadConv(Node n, int outChannels) =>
        n.Op == Ops.Conv2D && n.Inputs.Count is 2 or 3 && GraphIndex.ConstOf(n.Inputs[1]) is { Shape: [1, 1, _, var co] } && co == outChannels &&
        (n.Inputs.Count == 2 || GraphIndex.ConstOf(n.Inputs[2]) is { Floats.Length: var nb } && nb == outChannels) &&
        !n.Has(Attr.Activation) && NodeAttributes.String(n, Attr.Padding, "VALID") is "SAME" or "VALID" &&
        NodeAttributes.SpatialPair(n, Attr.Strides, 1) == (1, 1) && NodeAttributes.SpatialPair(n, Attr.Dilations, 1) == (1, 1) &&
        NodeAttributes.String(n, Attr.DataFormat, "NHWC") == "NHWC";
}
