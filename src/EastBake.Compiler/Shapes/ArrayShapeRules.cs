using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Shapes;

/// <summary>Shape rules of ops that join, cut, pad, stack, reshape or reduce tensors.</summary>
internal static class ArrayShapeRules
{
    public static void Pad(Node node)
    {
        var x = node.Inputs[0].Shape;
        if (!x.RankKnown) { node.Output.Shape = x; return; }
        var p = SymbolicValues.Known(node.Inputs[1]);
        if (p is null) { node.Output.Shape = new Shape(Enumerable.Repeat(Dim.Unknown, x.Rank)); return; }
        if (p.Length != 2 * x.Rank)
            throw DimMath.Mismatch(node, $"paddings has {p.Length} values, the input {x} needs {2 * x.Rank}");
        node.Output.Shape = new Shape(x.Dims!.Select((d, i) => DimMath.Offset(d, p[2 * i] + p[2 * i + 1])));
    }

    public static void ConcatV2(Node node)
    {
        var values = node.Inputs.Take(node.Inputs.Count - 1).ToArray();
        var axisValue = SymbolicValues.Known(node.Inputs[^1]);
        var first = values.FirstOrDefault(v => v.Shape.RankKnown)?.Shape;
        if (first is null || axisValue is null || axisValue.Length != 1) { node.Output.Shape = first is null ? Shape.UnknownRank : Unknowns(first.Rank); return; }
        var axis = (int)(axisValue[0] < 0 ? axisValue[0] + first.Rank : axisValue[0]);
        if (axis < 0 || axis >= first.Rank) throw DimMath.Mismatch(node, $"axis {axisValue[0]} is out of range for {first}");
        var dims = first.Dims!.ToArray();
        dims[axis] = Dim.Known(0);
        foreach (var v in values)
        {
            var s = v.Shape;
            if (!s.RankKnown) { dims[axis] = Dim.Unknown; continue; }
            if (s.Rank != first.Rank) throw DimMath.Mismatch(node, "inputs differ in rank", first, s);
            for (var d = 0; d < dims.Length; d++)
            {
                if (d == axis) continue;
                if (!DimMath.Compatible(dims[d], s[d]))
                    throw DimMath.Mismatch(node, $"inputs differ in dim {d} (concat axis {axis})", first, s);
                dims[d] = DimMath.Merge(dims[d], s[d]);
            }
            dims[axis] += s[axis];
        }
        node.Output.Shape = new Shape(dims);
        if (SymbolicValues.IsSmallInt(node.Output) && values.Select(SymbolicValues.Of).ToArray() is var parts && parts.All(p => p is not null))
            node.Output.SymbolicValue = parts.SelectMany(p => p!).ToArray();
    }

    public static void Split(Node node)
    {
        var x = node.Inputs[1].Shape;
        var parts = NodeAttributes.Long(node, Attr.NumSplit, node.Outputs.Count);
        var axis = ResolveAxis(node, x, SymbolicValues.Known(node.Inputs[0]));
        if (axis is null) { SetAll(node, x.RankKnown ? Unknowns(x.Rank) : x); return; }
        var d = x[axis.Value];
        if (d.IsKnown && d.Value % parts != 0)
            throw DimMath.Mismatch(node, $"dim {axis} of {x} does not split into {parts} equal parts");
        SetAll(node, With(x, axis.Value, d.FloorDiv(parts)));
    }

    public static void SplitV(Node node)
    {
        var x = node.Inputs[0].Shape;
        var axis = ResolveAxis(node, x, SymbolicValues.Known(node.Inputs[2]));
        var sizes = SymbolicValues.Known(node.Inputs[1]);
        if (axis is null || sizes is null) { SetAll(node, x.RankKnown ? Unknowns(x.Rank) : x); return; }
        var total = x[axis.Value];
        var fixedSum = sizes.Where(s => s >= 0).Sum();
        for (var i = 0; i < node.Outputs.Count && i < sizes.Length; i++)
        {
            var size = sizes[i] >= 0 ? Dim.Known(sizes[i]) : DimMath.Offset(total, -fixedSum);
            node.Outputs[i].Shape = With(x, axis.Value, size);
        }
        if (total.IsKnown && !sizes.Contains(-1) && fixedSum != total.Value)
            throw DimMath.Mismatch(node, $"split sizes [{string.Join(",", sizes)}] do not add up to dim {axis} of {x}");
    }

    public static void Pack(Node node)
    {
        var first = node.Inputs[0].Shape;
        foreach (var v in node.Inputs)
            if (v.Shape.RankKnown && first.RankKnown &&
                (v.Shape.Rank != first.Rank || Enumerable.Range(0, first.Rank).Any(i => !DimMath.Compatible(first[i], v.Shape[i]))))
                throw DimMath.Mismatch(node, "inputs differ in shape", first, v.Shape);
        if (!first.RankKnown) { node.Output.Shape = first; return; }
        var axis = (int)NodeAttributes.Long(node, Attr.Axis, 0);
        if (axis < 0) axis += first.Rank + 1;
        var dims = first.Dims!.ToList();
        dims.Insert(axis, Dim.Known(node.Inputs.Count));
        node.Output.Shape = new Shape(dims);
        // Pack of scalar sizes: [H/16*2, W/16*2] stays symbolic.
        if (first.Rank == 0 && SymbolicValues.IsSmallInt(node.Output) &&
            node.Inputs.Select(SymbolicValues.Of).ToArray() is var parts && parts.All(p => p is { Length: 1 }))
            node.Output.SymbolicValue = parts.Select(p => p![0]).ToArray();
    }

    public static void Squeeze(Node node)
    {
        var x = node.Inputs[0].Shape;
        if (!x.RankKnown) { node.Output.Shape = x; return; }
        var axes = (NodeAttributes.Longs(node, Attr.SqueezeDims) ?? NodeAttributes.Longs(node, Attr.Axis) ?? [])
            .Select(a => (int)(a < 0 ? a + x.Rank : a)).ToHashSet();
        var dims = new List<Dim>();
        for (var i = 0; i < x.Rank; i++)
        {
            var squeeze = axes.Count == 0 ? x[i].IsKnown && x[i].Value == 1 : axes.Contains(i);
            if (squeeze && x[i].IsKnown && x[i].Value != 1)
                throw DimMath.Mismatch(node, $"cannot squeeze dim {i} of size {x[i]} (input {x})");
            if (!squeeze) dims.Add(x[i]);
        }
        node.Output.Shape = new Shape(dims);
    }

    /// <summary>Reshape with one −1 entry solved, symbolically when the input is symbolic.</summary>
    public static void Reshape(Node node)
    {
        var x = node.Inputs[0].Shape;
        var target = ReshapeTarget(node.Inputs[1]);
        if (target is null)
        {
            var len = node.Inputs[1].Shape;
            node.Output.Shape = len.RankKnown && len.Rank == 1 && len[0].IsKnown ? Unknowns((int)len[0].Value) : Shape.UnknownRank;
            return;
        }
        var inferred = Array.FindIndex(target, d => d is null);
        var dims = target.Select(d => d ?? Dim.Unknown).ToArray();
        if (inferred >= 0 && x.RankKnown)
            dims[inferred] = SolveMissing(node, x.Dims!, dims.Where((_, i) => i != inferred).ToArray());
        if (x.IsFullyKnown && dims.All(d => d.IsKnown) && x.ElementCount() != dims.Aggregate(1L, (a, d) => a * d.Value))
            throw DimMath.Mismatch(node, "element counts differ", x, new Shape(dims));
        node.Output.Shape = new Shape(dims);
        if (SymbolicValues.IsSmallInt(node.Output)) node.Output.SymbolicValue = node.Inputs[0].SymbolicValue;
    }

    public static void Mean(Node node)
    {
        var x = node.Inputs[0].Shape;
        var axes = SymbolicValues.Known(node.Inputs[1]);
        var keep = NodeAttributes.Bool(node, Attr.KeepDims, false);
        if (!x.RankKnown || axes is null) { node.Output.Shape = keep && x.RankKnown ? Unknowns(x.Rank) : Shape.UnknownRank; return; }
        var set = axes.Select(a => (int)(a < 0 ? a + x.Rank : a)).ToHashSet();
        if (set.Any(a => a < 0 || a >= x.Rank)) throw DimMath.Mismatch(node, $"reduction axes [{string.Join(",", axes)}] out of range for {x}");
        node.Output.Shape = new Shape(keep
            ? x.Dims!.Select((d, i) => set.Contains(i) ? Dim.Known(1) : d)
            : x.Dims!.Where((_, i) => !set.Contains(i)));
    }

    /// <summary>The requested shape: null entry for −1; null when not known at all.</summary>
    private static Dim?[]? ReshapeTarget(Value shape)
    {
        if (SymbolicValues.Known(shape) is { } known) return known.Select(d => d < 0 ? (Dim?)null : Dim.Known(d)).ToArray();
        if (shape.SymbolicValue is { } dims) return dims.Select(d => (Dim?)d).ToArray();
        // Pack(size, -1): the −1 constant has no Dim form, so read the packed scalars one by one.
        if (shape.Producer.Op == Ops.Pack && shape.Producer.Inputs.All(i => i.Shape is { RankKnown: true, Rank: 0 }))
            return shape.Producer.Inputs.Select(i => SymbolicValues.Known(i) is [var k]
                ? (k < 0 ? (Dim?)null : Dim.Known(k))
                : i.SymbolicValue is [var d] ? d : Dim.Unknown).ToArray();
        return null;
    }

    /// <summary>The dim that makes the element counts equal: known factors divide, symbols cancel.</summary>
    private static Dim SolveMissing(Node node, Dim[] input, Dim[] others)
    {
        long knownIn = input.Where(d => d.IsKnown).Aggregate(1L, (a, d) => a * d.Value);
        long knownOut = others.Where(d => d.IsKnown).Aggregate(1L, (a, d) => a * d.Value);
        var symbols = input.Where(d => !d.IsKnown).ToList();
        foreach (var s in others.Where(d => !d.IsKnown))
            if (!symbols.Remove(s)) return Dim.Unknown;
        if (knownOut == 0 || knownIn % knownOut != 0)
        {
            if (symbols.Count == 0)
                throw DimMath.Mismatch(node, "element counts cannot match", new Shape(input), new Shape(others));
            return Dim.Unknown;
        }
        return DimMath.Product(symbols.Prepend(Dim.Known(knownIn / knownOut)));
    }

    private static int? ResolveAxis(Node node, Shape x, long[]? axis)
    {
        if (!x.RankKnown || axis is null || axis.Length != 1) return null;
        var a = (int)(axis[0] < 0 ? axis[0] + x.Rank : axis[0]);
        if (a < 0 || a >= x.Rank) throw DimMath.Mismatch(node, $"axis {axis[0]} is out of range for {x}");
        return a;
    }

    private static Shape With(Shape x, int axis, Dim d)
    {
        var dims = x.Dims!.ToArray();
        dims[axis] = d;
        return new Shape(dims);
    }

    private static void SetAll(Node node, Shape s)
    {
        foreach (var o in node.Outputs) o.Shape = s;
    }

    private static Shape Unknowns(int rank) => new(Enumerable.Repeat(Dim.Unknown, rank));
}
