using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// StridedSlice with constant begin/end/strides → Slice (+ Squeeze for shrink_axis_mask), in TF's
/// layout. Masked bounds become ±int64 extremes, which ONNX clamps per axis.
/// </summary>
public sealed class StridedSliceConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.StridedSlice];

    public void Convert(Node node, ExportContext ctx)
    {
        if (NodeAttributes.Long(node, Attr.EllipsisMask, 0) != 0 || NodeAttributes.Long(node, Attr.NewAxisMask, 0) != 0)
            throw ctx.Unsupported(node, "ellipsis_mask and new_axis_mask are not supported");
        var begin = ExportContext.ConstOf(node.Inputs[1])?.Ints;
        var end = ExportContext.ConstOf(node.Inputs[2])?.Ints;
        var strides = node.Inputs.Count > 3 ? ExportContext.ConstOf(node.Inputs[3])?.Ints : null;
        if (begin is null || end is null || (node.Inputs.Count > 3 && strides is null))
            throw ctx.Unsupported(node, "begin, end and strides must be constant");
        strides ??= Enumerable.Repeat(1L, begin.Length).ToArray();
        var beginMask = NodeAttributes.Long(node, Attr.BeginMask, 0);
        var endMask = NodeAttributes.Long(node, Attr.EndMask, 0);
        var shrinkMask = NodeAttributes.Long(node, Attr.ShrinkAxisMask, 0);

        var n = begin.Length;
        long[] starts = new long[n], ends = new long[n], steps = new long[n], axes = new long[n];
        var shrink = new List<long>();
        for (var i = 0; i < n; i++)
        {
            axes[i] = i;
            var bit = 1L << i;
            if ((shrinkMask & bit) != 0)
            {
                // One element at begin; begin = -1 means the last element.
                starts[i] = begin[i];
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                steps[i] = 1;
                shrink.Add(i);
                continue;
            }
            steps[i] = strides[i];
            var forward = strides[i] > 0;
            starts[i] = (beginMask & bit) != 0 ? (forward ? 0 : long.MaxValue) : begin[i];
            ends[i] = (endMask & bit) != 0 ? (forward ? long.MaxValue : long.MinValue) : end[i];
        }

        var x = node.Inputs[0];
        var rank = ctx.Rank(x);
        var sliced = shrink.Count > 0 ? ctx.Fresh(node.Output.Name + "/sliced") : node.Output.Name;
        ctx.AddNode("Slice", node.Name, [ctx.Input(x, Layout.Tf), ctx.Int64Vector(starts), ctx.Int64Vector(ends),
            ctx.Int64Vector(axes), ctx.Int64Vector(steps)], [sliced]);
        if (shrink.Count > 0)
            ctx.AddNode("Squeeze", node.Name + "/shrink", [sliced, ctx.Int64Vector([.. shrink])], [node.Output.Name]);
        ctx.Set(node.Output, node.Output.Name, Layout.Tf, rank < 0 ? -1 : rank - shrink.Count);
    }
}
