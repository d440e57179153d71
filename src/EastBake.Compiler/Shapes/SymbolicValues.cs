using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Shapes;

/// <summary>
/// Reading the values of small integer tensors during shape inference: from constants, or from
/// the <see cref="Value.SymbolicValue"/> propagated through Shape → StridedSlice → Mul → Pack.
/// </summary>
internal static class SymbolicValues
{
    /// <summary>Integer tensors up to this many elements carry symbolic values.</summary>
    public const int MaxElements = 16;

    public static Dim[]? FromTensor(Tensor t) =>
        t.Ints is { } ints && t.Rank <= 1 && ints.Length <= MaxElements && ints.All(v => v >= 0)
            ? ints.Select(Dim.Known).ToArray()
            : null;

    /// <summary>The element values as dims (known or symbolic), when known to shape inference.</summary>
    public static Dim[]? Of(Value v) =>
        v.SymbolicValue ?? (v.Producer.IsConst ? FromTensor(v.Producer.ConstValue) : null);

    /// <summary>The element values when all are known (constants may be negative, e.g. −1 or slice ends).</summary>
    public static long[]? Known(Value v)
    {
        if (v.Producer.IsConst && v.Producer.ConstValue.Ints is { } ints) return ints;
        var dims = v.SymbolicValue;
        return dims is not null && dims.All(d => d.IsKnown) ? dims.Select(d => d.Value).ToArray() : null;
    }

    public static bool IsSmallInt(Value v) =>
        v.Type.IsInteger() && v.Shape.RankKnown && v.Shape.Rank <= 1 && (v.Shape.Rank == 0 || v.Shape[0].IsKnown && v.Shape[0].Value <= MaxElements);
}
