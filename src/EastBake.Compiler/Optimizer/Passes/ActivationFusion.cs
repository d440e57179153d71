using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// Relu/Relu6 right after a Conv2D or Add/AddV2 whose output has no other reader becomes the
/// producer's <see cref="Attr.Activation"/> attribute.
/// </summary>
public sealed class ActivationFusion : IGraphPass
{
    public string Name => "ActivationFusion";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var changes = new List<string>();
        foreach (var act in graph.Nodes.Where(n => n.Op is Ops.Relu or Ops.Relu6 && n.Inputs.Count == 1).ToList())
        {
            var producer = act.Inputs[0].Producer;
            if (!(producer.Op == Ops.Conv2D || Ops.IsAdd(producer.Op)) || producer.Has(Attr.Activation)) continue;
            if (producer.Outputs.Count != 1 || GraphRewrite.SoleReader(graph, producer.Output) != act) continue;
            producer.Attrs[Attr.Activation] = act.Op;
            GraphRewrite.Absorb(graph, producer, act);
            changes.Add($"{act.Name} -> {producer.Name}.activation={act.Op}");
        }
        return changes;
    }
}
