using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Shapes;

/// <summary>
/// Shape rules of the ops that compute sizes (Shape, StridedSlice, Cast); they also carry the
/// <see cref="Value.SymbolicValue"/> so that e.g. <c>Shape(x)[1]</c> is the dim <c>ceil(H/16)</c>.
/// </summary>
internal static class SizeShapeRules
{
    public static void Shape(Node node)
    {
        var x = node.Inputs[0].Shape;
        node.Output.Shape = x.RankKnown ? Ir.Shape.Of(x.Rank) : new Ir.Shape([Dim.Unknown]);
        node.Output.SymbolicValue = x.RankKnown && x.Rank <= SymbolicValues.MaxElements ? x.Dims!.ToArray() : null;
    }

    public static void Cast(Node node)
    {
        node.Output.Shape = node.Inputs[0].Shape;
        if (node.Output.Type.IsInteger()) node.Output.SymbolicValue = node.Inputs[0].SymbolicValue;
    }

    public static void StridedSlice(Node node)
    {
        var x = node.Inputs[0].Shape;
        var (begin, end, strides) = (SymbolicValues.Known(node.Inputs[1]), SymbolicValues.Known(node.Inputs[2]), SymbolicValues.Known(node.Inputs[3]));
        if (!x.RankKnown || begin is null || end is null || strides is null)
        {
            node.Output.Shape = Ir.Shape.UnknownRank;
            return;
        }
        var dims = x.Dims!.Select(d => d.IsKnown ? d.Value : -1).ToArray();
        var spec = StridedSliceSpec.Resolve(dims, begin, end, strides, StridedSliceSpec.MasksOf(node), node.Name);
        var sliced = spec.Axes.Select((a, i) => StridedSliceSpec.OutputDim(a, x[i])).ToArray();
        node.Output.Shape = new Ir.Shape(spec.OutputAxes.Select(a => a == StridedSliceSpec.NewAxis ? Dim.Known(1) : sliced[a]));

        // Slicing a size vector (rank 1, known length) picks its dims.
        var values = SymbolicValues.Of(node.Inputs[0]);
        if (values is not null && x.Rank == 1 && dims[0] == values.Length)
        {
            var a = spec.Axes[0];
            node.Output.SymbolicValue = Enumerable.Range(0, (int)a.Size).Select(i => values[a.Begin + i * a.Stride]).ToArray();
        }
    }
}
