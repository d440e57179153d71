using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Shapes;

/// <summary>Placeholders (dynamic dims become named symbols) and constants.</summary>
internal static class SourceShapeRules
{
    public static void Placeholder(Node node, long[]? given)
    {
        if (NodeAttributes.Type(node, Attr.DType) is { } type) node.Output.Type = type;
        var declared = DeclaredShape(node);
        if (given is not null)
        {
            var concrete = Shape.Of(given);
            if (declared.RankKnown && (declared.Rank != given.Length ||
                Enumerable.Range(0, given.Length).Any(i => !DimMath.Compatible(declared[i], given[i]))))
                throw DimMath.Mismatch(node, "input shape given does not fit the declared shape", concrete, declared);
            node.Output.Shape = concrete;
            return;
        }
        if (!declared.RankKnown)
        {
            node.Output.Shape = declared;
            return;
        }
        var rank = declared.Rank;
        node.Output.Shape = new Shape(declared.Dims!.Select((d, i) => d.IsKnown ? d : Dim.Sym(SymbolFor(rank, i))));
    }

    /// <summary>N, H, W for the first three dims of a 4-D (NHWC) input, otherwise d0, d1, …</summary>
    private static string SymbolFor(int rank, int i) => rank == 4 && i < 3 ? "NHW"[i].ToString() : $"d{i}";

    private static Shape DeclaredShape(Node node)
    {
        if (!node.Attrs.TryGetValue(Attr.Shape, out var s)) return node.Output.Shape;
        return s switch
        {
            Shape shape => shape,
            long[] dims => new Shape(dims.Select(d => d < 0 ? Dim.Unknown : Dim.Known(d))),
            int[] dims => new Shape(dims.Select(d => d < 0 ? Dim.Unknown : Dim.Known(d))),
            _ => Shape.UnknownRank,
        };
    }

    public static void Const(Node node)
    {
        var t = node.ConstValue;
        node.Output.Type = t.Type;
        node.Output.Shape = t.IrShape;
        node.Output.SymbolicValue = SymbolicValues.FromTensor(t);
    }
}
