using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>Removes nodes that no graph output depends on. Graph inputs stay even when unused.</summary>
public sealed class DeadNodeRemoval : IGraphPass
{
    public string Name => "DeadNodeRemoval";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var live = new HashSet<Node>();
        var work = new Stack<Node>(graph.Outputs.Select(v => v.Producer));
        foreach (var v in graph.Inputs) work.Push(v.Producer);
        while (work.Count > 0)
        {
            var n = work.Pop();
            if (!live.Add(n)) continue;
            foreach (var i in n.Inputs) work.Push(i.Producer);
        }
        var changes = new List<string>();
        foreach (var n in graph.Nodes.Where(n => !live.Contains(n)).ToList())
        {
            graph.Remove(n);
            changes.Add($"removed {n.Name} ({n.Op})");
        }
        return changes;
    }
}
