using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Shape → Shape (+ Gather [0,2,3,1] when the tensor is held NCHW, giving TF's NHWC order)
/// + Cast to TF's out_type (int32 by default; ONNX Shape yields int64).
/// </summary>
public sealed class ShapeConverter : IOpConverter
{
    private static readonly long[] NchwToNhwcIndices = [0, 2, 3, 1];

    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Shape];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = ctx.Get(node.Inputs[0]);
        var shape = ctx.Fresh(node.Output.Name + "/i64");
        ctx.AddNode("Shape", node.Name, [x.Name], [shape]);
        if (x.Layout == Layout.Nchw)
        {
            var gathered = ctx.Fresh(node.Output.Name + "/nhwc");
            ctx.AddNode("Gather", node.Name + "/to_nhwc", [shape, ctx.Int64Vector(NchwToNhwcIndices)], [gathered])
                .Attribute.Add(ExportContext.Int("axis", 0));
            shape = gathered;
        }
        var outType = NodeAttributes.Type(node, Attr.OutType) ?? node.Output.Type;
        if (outType == ElementType.Int64)
            ctx.AddNode("Identity", node.Name + "/out", [shape], [node.Output.Name]);
        else
            ctx.AddNode("Cast", node.Name + "/cast", [shape], [node.Output.Name])
                .Attribute.Add(ExportContext.Int("to", ctx.DataType(outType)));
        ctx.Set(node.Output, node.Output.Name, Layout.Tf, 1);
    }
}
