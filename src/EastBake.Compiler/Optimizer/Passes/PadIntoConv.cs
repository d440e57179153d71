using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// A zero Pad (constant paddings, spatial dims only) whose only reader is a VALID or EXPLICIT
/// Conv2D becomes the conv's explicit padding: TF-slim's <c>conv2d_same</c> for strided convs.
/// </summary>
public sealed class PadIntoConv : IGraphPass
{
    public string Name => "PadIntoConv";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var changes = new List<string>();
        foreach (var pad in graph.Nodes.Where(n => n.Op == Ops.Pad && n.Inputs.Count == 2).ToList())
        {
            var paddings = GraphRewrite.ConstOf(pad.Inputs[1]);
            if (paddings is null || paddings.Ints is not { Length: 8 } p) continue;
            // Batch and channel padding cannot be expressed as conv padding; negative = cropping.
            if (p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0 || p.Any(x => x < 0)) continue;
            if (GraphRewrite.SoleReader(graph, pad.Output) is not { Op: Ops.Conv2D } conv) continue;
            if (conv.Inputs[0] != pad.Output) continue;
            var mode = NodeAttributes.String(conv, Attr.Padding, "VALID");
            if (mode is not ("VALID" or "EXPLICIT")) continue;

            var explicitPads = mode == "EXPLICIT" ? NodeAttributes.Longs(conv, Attr.ExplicitPaddings) ?? new long[8] : new long[8];
            var merged = new long[8];
            for (var i = 0; i < 8; i++) merged[i] = explicitPads[i] + p[i];
            conv.Attrs[Attr.Padding] = "EXPLICIT";
            conv.Attrs[Attr.ExplicitPaddings] = merged;
            conv.Inputs[0] = pad.Inputs[0];
            conv.Origins.AddRange(pad.Origins);
            graph.Remove(pad);
            changes.Add($"{pad.Name} -> {conv.Name} explicit_paddings [{string.Join(",", merged)}]");
        }
        return changes;
    }
}
