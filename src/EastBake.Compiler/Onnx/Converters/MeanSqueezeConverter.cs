using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Mean → ReduceMean and Squeeze → Squeeze. A channel-first 4-D input stays channel-first with
/// remapped axes when the result keeps 4 dims, or when the dims left over come out in TF's order
/// anyway (e.g. removing H and W); otherwise the op runs in TF's layout.
/// </summary>
public sealed class MeanSqueezeConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Mean, Ir.Ops.Squeeze];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = node.Inputs[0];
        var rank = ctx.Rank(x);
        var isMean = node.Op == Ir.Ops.Mean;
        long[] axes;
        if (isMean)
            axes = ExportContext.ConstOf(node.Inputs[1])?.Ints?.ToArray() ?? throw ctx.Unsupported(node, "the reduction axes are not constant");
        else
            axes = NodeAttributes.Longs(node, Attr.SqueezeDims) ?? [];
        if (axes.Any(a => a < 0))
        {
            if (rank < 0) throw ctx.Unsupported(node, "negative axes need a known rank");
            axes = axes.Select(a => a < 0 ? a + rank : a).ToArray();
        }
        var keepDims = isMean && NodeAttributes.Bool(node, Attr.KeepDims, false);
        var nchw = rank == 4 && ctx.IsNchw(x) && axes.Length > 0
            && (keepDims || LayoutAxes.RemovalKeepsTfOrder(axes.Select(a => (int)a)));
        var onnxAxes = nchw ? axes.Select(a => (long)LayoutAxes.NchwAxis((int)a)).ToArray() : axes;
        var input = ctx.Input(x, nchw ? Layout.Nchw : Layout.Tf);
        var outRank = rank < 0 ? -1 : keepDims ? rank : (axes.Length == 0 ? -1 : rank - axes.Distinct().Count());

        if (isMean)
        {
            ctx.AddNode("ReduceMean", node.Name, [input, ctx.Int64Vector(onnxAxes)], [node.Output.Name])
                .Attribute.Add(ExportContext.Int("keepdims", keepDims ? 1 : 0));
        }
        else
        {
            // No squeeze_dims: squeeze every size-1 dim, which ONNX does when axes is absent.
            var inputs = onnxAxes.Length > 0 ? new[] { input, ctx.Int64Vector(onnxAxes) } : [input];
            ctx.AddNode("Squeeze", node.Name, inputs, [node.Output.Name]);
        }
        ctx.Set(node.Output, node.Output.Name, nchw && outRank == 4 ? Layout.Nchw : Layout.Tf, outRank);
    }
}
