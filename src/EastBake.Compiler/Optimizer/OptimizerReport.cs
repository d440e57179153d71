using System.Text;

namespace EastBake.Compiler.Optimizer;

/// <summary>What one pass changed.</summary>
public sealed record PassResult(string Pass, IReadOnlyList<string> Changes)
{
    public int Count => Changes.Count;
}

/// <summary>What <see cref="GraphOptimizer.Run"/> did, pass by pass, in order.</summary>
public sealed class OptimizerReport
{
    public List<PassResult> Passes { get; } = new();
    public int NodesBefore { get; init; }
    public int NodesAfter { get; set; }

    public int ChangesOf(string pass) => Passes.Where(p => p.Pass == pass).Sum(p => p.Count);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"nodes: {NodesBefore} -> {NodesAfter}");
        foreach (var p in Passes) sb.AppendLine($"  {p.Pass,-20} {p.Count} change(s)");
        return sb.ToString();
    }
}
