using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// Removes Identity nodes (TF's <c>.../read</c> of variables). An Identity that is itself a graph
/// output is kept so the output keeps its name.
/// </summary>
public sealed class IdentityRemoval : IGraphPass
{
    public string Name => "IdentityRemoval";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var changes = new List<string>();
        foreach (var node in graph.Nodes.Where(n => n.Op == Ops.Identity && n.Inputs.Count == 1).ToList())
        {
            if (graph.Outputs.Contains(node.Output)) continue;
            graph.ReplaceAllUses(node.Output, node.Inputs[0]);
            graph.Remove(node);
            changes.Add($"removed {node.Name}");
        }
        return changes;
    }
}
