using System.Globalization;
using EastBake.Baking.Partitioning;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Plans;

namespace EastBake.Tool.Html;

/// <summary>A node to draw: <see cref="Group"/> is a segment index, or <see cref="GraphView.Host"/> / <see cref="GraphView.GraphIo"/>.</summary>
public sealed record ViewNode(string Name, string Op, int Group, string Detail);

/// <summary>A legend entry: one per segment, plus the host path and graph inputs.</summary>
public sealed record ViewGroup(int Id, string Label, int NodeCount);

/// <summary>
/// What <c>inspect --html</c> draws, independent of how: nodes coloured by the segment that runs
/// them (TF-TRT's TRTEngineOp view), host-path nodes with the reason they were left out, and the
/// data edges between them. Constants are not drawn (they become segment weights).
/// </summary>
public sealed class GraphView
{
    public const int Host = -1;
    public const int GraphIo = -2;

    public required string Title { get; init; }
    public required IReadOnlyList<string> Summary { get; init; }
    public required IReadOnlyList<ViewGroup> Groups { get; init; }
    public required IReadOnlyList<ViewNode> Nodes { get; init; }
    public required IReadOnlyList<(int From, int To)> Edges { get; init; }

    /// <summary>An optimized graph and its partition for one engine.</summary>
    public static GraphView FromPartition(string title, Graph graph, PartitionResult partition)
    {
        var segmentOf = new Dictionary<Node, Segment>();
        foreach (var s in partition.Segments)
            foreach (var n in s.Nodes) segmentOf[n] = s;
        var reasons = partition.HostNodes.ToDictionary(h => h.Node, h => h.Reason);
        var drawn = graph.Nodes.Where(n => !n.IsConst).ToList();
        var index = new Dictionary<Node, int>();
        var nodes = new List<ViewNode>();
        foreach (var n in drawn)
        {
            index[n] = nodes.Count;
            var shape = n.Outputs.Count > 0 ? n.Output.Shape.ToString() : "";
            var (group, detail) = segmentOf.TryGetValue(n, out var seg) ? (seg.Id, $"segment {seg.Id} ({partition.Engine})")
                : n.Op == Ops.Placeholder ? (GraphIo, "graph input")
                : (Host, "host path: " + reasons.GetValueOrDefault(n, "not assigned to a segment"));
            nodes.Add(new ViewNode(n.Name, n.Op, group, $"{detail}\noutput {shape}"));
        }
        var edges = drawn.SelectMany(n => n.Inputs.Where(v => index.ContainsKey(v.Producer))
            .Select(v => (index[v.Producer], index[n]))).Distinct().ToList();
        var groups = partition.Segments.Select(s => new ViewGroup(s.Id,
                $"segment {s.Id} ({partition.Engine}): {s.Nodes.Count} nodes", s.Nodes.Count)).ToList();
        groups.Add(new ViewGroup(Host, $"host path: {partition.HostNodes.Count} nodes", partition.HostNodes.Count));
        groups.Add(new ViewGroup(GraphIo, "graph input", nodes.Count(n => n.Group == GraphIo)));
        return new GraphView
        {
            Title = title,
            Summary =
            [
                $"engine {partition.Engine}, MinimumSegmentSize {partition.MinimumSegmentSize}: " +
                $"{partition.Segments.Count} segment(s), {partition.HostNodes.Count} node(s) on the host path",
                $"{drawn.Count} nodes drawn ({graph.Nodes.Count - drawn.Count} constants folded into segment weights)",
            ],
            Groups = groups,
            Nodes = nodes,
            Edges = edges,
        };
    }

    /// <summary>
    /// A plan: ONNX segments are drawn node by node from their payloads; other engines' segments
    /// (ILGPU programs, TensorRT contexts) as one node each. Edges follow tensor names.
    /// </summary>
    public static GraphView FromPlan(string title, Plan plan)
    {
        var nodes = new List<ViewNode>();
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        var consumers = new List<(int Node, string Tensor)>();
        nodes.Add(new ViewNode(plan.InputName, "Input", GraphIo, "graph input"));
        producers[plan.InputName] = 0;
        var groups = new List<ViewGroup>();
        foreach (var s in plan.Segments)
        {
            var first = nodes.Count;
            if (s.Engine == EngineKinds.Onnx)
            {
                var model = ModelProto.Parser.ParseFrom(s.Payload);
                foreach (var n in model.Graph.Node)
                {
                    var id = nodes.Count;
                    nodes.Add(new ViewNode(n.Name.Length > 0 ? n.Name : n.Output.FirstOrDefault() ?? n.OpType, n.OpType, s.Id,
                        $"segment {s.Id} ({s.Engine})"));
                    foreach (var o in n.Output) producers[o] = id;
                    foreach (var i in n.Input.Where(i => i.Length > 0)) consumers.Add((id, i));
                }
            }
            else
            {
                var id = nodes.Count;
                nodes.Add(new ViewNode($"segment {s.Id}", s.Engine, s.Id,
                    $"{s.Payload.Length.ToString("N0", CultureInfo.InvariantCulture)} payload bytes; " +
                    string.Join("; ", s.Properties.Select(kv => $"{kv.Key}={kv.Value}"))));
                foreach (var o in s.Outputs) producers[o] = id;
                foreach (var i in s.Inputs) consumers.Add((id, i));
            }
            groups.Add(new ViewGroup(s.Id, $"segment {s.Id} ({s.Engine}, group {s.Group}): {nodes.Count - first} nodes", nodes.Count - first));
        }
        // ONNX graph inputs keep the plan's tensor names except ':' (SubgraphExtractor); match both spellings.
        foreach (var (name, id) in producers.ToList()) producers.TryAdd(name.Replace(':', '_'), id);
        var edges = consumers.Where(c => producers.ContainsKey(c.Tensor) && producers[c.Tensor] != c.Node)
            .Select(c => (producers[c.Tensor], c.Node)).Distinct().ToList();
        groups.Add(new ViewGroup(GraphIo, "graph input", 1));
        return new GraphView
        {
            Title = title,
            Summary =
            [
                $"EastBake {plan.EastBakeVersion}, {plan.Precision}, profile {ProfileText.Format(plan.Profile)}, target {plan.Target.Backend} ({plan.Target.Architecture})",
                $"{plan.Segments.Count} segment(s); outputs {string.Join(", ", plan.OutputNames)}",
            ],
            Groups = groups,
            Nodes = nodes,
            Edges = edges,
        };
    }
}
