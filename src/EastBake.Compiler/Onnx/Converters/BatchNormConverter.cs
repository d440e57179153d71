using EastBake.Compiler.Shapes;
using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Inference FusedBatchNorm (v1/v2/v3) → BatchNormalization on the channel-first tensor. A
/// single-value constant parameter (TF allows a scalar scale) is expanded to [C].
/// </summary>
public sealed class BatchNormConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.FusedBatchNorm, Ir.Ops.FusedBatchNormV2, Ir.Ops.FusedBatchNormV3];

    public void Convert(Node node, ExportContext ctx)
    {
        if (NodeAttributes.Bool(node, Attr.IsTraining, false)) throw ctx.Unsupported(node, "is_training=true (batch statistics) is not an inference graph");
        if (NodeAttributes.String(node, Attr.DataFormat, "NHWC") != "NHWC") throw ctx.Unsupported(node, "only NHWC batch norm is supported");
        if (node.Outputs.Skip(1).Any(o => ctx.Graph.UseCount(o) > 0)) throw ctx.Unsupported(node, "its batch statistics outputs are used");
        var x = ctx.Input4D(node.Inputs[0]);
        var channels = node.Inputs.Skip(1).Take(4).Select(v => ExportContext.ConstOf(v)?.Length ?? 0).Max();
        var inputs = new List<string> { x };
        foreach (var p in node.Inputs.Skip(1).Take(4))
        {
            if (ExportContext.ConstOf(p) is { Length: 1 } one && channels > 1)
                inputs.Add(ctx.Initializer(p.Name + "/expanded",
                    Tensor.FromFloats([channels], Enumerable.Repeat((float)one.Get(0), (int)channels).ToArray(), one.Type)));
            else if (ExportContext.ConstOf(p) is { } t && t.Rank != 1)
                inputs.Add(ctx.Initializer(p.Name + "/vec", OnnxTensors.Reshape(t, [t.Length])));
            else
                inputs.Add(ctx.Get(p).Name);
        }
        var bn = ctx.AddNode("BatchNormalization", node.Name, inputs, [node.Output.Name]);
        bn.Attribute.Add(ExportContext.Float("epsilon", (float)NodeAttributes.Double(node, Attr.Epsilon, 1e-4)));
        ctx.Set(node.Output, node.Output.Name, Layout.Nchw, 4);
    }
}
