using System.Globalization;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Import;

/// <summary>
/// Recognises EAST's in-graph mean subtraction right after the input: Split(axis 3, num_split 3)
/// → Sub(x_i, scalar Const) for each channel → ConcatV2(axis 3). Records the result (and the
/// means, as stored) in the graph's metadata.
/// </summary>
internal static class MeanSubtractionDetector
{
    public static void Annotate(Graph g)
    {
        var means = g.Inputs.Count == 1 ? Detect(g, g.Inputs[0]) : null;
        g.Metadata[MetadataKeys.InGraphMeanSubtraction] = means is null ? "false" : "true";
        if (means is not null)
            g.Metadata[MetadataKeys.InGraphMeans] = string.Join(",", means.Select(m => m.ToString(CultureInfo.InvariantCulture)));
        if (g.Inputs.Count > 0) g.Metadata[MetadataKeys.InputName] = g.Inputs[0].Name;
    }

    public static float[]? Detect(Graph g, Value input)
    {
        var readers = g.Consumers(input).ToList();
        if (readers.Count != 1) return null;
        var split = readers[0].Node;
        if (split.Op != Ops.Split || readers[0].Slot != 1 || split.Outputs.Count != 3) return null;
        if (!IsChannelAxis(split.Inputs[0])) return null;

        var means = new float[3];
        Node? concat = null;
        for (var c = 0; c < 3; c++)
        {
            var users = g.Consumers(split.Outputs[c]).ToList();
            if (users.Count != 1 || users[0].Node.Op != Ops.Sub || users[0].Slot != 0) return null;
            var sub = users[0].Node;
            if (ScalarConst(sub.Inputs[1]) is not float m) return null;
            means[c] = m;
            var next = g.Consumers(sub.Output).ToList();
            if (next.Count != 1 || next[0].Node.Op != Ops.ConcatV2 || next[0].Slot != c) return null;
            if (concat is not null && concat != next[0].Node) return null;
            concat = next[0].Node;
        }
        return concat!.Inputs.Count == 4 && IsChannelAxis(concat.Inputs[3]) ? means : null;
    }

    private static bool IsChannelAxis(Value v) => v.Producer.IsConst && v.Producer.ConstValue.Length == 1
        && v.Producer.ConstValue.Get(0) is 3 or -1;

    private static float? ScalarConst(Value v) =>
        v.Producer.IsConst && v.Producer.ConstValue.Length == 1 && v.Producer.ConstValue.Floats is { } f ? f[0] : null;
}
