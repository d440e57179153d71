using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// ResizeBilinear → Resize (linear, sizes on axes [2,3] of the NCHW tensor). TF's coordinate
/// conventions map exactly: legacy (neither flag) = asymmetric, align_corners = align_corners,
/// half_pixel_centers = half_pixel.
/// </summary>
public sealed class ResizeConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.ResizeBilinear];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = ctx.Input4D(node.Inputs[0]);
        string sizes;
        if (ExportContext.ConstOf(node.Inputs[1]) is { Ints: { Length: 2 } s })
            sizes = ctx.Int64Vector(s);
        else
        {
            sizes = ctx.Fresh(node.Name + "/sizes_i64");
            ctx.AddNode("Cast", sizes, [ctx.Get(node.Inputs[1]).Name], [sizes])
                .Attribute.Add(ExportContext.Int("to", ctx.DataType(ElementType.Int64)));
        }
        var mode = NodeAttributes.Bool(node, Attr.AlignCorners, false) ? "align_corners"
            : NodeAttributes.Bool(node, Attr.HalfPixelCenters, false) ? "half_pixel" : "asymmetric";
        var r = ctx.AddNode("Resize", node.Name, [x, "", "", sizes], [node.Output.Name]);
        r.Attribute.Add(ExportContext.Str("mode", "linear"));
        r.Attribute.Add(ExportContext.Str("coordinate_transformation_mode", mode));
        r.Attribute.Add(ExportContext.Ints("axes", [2, 3]));
        ctx.Set(node.Output, node.Output.Name, Layout.Nchw, 4);
    }
}
