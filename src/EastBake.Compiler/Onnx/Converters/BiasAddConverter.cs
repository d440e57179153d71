using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>BiasAdd → Add; on a channel-first 4-D tensor the [C] bias is broadcast as [C,1,1].</summary>
public sealed class BiasAddConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.BiasAdd];

    public void Convert(Node node, ExportContext ctx)
    {
        var rank = ctx.Rank(node.Inputs[0]);
        if (rank == 4)
        {
            var x = ctx.Input(node.Inputs[0], Layout.Nchw);
            ctx.AddNode("Add", node.Name, [x, Broadcast.PerChannel(ctx, node.Inputs[1])], [node.Output.Name]);
            ctx.Set(node.Output, node.Output.Name, Layout.Nchw, 4);
        }
        else
        {
            // Channels last is TF's own order for every other rank: plain broadcasting works.
            ctx.AddNode("Add", node.Name, [ctx.Input(node.Inputs[0], Layout.Tf), ctx.Get(node.Inputs[1]).Name], [node.Output.Name]);
            ctx.Set(node.Output, node.Output.Name, Layout.Tf, rank);
        }
    }
}
