using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// ConcatV2, Split, SplitV → Concat / Split. 4-D tensors already channel-first stay so, with the
/// axis remapped NHWC → NCHW.
/// </summary>
public sealed class ConcatSplitConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.ConcatV2, Ir.Ops.Split, Ir.Ops.SplitV];

    public void Convert(Node node, ExportContext ctx)
    {
        if (node.Op == Ir.Ops.ConcatV2) Concat(node, ctx);
        else Split(node, ctx);
    }

    private static void Concat(Node node, ExportContext ctx)
    {
        // ConcatV2(values..., axis): the axis is the last input unless N says the inputs are all data.
        var n = (int)NodeAttributes.Long(node, Attr.N, node.Inputs.Count - 1);
        var data = node.Inputs.Take(n).ToList();
        var axisValue = n < node.Inputs.Count ? node.Inputs[n] : null;
        var rank = data.Select(ctx.Rank).Max();
        var axis = ResolveAxis(node, ctx, axisValue, rank);
        var nchw = rank == 4 && data.Any(ctx.IsNchw);
        var layout = nchw ? Layout.Nchw : Layout.Tf;
        var c = ctx.AddNode("Concat", node.Name, data.Select(v => ctx.Input(v, layout)), [node.Output.Name]);
        c.Attribute.Add(ExportContext.Int("axis", nchw ? LayoutAxes.NchwAxis(axis) : axis));
        ctx.Set(node.Output, node.Output.Name, layout, rank);
    }

    private static void Split(Node node, ExportContext ctx)
    {
        // Split(axis, value) and SplitV(value, size_splits, axis).
        var isV = node.Op == Ir.Ops.SplitV;
        var x = isV || node.Inputs.Count == 1 ? node.Inputs[0] : node.Inputs[1];
        Value? axisValue = isV ? (node.Inputs.Count > 2 ? node.Inputs[2] : null) : (node.Inputs.Count > 1 ? node.Inputs[0] : null);
        var rank = ctx.Rank(x);
        var axis = ResolveAxis(node, ctx, axisValue, rank);
        var nchw = rank == 4 && ctx.IsNchw(x);
        var layout = nchw ? Layout.Nchw : Layout.Tf;
        var dim = x.Shape.RankKnown && x.Shape[axis].IsKnown ? x.Shape[axis].Value : -1;

        var data = ctx.Input(x, layout);
        var onnxAxis = nchw ? LayoutAxes.NchwAxis(axis) : axis;
        string? sizes = null;
        if (isV)
        {
            var given = ExportContext.ConstOf(node.Inputs[1])?.Ints?.ToArray() ?? throw ctx.Unsupported(node, "size_splits is not constant");
            var unknown = Array.IndexOf(given, -1L);
            if (unknown >= 0 && dim >= 0) given[unknown] = dim - (given.Sum() + 1);
            sizes = unknown >= 0 && dim < 0 ? InferredSizes(node, ctx, data, onnxAxis, given, unknown) : ctx.Int64Vector(given);
        }
        else if (dim >= 0)
        {
            var count = node.Outputs.Count;
            sizes = ctx.Int64Vector(Enumerable.Repeat(dim / count, count).ToArray());
        }

        var inputs = new List<string> { data };
        if (sizes is not null) inputs.Add(sizes);
        var s = ctx.AddNode("Split", node.Name, inputs, node.Outputs.Select(o => o.Name));
        s.Attribute.Add(ExportContext.Int("axis", onnxAxis));
        if (sizes is null) s.Attribute.Add(ExportContext.Int("num_outputs", node.Outputs.Count));
        foreach (var o in node.Outputs) ctx.Set(o, o.Name, layout, rank);
    }

    /// <summary>SplitV's -1 size on a dimension only known at run time: dim − (sum of the others).</summary>
    private static string InferredSizes(Node node, ExportContext ctx, string data, int axis, long[] given, int unknown)
    {
        var shape = ctx.Fresh(node.Name + "/shape");
        ctx.AddNode("Shape", shape, [data], [shape]);
        var dim = ctx.Fresh(node.Name + "/dim");
        ctx.AddNode("Gather", dim, [shape, ctx.Int64Vector(axis)], [dim]).Attribute.Add(ExportContext.Int("axis", 0));
        var rest = ctx.Fresh(node.Name + "/rest");
        ctx.AddNode("Sub", rest, [dim, ctx.Int64Vector(given.Sum() + 1)], [rest]);
        var parts = given.Select((g, i) => i == unknown ? rest : ctx.Int64Vector(g));
        var sizes = ctx.Fresh(node.Name + "/sizes");
        ctx.AddNode("Concat", sizes, parts, [sizes]).Attribute.Add(ExportContext.Int("axis", 0));
        return sizes;
    }

    /// <summary>The axis from the attribute (set by the importer) or the constant axis input, made non-negative.</summary>
    internal static int ResolveAxis(Node node, ExportContext ctx, Value? axisInput, int rank)
    {
        long axis;
        if (node.Has(Attr.Axis)) axis = NodeAttributes.Long(node, Attr.Axis, 0);
        else if (axisInput is not null && ExportContext.ConstOf(axisInput) is { Length: 1 } t) axis = (long)t.Get(0);
        else throw ctx.Unsupported(node, "the axis is not constant");
        if (axis < 0)
        {
            if (rank < 0) throw ctx.Unsupported(node, "a negative axis needs a known rank");
            axis += rank;
        }
        return (int)axis;
    }
}
