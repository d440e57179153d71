using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>Writes a fused or standalone activation: Relu → Relu, Relu6 → Clip(0, 6).</summary>
internal static class Activations
{
    public static void Emit(ExportContext ctx, string activation, string nodeName, string input, string output, ElementType type)
    {
        switch (activation)
        {
            case Ops.Relu:
                ctx.AddNode("Relu", nodeName, [input], [output]);
                break;
            case Ops.Relu6:
                ctx.AddNode("Clip", nodeName, [input, ctx.FloatScalar(0f, type), ctx.FloatScalar(6f, type)], [output]);
                break;
            default:
                throw new Diagnostics.EastBakeException(Diagnostics.ErrorCodes.OnnxExportUnsupported,
                    $"unknown fused activation '{activation}'", ctx.Graph.SourceFile, nodeName);
        }
    }

    /// <summary>
    /// For a node with an optional fused activation: the name its main ONNX op should write, and
    /// a callback that appends the activation (writing the IR value's own name).
    /// </summary>
    public static (string Output, Action Finish) Fused(ExportContext ctx, Node node)
    {
        var final = node.Output.Name;
        if (node.Get<string?>(Attr.Activation, null) is not { } act) return (final, () => { });
        var pre = ctx.Fresh(final + "/preact");
        return (pre, () => Emit(ctx, act, node.Name + "/" + act, pre, final, node.Output.Type));
    }
}
