using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>Shape rules of spatial NHWC ops: Conv2D (also fused with bias), MaxPool/AvgPool, ResizeBilinear.</summary>
internal static class WindowShapeRules
{
    public static void Conv2D(Node node)
    {
        var (x, f) = (node.Inputs[0].Shape, node.Inputs[1].Shape);
        RequireRank4(node, x, "input");
        RequireRank4(node, f, "filter");
        if (!x.RankKnown || !f.RankKnown || !f[0].IsKnown || !f[1].IsKnown)
        {
            node.Output.Shape = x.RankKnown ? new Shape([x[0], Dim.Unknown, Dim.Unknown, f.RankKnown ? f[3] : Dim.Unknown]) : Shape.UnknownRank;
            return;
        }
        if (!DimMath.Compatible(x[3], f[2]))
            throw DimMath.Mismatch(node, $"input channels {x[3]} differ from filter input channels {f[2]} (input vs filter HWIO)", x, f);
        if (node.Inputs.Count > 2 && node.Inputs[2].Shape is { RankKnown: true } bias &&
            (bias.Rank != 1 || !DimMath.Compatible(bias[0], f[3])))
            throw DimMath.Mismatch(node, "fused bias does not match the filter's output channels", bias, f);
        var (ah, aw, padding) = WindowGeometry.ForNode(node, f[0].Value, f[1].Value);
        node.Output.Shape = new Shape([x[0], WindowGeometry.OutputDim(x[1], ah, padding), WindowGeometry.OutputDim(x[2], aw, padding), f[3]]);
    }

    public static void Pool(Node node)
    {
        var x = node.Inputs[0].Shape;
        RequireRank4(node, x, "input");
        if (!x.RankKnown) { node.Output.Shape = x; return; }
        var (kh, kw) = NodeAttributes.SpatialPair(node, Attr.KSize, 1);
        var (ah, aw, padding) = WindowGeometry.ForNode(node, kh, kw);
        node.Output.Shape = new Shape([x[0], WindowGeometry.OutputDim(x[1], ah, padding), WindowGeometry.OutputDim(x[2], aw, padding), x[3]]);
    }

    /// <summary>Output H, W are the size input's values, symbolic when they come from Shape(x).</summary>
    public static void ResizeBilinear(Node node)
    {
        var x = node.Inputs[0].Shape;
        RequireRank4(node, x, "images");
        var size = SymbolicValues.Of(node.Inputs[1]);
        if (size is not null && size.Length != 2)
            throw DimMath.Mismatch(node, $"size must hold 2 values, holds {size.Length}");
        var (h, w) = size is null ? (Dim.Unknown, Dim.Unknown) : (size[0], size[1]);
        node.Output.Shape = x.RankKnown ? new Shape([x[0], h, w, x[3]]) : new Shape([Dim.Unknown, h, w, Dim.Unknown]);
    }

    private static void RequireRank4(Node node, Shape s, string what)
    {
        if (s.RankKnown && s.Rank != 4)
            throw new EastBakeException(ErrorCodes.ShapeMismatch, $"{node.Op} '{node.Name}': {what} must be 4-D (NHWC), is {s}", node: node.Name);
    }
}
