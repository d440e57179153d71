using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Conv2D (original, or fused with a bias 3rd input and an activation) → Conv (+ Relu/Clip).
/// Constant HWIO filters become OIHW initializers.
/// </summary>
public sealed class ConvConverter : IOpConverter
{
    private static readonly long[] HwioToOihw = [3, 2, 0, 1];

    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Conv2D];

    public void Convert(Node node, ExportContext ctx)
    {
        if (NodeAttributes.String(node, Attr.DataFormat, "NHWC") != "NHWC") throw ctx.Unsupported(node, "only NHWC convolutions are supported");
        var x = ctx.Input4D(node.Inputs[0]);
        var filterValue = node.Inputs[1];
        string w;
        long[] kernel;
        if (ExportContext.ConstOf(filterValue) is { Rank: 4 } filter)
        {
            w = ctx.Initializer(filterValue.Name + "/oihw", OnnxTensors.Transpose(filter, HwioToOihw));
            kernel = [filter.Shape[0], filter.Shape[1]];
        }
        else if (filterValue.Shape is { RankKnown: true, Rank: 4 } fs && fs[0].IsKnown && fs[1].IsKnown)
        {
            w = ctx.Fresh(filterValue.Name + "/oihw");
            ctx.AddNode("Transpose", w, [ctx.Get(filterValue).Name], [w]).Attribute.Add(ExportContext.Ints("perm", HwioToOihw));
            kernel = [fs[0].Value, fs[1].Value];
        }
        else throw ctx.Unsupported(node, "the filter's shape is unknown");

        var inputs = new List<string> { x, w };
        if (node.Inputs.Count > 2) inputs.Add(ctx.Get(node.Inputs[2]).Name);
        var (output, finish) = Activations.Fused(ctx, node);
        var strides = SpatialPadding.Hw(node, Attr.Strides);
        var dilations = SpatialPadding.Hw(node, Attr.Dilations);
        var conv = ctx.AddNode("Conv", node.Name, inputs, [output]);
        conv.Attribute.Add(ExportContext.Ints("kernel_shape", kernel));
        conv.Attribute.Add(ExportContext.Ints("strides", strides));
        conv.Attribute.Add(ExportContext.Ints("dilations", dilations));
        SpatialPadding.Apply(conv, node, ctx, kernel, strides, dilations);
        finish();
        ctx.Set(node.Output, node.Output.Name, Layout.Nchw, 4);
    }
}
