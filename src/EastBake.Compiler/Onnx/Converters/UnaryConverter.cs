using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Elementwise one-input ops (Identity, Relu, Relu6, Sigmoid, Cast, and TF ops with a same-named
/// ONNX twin such as Tanh): layout-agnostic, so they keep their input's layout.
/// </summary>
public sealed class UnaryConverter : IOpConverter
{
    // TF op → ONNX op with identical elementwise semantics (Elu: both default alpha 1).
    private static readonly Dictionary<string, string> Twins = new()
    {
        ["Abs"] = "Abs", ["Elu"] = "Elu", ["Tanh"] = "Tanh", ["Exp"] = "Exp", ["Neg"] = "Neg",
        ["Sqrt"] = "Sqrt", ["Log"] = "Log", ["Reciprocal"] = "Reciprocal",
    };

    public IReadOnlyCollection<string> Ops { get; } =
        [Ir.Ops.Identity, Ir.Ops.Relu, Ir.Ops.Relu6, Ir.Ops.Sigmoid, Ir.Ops.Cast, "Rsqrt", "Square", .. Twins.Keys];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = ctx.Get(node.Inputs[0]);
        var y = node.Output.Name;
        switch (node.Op)
        {
            case Ir.Ops.Identity: ctx.AddNode("Identity", node.Name, [x.Name], [y]); break;
            case Ir.Ops.Sigmoid: ctx.AddNode("Sigmoid", node.Name, [x.Name], [y]); break;
            case Ir.Ops.Relu or Ir.Ops.Relu6: Activations.Emit(ctx, node.Op, node.Name, x.Name, y, node.Output.Type); break;
            case "Rsqrt":
                var sqrt = ctx.Fresh(y + "/sqrt");
                ctx.AddNode("Sqrt", node.Name + "/sqrt", [x.Name], [sqrt]);
                ctx.AddNode("Reciprocal", node.Name, [sqrt], [y]);
                break;
            case "Square": ctx.AddNode("Mul", node.Name, [x.Name, x.Name], [y]); break;
            case var op when Twins.TryGetValue(op, out var twin): ctx.AddNode(twin, node.Name, [x.Name], [y]); break;
            case Ir.Ops.Cast:
                var to = NodeAttributes.Type(node, Attr.DstT) ?? node.Output.Type;
                ctx.AddNode("Cast", node.Name, [x.Name], [y]).Attribute.Add(ExportContext.Int("to", ctx.DataType(to)));
                break;
        }
        ctx.Set(node.Output, y, x.Layout, x.Rank);
    }
}
