using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>Pack (stack N tensors along a new axis) → Unsqueeze each + Concat, in TF's layout.</summary>
public sealed class PackConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Pack];

    public void Convert(Node node, ExportContext ctx)
    {
        var rank = node.Inputs.Select(ctx.Rank).Max();
        var axis = NodeAttributes.Long(node, Attr.Axis, 0);
        if (axis < 0)
        {
            if (rank < 0) throw ctx.Unsupported(node, "a negative axis needs a known rank");
            axis += rank + 1;
        }
        var axes = ctx.Int64Vector(axis);
        var parts = new List<string>();
        for (var i = 0; i < node.Inputs.Count; i++)
        {
            var u = node.Inputs.Count == 1 ? node.Output.Name : ctx.Fresh($"{node.Output.Name}/unsqueeze{i}");
            ctx.AddNode("Unsqueeze", $"{node.Name}/unsqueeze{i}", [ctx.Input(node.Inputs[i], Layout.Tf), axes], [u]);
            parts.Add(u);
        }
        if (node.Inputs.Count > 1)
            ctx.AddNode("Concat", node.Name, parts, [node.Output.Name]).Attribute.Add(ExportContext.Int("axis", axis));
        ctx.Set(node.Output, node.Output.Name, Layout.Tf, rank < 0 ? -1 : rank + 1);
    }
}
