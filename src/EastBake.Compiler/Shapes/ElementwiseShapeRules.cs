using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Shapes;

/// <summary>Shape rules of elementwise ops: activations, numpy-broadcast arithmetic, BiasAdd, FusedBatchNorm.</summary>
internal static class ElementwiseShapeRules
{
    public static void SameAsInput(Node node)
    {
        node.Output.Shape = node.Inputs[0].Shape;
        if (node.Op == Ops.Identity) node.Output.SymbolicValue = node.Inputs[0].SymbolicValue;
    }

    public static void Binary(Node node)
    {
        var (a, b) = (node.Inputs[0].Shape, node.Inputs[1].Shape);
        node.Output.Shape = Broadcast(node, a, b);
        node.Output.SymbolicValue = ArithmeticValue(node);
    }

    public static Shape Broadcast(Node node, Shape a, Shape b)
    {
        if (!a.RankKnown || !b.RankKnown) return Shape.UnknownRank;
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Rank ? Dim.Known(1) : a[i - (rank - a.Rank)];
            var db = i < rank - b.Rank ? Dim.Known(1) : b[i - (rank - b.Rank)];
            if (!DimMath.TryBroadcast(da, db, out dims[i]))
                throw DimMath.Mismatch(node, "shapes cannot be broadcast", a, b);
        }
        return new Shape(dims);
    }

    /// <summary>Add/Sub/Mul of size values (e.g. <c>H/16 * 2</c>) stay symbolic.</summary>
    private static Dim[]? ArithmeticValue(Node node)
    {
        if (node.Op is not (Ops.Add or Ops.AddV2 or Ops.Sub or Ops.Mul) || !SymbolicValues.IsSmallInt(node.Output)) return null;
        var (x, y) = (SymbolicValues.Of(node.Inputs[0]), SymbolicValues.Of(node.Inputs[1]));
        if (x is null || y is null || x.Length != y.Length && x.Length != 1 && y.Length != 1) return null;
        var n = Math.Max(x.Length, y.Length);
        var result = new Dim[n];
        for (var i = 0; i < n; i++)
        {
            var (p, q) = (x[x.Length == 1 ? 0 : i], y[y.Length == 1 ? 0 : i]);
            result[i] = node.Op == Ops.Mul ? p * q : node.Op == Ops.Sub ? p - q : p + q;
        }
        return result;
    }

    public static void BiasAdd(Node node)
    {
        var (x, bias) = (node.Inputs[0].Shape, node.Inputs[1].Shape);
        if (x.RankKnown && bias.RankKnown && (bias.Rank != 1 || x.Rank == 0 || !DimMath.Compatible(x[-1], bias[0])))
            throw DimMath.Mismatch(node, "bias does not match the input's last dim", x, bias);
        node.Output.Shape = x;
    }

    public static void FusedBatchNorm(Node node)
    {
        var x = node.Inputs[0].Shape;
        var channels = x.RankKnown && x.Rank > 0 ? x[-1] : Dim.Unknown;
        // In training mode TF ignores (and graphs often leave empty) the mean and variance inputs.
        var parameters = NodeAttributes.Bool(node, Attr.IsTraining, false) ? 3 : 5;
        for (var i = 1; i < Math.Min(node.Inputs.Count, parameters); i++)
        {
            var p = node.Inputs[i].Shape;
            if (p.RankKnown && p.Rank == 1 && !(p[0].IsKnown && p[0].Value == 1) && !DimMath.Compatible(p[0], channels))
                throw DimMath.Mismatch(node, $"parameter {i} does not match the input's channels", x, p);
        }
        node.Output.Shape = x;
        foreach (var o in node.Outputs.Skip(1)) o.Shape = new Shape([channels]);
    }
}
