using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// BiasAdd(Conv2D(x, w), b) with a constant b becomes Conv2D(x, w, b). A conv that already has a
/// bias gets the sum. Only when the conv output has no other reader and no fused activation yet.
/// </summary>
public sealed class BiasAddIntoConv : IGraphPass
{
    public string Name => "BiasAddIntoConv";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var changes = new List<string>();
        foreach (var biasAdd in graph.Nodes.Where(n => n.Op == Ops.BiasAdd && n.Inputs.Count == 2).ToList())
        {
            var conv = biasAdd.Inputs[0].Producer;
            if (conv.Op != Ops.Conv2D || conv.Has(Attr.Activation)) continue;
            if (GraphRewrite.SoleReader(graph, conv.Output) != biasAdd) continue;
            if (GraphRewrite.ConstOf(biasAdd.Inputs[1]) is not { Floats: { } bias } biasTensor || biasTensor.Rank != 1) continue;

            Value biasValue;
            if (conv.Inputs.Count > 2)
            {
                if (GraphRewrite.ConstOf(conv.Inputs[2]) is not { Floats: { } old } || old.Length != bias.Length) continue;
                // Sum in double, round once.
                var sum = new float[bias.Length];
                for (var i = 0; i < sum.Length; i++) sum[i] = (float)((double)old[i] + bias[i]);
                biasValue = graph.AddConst(conv.Name + "/bias_folded", Tensor.FromFloats([sum.Length], sum)).Output;
                conv.Inputs[2] = biasValue;
            }
            else
                conv.Inputs.Add(biasAdd.Inputs[1]);

            GraphRewrite.Absorb(graph, conv, biasAdd);
            changes.Add($"{biasAdd.Name} -> bias of {conv.Name}");
        }
        return changes;
    }
}
