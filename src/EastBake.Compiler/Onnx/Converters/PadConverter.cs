using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Pad (zeros) → Pad. TF's paddings are [rank, 2] (before, after) pairs; ONNX wants all befores
/// then all afters, in the exported tensor's axis order (NCHW for 4-D).
/// </summary>
public sealed class PadConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Pad];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = node.Inputs[0];
        var rank = ctx.Rank(x);
        string pads, data;
        Layout layout;
        if (ExportContext.ConstOf(node.Inputs[1]) is { Ints: { } p } && p.Length % 2 == 0)
        {
            var r = p.Length / 2;
            layout = r == 4 ? Layout.Nchw : Layout.Tf;
            var order = r == 4 ? LayoutAxes.ToNchw : Enumerable.Range(0, r).Select(i => (long)i).ToArray();
            var onnxPads = order.Select(a => p[2 * a]).Concat(order.Select(a => p[2 * a + 1])).ToArray();
            pads = ctx.Initializer(node.Inputs[1].Name + "/onnx", OnnxTensors.Int64s(onnxPads));
            data = ctx.Input(x, layout);
        }
        else
        {
            // Dynamic paddings: [r,2] → transpose → flatten → int64, applied in TF's layout.
            layout = Layout.Tf;
            data = ctx.Input(x, Layout.Tf);
            var t = ctx.Fresh(node.Name + "/pads_t");
            ctx.AddNode("Transpose", t, [ctx.Get(node.Inputs[1]).Name], [t]).Attribute.Add(ExportContext.Ints("perm", [1, 0]));
            var flat = ctx.Fresh(node.Name + "/pads_flat");
            ctx.AddNode("Reshape", flat, [t, ctx.Int64Vector(-1)], [flat]);
            pads = ctx.Fresh(node.Name + "/pads");
            ctx.AddNode("Cast", pads, [flat], [pads]).Attribute.Add(ExportContext.Int("to", ctx.DataType(ElementType.Int64)));
        }
        ctx.AddNode("Pad", node.Name, [data, pads], [node.Output.Name]).Attribute.Add(ExportContext.Str("mode", "constant"));
        ctx.Set(node.Output, node.Output.Name, layout, rank);
    }
}
