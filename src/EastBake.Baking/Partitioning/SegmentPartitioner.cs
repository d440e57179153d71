using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Baking.Partitioning;

/// <summary>One engine-convertible subgraph.</summary>
public sealed class Segment
{
    public required int Id { get; init; }
    public required string Engine { get; init; }

    /// <summary>The segment's nodes in topological order (Consts they read are not listed).</summary>
    public required IReadOnlyList<Node> Nodes { get; init; }

    /// <summary>Tensors read from outside the segment (Consts excluded: they become engine weights).</summary>
    public required IReadOnlyList<Value> Inputs { get; init; }

    /// <summary>Tensors read outside the segment or requested as graph outputs.</summary>
    public required IReadOnlyList<Value> Outputs { get; init; }

    /// <summary>Nodes that count toward the minimum segment size (Identity and Const excluded).</summary>
    public int EffectiveNodeCount => Nodes.Count(n => SegmentPartitioner.IsEffective(n));

    public IReadOnlyDictionary<string, int> OpHistogram =>
        Nodes.GroupBy(n => n.Op).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>A node left on the host path, and why.</summary>
public sealed record HostNode(Node Node, string Reason);

public sealed class PartitionResult
{
    public required string Engine { get; init; }
    public required int MinimumSegmentSize { get; init; }
    public required IReadOnlyList<Segment> Segments { get; init; }
    public required IReadOnlyList<HostNode> HostNodes { get; init; }
}

/// <summary>
/// TF-TRT-style segmentation. Supported nodes are clustered greedily along edges in topological
/// order; two clusters merge only if no path leaves one and re-enters the other through a node
/// outside both (contracting such a pair would create a cycle). Clusters smaller than the
/// minimum segment size (Identity and Const not counted) stay on the host path.
/// </summary>
public static class SegmentPartitioner
{
    public const int DefaultMinimumSegmentSize = 3;

    internal static bool IsEffective(Node n) => n.Op is not (Ops.Identity or Ops.Const);

    public static PartitionResult Partition(Graph graph, IEngineCapabilities engine, int minimumSegmentSize = DefaultMinimumSegmentSize)
    {
        if (minimumSegmentSize < 1)
            throw new EastBakeException(ErrorCodes.BadSegmentSize,
                $"MinimumSegmentSize must be at least 1 (was {minimumSegmentSize})", graph.SourceFile);
        graph.TopologicalSort();
        var nodes = graph.Nodes;
        var index = new Dictionary<Node, int>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++) index[nodes[i]] = i;

        var reasons = new Dictionary<Node, string>();
        var candidate = new bool[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            if (n.Op == Ops.Placeholder) continue; // graph inputs feed segments; they are not host work
            if (n.IsConst) continue; // weights: follow their consumers
            if (engine.Supports(n, out var why)) candidate[i] = true;
            else reasons[n] = why;
        }

        // Union-find over node indices; the cluster DAG is recomputed from node edges on demand.
        var parent = Enumerable.Range(0, nodes.Count).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        var succ = nodes.Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < nodes.Count; i++)
            foreach (var inp in nodes[i].Inputs)
                if (!inp.Producer.IsConst) succ[index[inp.Producer]].Add(i);

        for (var v = 0; v < nodes.Count; v++)
        {
            if (!candidate[v]) continue;
            foreach (var inp in nodes[v].Inputs)
            {
                var u = index[inp.Producer];
                if (!candidate[u]) continue;
                var cu = Find(u);
                var cv = Find(v);
                if (cu == cv || CreatesCycle(cu, cv, nodes.Count, succ, Find)) continue;
                parent[cv] = cu;
            }
        }

        var clusters = Enumerable.Range(0, nodes.Count).Where(i => candidate[i])
            .GroupBy(Find).Select(g => g.OrderBy(i => i).ToList()).OrderBy(c => c[0]).ToList();

        var segments = new List<Segment>();
        foreach (var members in clusters)
        {
            var memberNodes = members.Select(i => nodes[i]).ToList();
            var effective = memberNodes.Count(IsEffective);
            if (effective < minimumSegmentSize)
            {
                foreach (var n in memberNodes)
                    reasons[n] = $"its segment has {effective} effective node(s), fewer than MinimumSegmentSize {minimumSegmentSize}";
                continue;
            }
            var set = new HashSet<Node>(memberNodes);
            var inputs = memberNodes.SelectMany(n => n.Inputs)
                .Where(v => !set.Contains(v.Producer) && !v.Producer.IsConst).Distinct().ToList();
            var outputs = memberNodes.SelectMany(n => n.Outputs)
                .Where(v => graph.Outputs.Contains(v) || graph.Consumers(v).Any(c => !set.Contains(c.Node))).ToList();
            segments.Add(new Segment { Id = segments.Count, Engine = engine.Engine, Nodes = memberNodes, Inputs = inputs, Outputs = outputs });
        }

        var host = nodes.Where(n => reasons.ContainsKey(n)).Select(n => new HostNode(n, reasons[n])).ToList();
        return new PartitionResult { Engine = engine.Engine, MinimumSegmentSize = minimumSegmentSize, Segments = segments, HostNodes = host };
    }

    /// <summary>
    /// True when some path from cluster <paramref name="a"/> reaches cluster <paramref name="b"/>
    /// through a node of a third cluster: merging a and b would then put a cycle in the cluster graph.
    /// </summary>
    private static bool CreatesCycle(int a, int b, int n, List<int>[] succ, Func<int, int> find)
    {
        var seen = new bool[n];
        var stack = new Stack<int>();
        // Start from every edge leaving cluster a (or b) into a third cluster.
        for (var i = 0; i < n; i++)
        {
            var ci = find(i);
            if (ci != a && ci != b) continue;
            foreach (var s in succ[i])
            {
                var cs = find(s);
                if (cs != a && cs != b && !seen[s]) { seen[s] = true; stack.Push(s); }
            }
        }
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            foreach (var s in succ[x])
            {
                var cs = find(s);
                if (cs == a || cs == b) return true;
                if (!seen[s]) { seen[s] = true; stack.Push(s); }
            }
        }
        return false;
    }
}
