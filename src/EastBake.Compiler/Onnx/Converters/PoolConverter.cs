using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// MaxPool / AvgPool → MaxPool / AveragePool. TF's SAME average pooling divides by the number of
/// real (unpadded) pixels, hence count_include_pad = 0.
/// </summary>
public sealed class PoolConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.MaxPool, Ir.Ops.AvgPool];

    public void Convert(Node node, ExportContext ctx)
    {
        if (NodeAttributes.String(node, Attr.DataFormat, "NHWC") != "NHWC") throw ctx.Unsupported(node, "only NHWC pooling is supported");
        var x = ctx.Input4D(node.Inputs[0]);
        var kernel = SpatialPadding.Hw(node, Attr.KSize);
        var strides = SpatialPadding.Hw(node, Attr.Strides);
        var isMax = node.Op == Ir.Ops.MaxPool;
        var pool = ctx.AddNode(isMax ? "MaxPool" : "AveragePool", node.Name, [x], [node.Output.Name]);
        pool.Attribute.Add(ExportContext.Ints("kernel_shape", kernel));
        pool.Attribute.Add(ExportContext.Ints("strides", strides));
        if (!isMax) pool.Attribute.Add(ExportContext.Int("count_include_pad", 0));
        SpatialPadding.Apply(pool, node, ctx, kernel, strides, [1, 1]);
        ctx.Set(node.Output, node.Output.Name, Layout.Nchw, 4);
    }
}
