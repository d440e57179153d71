using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>Reshape → Reshape on the TF-ordered tensor (a reshape is defined on NHWC element order).</summary>
public sealed class ReshapeConverter : IOpConverter
{
    public IReadOnlyCollection<string> Ops { get; } = [Ir.Ops.Reshape];

    public void Convert(Node node, ExportContext ctx)
    {
        var x = ctx.Input(node.Inputs[0], Layout.Tf);
        string shape;
        int rank;
        if (ExportContext.ConstOf(node.Inputs[1]) is { Ints: { } s })
        {
            shape = ctx.Int64Vector(s);
            rank = s.Length;
        }
        else
        {
            shape = ctx.Fresh(node.Name + "/shape_i64");
            ctx.AddNode("Cast", shape, [ctx.Get(node.Inputs[1]).Name], [shape])
                .Attribute.Add(ExportContext.Int("to", ctx.DataType(ElementType.Int64)));
            rank = node.Inputs[1].Shape is { RankKnown: true, Rank: 1 } ss && ss[0].IsKnown ? (int)ss[0].Value : -1;
        }
        ctx.AddNode("Reshape", node.Name, [x, shape], [node.Output.Name]);
        ctx.Set(node.Output, node.Output.Name, Layout.Tf, rank);
    }
}
