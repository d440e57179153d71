using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>TF's padding modes as ONNX conv/pool attributes.</summary>
internal static class SpatialPadding
{
    /// <summary>
    /// Adds <c>pads</c> (or <c>auto_pad</c>) to <paramref name="onnx"/>. SAME becomes explicit pads
    /// when H and W are known (TF puts the odd pixel at the end, as SAME_UPPER does), else
    /// auto_pad SAME_UPPER; EXPLICIT reorders TF's NHWC (before, after) pairs.
    /// </summary>
    public static void Apply(NodeProto onnx, Node node, ExportContext ctx, long[] kernel, long[] strides, long[] dilations)
    {
        var mode = NodeAttributes.String(node, Attr.Padding, "VALID");
        long[]? pads = mode switch
        {
            "VALID" => [0, 0, 0, 0],
            "EXPLICIT" => FromExplicit(NodeAttributes.Longs(node, Attr.ExplicitPaddings) ?? throw ctx.Unsupported(node, "EXPLICIT padding without explicit_paddings")),
            "SAME" => Same(node.Inputs[0].Shape, kernel, strides, dilations),
            _ => throw ctx.Unsupported(node, $"padding '{mode}'"),
        };
        if (pads is null) onnx.Attribute.Add(ExportContext.Str("auto_pad", "SAME_UPPER"));
        else onnx.Attribute.Add(ExportContext.Ints("pads", pads));
    }

    private static long[] FromExplicit(long[] p) => [p[2], p[4], p[3], p[5]];

    private static long[]? Same(Shape input, long[] k, long[] s, long[] d)
    {
        // A 1×1 window never pads under SAME; said explicitly because ONNX Runtime's SAME_UPPER
        // computes a negative pad for it when the stride exceeds the window (1×1/2 shortcut pools).
        if (k.Zip(d).All(p => (p.First - 1) * p.Second == 0)) return [0, 0, 0, 0];
        if (!input.RankKnown || input.Rank != 4 || !input[1].IsKnown || !input[2].IsKnown) return null;
        var pads = new long[4];
        for (var i = 0; i < 2; i++)
        {
            var size = input[1 + i].Value;
            var outSize = (size + s[i] - 1) / s[i];
            var total = Math.Max((outSize - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size, 0);
            pads[i] = total / 2;
            pads[i + 2] = total - total / 2;
        }
        return pads;
    }

    /// <summary>The H and W entries of an NHWC attribute such as strides ([1,s,s,1]).</summary>
    public static long[] Hw(Node node, string attr)
    {
        var v = NodeAttributes.Longs(node, attr);
        return v is { Length: 4 } ? [v[1], v[2]] : [1, 1];
    }
}
